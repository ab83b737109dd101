"""The IAM policy documents that apply to a service, and what in them grants more than the service's flows:
wildcard actions, actions that name resources allowed on every resource (`*`), and AWS managed policies
that do either (`AmazonDynamoDBFullAccess`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from ..models import catalogue
from .denials import Denials, denials, resource_text
from .template import Resource, Template
from .values import as_list, condition_entries, dig

SAM_POLICIES: dict[str, tuple[str, ...]] = {
    "DynamoDBReadPolicy": ("reads",), "DynamoDBCrudPolicy": ("reads", "writes"), "DynamoDBWritePolicy": ("writes",),
    "S3ReadPolicy": ("reads",), "S3CrudPolicy": ("reads", "writes"), "S3WritePolicy": ("writes",),
    "S3FullAccessPolicy": ("reads", "writes"), "SQSSendMessagePolicy": ("enqueues",),
    "SNSPublishMessagePolicy": ("publishes",), "EventBridgePutEventsPolicy": ("publishes",), "KinesisCrudPolicy": ("puts-records",),
    "FirehoseWritePolicy": ("puts-records",), "FirehoseCrudPolicy": ("puts-records",),
    "SESCrudPolicy": ("sends-email",), "SESSendBouncePolicy": ("sends-email",), "SESBulkTemplatedCrudPolicy": ("sends-email",),
    "LambdaInvokePolicy": ("invokes",), "AthenaQueryPolicy": ("queries",), "AWSSecretsManagerGetSecretValuePolicy": ("reads",),
}
"""SAM policy templates, and the flows they grant towards the resource they name."""


HOLDS_ROLES = frozenset({"AWS::IAM::InstanceProfile", "AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration",
                         "AWS::ECS::TaskDefinition"})
"""Resources through which a service names its role (an instance or an Auto Scaling group's launch template names
an instance profile, which names the role; an ECS service's task definition names its task role)."""

ROLE_PROPERTIES: dict[str, tuple[str, ...]] = {"AWS::ECS::TaskDefinition": ("TaskRoleArn",)}
"""For resources that name several roles, the properties naming the one the service acts as (the task role, not
the execution role ECS itself takes to pull images, write logs and read secrets for the task)."""
AGENT_ROLES: dict[str, tuple[str, ...]] = {"AWS::ECS::TaskDefinition": ("ExecutionRoleArn",)}
"""The properties naming roles that AWS acts as on the service's behalf: such a role belongs to the service (it is
configured with it) but its permissions are not the service's, unless the service also acts as it."""


def roles(t: Template, r: Resource) -> list[Resource]:
    """The roles a service acts as: those its properties name (directly, or through its launch template and
    instance profile, or its task definition's `TaskRoleArn`) and those that belong to it (an identity pool's, by
    its role attachment), but not a role only AWS acts as for it (a task definition's execution role). A role
    several services name is a role of each: each gets the flows its policies grant."""
    found = [x.logical_id for x in t.owned(r.logical_id, "AWS::IAM::Role")]
    pending, seen = [r.logical_id], {r.logical_id}
    while pending:
        holder = t.resources[pending.pop()]
        named = ROLE_PROPERTIES.get(holder.type)
        for lid, _ in t.references([holder.properties.get(k) for k in named] if named else holder.properties):
            kind = t.resources[lid].type
            if kind == "AWS::IAM::Role":
                found.append(lid)
            elif kind in HOLDS_ROLES and lid not in seen:
                seen.add(lid)
                pending.append(lid)
    holders = [t.resources[lid] for lid in seen if t.resources[lid].type in AGENT_ROLES]
    agents = {lid for x in holders for lid, _ in t.references([x.properties.get(k) for k in AGENT_ROLES[x.type]])}
    agents -= {lid for x in holders for lid, _ in t.references([x.properties.get(k) for k in ROLE_PROPERTIES.get(x.type, ())])}
    return [t.resources[lid] for lid in dict.fromkeys(found) if lid not in agents and _assumable(t, t.resources[lid], r)]


PRINCIPALS: dict[str, frozenset[str]] = {
    "LambdaFunction": frozenset({"lambda.amazonaws.com", "edgelambda.amazonaws.com"}),
    "AutoScalingGroup": frozenset({"ec2.amazonaws.com"}), "Ec2Instance": frozenset({"ec2.amazonaws.com"}),
    "Firehose": frozenset({"firehose.amazonaws.com"}), "EcsService": frozenset({"ecs-tasks.amazonaws.com"}),
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


@dataclass(frozen=True)
class Principal:
    """One role a service acts as: the policy documents and AWS managed policy ARNs that apply to it. A Deny
    statement refuses only what the Allows of its own principal grant."""

    documents: tuple[Any, ...]
    """Its policy documents: inline, policy resources naming it, managed policies of the template."""
    managed: tuple[Any, ...]
    """The managed policy ARNs attached to it, as written."""


def principals(t: Template, r: Resource) -> list[Principal]:
    """The roles a service acts as, each with its policies, and for SAM functions and state machines the role SAM
    makes from their `Policies` (a SAM policy template stands for the actions of its flows on the resource it names)."""
    found = []
    for role in roles(t, r):
        documents = [dig(p, "PolicyDocument") for p in as_list(role.properties.get("Policies"))]
        policies = t.referrers(role.logical_id, "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
        policies += [t.resources[lid] for lid, _ in t.references(role.properties.get("ManagedPolicyArns"))]
        documents += [x.properties.get("PolicyDocument") for x in policies]
        found.append(Principal(tuple(documents), tuple(as_list(role.properties.get("ManagedPolicyArns")))))
    if r.type in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
        own: list[Any] = []
        arns: list[Any] = []
        for policy in as_list(r.properties.get("Policies")):
            if isinstance(policy, dict) and "Statement" in policy:
                own.append(policy)
            elif isinstance(policy, dict):
                own += [_sam_document(t, name, argument) for name, argument in policy.items()]
                arns.append(policy)
            elif isinstance(policy, str):
                arns.append(policy if ":" in policy else f"arn:aws:iam::aws:policy/{policy}")
        found.append(Principal(tuple(own), tuple(arns)))
    return found


def _sam_document(t: Template, name: str, argument: Any) -> dict[str, Any]:
    """The document a SAM policy template stands for: `sam:FLOW` for each of its flows (which `flows` reads) and
    the actions of those flows of its service (which a Deny may refuse), on each resource it names."""
    service = SAM_SERVICE.match(name)
    prefix = f"{IAM_PREFIX.get(service.group(), service.group().lower())}:" if service else "?"
    kinds = SAM_POLICIES.get(name, ())
    actions = [f"sam:{kind}" for kind in kinds] + [a for kind in kinds for a in ACTIONS_OF_FLOWS[kind] if a.startswith(prefix)]
    resources = [{"Ref": lid} for lid, _ in t.references(argument)]
    return {"Statement": [{"Effect": "Allow", "Action": actions, "Resource": resources}] if kinds and resources else []}


SAM_SERVICE = re.compile(r"DynamoDB|S3|SQS|SNS|Kinesis|Firehose|SES|Lambda|Athena|EventBridge|AWSSecretsManager")
"""The IAM service of a SAM policy template, from the start of its name (`DynamoDBReadPolicy`: `dynamodb`)."""
IAM_PREFIX = {"EventBridge": "events", "AWSSecretsManager": "secretsmanager"}
"""Services whose IAM prefix is not their name in lower case."""


def documents(t: Template, r: Resource) -> list[Any]:
    """Every policy document that applies to a service: of its roles (inline, policy resources, managed
    policies of the template) and, for SAM functions and state machines, its `Policies`."""
    return [document for principal in principals(t, r) for document in principal.documents]


def statements(t: Template, r: Resource) -> list[tuple[dict[str, Any], Denials]]:
    """Each Allow statement of a service's policies, in the order written, with the unconditional Deny statements
    of its own principal, which refuse part of what it allows (`denials`)."""
    found = []
    for principal in principals(t, r):
        refused = denials(t, principal.documents)
        found += [(s, refused) for document in principal.documents for s in as_list(dig(document, "Statement"))
                  if isinstance(s, dict) and s.get("Effect", "Allow") == "Allow"]
    return found


def broad(t: Template, r: Resource) -> list[str]:
    """`ACTION on RESOURCE` for each allowed action of a service's policies that is a wildcard (`dynamodb:*`,
    `s3:Get*`, `*`), or that IAM lets name a resource but is allowed on `*`; in the order written, once each.
    Actions that cannot name a resource (`xray:PutTraceSegments`, `ec2:DescribeNetworkInterfaces`) need `*`
    and are not broad. An AWS managed policy that is broad counts as `NAME on *`. `NotAction` allows every
    action but those it lists (`every action but iam:*`), `NotResource` allows on every resource but those
    (`every resource but ${Data.Arn}`): each is broad as `*` would be. What an unconditional Deny of the same
    role refuses entirely is not broad; one that refuses part (`s3:DeleteObject` under `s3:*`) leaves it broad."""
    found = []
    for principal in principals(t, r):
        refused = denials(t, principal.documents)
        if not refused.covers("*", "*"):
            found += [f"{name} on *" for name in _managed_names(t, principal.managed)
                      if BROAD_MANAGED.fullmatch(name) and name not in METADATA_MANAGED]
        for document in principal.documents:
            for statement in as_list(dig(document, "Statement")):
                if isinstance(statement, dict) and statement.get("Effect", "Allow") == "Allow":
                    found += _broad_statement(t, statement, refused)
    return list(dict.fromkeys(found))


def _broad_statement(t: Template, statement: dict[str, Any], refused: Denials) -> list[str]:
    """The broad `ACTION on RESOURCE` of one Allow statement that the Denials do not refuse entirely."""
    found = []
    if "NotAction" in statement:
        written = [t.text(x) or "?" for x in as_list(statement.get("NotAction"))]
        actions = [(f"every action but {','.join(written)}", "*")]
    else:
        actions = [(a, a) for a in (t.text(x) for x in as_list(statement.get("Action"))) if a and not a.startswith("sam:")]
    values = as_list(statement.get("NotResource" if "NotResource" in statement else "Resource"))
    shown = [t.text(x) or next((lid for lid, _ in t.references(x)), "?") for x in values]
    if "NotResource" in statement:
        resources: list[tuple[str, str | None]] = [(f"every resource but {','.join(shown)}", "*")]
    else:
        resources = [(name, resource_text(t, x)) for name, x in zip(shown, values, strict=True)]
    scoped = _narrows_resources(statement.get("Condition"))
    services = {shown: _arn_service(t, value) for shown, value in zip(shown, values, strict=True)} if "NotResource" not in statement else {}
    for action_shown, action in actions:
        for resource_shown, resource in resources:
            if _elsewhere(action, services.get(resource_shown)):
                continue  # an action of another service than the resource's: it grants nothing there
            narrow = _narrow_wildcard(action, resource)
            wildcard = ("*" in action or "?" in action) and not _only_flow_actions(action) and not _matches_nothing(action) and not narrow
            on_all = resource == "*" and not scoped and _names_resources(action) and not narrow
            if (wildcard or on_all) and not refused.covers(action, resource):
                found.append(f"{action_shown} on {resource_shown}")
    return found


AWS_MANAGED = re.compile(r"arn:(?:aws[a-z-]*|\$\{AWS::Partition\}):iam::aws:policy/(?:[\w+=,.@-]+/)*([\w+=,.@-]+)")
BROAD_MANAGED = re.compile(r"AdministratorAccess|PowerUserAccess|ReadOnlyAccess|\w*FullAccess(?:V\d+)?|\w+ReadOnlyAccess|"
                           r"AWSLambdaExecute|AWSLambdaRole")
"""AWS managed policies that allow wildcard actions on every resource: the administrator and power-user
policies, every `...FullAccess` and `...ReadOnlyAccess` policy (`dynamodb:*`, `s3:Get*` and `s3:List*` on `*`),
`AWSLambdaExecute` (`s3:GetObject` and `s3:PutObject` on `*`) and `AWSLambdaRole` (`lambda:InvokeFunction`
on `*`). Execution roles AWS provides for one job (`AWSLambdaBasicExecutionRole`, `AWSLambdaSQSQueueExecutionRole`,
...) are left to the rule's judgement of their statements, which archcase cannot read: not counted."""
METADATA_MANAGED = frozenset({"ResourceGroupsandTagEditorReadOnlyAccess", "AWSResourceExplorerReadOnlyAccess", "AmazonEC2ReadOnlyAccess"})
"""Read-only AWS managed policies that list and describe what resources there are (tags, resource groups, EC2's
`Describe*`), not what they hold: not broad, as such statements written out are not (AWS managed policy reference)."""


def managed(t: Template, r: Resource) -> list[str]:
    """The names of the AWS managed policies attached to a service's roles (or named in a SAM function's
    `Policies`, where a bare name is one), in order, once each."""
    return _managed_names(t, [arn for principal in principals(t, r) for arn in principal.managed])


def _managed_names(t: Template, values: Iterable[Any]) -> list[str]:
    names = [match.group(1) for value in values if (match := AWS_MANAGED.fullmatch(t.text(value) or ""))]
    return list(dict.fromkeys(names))


ACTIONS_OF_FLOWS: dict[str, tuple[str, ...]] = {
    "reads": ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect",
              "dax:GetItem", "dax:BatchGetItem", "dax:Query", "dax:Scan", "s3:GetObject", "s3:ListBucket",
              "secretsmanager:GetSecretValue"),
    "writes": ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:PartiQLInsert",
               "dynamodb:PartiQLUpdate", "dax:PutItem", "dax:UpdateItem", "dax:BatchWriteItem", "s3:PutObject"),
    "enqueues": ("sqs:SendMessage", "sqs:SendMessageBatch"), "publishes": ("sns:Publish", "events:PutEvents"),
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


def grants(actions: list[str], flow: str, refused: Callable[[str], bool] = lambda action: False) -> bool:
    """Whether any of the actions (as written in a policy) allows the flow: allows one of its actions that
    `refused` (an unconditional Deny on the resource) does not take back."""
    return any(fnmatchcase(w.lower(), a.lower()) and not refused(w) for a in actions for w in ACTIONS_OF_FLOWS[flow])


HOUSEKEEPING = frozenset({
    "logs:createloggroup", "logs:createlogstream", "logs:putlogevents", "cloudwatch:putmetricdata",
    "ec2:createnetworkinterface", "ec2:describenetworkinterfaces", "ec2:deletenetworkinterface",
    "ec2:assignprivateipaddresses", "ec2:unassignprivateipaddresses",
    # the Systems Manager agent on an instance (AmazonSSMManagedInstanceCore; not its GetParameters, which read data)
    *(f"ssm:{name}" for name in ("describeassociation", "getdeployablepatchsnapshotforinstance", "getdocument", "describedocument",
                                 "getmanifest", "listassociations", "listinstanceassociations", "putinventory", "putcomplianceitems",
                                 "putconfigurepackageresult", "updateassociationstatus", "updateinstanceassociationstatus",
                                 "updateinstanceinformation")),
    # the ECS container agent on a container instance, and its image pulls (AmazonEC2ContainerServiceforEC2Role)
    *(f"ecs:{name}" for name in ("createcluster", "deregistercontainerinstance", "discoverpollendpoint", "poll",
                                 "registercontainerinstance", "starttelemetrysession", "updatecontainerinstancesstate",
                                 "submitattachmentstatechanges", "submitcontainerstatechange", "submittaskstatechange")),
    "ecr:batchchecklayeravailability", "ecr:getdownloadurlforlayer", "ecr:batchgetimage",
})
"""What AWS's own managed policies for the agents that run a service grant on `*`: a function's logging, metrics and
network interfaces in a VPC (AWSLambdaBasicExecutionRole, AWSLambdaVPCAccessExecutionRole), an instance's Systems
Manager agent and an ECS container instance's agent and image pulls: not broad. (`cloudwatch:PutMetricData` names a
resource only for metric datasets; publishing metrics is scoped by a namespace condition, not a resource.)"""


def _names_resources(action: str) -> bool:
    """Whether an action (or any action a wildcard stands for) can name a resource, and is no agent's housekeeping."""
    service, _, name = action.lower().partition(":")
    covered = [known for known in catalogue.iam_actions(service) if fnmatchcase(known, name)] if "*" in name or "?" in name else [name]
    return any(f"{service}:{known}" not in HOUSEKEEPING and catalogue.iam_action_resources(service, known) for known in covered)


def _only_flow_actions(action: str) -> bool:
    """Whether a wildcard action stands only for actions that make flows, as listing them would (`sqs:SendMessage*`
    is `sqs:SendMessage`, `kinesis:PutRecord*` is `PutRecord` and `PutRecords`); `s3:PutObject*` also allows
    `PutObjectAcl`, and `dynamodb:Get*` `GetResourcePolicy`. Judged by the IAM actions the catalogue knows."""
    service, _, name = action.lower().partition(":")
    if not name:
        return False  # `*`: every action of every service
    covered = {known for known in catalogue.iam_actions(service) if fnmatchcase(known, name)}
    return bool(covered) and {f"{service}:{known}" for known in covered} <= FLOW_ACTIONS


FLOW_ACTIONS = frozenset(action.lower() for actions in ACTIONS_OF_FLOWS.values() for action in actions)
"""Every action that makes a flow (lower case)."""


READ_ONLY = ("get", "list", "describe")
"""IAM action names that read (by AWS's naming: `GetItem`, `ListUsers`, `DescribeUserPool`)."""
METADATA = ("list", "describe")
"""IAM action names that read what resources there are and how they are set, not the data in them (`Get` may:
`s3:GetObject`, `secretsmanager:GetSecretValue`)."""
CONTENT_LISTS = frozenset({"s3:listbucket", "s3:listbucketversions", "s3:listbucketmultipartuploads", "s3:listmultipartuploadparts"})
"""Listings of what a store holds (every object's key), not of what resources there are: data."""


def _narrow_wildcard(action: str, resource: str | None) -> bool:
    """Whether a wildcard action is as narrow as listing its actions would be: on named resources, it stands only for
    reads (`cognito-idp:Describe*` on one user pool); on `*`, only for listing and describing resources (`ec2:Describe*`),
    for actions that can name no resource, so `*` is the only choice (`ssmmessages:*`), or for what an agent needs on
    `*` (`ecs:Submit*`: HOUSEKEEPING)."""
    service, _, name = action.lower().partition(":")
    covered = [known for known in catalogue.iam_actions(service) if name and fnmatchcase(known, name)]
    if not covered:
        return False
    if resource != "*":
        return all(known.removeprefix("admin").startswith(READ_ONLY) for known in covered)  # cognito-idp:AdminGetUser reads
    if all(known.startswith(METADATA) and f"{service}:{known}" not in CONTENT_LISTS for known in covered):
        return True
    return not any(catalogue.iam_action_resources(service, known) and f"{service}:{known}" not in HOUSEKEEPING for known in covered)


ARN_SERVICES: dict[str, str] = {
    "AWS::Cognito::UserPool": "cognito-idp", "AWS::Cognito::IdentityPool": "cognito-identity",
    "AWS::Serverless::Function": "lambda", "AWS::Serverless::SimpleTable": "dynamodb", "AWS::Serverless::StateMachine": "states",
    **{f"AWS::{namespace}::{kind}": service for namespace, service, kinds in (
        ("KinesisFirehose", "firehose", ("DeliveryStream",)), ("StepFunctions", "states", ("StateMachine", "Activity")),
        ("Logs", "logs", ("LogGroup",)), ("Events", "events", ("EventBus", "Rule")), ("SQS", "sqs", ("Queue",)),
        ("SNS", "sns", ("Topic",)), ("DynamoDB", "dynamodb", ("Table", "GlobalTable")), ("Lambda", "lambda", ("Function",)),
        ("Kinesis", "kinesis", ("Stream",)), ("KMS", "kms", ("Key",)), ("SecretsManager", "secretsmanager", ("Secret",)),
        ("ECR", "ecr", ("Repository",)), ("EFS", "elasticfilesystem", ("FileSystem", "AccessPoint")),
    ) for kind in kinds},
}
"""CloudFormation types whose `Fn::GetAtt ... Arn` (or `Ref`, for a queue's URL or a topic's ARN) is an ARN of this
IAM service."""


def _arn_service(t: Template, value: Any) -> str | None:
    """The IAM service of the resource a policy's `Resource` names: from its ARN when written out, from the type
    of the resource it refers to when that type is known; None when it cannot be told (`*`, a parameter, ...)."""
    written = re.sub(r"\$\{AWS::\w+\}", "-", resource_text(t, value) or "")  # `arn:${AWS::Partition}:...`
    parts = written.split(":")
    if written.startswith("arn:"):
        return parts[2] if len(parts) > 2 and parts[2] and "$" not in parts[2] else None
    named = re.match(r"\$\{([A-Za-z0-9]+)[.}]", written)
    return ARN_SERVICES.get(t.resources[named.group(1)].type) if named and named.group(1) in t.resources else None


def _elsewhere(action: str, service: str | None) -> bool:
    """Whether an action is of another IAM service than the resource's (`cloudwatch:*` on a delivery stream): it
    grants nothing there."""
    prefix = action.partition(":")[0].lower()
    return service is not None and prefix not in ("*", "") and "*" not in prefix and prefix != service


def _matches_nothing(action: str) -> bool:
    """Whether a wildcard action covers no action of a service the catalogue knows (`firehose:Get*`): it grants
    nothing."""
    service, _, name = action.lower().partition(":")
    known = catalogue.iam_actions(service)
    return bool(name) and bool(known) and not any(fnmatchcase(action_name, name) for action_name in known)


RESOURCE_KEYS = re.compile(r"(?!aws:)[a-z0-9-]+:.+|aws:(?:ResourceTag/.+|ResourceAccount|ResourceOrgID|ResourceOrgPaths|SourceArn)",
                           re.IGNORECASE)
"""Condition keys that narrow which resources a statement reaches: a service's own (`ecs:cluster`,
`dynamodb:LeadingKeys`, `s3:prefix`) and the global ones about the resource (`aws:ResourceTag/...`); not those
about the request (`aws:SecureTransport`, `aws:SourceIp`)."""


def _narrows_resources(condition: Any) -> bool:
    """Whether a statement's `Condition` limits the resources its `*` reaches."""
    return any(RESOURCE_KEYS.fullmatch(key) for key, _ in condition_entries(condition))

