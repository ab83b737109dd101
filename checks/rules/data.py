"""Data stores: S3, DynamoDB and DAX."""

from __future__ import annotations

from ...models.flows import Caches, Reads, Triggers
from ...models.graph import Graph
from ...models.services import Athena, DaxCluster, DynamoDbTable, S3Bucket
from ..rule import NOT_APPLICABLE, Outcome, fail, passes_if, rule

S3 = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
DDB = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"


@rule("AC401", severity="critical", title="S3 Block Public Access is on",
      rationale="Block Public Access is the account-proof guard against a policy or ACL that exposes the bucket.",
      remediation="Set `block_public_access: true`; serve public content through CloudFront with an origin access control.",
      docs=S3 + "access-control-block-public-access.html",
      cdk_nag=("AwsSolutions-S2",), checkov=("CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"))
def s3_public_access_blocked(bucket: S3Bucket, g: Graph) -> Outcome:
    return passes_if(bucket.block_public_access, f"bucket '{bucket.id}' does not block public access")


@rule("AC402", severity="medium", title="S3 refuses requests that are not over TLS",
      rationale="A bucket policy denying `aws:SecureTransport = false` makes HTTPS to S3 mandatory, not optional.",
      remediation="Set `enforce_tls: true`.",
      docs=S3 + "security-best-practices.html", cdk_nag=("AwsSolutions-S10",))
def s3_tls_only(bucket: S3Bucket, g: Graph) -> Outcome:
    return passes_if(bucket.enforce_tls, f"bucket '{bucket.id}' accepts plain HTTP requests")


@rule("AC403", severity="low", title="S3 versioning is on",
      rationale="Versioning recovers objects from accidental overwrites and deletes.",
      remediation="Set `versioning: true`.",
      docs=S3 + "Versioning.html", checkov=("CKV_AWS_21",))
def s3_versioning(bucket: S3Bucket, g: Graph) -> Outcome:
    return passes_if(bucket.versioning, f"bucket '{bucket.id}' keeps no object versions")


@rule("AC404", severity="low", title="S3 server access logging is on",
      rationale="Access logs are the record of who read or changed which object.",
      remediation="Set `access_logging: true`.",
      docs=S3 + "ServerLogs.html", cdk_nag=("AwsSolutions-S1",), checkov=("CKV_AWS_18",))
def s3_logging(bucket: S3Bucket, g: Graph) -> Outcome:
    if bucket.receives_logs:
        return NOT_APPLICABLE  # a bucket of logs: its own access logs would be logs of logging
    return passes_if(bucket.access_logging, f"bucket '{bucket.id}' writes no access logs")


@rule("AC405", severity="medium", title="DynamoDB point-in-time recovery is on",
      rationale="Point-in-time recovery restores a table to any second of the last 35 days after a bad write.",
      remediation="Set `point_in_time_recovery: true`.",
      docs=DDB + "PointInTimeRecovery.html", cdk_nag=("AwsSolutions-DDB3",), checkov=("CKV_AWS_28",))
def ddb_pitr(table: DynamoDbTable, g: Graph) -> Outcome:
    return passes_if(table.point_in_time_recovery, f"table '{table.id}' has no point-in-time recovery")


@rule("AC406", severity="low", title="DynamoDB tables are encrypted with a KMS key",
      rationale="A KMS key (AWS managed or your own) gives key usage audit in CloudTrail and control over access.",
      remediation="Set `encryption: aws-managed` or `customer-managed`.",
      docs=DDB + "EncryptionAtRest.html", checkov=("CKV_AWS_119",))
def ddb_kms(table: DynamoDbTable, g: Graph) -> Outcome:
    return passes_if(table.encryption != "aws-owned", f"table '{table.id}' uses an AWS owned key")


@rule("AC407", severity="low", title="DynamoDB tables have deletion protection",
      rationale="Deletion protection stops a stray delete from dropping the table and its data.",
      remediation="Set `deletion_protection: true`.",
      docs=DDB + "WorkingWithTables.Basics.html#WorkingWithTables.Basics.DeletionProtection")
def ddb_deletion_protection(table: DynamoDbTable, g: Graph) -> Outcome:
    return passes_if(table.deletion_protection, f"table '{table.id}' can be deleted by accident")


@rule("AC408", severity="medium", title="A read-heavy DynamoDB table is read through DAX",
      rationale="""When reads far exceed writes, a DAX cluster answers repeated reads from memory in
      microseconds and takes the load off the table (the seed's answer for MyTodoList). Read-heavy means
      expected reads at least `read_heavy_ratio` (5) times the writes and at least `read_heavy_min_reads_per_s`
      (100) per second.""",
      remediation="Add a DAX cluster with a `caches` flow to the table, and have functions read through it.",
      docs=DDB + "DAX.html")
def read_heavy_table_behind_dax(table: DynamoDbTable, g: Graph) -> Outcome:
    if not g.is_read_heavy(table):
        return NOT_APPLICABLE
    if not g.incoming(table.id, Caches):
        return fail(f"read-heavy table '{table.id}' has no DAX cluster in front")
    direct = [f.source for f in g.incoming(table.id, Reads) if not isinstance(g.source(f), Athena)]
    return passes_if(not direct, f"read-heavy table '{table.id}' is read directly by {', '.join(direct)}, not through DAX")


@rule("AC409", severity="high", title="DAX clusters are encrypted at rest",
      rationale="A DAX cluster caches table data; it needs the same encryption at rest as the table.",
      remediation="Set `encryption_at_rest: true`.",
      docs=DDB + "DAXEncryptionAtRest.html", cdk_nag=("AwsSolutions-DDB4",), checkov=("CKV_AWS_47",))
def dax_encrypted(cluster: DaxCluster, g: Graph) -> Outcome:
    return passes_if(cluster.encryption_at_rest, f"DAX cluster '{cluster.id}' is not encrypted at rest")


@rule("AC410", severity="medium", title="DAX clusters require TLS",
      rationale="Without TLS, table data crosses the VPC in clear text between functions and the cluster.",
      remediation="Set `tls_in_transit: true`.",
      docs=DDB + "DAXEncryptionInTransit.html")
def dax_tls(cluster: DaxCluster, g: Graph) -> Outcome:
    return passes_if(cluster.tls_in_transit, f"DAX cluster '{cluster.id}' accepts unencrypted connections")


@rule("AC411", severity="medium", title="DAX clusters have three or more nodes",
      rationale="AWS recommends at least three nodes in different Availability Zones for production clusters.",
      remediation="Set `nodes: 3` or more.",
      docs=DDB + "DAX.concepts.cluster.html")
def dax_nodes(cluster: DaxCluster, g: Graph) -> Outcome:
    return passes_if(cluster.nodes >= 3, f"DAX cluster '{cluster.id}' has {cluster.nodes} node(s)")


@rule("AC412", severity="high", title="Tables that trigger functions have a stream",
      rationale="Lambda reads table changes from DynamoDB Streams; a trigger on a table without one never fires.",
      remediation="Set `stream: NEW_IMAGE` (or another view type) on the table.",
      docs=DDB + "Streams.Lambda.html")
def triggering_table_has_stream(table: DynamoDbTable, g: Graph) -> Outcome:
    if not g.outgoing(table.id, Triggers):
        return NOT_APPLICABLE
    return passes_if(table.stream is not None, f"table '{table.id}' triggers functions but has no stream")


@rule("AC413", severity="medium", title="A DAX cluster caches a table",
      rationale="A cluster with nothing to cache costs money and adds a hop for nothing.",
      remediation="Add a `caches` flow from the cluster to the table it fronts.",
      docs=DDB + "DAX.html")
def dax_caches_a_table(cluster: DaxCluster, g: Graph) -> Outcome:
    return passes_if(bool(g.outgoing(cluster.id, Caches)), f"DAX cluster '{cluster.id}' caches no table")
