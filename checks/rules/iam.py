"""Least privilege: every permission comes from a flow, limited to what that flow needs."""

from __future__ import annotations

from ...models.base import Service
from ...models.flows import Federates, Grants, Reads, Writes
from ...models.graph import Graph
from ...models.services import (
    ApiGateway,
    AutoScalingGroup,
    DynamoDbTable,
    Ec2Instance,
    EcsService,
    Firehose,
    KinesisStream,
    LambdaFunction,
    S3Bucket,
)
from ..rule import NOT_APPLICABLE, Outcome, passes_if, rule

IAM = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege"

READ_ACTIONS: dict[type[Service], set[str]] = {
    S3Bucket: {"s3:GetObject", "s3:ListBucket", "s3:GetObjectVersion"},
    DynamoDbTable: {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:Scan",
                    "dynamodb:ConditionCheckItem"},
}
WRITE_ACTIONS: dict[type[Service], set[str]] = {
    S3Bucket: {"s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"},
    DynamoDbTable: {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"},
}
DATA_ACTIONS: dict[type[Service], set[str]] = {
    S3Bucket: READ_ACTIONS[S3Bucket] | WRITE_ACTIONS[S3Bucket],
    DynamoDbTable: READ_ACTIONS[DynamoDbTable] | WRITE_ACTIONS[DynamoDbTable]
    | {"dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:DescribeStream", "dynamodb:ListStreams"},  # its stream's records
    LambdaFunction: {"lambda:InvokeFunction"},
    ApiGateway: {"execute-api:Invoke"},
    KinesisStream: {"kinesis:PutRecord", "kinesis:PutRecords"},
    Firehose: {"firehose:PutRecord", "firehose:PutRecordBatch"},
}
"""The data-plane actions a user's temporary credentials may carry, per target class."""


@rule("AC801", severity="high", title="No wildcard actions in granted permissions",
      rationale="A wildcard action grants every current and future action of the service, including admin ones.",
      remediation="List the exact actions the users need.",
      docs=IAM, cdk_nag=("AwsSolutions-IAM5",), checkov=("CKV_AWS_63", "CKV_AWS_111"))
def no_wildcard_actions(flow: Grants, g: Graph) -> Outcome:
    wild = [a for a in flow.actions if "*" in a]
    return passes_if(not wild, f"grant to '{flow.target}' uses wildcard actions {', '.join(wild)}")


@rule("AC802", severity="high", title="Granted actions are data actions of the granted service",
      rationale="""Users' credentials should only read and write data: an action of another service, or a
      management action (changing policies, deleting buckets or tables), is never theirs to have.""",
      remediation="Keep only the target's data actions, such as s3:GetObject or dynamodb:Query.",
      docs=IAM)
def grant_actions_fit_target(flow: Grants, g: Graph) -> Outcome:
    allowed = DATA_ACTIONS.get(type(g.target(flow)), set())
    stray = [a for a in flow.actions if a not in allowed and "*" not in a]
    return passes_if(not stray, f"grant to '{flow.target}' includes {', '.join(stray)}, not a data action of it")


@rule("AC803", severity="medium", title="Every granted permission is used by a flow",
      rationale="""Least privilege, derived from the graph: users may write only where they have a `writes`
      flow and read only where they have a `reads` flow.""",
      remediation="Drop the actions no client flow uses, or add the flow that needs them.",
      docs=IAM, outside="the client apps that use the credentials, and what they do with them")
def grants_match_flows(flow: Grants, g: Graph) -> Outcome:
    store = type(g.target(flow))
    if store not in READ_ACTIONS:
        return NOT_APPLICABLE
    clients = [f.source for f in g.incoming(flow.source, Federates)]
    used = {type(f) for c in clients for f in g.outgoing(c) if f.target == flow.target}
    unused = [a for a in flow.actions if (a in WRITE_ACTIONS[store] and Writes not in used)
              or (a in READ_ACTIONS[store] and Reads not in used)]
    return passes_if(not unused, f"grant to '{flow.target}' includes {', '.join(unused)} that no client flow uses")


@rule("AC804", severity="medium", title="User-scoped DynamoDB grants exclude Scan",
      rationale="`dynamodb:LeadingKeys` limits the items of GetItem and Query; a Scan still reads the whole table.",
      remediation="Remove dynamodb:Scan from user-scoped grants; use Query on the user's partition key.",
      docs="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html")
def no_scan_for_users(flow: Grants, g: Graph) -> Outcome:
    if not isinstance(g.target(flow), DynamoDbTable) or flow.scope != "user":
        return NOT_APPLICABLE
    return passes_if("dynamodb:Scan" not in flow.actions, f"user-scoped grant to '{flow.target}' allows Scan")


@rule("AC805", severity="high", title="Roles allow named actions on named resources",
      rationale="""A wildcard action, or an action allowed on every resource, lets a compromised function or instance
      reach far beyond its flows: every table, every bucket, every current and future action. Not broad: a wildcard
      that stands only for reads of named resources, or for the actions of flows; actions that name no resource (so
      `*` is the only choice); listing and describing what resources there are (not what they hold); actions of
      another service than the resource's (they grant nothing there); and what AWS's own managed policies grant
      the agents that run a service on `*` (a function's logs and network interfaces, the Systems Manager and ECS
      agents, image pulls).""",
      remediation="Allow the exact actions the flows need on the resources they reach (archcase emits such roles).",
      docs=IAM, cdk_nag=("AwsSolutions-IAM5",), checkov=("CKV_AWS_111", "CKV_AWS_355"))
def role_is_narrow(holder: LambdaFunction | AutoScalingGroup | Ec2Instance | EcsService | Firehose, g: Graph) -> Outcome:
    return passes_if(not holder.broad_permissions,
                     f"the role of '{holder.id}' allows {', '.join(holder.broad_permissions[:5])}"
                     + (f" and {len(holder.broad_permissions) - 5} more" if len(holder.broad_permissions) > 5 else ""))
