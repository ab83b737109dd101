"""Typed flows between services. Each flow kind declares which (source kind, target kind) pairs it allows."""

from __future__ import annotations

from collections.abc import Callable
from itertools import product
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, field_validator, model_validator

from .base import Id, Model, Service
from .data import AccessPoint
from .services import (
    MODELLED,
    Alb,
    ApiGateway,
    Athena,
    AutoScalingGroup,
    Browser,
    Clb,
    CloudFront,
    CognitoIdentityPool,
    CognitoUserPool,
    DaxCluster,
    DynamoDbTable,
    Ec2Instance,
    EcsService,
    EfsFileSystem,
    ElastiCache,
    EventRule,
    Firehose,
    Generic,
    HttpApi,
    IotDevice,
    KinesisStream,
    LambdaFunction,
    MobileApp,
    QuickSight,
    RdsDatabase,
    Redshift,
    S3Bucket,
    Secret,
    Ses,
    SnsTopic,
    SqsQueue,
    StateMachine,
    Sts,
    kinds,
)

CLIENTS = kinds(MobileApp, Browser, IotDevice)
COMPUTE = kinds(LambdaFunction, AutoScalingGroup, Ec2Instance, EcsService)
CONSUMERS = kinds(QuickSight, Redshift)
GENERIC = kinds(Generic)
STORES = kinds(DynamoDbTable, DaxCluster, S3Bucket)



def _none_if_empty(value: object) -> object:
    return None if value == "" else value


Affix = Annotated[str | None, BeforeValidator(_none_if_empty)]
"""A key prefix or suffix; an empty one is no prefix (None), so that one case has one form."""


def pairs(*groups: tuple[frozenset[str] | set[str], frozenset[str] | set[str]]) -> frozenset[tuple[str, str]]:
    """All (source kind, target kind) pairs of the given (sources, targets) groups."""
    return frozenset(pair for sources, targets in groups for pair in product(sources, targets))


class Flow(Model):
    """A directed relation from one service to another."""

    allowed: ClassVar[frozenset[tuple[str, str]]] = frozenset()
    """The (source kind, target kind) pairs this flow kind may connect."""
    verb: ClassVar[str] = ""
    """How the relation reads in a sentence: "<source> <verb> <target>"."""

    id: Id | None = None
    """Identifier for suppressions and diagrams; defaults to `<from>-<kind>-<to>`."""
    source: Id = Field(alias="from")
    """Id of the service the flow starts at."""
    target: Id = Field(alias="to")
    """Id of the service the flow ends at."""
    label: str | None = None
    """Text on the arrow; a sensible one is derived from the kind when unset."""

    @model_validator(mode="before")
    @classmethod
    def _default_id(cls, data: object) -> object:
        ends = ("from", "to", "kind")
        if isinstance(data, dict) and data.get("id") is None and all(isinstance(data.get(k), str) for k in ends):
            return {**data, "id": f"{data['from']}-{data['kind']}-{data['to']}"}
        return data

    @property
    def key(self) -> str:
        assert self.id is not None  # always filled by _default_id
        return self.id


class Calls(Flow):
    """A synchronous request, such as a client calling a REST API."""

    verb: ClassVar[str] = "calls"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs(
        (CLIENTS | COMPUTE, kinds(ApiGateway, HttpApi, CloudFront, Alb, Clb)),
    )
    kind: Literal["calls"] = "calls"
    protocol: Literal["https", "http"] = "https"
    """Protocol of the request."""


class Authenticates(Flow):
    """A user signs in to a Cognito user pool."""

    verb: ClassVar[str] = "authenticates with"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((CLIENTS, kinds(CognitoUserPool)))
    kind: Literal["authenticates"] = "authenticates"


class Authorizes(Flow):
    """A front door checks callers' tokens against a user pool or an authorizer function."""

    verb: ClassVar[str] = "authorizes callers with"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs(
        (kinds(ApiGateway, HttpApi), kinds(CognitoUserPool, LambdaFunction)),
        (kinds(Alb), kinds(CognitoUserPool)),
    )
    kind: Literal["authorizes"] = "authorizes"


class Federates(Flow):
    """Identity federation: a client exchanges its token at an identity pool, which trusts a user pool."""

    verb: ClassVar[str] = "federates with"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs(
        (CLIENTS, kinds(CognitoIdentityPool)),
        (kinds(CognitoIdentityPool), kinds(CognitoUserPool)),
    )
    kind: Literal["federates"] = "federates"


class AssumesRole(Flow):
    """An identity pool obtains temporary credentials from STS (AssumeRoleWithWebIdentity)."""

    verb: ClassVar[str] = "gets temporary credentials from"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((kinds(CognitoIdentityPool), kinds(Sts)))
    kind: Literal["assumes-role"] = "assumes-role"


class Grants(Flow):
    """The temporary credentials an identity pool hands out give access to a resource."""

    verb: ClassVar[str] = "grants access to"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs(
        (kinds(CognitoIdentityPool), kinds(S3Bucket, DynamoDbTable, LambdaFunction, ApiGateway, KinesisStream, Firehose)),
    )
    kind: Literal["grants"] = "grants"
    actions: Annotated[list[Annotated[str, Field(pattern=r"^[a-z0-9-]+:[A-Za-z*]+$")]], Field(min_length=1, examples=[
        ["s3:GetObject", "s3:PutObject"], ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
        ["kinesis:PutRecord"], ["firehose:PutRecordBatch"], ["lambda:InvokeFunction"], ["execute-api:Invoke"]])]
    """IAM actions granted, such as `s3:GetObject` (a set: kept sorted)."""
    scope: Literal["user", "all"] = "user"
    """`user`: only the caller's own data (S3 prefix `${cognito-identity.amazonaws.com:sub}/`,
    DynamoDB `dynamodb:LeadingKeys`); `all`: the whole resource."""

    @field_validator("actions")
    @classmethod
    def _actions_sorted(cls, actions: list[str]) -> list[str]:
        return _sorted(actions)


def _sorted(values: list[str], key: Callable[[str], Any] | None = None) -> list[str]:
    return sorted(dict.fromkeys(values), key=key)


class Invokes(Flow):
    """A function is invoked: API Gateway or a load balancer integration, CloudFront, another function, a user
    pool's trigger, a state machine's task, a secret's rotation (synchronously, on its schedule), or a resource
    archcase does not model (an EventBridge rule or schedule, a custom resource, an IoT rule, ...)."""

    verb: ClassVar[str] = "invokes"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs(
        (kinds(ApiGateway, HttpApi, Alb, LambdaFunction, CloudFront, CognitoUserPool, StateMachine, EventRule, Secret,
               Generic),
         kinds(LambdaFunction)))
    kind: Literal["invokes"] = "invokes"
    routes: list[Annotated[str, Field(pattern=r"^(GET|HEAD|OPTIONS|POST|PUT|PATCH|DELETE|ANY) /\S*$")]] = []
    """For API Gateway (REST and HTTP APIs): the routes served by the function, as `METHOD /path` (a set: kept sorted
    by path)."""
    mode: Literal["sync", "async"] = "sync"
    """Request-response or event (asynchronous) invocation."""

    @field_validator("routes")
    @classmethod
    def _routes_sorted(cls, routes: list[str]) -> list[str]:
        return _sorted(routes, key=lambda route: (route.split(" ", 1)[1], route))


class Reads(Flow):
    """Reads data from a store."""

    verb: ClassVar[str] = "reads from"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs(
        (CLIENTS | COMPUTE | CONSUMERS | kinds(Athena), STORES),
        (kinds(StateMachine), kinds(DynamoDbTable)),  # a task's DynamoDB call
        (COMPUTE, kinds(Secret)),  # GetSecretValue at run time
    )
    kind: Literal["reads"] = "reads"
    prefix: Affix = None
    """For S3: the key prefix read."""


class Writes(Flow):
    """Writes data to a store."""

    verb: ClassVar[str] = "writes to"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs(
        (CLIENTS | COMPUTE | kinds(Athena), STORES),
        (kinds(StateMachine), kinds(DynamoDbTable)),  # a task's DynamoDB call
    )
    kind: Literal["writes"] = "writes"
    prefix: Affix = None
    """For S3: the key prefix written."""


class Resolves(Flow):
    """CloudFormation resolves a secret into the service's settings when it deploys (a dynamic reference,
    `{{resolve:secretsmanager:...}}`): the service's configuration then holds the value itself, not a reference to
    it, and a rotation of the secret reaches it only at the next deployment."""

    verb: ClassVar[str] = "has resolved into its settings"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs(
        (COMPUTE | GENERIC | kinds(RdsDatabase, Firehose, Alb, StateMachine), kinds(Secret)),
    )
    kind: Literal["resolves"] = "resolves"
    into: Literal["environment", "user-data", "settings"] = "settings"
    """Where the value lands: a function's environment variables, instances' user data (both readable to anyone
    who may read the function's or instance's configuration), or another setting (a database's master password,
    a delivery stream's access key, ...)."""


class Caches(Flow):
    """A DAX cluster caches a DynamoDB table (write-through item and query cache)."""

    verb: ClassVar[str] = "caches"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((kinds(DaxCluster), kinds(DynamoDbTable)))
    kind: Literal["caches"] = "caches"


class Connects(Flow):
    """Opens connections over the VPC to a relational database (SQL) or a cache (Valkey, Redis or Memcached
    protocol), as its endpoint, its secret, an `rds-db:connect` permission or its security group says."""

    verb: ClassVar[str] = "connects to"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((COMPUTE, kinds(RdsDatabase, ElastiCache)))
    kind: Literal["connects"] = "connects"


class Mounts(Flow):
    """Mounts an EFS file system over NFS in the VPC: a function through an access point (Lambda mounts nothing
    else, and one file system per function), instances (an Auto Scaling group's or a single one) and an ECS service's
    tasks the file system itself."""

    verb: ClassVar[str] = "mounts"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((COMPUTE, kinds(EfsFileSystem)))
    kind: Literal["mounts"] = "mounts"
    access_point: AccessPoint | None = None
    """The access point mounted (functions only, and required for them); none mounts the whole file system as the
    client's own users."""


class Triggers(Flow):
    """An event source invokes a function: DynamoDB stream, S3 event, SQS queue or Kinesis stream."""

    verb: ClassVar[str] = "triggers"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs(
        (kinds(DynamoDbTable, S3Bucket, SqsQueue, KinesisStream), kinds(LambdaFunction)),
    )
    kind: Literal["triggers"] = "triggers"
    events: list[str] = []
    """For S3: event types, such as `s3:ObjectCreated:*` (unset means `[s3:ObjectCreated:*]`: the validated case
    holds it). For DynamoDB streams: the record types that invoke the function (`INSERT`, `MODIFY`, `REMOVE`), as
    an event filter; all when empty."""
    prefix: Affix = None
    """For S3: only keys under this prefix trigger."""
    suffix: Affix = None
    """For S3: only keys with this suffix trigger."""
    batch_size: Annotated[int, Field(ge=1, le=10000)] | None = None
    """For streams and queues: records per invocation."""
    report_batch_item_failures: bool = True
    """For streams and queues: the function reports failed records so only they are retried."""
    bisect_on_error: bool = True
    """For streams: a batch that fails is split in two and each half retried, until the failing record is alone
    (`BisectBatchOnFunctionError`; AWS leaves it off)."""


ASYNC_SOURCES: tuple[type[Service], ...] = (S3Bucket, SnsTopic)
"""Services that invoke a function asynchronously: Lambda queues the event and retries it twice, then drops it
unless the function has somewhere to send failures (an on-failure destination or a dead-letter queue)."""

STREAM_SOURCES: tuple[type[Service], ...] = (DynamoDbTable, KinesisStream)
"""Streams a function reads through an event source mapping, shard by shard, in order."""

POLLED_SOURCES: tuple[type[Service], ...] = (SqsQueue, *STREAM_SOURCES)
"""Services a function's event source mapping polls (as the function's role): a queue, and the streams."""


S3_TRIGGER_EVENTS: tuple[str, ...] = ("s3:ObjectCreated:*",)
"""The events of an S3 `triggers` flow that names none (filled in by the architecture)."""

S3_EVENTS: frozenset[str] = frozenset({
    "s3:ObjectCreated:*", "s3:ObjectCreated:Put", "s3:ObjectCreated:Post", "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*", "s3:ObjectRemoved:Delete", "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*", "s3:ObjectRestore:Post", "s3:ObjectRestore:Completed", "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*", "s3:Replication:OperationFailedReplication", "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold", "s3:Replication:OperationNotTracked",
    "s3:LifecycleExpiration:*", "s3:LifecycleExpiration:Delete", "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition", "s3:IntelligentTiering",
    "s3:ObjectTagging:*", "s3:ObjectTagging:Put", "s3:ObjectTagging:Delete", "s3:ObjectAcl:Put",
})
"""The event types an S3 bucket can notify (Amazon S3 User Guide, "Supported event types for SQS, SNS and Lambda",
https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html)."""

STREAM_RECORD_EVENTS: frozenset[str] = frozenset({"INSERT", "MODIFY", "REMOVE"})
"""The record types of a DynamoDB stream (`eventName`), which a trigger can filter on."""


class SendsEmail(Flow):
    """A function sends email through SES."""

    verb: ClassVar[str] = "sends email with"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((kinds(LambdaFunction), kinds(Ses)))
    kind: Literal["sends-email"] = "sends-email"


class Origin(Flow):
    """A CloudFront distribution fetches from an origin."""

    verb: ClassVar[str] = "fetches from"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((kinds(CloudFront), kinds(S3Bucket, Alb, Clb, ApiGateway)))
    kind: Literal["origin"] = "origin"
    access: Literal["oac", "oai", "none"] | None = None
    """For S3 origins: how CloudFront authenticates to the bucket (origin access control, origin access
    identity, or none). Unset means `oac`: the validated case holds `oac` (every reader sees the resolved
    value). Other origins take no `access` and keep it unset."""
    path_pattern: Annotated[str, Field(pattern=r"^\S{1,255}$")] = "*"
    """Cache behaviour path pattern routed to this origin (`*` is the default behaviour); each origin flow of a
    distribution has its own."""
    protocol: Literal["https", "http"] = "https"
    """For custom origins: protocol CloudFront uses to reach the origin."""


class Signs(Flow):
    """A function issues signed URLs: CloudFront signed URLs, or S3 presigned URLs."""

    verb: ClassVar[str] = "signs URLs for"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((kinds(LambdaFunction), kinds(CloudFront, S3Bucket)))
    kind: Literal["signs"] = "signs"
    expires_s: Annotated[int, Field(ge=1, le=604800)] = 300
    """Lifetime of each signed URL, in seconds."""


class Publishes(Flow):
    """Publishes messages to an SNS topic, or puts events (`events:PutEvents`) on the bus of an EventBridge rule
    that matches them: its custom bus, or the default bus."""

    verb: ClassVar[str] = "publishes to"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((COMPUTE | kinds(ApiGateway, StateMachine, EventRule), kinds(SnsTopic)),
                                                          (COMPUTE, kinds(EventRule)))
    kind: Literal["publishes"] = "publishes"


class Enqueues(Flow):
    """Sends messages to an SQS queue."""

    verb: ClassVar[str] = "sends messages to"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((COMPUTE | kinds(ApiGateway, StateMachine, EventRule), kinds(SqsQueue)))
    kind: Literal["enqueues"] = "enqueues"


class Starts(Flow):
    """Starts executions of a state machine: code calling `StartExecution`, or a resource archcase does not model
    (an EventBridge rule or schedule, an HTTP API integration, ...)."""

    verb: ClassVar[str] = "starts executions of"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((COMPUTE | GENERIC | kinds(EventRule), kinds(StateMachine)))
    kind: Literal["starts"] = "starts"


class Subscribes(Flow):
    """An SNS topic delivers to a subscribed queue or function (arrow follows the messages)."""

    verb: ClassVar[str] = "delivers to subscriber"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((kinds(SnsTopic), kinds(SqsQueue, LambdaFunction)))
    kind: Literal["subscribes"] = "subscribes"
    raw_message_delivery: bool = False
    """For SQS subscribers: deliver the message body without the SNS envelope."""


class Notifies(Flow):
    """An S3 bucket sends event notifications to a queue or topic."""

    verb: ClassVar[str] = "notifies"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((kinds(S3Bucket), kinds(SqsQueue, SnsTopic)))
    kind: Literal["notifies"] = "notifies"
    events: Annotated[list[str], Field(min_length=1)] = ["s3:ObjectCreated:*"]
    """Event types notified."""
    prefix: Affix = None
    """Only keys under this prefix."""
    suffix: Affix = None
    """Only keys with this suffix."""


class PutsRecords(Flow):
    """Puts records into a Kinesis data stream or a Firehose delivery stream."""

    verb: ClassVar[str] = "puts records into"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs(
        (CLIENTS | COMPUTE | kinds(ApiGateway, EventRule), kinds(KinesisStream, Firehose)),
    )
    kind: Literal["puts-records"] = "puts-records"


class Delivers(Flow):
    """Firehose reads a Kinesis stream as its source, or delivers buffered records to a destination."""

    verb: ClassVar[str] = "delivers to"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs(
        (kinds(KinesisStream), kinds(Firehose)),
        (kinds(Firehose), kinds(S3Bucket, Redshift)),
    )
    kind: Literal["delivers"] = "delivers"
    prefix: Affix = None
    """For S3 destinations: the key prefix written."""


class Transforms(Flow):
    """Firehose hands each batch of records to a function for transformation."""

    verb: ClassVar[str] = "transforms records with"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((kinds(Firehose), kinds(LambdaFunction)))
    kind: Literal["transforms"] = "transforms"


class Queries(Flow):
    """Runs SQL queries in an Athena workgroup."""

    verb: ClassVar[str] = "queries"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs((kinds(LambdaFunction) | CONSUMERS, kinds(Athena)))
    kind: Literal["queries"] = "queries"


class Targets(Flow):
    """A load balancer forwards requests to a target group."""

    verb: ClassVar[str] = "forwards to"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs(
        (kinds(Alb, Clb), kinds(AutoScalingGroup, Ec2Instance)),
        (kinds(Alb), kinds(LambdaFunction, EcsService)),
    )
    kind: Literal["targets"] = "targets"
    protocol: Literal["https", "http"] = "http"
    """Protocol between the load balancer and its targets."""
    port: Annotated[int, Field(ge=1, le=65535)] = 80
    """Port the targets listen on."""


class DeadLetter(Flow):
    """Where failed messages or events go: an SQS redrive queue, an SNS subscription's DLQ (a queue), or a
    function's on-failure destination (a queue or a topic). A queue redrives only to a queue, and SNS sends
    undeliverable messages only to a queue."""

    verb: ClassVar[str] = "sends failures to"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs(
        (kinds(SqsQueue, SnsTopic), kinds(SqsQueue)),  # a redrive policy's target is a queue
        (kinds(LambdaFunction), kinds(SqsQueue, SnsTopic)),  # a function's dead-letter target: a queue or a topic
        (kinds(EventRule), kinds(SqsQueue)),  # an EventBridge target's dead-letter queue
    )
    kind: Literal["dead-letter"] = "dead-letter"


class Uses(Flow):
    """An untyped dependency on, or of, a resource archcase does not model (a `generic` service), as an
    imported template states it (a reference, an event source, a permission)."""

    verb: ClassVar[str] = "uses"
    allowed: ClassVar[frozenset[tuple[str, str]]] = pairs(
        (MODELLED | GENERIC, GENERIC), (GENERIC, MODELLED),
    )
    kind: Literal["uses"] = "uses"
