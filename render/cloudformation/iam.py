"""Least privilege from the graph: each role may do exactly what its service's flows need, on exactly the
resources those flows reach. No wildcard action; a wildcard resource only where the service has no
resource-level permissions (X-Ray, and the network interfaces of VPC functions).

What a flow needs is registered per (flow class, target class) with `@permits`; pairs that need nothing are
listed, with the reason, in `registry.NEEDS_NO_PERMISSION`.
"""

from __future__ import annotations

from ...models.analytics import Athena, Firehose, KinesisStream
from ...models.base import Service
from ...models.compute import LambdaFunction
from ...models.data import DaxCluster, DynamoDbTable, S3Bucket
from ...models.edge import ApiGateway, CloudFront
from ...models.events import EventRule
from ...models.flows import (
    Caches,
    DeadLetter,
    Delivers,
    Enqueues,
    Flow,
    Grants,
    Invokes,
    Publishes,
    PutsRecords,
    Queries,
    Reads,
    SendsEmail,
    Signs,
    Transforms,
    Writes,
)
from ...models.messaging import Ses, SnsTopic, SqsQueue
from ...models.text import sub_literal
from .context import Fragment, att_of, lid
from .marks import permits, polls
from .policy import Statement, document
from .refs import bucket_arn, bus_arn, signing_key_parameter, ssm_parameter_arn
from .template import Json, ref, sub

TABLE_READ = ("dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:Query",
              "dynamodb:Scan")
TABLE_WRITE = ("dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem")
DAX_READ = ("dax:BatchGetItem", "dax:ConditionCheckItem", "dax:GetItem", "dax:Query", "dax:Scan")
DAX_WRITE = ("dax:BatchWriteItem", "dax:DeleteItem", "dax:PutItem", "dax:UpdateItem")
STREAM_READ = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams")
KINESIS_READ = ("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard")
QUEUE_CONSUME = ("sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage")

USER = "${cognito-identity.amazonaws.com:sub}"
"""The IAM policy variable holding the caller's identity id."""


def _prefix(flow: Flow) -> str:
    return getattr(flow, "prefix", None) or ""


@permits((Reads, S3Bucket), (Signs, S3Bucket))
def _bucket_read(out: Fragment, flow: Reads | Signs, bucket: S3Bucket) -> list[Statement]:
    """Reading objects (presigning a URL needs the same permission the URL's holder will use)."""
    return bucket_reads(out, bucket, _prefix(flow))


@permits((Writes, S3Bucket), (Delivers, S3Bucket))
def _bucket_write(out: Fragment, flow: Writes | Delivers, bucket: S3Bucket) -> list[Statement]:
    return bucket_writes(out, bucket, _prefix(flow))


def bucket_reads(out: Fragment, bucket: Service, prefix: str) -> list[Statement]:
    objects = bucket_arn(out, bucket, f"/{sub_literal(prefix)}*")
    condition = {"StringLike": {"s3:prefix": [f"{prefix}*"]}} if prefix else None
    return [Statement(("s3:GetObject",), (objects,)),
            Statement(("s3:ListBucket",), (bucket_arn(out, bucket),), condition)]


def bucket_writes(out: Fragment, bucket: Service, prefix: str) -> list[Statement]:
    return [Statement(("s3:AbortMultipartUpload", "s3:PutObject"), (bucket_arn(out, bucket, f"/{sub_literal(prefix)}*"),))]


@permits((Reads, DynamoDbTable), (Writes, DynamoDbTable))
def _table(out: Fragment, flow: Reads | Writes, table: DynamoDbTable) -> list[Statement]:
    return [Statement(TABLE_READ if isinstance(flow, Reads) else TABLE_WRITE,
                      (out.arn(table), sub(f"${{{lid(table)}.Arn}}/index/*")))]


@permits((Reads, DaxCluster), (Writes, DaxCluster))
def _dax(out: Fragment, flow: Reads | Writes, cluster: DaxCluster) -> list[Statement]:
    return [Statement(DAX_READ if isinstance(flow, Reads) else DAX_WRITE, (out.arn(cluster),))]


@permits((Caches, DynamoDbTable))
def _cached_table(out: Fragment, flow: Caches, table: DynamoDbTable) -> list[Statement]:
    """A DAX cluster reads and writes the tables it caches through its own role."""
    return [Statement(TABLE_READ + TABLE_WRITE + ("dynamodb:DescribeTable",), (out.arn(table),))]


@permits((Enqueues, SqsQueue), (DeadLetter, SqsQueue))
def _queue_send(out: Fragment, flow: Enqueues | DeadLetter, queue: SqsQueue) -> list[Statement]:
    return [Statement(("sqs:SendMessage",), (out.arn(queue),))]


@permits((Publishes, SnsTopic), (DeadLetter, SnsTopic))
def _topic_publish(out: Fragment, flow: Publishes | DeadLetter, topic: SnsTopic) -> list[Statement]:
    return [Statement(("sns:Publish",), (out.arn(topic),))]


@permits((Publishes, EventRule))
def _put_events(out: Fragment, flow: Publishes, rule: EventRule) -> list[Statement]:
    return [Statement(("events:PutEvents",), (bus_arn(rule),))]


@permits((SendsEmail, Ses))
def _send_email(out: Fragment, flow: SendsEmail, identity: Ses) -> list[Statement]:
    return [Statement(("ses:SendEmail", "ses:SendRawEmail"), (out.arn(identity),))]


@permits((PutsRecords, KinesisStream))
def _stream_put(out: Fragment, flow: PutsRecords, stream: KinesisStream) -> list[Statement]:
    return [Statement(("kinesis:PutRecord", "kinesis:PutRecords"), (out.arn(stream),))]


@permits((PutsRecords, Firehose))
def _firehose_put(out: Fragment, flow: PutsRecords, delivery: Firehose) -> list[Statement]:
    return [Statement(("firehose:PutRecord", "firehose:PutRecordBatch"), (out.arn(delivery),))]


@permits((Signs, CloudFront))
def _signing_key(out: Fragment, flow: Signs, cdn: CloudFront) -> list[Statement]:
    """Signing CloudFront URLs: reading the private key from SSM Parameter Store."""
    return [Statement(("ssm:GetParameter",), (ssm_parameter_arn(signing_key_parameter(cdn, flow)),))]


@permits((Invokes, LambdaFunction))
def _invoke(out: Fragment, flow: Invokes, function: LambdaFunction) -> list[Statement]:
    return [Statement(("lambda:InvokeFunction",), (out.arn(function),))]


@permits((Transforms, LambdaFunction))
def _processor(out: Fragment, flow: Transforms, function: LambdaFunction) -> list[Statement]:
    """A delivery stream invokes its record processor through its own role."""
    return [Statement(("lambda:GetFunctionConfiguration", "lambda:InvokeFunction"), (out.arn(function),))]


@permits((Queries, Athena))
def _athena(out: Fragment, flow: Queries, workgroup: Athena) -> list[Statement]:
    """Running queries in a workgroup: Athena reads and writes S3 and the Glue catalog with the caller's
    permissions, so the caller needs what the workgroup's own flows reach."""
    database = lid(workgroup, "Database")
    catalog = "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}"
    statements = [
        Statement(("athena:GetQueryExecution", "athena:GetQueryResults", "athena:GetWorkGroup",
                   "athena:StartQueryExecution", "athena:StopQueryExecution"), (out.arn(workgroup),)),
        Statement(("glue:GetDatabase", "glue:GetPartitions", "glue:GetTable", "glue:GetTables"),
                  (sub(f"{catalog}:catalog"), sub(f"{catalog}:database/${{{database}}}"),
                   sub(f"{catalog}:table/${{{database}}}/*"))),
    ]
    for reached in out.ctx.graph.outgoing(workgroup.id, to=S3Bucket):
        bucket = out.ctx.service(reached.target)
        statements.append(Statement(("s3:GetBucketLocation",), (bucket_arn(out, bucket),)))
        statements += bucket_reads(out, bucket, _prefix(reached))
        if isinstance(reached, Writes):
            statements += bucket_writes(out, bucket, _prefix(reached))
    return statements


@permits((Grants, S3Bucket))
def _grant_bucket(out: Fragment, flow: Grants, bucket: S3Bucket) -> list[Statement]:
    """An identity pool's signed-in users on a bucket: object actions on their own prefix (`scope: user`)."""
    per_user = flow.scope == "user"
    bucket_actions = [a for a in flow.actions if a in ("s3:ListBucket", "s3:ListBucketVersions")]
    object_actions = [a for a in flow.actions if a not in bucket_actions]
    statements = []
    if object_actions:
        own = "/${!cognito-identity.amazonaws.com:sub}/*" if per_user else "/*"  # `${!` is a literal `${` in Fn::Sub
        statements.append(Statement(tuple(object_actions), (bucket_arn(out, bucket, own),)))
    if bucket_actions:
        condition = {"StringLike": {"s3:prefix": [f"{USER}/*"]}} if per_user else None
        statements.append(Statement(tuple(bucket_actions), (bucket_arn(out, bucket),), condition))
    return statements


@permits((Grants, DynamoDbTable), (Grants, KinesisStream), (Grants, Firehose), (Grants, LambdaFunction),
         (Grants, ApiGateway))
def _grant(out: Fragment, flow: Grants, target: Service) -> list[Statement]:
    """An identity pool's signed-in users on a resource: the actions granted, on their own partition key where
    the grant is per user (DynamoDB's leading keys)."""
    condition = {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [USER]}} if flow.scope == "user" else None
    return [Statement(tuple(flow.actions), (att_of(target, "Arn"),), condition)]


@polls(SqsQueue)
def _poll_queue(out: Fragment, queue: SqsQueue) -> list[Statement]:
    return [Statement(QUEUE_CONSUME, (out.arn(queue),))]


@polls(DynamoDbTable)
def _poll_table_stream(out: Fragment, table: DynamoDbTable) -> list[Statement]:
    return [Statement(STREAM_READ, (att_of(table, "StreamArn"),))]


@polls(KinesisStream)
def _poll_stream(out: Fragment, stream: KinesisStream) -> list[Statement]:
    return [Statement(KINESIS_READ, (out.arn(stream),))]


def role(out: Fragment, logical_id: str, principal: str, statements: list[Statement], description: str,
         condition: Json | None = None, managed: list[Json] | None = None) -> str:
    """An IAM role that `principal` (`lambda.amazonaws.com`, ...) may assume, with its permissions in a
    separate policy resource (so that resources the policy names can depend on the role's holder without
    a cycle). Returns the role's logical id."""
    trust: Json = {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
    if condition:
        trust["Condition"] = condition
    properties: Json = {"Description": description,
                        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust]}}
    if managed:
        properties["ManagedPolicyArns"] = managed
    out.resource(logical_id, "AWS::IAM::Role", properties)
    if statements:
        policy(out, logical_id, statements)
    return logical_id


def policy(out: Fragment, role_id: str, statements: list[Statement]) -> None:
    """The policy resource (`<role>Policy`) holding a role's permissions."""
    out.resource(f"{role_id}Policy", "AWS::IAM::Policy", {
        "PolicyName": f"{role_id}Policy", "Roles": [ref(role_id)], "PolicyDocument": document(statements)})
