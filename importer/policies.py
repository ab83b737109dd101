"""The IAM policy documents that apply to a service, and what in them grants more than the service's flows:
wildcard actions, actions that name resources allowed on every resource (`*`), and AWS managed policies
that do either (`AmazonDynamoDBFullAccess`)."""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import Any

from ..models import catalogue
from .template import Resource, Template
from .values import as_list, dig

SAM_POLICIES: dict[str, tuple[str, ...]] = {
    "DynamoDBReadPolicy": ("reads",), "DynamoDBCrudPolicy": ("reads", "writes"), "DynamoDBWritePolicy": ("writes",),
    "S3ReadPolicy": ("reads",), "S3CrudPolicy": ("reads", "writes"), "S3WritePolicy": ("writes",),
    "S3FullAccessPolicy": ("reads", "writes"), "SQSSendMessagePolicy": ("enqueues",),
    "SNSPublishMessagePolicy": ("publishes",), "KinesisCrudPolicy": ("puts-records",),
    "FirehoseWritePolicy": ("puts-records",), "FirehoseCrudPolicy": ("puts-records",),
    "SESCrudPolicy": ("sends-email",), "SESSendBouncePolicy": ("sends-email",), "SESBulkTemplatedCrudPolicy": ("sends-email",),
    "LambdaInvokePolicy": ("invokes",), "AthenaQueryPolicy": ("queries",),
}
"""SAM policy templates, and the flows they grant towards the resource they name."""


HOLDS_ROLES = frozenset({"AWS::IAM::InstanceProfile", "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration"})
"""Resources through which a service names its role (an Auto Scaling group's launch template names an instance
profile, which names the role)."""


def roles(t: Template, r: Resource) -> list[Resource]:
    """The roles a service acts as: those its properties name (directly, or through its launch template and
    instance profile) and those that belong to it (an identity pool's, by its role attachment). A role several
    services name is a role of each: each gets the flows its policies grant."""
    found = [x.logical_id for x in t.owned(r.logical_id, "AWS::IAM::Role")]
    pending, seen = [r.logical_id], {r.logical_id}
    while pending:
        for lid, _ in t.references(t.resources[pending.pop()].properties):
            kind = t.resources[lid].type
            if kind == "AWS::IAM::Role":
                found.append(lid)
            elif kind in HOLDS_ROLES and lid not in seen:
                seen.add(lid)
                pending.append(lid)
    return [t.resources[lid] for lid in dict.fromkeys(found) if _assumable(t, t.resources[lid], r)]


PRINCIPALS: dict[str, frozenset[str]] = {
    "LambdaFunction": frozenset({"lambda.amazonaws.com", "edgelambda.amazonaws.com"}),
    "AutoScalingGroup": frozenset({"ec2.amazonaws.com"}), "Firehose": frozenset({"firehose.amazonaws.com"}),
    "ApiGateway": frozenset({"apigateway.amazonaws.com"}), "DaxCluster": frozenset({"dax.amazonaws.com"}),
    "CognitoIdentityPool": frozenset({"cognito-identity.amazonaws.com"}), "StateMachine": frozenset({"states.amazonaws.com"}),
}
"""The principals a service of each class acts as when it takes a role (by class name)."""


def _assumable(t: Template, role: Resource, r: Resource) -> bool:
    """Whether the service can act as the role: its trust policy lets the service's principal assume it, or
    does not say who may in a way archcase can read. A role a function only passes on (to a schedule, a log
    subscription, ...) trusts that other service, and is not the function's."""
    own = PRINCIPALS.get(r.service_class.__name__ if r.service_class else "")
    trusted = []
    for statement in as_list(dig(role.properties, "AssumeRolePolicyDocument", "Statement")):
        principal = dig(statement, "Principal")
        if not isinstance(statement, dict) or statement.get("Effect", "Allow") != "Allow" or not isinstance(principal, dict):
            return True
        for value in as_list(principal.get("Service")) + as_list(principal.get("Federated")):
            trusted.append(t.text(value))
        if set(principal) - {"Service", "Federated"}:
            return True
    if own is None or not trusted or None in trusted:
        return True
    prefixes = {name.split(".")[0] for name in own}
    return any((name or "").split(".")[0] in prefixes for name in trusted)  # `lambda.amazonaws.com.cn` too


def documents(t: Template, r: Resource) -> list[Any]:
    """Every policy document that applies to a service: of its roles (inline, policy resources, managed
    policies of the template) and, for SAM functions and state machines, its `Policies`."""
    documents: list[Any] = []
    for role in roles(t, r):
        documents += [dig(p, "PolicyDocument") for p in as_list(role.properties.get("Policies"))]
        policies = t.referrers(role.logical_id, "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
        policies += [t.resources[lid] for lid, _ in t.references(role.properties.get("ManagedPolicyArns"))]
        documents += [x.properties.get("PolicyDocument") for x in policies]
    if r.type in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
        for policy in as_list(r.properties.get("Policies")):
            if isinstance(policy, dict) and "Statement" in policy:
                documents.append(policy)
            elif isinstance(policy, dict):
                for name, argument in policy.items():
                    for kind in SAM_POLICIES.get(name, ()):
                        for lid, _ in t.references(argument):
                            documents.append({"Statement": [{"Effect": "Allow", "Action": [f"sam:{kind}"], "Resource": {"Ref": lid}}]})
    return documents


def broad(t: Template, r: Resource) -> list[str]:
    """`ACTION on RESOURCE` for each allowed action of a service's policies that is a wildcard (`dynamodb:*`,
    `s3:Get*`, `*`), or that IAM lets name a resource but is allowed on `*`; in the order written, once each.
    Actions that cannot name a resource (`xray:PutTraceSegments`, `ec2:DescribeNetworkInterfaces`) need `*`
    and are not broad. An AWS managed policy that is broad counts as `NAME on *`."""
    found = [f"{name} on *" for name in managed(t, r) if BROAD_MANAGED.fullmatch(name)]
    for document in documents(t, r):
        for statement in as_list(dig(document, "Statement")):
            if not isinstance(statement, dict) or statement.get("Effect", "Allow") != "Allow":
                continue
            resources = [t.text(x) or next((lid for lid, _ in t.references(x)), "?") for x in as_list(statement.get("Resource"))]
            for action in (t.text(x) for x in as_list(statement.get("Action"))):
                if not action or action.startswith("sam:"):
                    continue
                for resource in resources:
                    if "*" in action or (resource == "*" and _names_resources(action)):
                        found.append(f"{action} on {resource}")
    return list(dict.fromkeys(found))


AWS_MANAGED = re.compile(r"arn:(?:aws[a-z-]*|\$\{AWS::Partition\}):iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)")
BROAD_MANAGED = re.compile(r"AdministratorAccess|PowerUserAccess|ReadOnlyAccess|\w*FullAccess(?:V\d+)?|\w+ReadOnlyAccess|"
                           r"AWSLambdaExecute|AWSLambdaRole")
"""AWS managed policies that allow wildcard actions on every resource: the administrator and power-user
policies, every `...FullAccess` and `...ReadOnlyAccess` policy (`dynamodb:*`, `s3:Get*` and `s3:List*` on `*`),
`AWSLambdaExecute` (`s3:GetObject` and `s3:PutObject` on `*`) and `AWSLambdaRole` (`lambda:InvokeFunction`
on `*`). Execution roles AWS provides for one job (`AWSLambdaBasicExecutionRole`, `AWSLambdaSQSQueueExecutionRole`,
...) are left to the rule's judgement of their statements, which archcase cannot read: not counted."""


def managed(t: Template, r: Resource) -> list[str]:
    """The names of the AWS managed policies attached to a service's roles (or named in a SAM function's
    `Policies`, where a bare name is one), in order, once each."""
    values = [arn for role in roles(t, r) for arn in as_list(role.properties.get("ManagedPolicyArns"))]
    if r.type in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
        values += [p if isinstance(p, dict) or ":" in p else f"arn:aws:iam::aws:policy/{p}"
                   for p in as_list(r.properties.get("Policies")) if isinstance(p, dict | str)]
    names = [match.group(1) for value in values if (match := AWS_MANAGED.fullmatch(t.text(value) or ""))]
    return list(dict.fromkeys(names))


ACTIONS_OF_FLOWS: dict[str, tuple[str, ...]] = {
    "reads": ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect",
              "dax:GetItem", "dax:BatchGetItem", "dax:Query", "dax:Scan", "s3:GetObject", "s3:ListBucket"),
    "writes": ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:PartiQLInsert",
               "dynamodb:PartiQLUpdate", "dax:PutItem", "dax:UpdateItem", "dax:BatchWriteItem", "s3:PutObject"),
    "enqueues": ("sqs:SendMessage", "sqs:SendMessageBatch"), "publishes": ("sns:Publish",),
    "sends-email": ("ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"),
    "puts-records": ("kinesis:PutRecord", "kinesis:PutRecords", "firehose:PutRecord", "firehose:PutRecordBatch"),
    "invokes": ("lambda:InvokeFunction",), "queries": ("athena:StartQueryExecution",), "calls": ("execute-api:Invoke",),
    "starts": ("states:StartExecution", "states:StartSyncExecution"),
    "connects": ("rds-db:connect", "secretsmanager:GetSecretValue"),
    "mounts": ("elasticfilesystem:ClientMount",),
}
"""The actions that make each flow: an action grants the flow when it is one of them or a wildcard that covers
one (`s3:Get*`, `sqs:*`, `*`). Configuration actions (`s3:PutBucketNotification`) and deletes
(`s3:DeleteObject`, `dynamodb:DeleteItem`) are neither reads nor writes."""


def grants(actions: list[str], flow: str) -> bool:
    """Whether any of the actions (as written in a policy) allows the flow."""
    wanted = ACTIONS_OF_FLOWS[flow]
    return any(fnmatchcase(w.lower(), a.lower()) for a in actions for w in wanted)


HOUSEKEEPING = frozenset({"logs:createloggroup", "logs:createlogstream", "logs:putlogevents",
                          "ec2:createnetworkinterface", "ec2:describenetworkinterfaces", "ec2:deletenetworkinterface",
                          "ec2:assignprivateipaddresses", "ec2:unassignprivateipaddresses"})
"""A function's own logging and network interfaces in a VPC, which AWS's own AWSLambdaBasicExecutionRole and
AWSLambdaVPCAccessExecutionRole grant on `*`: not broad."""


def _names_resources(action: str) -> bool:
    service, _, name = action.partition(":")
    return action.lower() not in HOUSEKEEPING and bool(catalogue.iam_action_resources(service, name))
