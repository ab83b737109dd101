"""Least privilege from the graph: each role may do exactly what its service's flows need, on exactly the
resources those flows reach. No wildcard action; a wildcard resource only where the service has no
resource-level permissions (X-Ray, and the network interfaces of VPC functions)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ...models import Flow, Service
from ...models.text import sub_literal
from .context import Emit
from .refs import arn, bucket_arn, ssm_parameter_arn
from .template import Json, sub

TABLE_READ = ("dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:Query",
              "dynamodb:Scan")
TABLE_WRITE = ("dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem")
DAX_READ = ("dax:BatchGetItem", "dax:ConditionCheckItem", "dax:GetItem", "dax:Query", "dax:Scan")
DAX_WRITE = ("dax:BatchWriteItem", "dax:DeleteItem", "dax:PutItem", "dax:UpdateItem")
STREAM_READ = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams")
KINESIS_READ = ("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:SubscribeToShard")
QUEUE_CONSUME = ("sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage")


@dataclass(frozen=True)
class Statement:
    actions: tuple[str, ...]
    resources: tuple[Json | str, ...]
    condition: Json | None = None

    def to_json(self) -> Json:
        body: Json = {"Effect": "Allow", "Action": sorted(set(self.actions)),
                      "Resource": list(self.resources) if len(self.resources) > 1 else self.resources[0]}
        if self.condition:
            body["Condition"] = self.condition
        return body


def document(statements: Iterable[Statement]) -> Json:
    """A policy document; statements with the same actions and condition are merged, duplicates dropped."""
    merged: dict[tuple[tuple[str, ...], str], list[Json | str]] = {}
    conditions: dict[tuple[tuple[str, ...], str], Json | None] = {}
    for statement in statements:
        key = (tuple(sorted(set(statement.actions))), repr(statement.condition))
        resources = merged.setdefault(key, [])
        conditions[key] = statement.condition
        resources.extend(r for r in statement.resources if r not in resources)
    return {"Version": "2012-10-17", "Statement": [
        Statement(actions, tuple(resources), conditions[(actions, cond)]).to_json()
        for (actions, cond), resources in merged.items()
    ]}


def _prefix(flow: Flow) -> str:
    return getattr(flow, "prefix", None) or ""


def flow_statements(emit: Emit, flow: Flow) -> list[Statement]:
    """What the source of `flow` needs to be allowed to do for it (nothing for flows that need no IAM)."""
    target = emit.service(flow.target)
    kind, target_kind = flow.kind, target.kind  # type: ignore[attr-defined]
    if target_kind == "s3" and kind in ("reads", "writes", "signs", "delivers"):
        return _bucket(emit, target, kind, _prefix(flow))
    if target_kind == "dynamodb" and kind in ("reads", "writes"):
        return [Statement(TABLE_READ if kind == "reads" else TABLE_WRITE,
                          (arn(emit, target), sub(f"${{{emit.lid(target)}.Arn}}/index/*")))]
    if target_kind == "dax" and kind in ("reads", "writes"):
        return [Statement(DAX_READ if kind == "reads" else DAX_WRITE, (arn(emit, target),))]
    if kind in ("enqueues", "dead-letter") and target_kind == "sqs":
        return [Statement(("sqs:SendMessage",), (arn(emit, target),))]
    if kind == "publishes":
        return [Statement(("sns:Publish",), (arn(emit, target),))]
    if kind == "sends-email":
        return [Statement(("ses:SendEmail", "ses:SendRawEmail"), (arn(emit, target),))]
    if kind == "puts-records" and target_kind == "kinesis-stream":
        return [Statement(("kinesis:PutRecord", "kinesis:PutRecords"), (arn(emit, target),))]
    if kind == "puts-records" and target_kind == "firehose":
        return [Statement(("firehose:PutRecord", "firehose:PutRecordBatch"), (arn(emit, target),))]
    if kind == "signs" and target_kind == "cloudfront":
        return [Statement(("ssm:GetParameter",), (ssm_parameter_arn(emit.lid(target, "PrivateKeyParameter")),))]
    if kind == "queries":
        return _athena(emit, target)
    if kind == "invokes" and target_kind == "lambda":
        return [Statement(("lambda:InvokeFunction",), (arn(emit, target),))]
    return []


def trigger_statements(emit: Emit, flow: Flow) -> list[Statement]:
    """What a function needs to read the queue or stream that triggers it (event source mappings poll as the
    function's role)."""
    source = emit.service(flow.source)
    kind = source.kind  # type: ignore[attr-defined]
    if kind == "sqs":
        return [Statement(QUEUE_CONSUME, (arn(emit, source),))]
    if kind == "dynamodb":
        return [Statement(STREAM_READ, (emit.get_att(source, "StreamArn"),))]
    if kind == "kinesis-stream":
        return [Statement(KINESIS_READ, (arn(emit, source),))]
    return []


def _bucket(emit: Emit, bucket: Service, kind: str, prefix: str) -> list[Statement]:
    objects = bucket_arn(emit, bucket, f"/{sub_literal(prefix)}*")
    if kind == "writes" or kind == "delivers":
        return [Statement(("s3:AbortMultipartUpload", "s3:PutObject"), (objects,))]
    condition = {"StringLike": {"s3:prefix": [f"{prefix}*"]}} if prefix else None
    return [Statement(("s3:GetObject",), (objects,)),
            Statement(("s3:ListBucket",), (bucket_arn(emit, bucket),), condition)]


def _athena(emit: Emit, workgroup: Service) -> list[Statement]:
    """Running queries in a workgroup: Athena reads and writes S3 and the Glue catalog with the caller's
    permissions, so the caller needs what the workgroup's own flows reach."""
    database = emit.lid(workgroup, "Database")
    catalog = "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}"
    statements = [
        Statement(("athena:GetQueryExecution", "athena:GetQueryResults", "athena:GetWorkGroup",
                   "athena:StartQueryExecution", "athena:StopQueryExecution"), (arn(emit, workgroup),)),
        Statement(("glue:GetDatabase", "glue:GetPartitions", "glue:GetTable", "glue:GetTables"),
                  (sub(f"{catalog}:catalog"), sub(f"{catalog}:database/${{{database}}}"),
                   sub(f"{catalog}:table/${{{database}}}/*"))),
    ]
    for flow in emit.outgoing(workgroup, to="s3"):
        bucket = emit.service(flow.target)
        statements.append(Statement(("s3:GetBucketLocation",), (bucket_arn(emit, bucket),)))
        statements += _bucket(emit, bucket, "reads", _prefix(flow))
        if flow.kind == "writes":
            statements += _bucket(emit, bucket, "writes", _prefix(flow))
    return statements


def role(emit: Emit, logical_id: str, principal: str, statements: list[Statement], description: str,
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
    emit.template.resource(logical_id, "AWS::IAM::Role", properties)
    if statements:
        emit.template.resource(f"{logical_id}Policy", "AWS::IAM::Policy", {
            "PolicyName": f"{logical_id}Policy",
            "Roles": [{"Ref": logical_id}],
            "PolicyDocument": document(statements),
        })
    return logical_id
