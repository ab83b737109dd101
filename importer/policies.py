"""The IAM policy documents that apply to a service, and what in them grants more than the service's flows:
wildcard actions, and actions that name resources allowed on every resource (`*`)."""

from __future__ import annotations

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


def documents(t: Template, r: Resource) -> list[Any]:
    """Every policy document that applies to a service: of its roles (inline, policy resources, managed
    policies of the template) and, for SAM functions and state machines, its `Policies`."""
    roles = [x for x in t.owned(r.logical_id, "AWS::IAM::Role")]
    documents: list[Any] = []
    for role in roles:
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
    and are not broad."""
    found: list[str] = []
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


HOUSEKEEPING = frozenset({"logs:createloggroup", "logs:createlogstream", "logs:putlogevents",
                          "ec2:createnetworkinterface", "ec2:describenetworkinterfaces", "ec2:deletenetworkinterface",
                          "ec2:assignprivateipaddresses", "ec2:unassignprivateipaddresses"})
"""A function's own logging and network interfaces in a VPC, which AWS's own AWSLambdaBasicExecutionRole and
AWSLambdaVPCAccessExecutionRole grant on `*`: not broad."""


def _names_resources(action: str) -> bool:
    service, _, name = action.partition(":")
    return action.lower() not in HOUSEKEEPING and bool(catalogue.iam_action_resources(service, name))
