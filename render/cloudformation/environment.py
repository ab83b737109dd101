"""What a function is told about the services its flows reach: `<SERVICE_ID>_<WHAT>` environment variables,
registered per (flow class, target class) with `@tells`. Flows that tell a function nothing are listed, with
the reason, in `registry.NO_ENVIRONMENT`."""

from __future__ import annotations

from ...models.analytics import Athena, Firehose, KinesisStream
from ...models.data import DaxCluster, DynamoDbTable, S3Bucket
from ...models.edge import CloudFront
from ...models.events import EventRule
from ...models.flows import Caches, DeadLetter, Enqueues, Flow, Publishes, PutsRecords, Queries, Reads, SendsEmail, Signs, Writes
from ...models.messaging import Ses, SnsTopic, SqsQueue
from .context import Fragment, att_of, env_name, lid, ref_of
from .marks import tells
from .refs import bucket_name, bus_arn, sender, signing_key_parameter
from .template import Json, ref


@tells((Reads, DynamoDbTable), (Writes, DynamoDbTable))
def _table(out: Fragment, flow: Flow, table: DynamoDbTable) -> Json:
    return {env_name(table.id, "TABLE"): ref_of(table)}


@tells((Reads, DaxCluster), (Writes, DaxCluster))
def _dax(out: Fragment, flow: Flow, cluster: DaxCluster) -> Json:
    """The cluster's endpoint, and the names of the tables it caches (requests through DAX name the table)."""
    variables: Json = {env_name(cluster.id, "ENDPOINT"): att_of(cluster, "ClusterDiscoveryEndpointURL")}
    for cached in out.ctx.graph.outgoing(cluster.id, Caches):
        variables[env_name(cached.target, "TABLE")] = ref_of(cached.target)
    return variables


@tells((Reads, S3Bucket), (Writes, S3Bucket), (Signs, S3Bucket))
def _bucket(out: Fragment, flow: Flow, bucket: S3Bucket) -> Json:
    return {env_name(bucket.id, "BUCKET"): bucket_name(out, bucket)}


@tells((Enqueues, SqsQueue))
def _queue(out: Fragment, flow: Enqueues, queue: SqsQueue) -> Json:
    return {env_name(queue.id, "QUEUE_URL"): ref_of(queue)}


@tells((Publishes, SnsTopic), (DeadLetter, SnsTopic))
def _topic(out: Fragment, flow: Flow, topic: SnsTopic) -> Json:
    return {env_name(topic.id, "TOPIC_ARN"): ref_of(topic)}


@tells((Publishes, EventRule))
def _bus(out: Fragment, flow: Publishes, rule: EventRule) -> Json:
    """The bus to put events on (`PutEvents` takes its name or ARN): the rule's own, or the default bus."""
    return {env_name(rule.id, "EVENT_BUS"): ref(lid(rule, "Bus")) if rule.custom_bus else bus_arn(rule)}


@tells((SendsEmail, Ses))
def _sender(out: Fragment, flow: SendsEmail, identity: Ses) -> Json:
    return {env_name(identity.id, "SENDER"): sender(identity)}


@tells((PutsRecords, KinesisStream))
def _stream(out: Fragment, flow: PutsRecords, stream: KinesisStream) -> Json:
    return {env_name(stream.id, "STREAM"): ref_of(stream)}


@tells((PutsRecords, Firehose))
def _delivery_stream(out: Fragment, flow: PutsRecords, delivery: Firehose) -> Json:
    return {env_name(delivery.id, "DELIVERY_STREAM"): ref_of(delivery)}


@tells((Queries, Athena))
def _workgroup(out: Fragment, flow: Queries, workgroup: Athena) -> Json:
    return {env_name(workgroup.id, "WORKGROUP"): ref_of(workgroup),
            env_name(workgroup.id, "DATABASE"): ref_of(workgroup, "Database")}


@tells((Signs, CloudFront))
def _signer(out: Fragment, flow: Signs, cdn: CloudFront) -> Json:
    """What signing a CloudFront URL takes: the domain, the public key's id, where the private key is, and how
    long a URL lasts."""
    key = signing_key_parameter(cdn, flow)
    return {env_name(cdn.id, "DOMAIN"): att_of(cdn, "DomainName"),
            env_name(cdn.id, "KEY_PAIR_ID"): ref_of(cdn, "PublicKey"),
            env_name(cdn.id, "PRIVATE_KEY_PARAMETER"): ref(key),
            "URL_EXPIRES_S": str(flow.expires_s)}
