"""Flows inferred from what a template says: event sources, notifications, subscriptions, origins, API
integrations and authorizers, Firehose sources and destinations, IAM statements (action -> flow kind,
resource -> target), and environment variables that name another resource.

Every flow is a dict in case-file form, with the logical ids of its ends (mapped to service ids later) and
`at`, the resource it was read from. The readers of resources that state flows are registered with
`@reads_flows("AWS::Type", ...)` (collected as `importer.registry.FLOW_READERS`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from ..models.base import Service
from ..models.services import (
    Alb,
    ApiGateway,
    Athena,
    AutoScalingGroup,
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
    KinesisStream,
    LambdaFunction,
    RdsDatabase,
    S3Bucket,
    Secret,
    Ses,
    SnsTopic,
    SqsQueue,
    StateMachine,
)
from .denials import NO_DENIALS, Denials, resource_text
from .marks import reads_flows
from .policies import grants, statements
from .routes import sam_route
from .template import Isolated, Resource, Template
from .values import as_list, condition_values, dig, flag, number

Flow = dict[str, Any]

BY_TARGET: dict[type[Service], str] = {
    DynamoDbTable: "reads", DaxCluster: "reads", S3Bucket: "reads", SqsQueue: "enqueues", SnsTopic: "publishes",
    KinesisStream: "puts-records", Firehose: "puts-records", Athena: "queries", LambdaFunction: "invokes",
    Ses: "sends-email", CloudFront: "signs", ApiGateway: "calls", StateMachine: "starts",
    RdsDatabase: "connects", ElastiCache: "connects", Secret: "reads",
}
"""The flow a function has to a resource named in its environment, when nothing more precise says."""


class Flows:
    """Collects flows; one per (from, to, kind), later sightings merged into the first."""

    def __init__(self, template: Template) -> None:
        self.t = template
        self.found: dict[tuple[str, str, str], Flow] = {}
        self.kinds: dict[tuple[str, str], set[str]] = {}
        """The kinds of flow found between two services, so that asking is not a scan of every flow."""
        self.targets: dict[str, dict[str, set[str]]] = {}
        """Per source service, per kind, the services its flows reach."""

    def add(self, source: str | None, target: str | None, kind: str, at: str, **fields: Any) -> None:
        t = self.t
        source = t.service_of(source) if source in t.resources else None
        target = t.service_of(target) if target in t.resources else None
        if not source or not target or source == target:
            return
        key = (source, target, kind)
        flow = self.found.setdefault(key, {"from": source, "to": target, "kind": kind, "at": at})
        self.kinds.setdefault((source, target), set()).add(kind)
        self.targets.setdefault(source, {}).setdefault(kind, set()).add(target)
        for name, value in fields.items():
            if name == "prefix":  # two sightings with different prefixes (or one with none) reach more than either
                flow["prefix"] = value if flow.get("prefix", value) == value else None
                continue
            if value is None:
                continue
            if isinstance(value, list) and isinstance(flow.get(name), list):
                flow[name] += [v for v in value if v not in flow[name]]
            else:
                flow.setdefault(name, value)

    def has(self, source: str, target: str, kinds: tuple[str, ...] | None = None) -> bool:
        found = self.kinds.get((source, target))
        if not found:
            return False
        return kinds is None or not found.isdisjoint(kinds)

    def class_of(self, logical_id: str) -> type[Service] | None:
        """The class of the service a resource is or belongs to (`Generic` for a type not read as a service
        class); None when it belongs to no service."""
        service = self.t.service_of(logical_id) if logical_id in self.t.resources else None
        return self.t.resources[service].service_class or Generic if service else None

    def first(self, value: Any, *classes: type[Service]) -> str | None:
        """The first resource a value refers to whose service is of one of these classes."""
        return next((lid for lid, _ in self.t.references(value) if self.class_of(lid) in classes), None)


ROLE_HOLDERS: frozenset[type[Service]] = frozenset({LambdaFunction, AutoScalingGroup, Ec2Instance, EcsService, ApiGateway,
                                                    CognitoIdentityPool, DaxCluster, StateMachine})
"""Service classes whose IAM roles (and, for SAM functions, `Policies`) state flows."""


def infer(t: Template, readers: Mapping[str, Callable[[Flows, Resource], None]], isolated: Isolated | None = None) -> list[Flow]:
    """The flows a template states: `readers` (`importer.registry.FLOW_READERS`) by CloudFormation type, then IAM
    and environment variables. `isolated` runs each resource's reading, so that a resource of a shape no
    reader foresaw costs its own flows only (see the importer)."""
    flows = Flows(t)

    def run(resource: Resource, step: Callable[[Flows, Resource], None]) -> None:
        if isolated is None:
            step(flows, resource)
        else:
            isolated(resource, "flows", lambda: step(flows, resource), None)

    for resource in list(t.resources.values()):
        reader = readers.get(CUSTOM_RESOURCE if resource.type.startswith("Custom::") else resource.type)
        if reader:
            run(resource, reader)
    for resource in list(t.resources.values()):
        run(resource, _dynamic_references)
    for resource in list(t.resources.values()):
        if resource.service_class in ROLE_HOLDERS:
            run(resource, _iam)
    for resource in list(t.resources.values()):
        if resource.service_class is LambdaFunction:
            run(resource, _environment)
    _credentials(flows)
    _generic(flows)
    return list(flows.found.values())


def _credentials(flows: Flows) -> None:
    """A service that reads the secret a database or cache signs in with (resolved into its settings: a master
    password, an AUTH token) connects to it: that is what the secret is read for."""
    classes = {lid: flows.t.resources[lid].service_class for lid in {end for key in flows.found for end in key[:2]}}
    signed_in: dict[str, list[str]] = {}
    for source, target, kind in flows.found:
        if kind == "resolves" and classes[source] in (RdsDatabase, ElastiCache):
            signed_in.setdefault(target, []).append(source)
    for (source, target, kind), flow in list(flows.found.items()):
        if kind == "reads" and classes[source] in (LambdaFunction, AutoScalingGroup, Ec2Instance):
            for database in signed_in.get(target, ()):
                flows.add(source, database, "connects", flow["at"])


# resources that state flows ------------------------------------------------------------------------------------

@reads_flows("AWS::Lambda::Function", "AWS::Serverless::Function")
def _function(flows: Flows, r: Resource) -> None:
    p = r.properties
    dead_letter = dig(p, "DeadLetterConfig", "TargetArn") or dig(p, "DeadLetterQueue", "TargetArn")
    flows.add(r.logical_id, flows.first(dead_letter, SqsQueue, SnsTopic), "dead-letter", r.logical_id)
    for config in as_list(p.get("FileSystemConfigs")):
        if isinstance(config, dict):
            _file_system(flows, r, config.get("Arn"))
    if r.type != "AWS::Serverless::Function":
        return
    for event in (p.get("Events") or {}).values():
        if isinstance(event, dict):
            _sam_event(flows, r, event.get("Type"), event.get("Properties") or {})


def _sam_event(flows: Flows, r: Resource, kind: Any, p: dict[str, Any]) -> None:
    t, fn = flows.t, r.logical_id
    if kind == "Api":
        api = flows.first(p.get("RestApiId"), ApiGateway) or ("ServerlessRestApi" if not p.get("RestApiId") else None)
        method, path = (t.text(p.get("Method")) or "ANY").upper(), t.text(p.get("Path")) or "/"
        route = f"{'ANY' if method == 'X-AMAZON-APIGATEWAY-ANY-METHOD' else method} {path}"
        flows.add(api, fn, "invokes", fn, routes=[route] if re.fullmatch(r"[A-Z]+ /\S*", route) else [])
    elif kind == "S3":
        flows.add(flows.first(p.get("Bucket"), S3Bucket), fn, "triggers", fn,
                  events=[e for e in map(t.text, as_list(p.get("Events"))) if e], **_s3_filter(t, p.get("Filter")))
    elif kind in ("SQS", "Kinesis", "DynamoDB"):
        source = flows.first(p.get("Queue") or p.get("Stream"), SqsQueue, KinesisStream, DynamoDbTable)
        _poll(flows, r, source, p)
    elif kind == "SNS":
        flows.add(flows.first(p.get("Topic"), SnsTopic), fn, "subscribes", fn)
    elif kind == "HttpApi":
        http_route = sam_route(t, {"Properties": p})
        flows.add(flows.first(p.get("ApiId"), HttpApi) or ("ServerlessHttpApi" if not p.get("ApiId") else None), fn, "invokes", fn,
                  routes=[http_route] if http_route else [])
    elif kind in ("MSK", "MQ", "DocumentDB", "SelfManagedKafka"):  # a cluster or broker archcase keeps as a generic service
        source = p.get("Stream") or p.get("Broker") or p.get("Cluster") or p.get("KafkaBootstrapServers")
        flows.add(flows.first(source, Generic), fn, "invokes", fn)
    elif kind == "Cognito":
        flows.add(flows.first(p.get("UserPool"), CognitoUserPool), fn, "invokes", fn)


def _poll(flows: Flows, r: Resource, source: str | None, p: dict[str, Any]) -> None:
    t = flows.t
    events = re.findall(r"\b(INSERT|MODIFY|REMOVE)\b", str(p.get("FilterCriteria") or ""))
    responses = [t.text(x) for x in as_list(p.get("FunctionResponseTypes"))]
    stream = source in t.resources and t.resources[source].type in ("AWS::Kinesis::Stream", "AWS::DynamoDB::Table")
    bisect = {"bisect_on_error": flag(p.get("BisectBatchOnFunctionError"), t.parameters) is True} if stream else {}
    flows.add(source, r.logical_id, "triggers", r.logical_id, batch_size=number(p.get("BatchSize"), t.parameters),
              events=events, report_batch_item_failures="ReportBatchItemFailures" in responses, **bisect)
    on_failure = dig(p, "DestinationConfig", "OnFailure", "Destination")
    flows.add(r.logical_id, flows.first(on_failure, SqsQueue, SnsTopic), "dead-letter", r.logical_id)


def _file_system(flows: Flows, r: Resource, arn: Any) -> None:
    """A function mounts the file system of the access point it names, as the access point says."""
    t = flows.t
    point = next((lid for lid, _ in t.references(arn) if t.resources[lid].type == "AWS::EFS::AccessPoint"), None)
    if point is None:
        return
    p = t.resources[point].properties
    root = t.text(dig(p, "RootDirectory", "Path")) or "/"
    access_point = {"root_directory": root.rstrip("/") or "/", "posix_user": isinstance(p.get("PosixUser"), dict)}
    flows.add(r.logical_id, point, "mounts", r.logical_id, access_point=access_point)


@reads_flows("AWS::EFS::MountTarget")
def _mount_target(flows: Flows, r: Resource) -> None:
    """Instances and ECS services whose security group a mount target's admits mount the file system (functions
    mount through the access point their `FileSystemConfigs` name)."""
    for client in admitted(flows.t, r.properties.get("SecurityGroups")):
        if flows.class_of(client) in (*EC2, EcsService):
            flows.add(client, r.logical_id, "mounts", r.logical_id)


@reads_flows("AWS::Lambda::EventSourceMapping")
def _mapping(flows: Flows, r: Resource) -> None:
    p = r.properties
    function = flows.first(p.get("FunctionName"), LambdaFunction)
    source = flows.first(p.get("EventSourceArn"), SqsQueue, KinesisStream, DynamoDbTable)
    if function:
        _poll(flows, flows.t.resources[flows.t.service_of(function) or function], source, p)


@reads_flows("AWS::Lambda::EventInvokeConfig")
def _invoke_config(flows: Flows, r: Resource) -> None:
    function = flows.first(r.properties.get("FunctionName"), LambdaFunction)
    target = flows.first(dig(r.properties, "DestinationConfig", "OnFailure", "Destination"), SqsQueue, SnsTopic)
    flows.add(function, target, "dead-letter", r.logical_id)


def _s3_filter(t: Template, value: Any) -> dict[str, Any]:
    rules = dig(value, "S3Key", "Rules")
    found = {_filter_name(t, x): t.text(x.get("Value")) for x in as_list(rules) if isinstance(x, dict)}
    return {name: found[name] for name in ("prefix", "suffix") if found.get(name)}


def _filter_name(t: Template, rule: dict[str, Any]) -> str:
    """A notification filter rule's name (`prefix`, `suffix`), in lower case."""
    name = t.text(rule.get("Name") or "")
    if name is None:  # not known before the stack deploys: the resource's reading leaves the property out, noted
        raise ValueError(f"filter rule name {rule.get('Name')!r} cannot be known")
    return name.lower()


@reads_flows("AWS::S3::Bucket")
def _bucket(flows: Flows, r: Resource) -> None:
    t = flows.t
    notifications = r.properties.get("NotificationConfiguration") or {}
    for key, target_class, kind in (("LambdaConfigurations", LambdaFunction, "triggers"), ("QueueConfigurations", SqsQueue, "notifies"),
                                    ("TopicConfigurations", SnsTopic, "notifies")):
        for entry in as_list(notifications.get(key)):
            if isinstance(entry, dict):
                target = flows.first(entry.get("Function") or entry.get("Queue") or entry.get("Topic"), target_class)
                flows.add(r.logical_id, target, kind, r.logical_id, events=[e for e in [t.text(entry.get("Event"))] if e],
                          **_s3_filter(t, entry.get("Filter")))


SUBSCRIBERS: dict[str, type[Service]] = {"sqs": SqsQueue, "lambda": LambdaFunction}
"""The subscription protocols drawn as flows, and the class of service each delivers to."""


CUSTOM_RESOURCE = "AWS::CloudFormation::CustomResource"

INVOKING: dict[str, tuple[str, ...]] = {
    "AWS::Pipes::Pipe": ("Target", "Enrichment"),
    "AWS::IoT::TopicRule": ("TopicRulePayload",), "AWS::Config::ConfigRule": ("Source",),
    "AWS::AppSync::DataSource": ("LambdaConfig",), "AWS::SecretsManager::RotationSchedule": ("RotationLambdaARN",),
    "AWS::CodePipeline::Pipeline": ("Stages",), "AWS::SES::ReceiptRule": ("Rule",),
    "AWS::CloudFormation::Macro": ("FunctionName",), "AWS::Cognito::UserPool": ("LambdaConfig",),
    "AWS::KinesisAnalytics::ApplicationOutput": ("Output",), "AWS::KinesisAnalyticsV2::ApplicationOutput": ("Output",),
    "AWS::KinesisAnalytics::Application": ("Inputs",), "AWS::KinesisAnalyticsV2::Application": ("ApplicationConfiguration",),
    CUSTOM_RESOURCE: ("ServiceToken",),
}
"""Resources that invoke the functions these properties name (a schedule's target, a custom resource's service
token, a user pool's triggers, a Kinesis Data Analytics application's output or input preprocessor, ...); all but
user pools are generic services. State machines' tasks are read by importer/workflows.py, EventBridge rules' and
EventBridge Scheduler schedules' targets by importer/events.py.
`Custom::*` types read as `AWS::CloudFormation::CustomResource`; SAM events that create such resources are
added by the template (`Template._sam_event_sources`)."""


STARTING: frozenset[str] = frozenset({"AWS::Pipes::Pipe", "AWS::IoT::TopicRule"})
"""Of `INVOKING`, the resources that start executions of the state machines their targets name."""


@reads_flows(*INVOKING)
def _invoker(flows: Flows, r: Resource) -> None:
    for name in INVOKING[r.type if r.type in INVOKING else CUSTOM_RESOURCE]:
        for target, _ in flows.t.references(r.properties.get(name)):
            if flows.class_of(target) is LambdaFunction:
                flows.add(r.logical_id, target, "invokes", r.logical_id)
            elif flows.class_of(target) is StateMachine and r.type in STARTING:
                flows.add(r.logical_id, target, "starts", r.logical_id)


@reads_flows("AWS::Lambda::Permission")
def _permission(flows: Flows, r: Resource) -> None:
    """A function's permission names its invoker by `SourceArn`: a resource in the template invokes it (an
    EventBridge rule too: its target may be added outside the template)."""
    function = flows.first(r.properties.get("FunctionName"), LambdaFunction)
    for source, _ in flows.t.references(r.properties.get("SourceArn")):
        if flows.class_of(source) in (Generic, EventRule):
            flows.add(source, function, "invokes", r.logical_id)


@reads_flows("AWS::Logs::SubscriptionFilter")
def _log_subscription(flows: Flows, r: Resource) -> None:
    """Log events of a function's (or another service's) log group are sent to a function: each service writing to
    the group invokes it."""
    function = flows.first(r.properties.get("DestinationArn"), LambdaFunction)
    for writer in flows.t.log_writers(r.properties.get("LogGroupName")):
        flows.add(writer, function, "invokes", r.logical_id)


@reads_flows("AWS::SNS::Subscription")
def _subscription(flows: Flows, r: Resource) -> None:
    t = flows.t
    subscriber = SUBSCRIBERS.get(t.text(r.properties.get("Protocol")) or "")
    if subscriber:
        endpoint = flows.first(r.properties.get("Endpoint"), subscriber)
        flows.add(flows.first(r.properties.get("TopicArn"), SnsTopic), endpoint,
                  "subscribes", r.logical_id, raw_message_delivery=bool(flag(r.properties.get("RawMessageDelivery"), t.parameters)))
    topic = flows.first(r.properties.get("TopicArn"), SnsTopic)
    flows.add(topic, flows.first(dig(r.properties, "RedrivePolicy", "deadLetterTargetArn"), SqsQueue), "dead-letter", r.logical_id)


@reads_flows("AWS::SNS::Topic")
def _topic(flows: Flows, r: Resource) -> None:
    for entry in as_list(r.properties.get("Subscription")):
        subscriber = SUBSCRIBERS.get(flows.t.text(dig(entry, "Protocol")) or "")
        if subscriber:
            flows.add(r.logical_id, flows.first(dig(entry, "Endpoint"), subscriber), "subscribes", r.logical_id)


@reads_flows("AWS::SQS::Queue")
def _queue(flows: Flows, r: Resource) -> None:
    flows.add(r.logical_id, flows.first(dig(r.properties, "RedrivePolicy", "deadLetterTargetArn"), SqsQueue), "dead-letter", r.logical_id)


@reads_flows("AWS::CloudFront::Distribution")
def _distribution(flows: Flows, r: Resource) -> None:
    t = flows.t
    config = r.properties.get("DistributionConfig") or {}
    behaviours = [({**(config.get("DefaultCacheBehavior") or {}), "PathPattern": "*"})] + \
        [b for b in as_list(config.get("CacheBehaviors")) if isinstance(b, dict)]
    for origin in as_list(config.get("Origins")):
        if not isinstance(origin, dict):
            continue
        target = flows.first(origin.get("DomainName"), S3Bucket, Alb, Clb, ApiGateway, Generic)
        patterns = [t.text(b.get("PathPattern")) for b in behaviours if t.text(b.get("TargetOriginId")) == t.text(origin.get("Id"))]
        fields: dict[str, Any] = {"path_pattern": patterns[0] if patterns and patterns[0] else "*"}
        if flows.class_of(target or "") is S3Bucket:
            oai = t.text(dig(origin, "S3OriginConfig", "OriginAccessIdentity")) or ""
            fields["access"] = "oac" if origin.get("OriginAccessControlId") else "oai" if oai or dig(
                origin, "S3OriginConfig", "OriginAccessIdentity") else "none"
        elif origin.get("CustomOriginConfig"):
            policy = t.text(dig(origin, "CustomOriginConfig", "OriginProtocolPolicy")) or "match-viewer"
            fields["protocol"] = "https" if policy == "https-only" else "http"
        flows.add(r.logical_id, target, "origin" if flows.class_of(target or "") is not Generic else "uses", r.logical_id, **fields)
    for behaviour in behaviours:
        for association in as_list(behaviour.get("LambdaFunctionAssociations")):
            flows.add(r.logical_id, flows.first(dig(association, "LambdaFunctionARN"), LambdaFunction), "invokes", r.logical_id)


@reads_flows("AWS::ApiGateway::RestApi", "AWS::Serverless::Api")
def _rest_api(flows: Flows, r: Resource) -> None:
    body = r.properties.get("Body") or r.properties.get("DefinitionBody") or {}
    for path, operations in (body.get("paths") or {}).items() if isinstance(body, dict) else ():
        for method, operation in (operations or {}).items() if isinstance(operations, dict) else ():
            uri = dig(operation, "x-amazon-apigateway-integration", "uri")
            route = f"{'ANY' if method == 'x-amazon-apigateway-any-method' else method.upper()} {path}"
            routes = [route] if re.fullmatch(r"(GET|HEAD|OPTIONS|POST|PUT|PATCH|DELETE|ANY) /\S*", route) else []
            flows.add(r.logical_id, flows.first(uri, LambdaFunction), "invokes", r.logical_id, routes=routes)
    schemes = dig(body, "components", "securitySchemes") or dig(body, "securityDefinitions") or {}
    for scheme in schemes.values() if isinstance(schemes, dict) else ():
        authorizer = dig(scheme, "x-amazon-apigateway-authorizer") or {}
        _authorizer(flows, r.logical_id, authorizer.get("providerARNs"), authorizer.get("authorizerUri"))
    for authorizer in (dig(r.properties, "Auth", "Authorizers") or {}).values():
        if isinstance(authorizer, dict):
            _authorizer(flows, r.logical_id, authorizer.get("UserPoolArn"), authorizer.get("FunctionArn"))


def _authorizer(flows: Flows, api: str | None, pools: Any, function: Any) -> None:
    flows.add(api, flows.first(pools, CognitoUserPool), "authorizes", api or "")
    flows.add(api, flows.first(function, LambdaFunction), "authorizes", api or "")


@reads_flows("AWS::ApiGateway::Method")
def _method(flows: Flows, r: Resource) -> None:
    t, p = flows.t, r.properties
    api = flows.first(p.get("RestApiId"), ApiGateway)
    method = (t.text(p.get("HttpMethod")) or "ANY").upper()
    route = f"{method} {_resource_path(t, p.get('ResourceId'))}"
    flows.add(api, flows.first(dig(p, "Integration", "Uri"), LambdaFunction), "invokes", r.logical_id,
              routes=[route] if re.fullmatch(r"(GET|HEAD|OPTIONS|POST|PUT|PATCH|DELETE|ANY) /\S*", route) else [])
    for lid, _ in t.references(p.get("AuthorizerId")):
        authorizer = t.resources[lid].properties
        _authorizer(flows, api, authorizer.get("ProviderARNs"), authorizer.get("AuthorizerUri"))


def _resource_path(t: Template, value: Any, depth: int = 0) -> str:
    refs = [lid for lid, _ in t.references(value) if t.resources[lid].type == "AWS::ApiGateway::Resource"]
    if not refs or depth > 20:
        return "/"
    resource = t.resources[refs[0]].properties
    parent = _resource_path(t, resource.get("ParentId"), depth + 1)
    return parent.rstrip("/") + "/" + (t.text(resource.get("PathPart")) or "")


@reads_flows("AWS::ElasticLoadBalancingV2::TargetGroup")
def _target_group(flows: Flows, r: Resource) -> None:
    t, p = flows.t, r.properties
    balancers = {t.service_of(x.logical_id) for x in t.referrers(r.logical_id) if x.type.startswith("AWS::ElasticLoadBalancingV2::")}
    protocol = "https" if t.text(p.get("Protocol")) == "HTTPS" else "http"
    port = number(p.get("Port"), t.parameters) or 80
    targets = [lid for x in as_list(p.get("Targets")) for lid, _ in t.references(dig(x, "Id"))]
    targets += [x.logical_id for x in t.referrers(r.logical_id, "AWS::AutoScaling::AutoScalingGroup", "AWS::ECS::Service")]
    for balancer in sorted(b for b in balancers if b):
        modelled = flows.class_of(balancer) is not Generic  # a network or gateway load balancer is a generic service
        for target in targets:
            fields = {"protocol": protocol, "port": _container_port(t, target, r.logical_id) or port} \
                if flows.class_of(target) in (*EC2, EcsService) and modelled else {}
            flows.add(balancer, target, "targets" if modelled else "uses", r.logical_id, **fields)


def _container_port(t: Template, target: str, group: str) -> int | None:
    """The port an ECS service's container listens on for a target group (`LoadBalancers`' `ContainerPort`: the
    target group's port is not used for the tasks it registers); None for other targets."""
    entries = as_list(t.resources[target].properties.get("LoadBalancers")) if t.resources[target].type == "AWS::ECS::Service" else []
    return next((number(x.get("ContainerPort"), t.parameters) for x in entries if isinstance(x, dict)
                 and any(lid == group for lid, _ in t.references(x.get("TargetGroupArn")))), None)


@reads_flows("AWS::ECS::Service")
def _ecs_service(flows: Flows, r: Resource) -> None:
    """An ECS service's tasks mount the EFS file systems its task definition's volumes name (the whole file system:
    archcase reads no access point of a task)."""
    t = flows.t
    for lid, _ in t.references(r.properties.get("TaskDefinition")):
        if t.resources[lid].type == "AWS::ECS::TaskDefinition":
            for volume in as_list(t.resources[lid].properties.get("Volumes")):
                file_system = flows.first(dig(volume, "EFSVolumeConfiguration", "FilesystemId"), EfsFileSystem)
                flows.add(r.logical_id, file_system, "mounts", r.logical_id)


@reads_flows("AWS::AutoScaling::AutoScalingGroup")
def _group(flows: Flows, r: Resource) -> None:
    for lid, _ in flows.t.references(r.properties.get("LoadBalancerNames")):
        _classic_target(flows, lid, r.logical_id, r.logical_id)


@reads_flows("AWS::ElasticLoadBalancing::LoadBalancer")
def _classic(flows: Flows, r: Resource) -> None:
    """A Classic Load Balancer forwards to the instances it names (`Instances`)."""
    for lid, _ in flows.t.references(r.properties.get("Instances")):
        if flows.class_of(lid) is Ec2Instance:
            _classic_target(flows, r.logical_id, lid, r.logical_id)


def _classic_target(flows: Flows, balancer: str, target: str, where: str) -> None:
    """A Classic Load Balancer's `targets` flow, with the protocol and port of its first listener's instances."""
    t = flows.t
    listeners = [x for x in as_list(t.resources[balancer].properties.get("Listeners")) if isinstance(x, dict)]
    protocol = (t.text(listeners[0].get("InstanceProtocol")) or "HTTP").lower() if listeners else "http"
    port = number(listeners[0].get("InstancePort"), t.parameters) if listeners else 80
    flows.add(balancer, target, "targets", where, protocol="https" if protocol in ("https", "ssl") else "http", port=port or 80)


CACHE_GROUPS: dict[str, str] = {"AWS::ElastiCache::ReplicationGroup": "SecurityGroupIds",
                                 "AWS::ElastiCache::CacheCluster": "VpcSecurityGroupIds",
                                 "AWS::ElastiCache::ServerlessCache": "SecurityGroupIds"}
"""The property naming a cache's security groups, by type."""


@reads_flows(*CACHE_GROUPS)
def _cache(flows: Flows, r: Resource) -> None:
    for client in admitted(flows.t, r.properties.get(CACHE_GROUPS[r.type])):
        flows.add(client, r.logical_id, "connects", r.logical_id)


EC2: tuple[type[Service], ...] = (AutoScalingGroup, Ec2Instance)
"""The classes of services that are EC2 instances (an Auto Scaling group's, or one)."""

CLIENT_HOLDERS: dict[str, tuple[type[Service], ...]] = {
    "AWS::Lambda::Function": (LambdaFunction,), "AWS::Serverless::Function": (LambdaFunction,),
    "AWS::EC2::LaunchTemplate": EC2, "AWS::AutoScaling::LaunchConfiguration": (AutoScalingGroup,),
    "AWS::EC2::Instance": (Ec2Instance,), "AWS::ECS::Service": (EcsService,),
}
"""Resources that put a function or instances (an Auto Scaling group's, or one) in a security group, and whose they
are."""


def admitted(t: Template, groups: Any) -> list[str]:
    """The functions and Auto Scaling groups whose security groups the given security groups admit (by a rule
    naming the client's group as its source, inline or as an `AWS::EC2::SecurityGroupIngress`): the services
    that connect. Rules open to address ranges say nothing of who."""
    own = {lid for lid, _ in t.references(groups) if t.resources[lid].type == "AWS::EC2::SecurityGroup"}
    rules = [rule for lid in sorted(own) for rule in as_list(t.resources[lid].properties.get("SecurityGroupIngress"))]
    rules += [ingress.properties for ingress in t.resources.values() if ingress.type == "AWS::EC2::SecurityGroupIngress"
              and any(lid in own for lid, _ in t.references(ingress.properties.get("GroupId")))]
    sources = [lid for rule in rules if isinstance(rule, dict) for lid, _ in t.references(rule.get("SourceSecurityGroupId"))
               if lid not in own]
    clients: list[str] = []
    for source in sources:
        for holder in t.referrers(source, *CLIENT_HOLDERS):
            service = t.service_of(holder.logical_id)
            if service and t.resources[service].service_class in CLIENT_HOLDERS[holder.type] and service not in clients:
                clients.append(service)
    return clients


FIREHOSE_DESTINATIONS: dict[str, tuple[str, ...]] = {
    "ExtendedS3DestinationConfiguration": ("BucketARN",), "S3DestinationConfiguration": ("BucketARN",),
    "ElasticsearchDestinationConfiguration": ("DomainARN", "ClusterEndpoint"),
    "AmazonopensearchserviceDestinationConfiguration": ("DomainARN", "ClusterEndpoint"),
    "AmazonOpenSearchServerlessDestinationConfiguration": ("CollectionEndpoint",),
    "HttpEndpointDestinationConfiguration": ("EndpointConfiguration",), "RedshiftDestinationConfiguration": ("ClusterJDBCURL",),
    "SplunkDestinationConfiguration": ("HECEndpoint",), "SnowflakeDestinationConfiguration": ("AccountUrl",),
    "IcebergDestinationConfiguration": ("CatalogConfiguration",),
}
"""A delivery stream's destination properties (one per stream), and the properties naming where each delivers:
a bucket (the two S3 ones), else a domain, cluster, collection, endpoint or catalog (generic services when in
the template, or outside it)."""
S3_DESTINATIONS = ("ExtendedS3DestinationConfiguration", "S3DestinationConfiguration")
S3_BACKUPS = ("S3Configuration", "S3BackupConfiguration")
"""Where a destination names the bucket it backs records up to (or, for Redshift and Iceberg, stages them in)."""


def firehose_destination(p: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """A delivery stream's destination: its property name and configuration (None when it has none)."""
    return next(((name, p[name]) for name in FIREHOSE_DESTINATIONS if isinstance(p.get(name), dict)), None)


def firehose_s3(name: str, destination: dict[str, Any]) -> list[dict[str, Any]]:
    """The S3 configurations of a destination: the destination itself for S3, then its backup (or staging) buckets."""
    own = [destination] if name in S3_DESTINATIONS else []
    return own + [b for b in (destination.get(k) for k in S3_BACKUPS) if isinstance(b, dict)]


@reads_flows("AWS::KinesisFirehose::DeliveryStream")
def _delivery_stream(flows: Flows, r: Resource) -> None:
    """Its source stream; the buckets it delivers to (the S3 destination, and any destination's backup or staging
    bucket); a destination of another type in the template (a generic service: `uses`); its processors."""
    t, p = flows.t, r.properties
    source = dig(p, "KinesisStreamSourceConfiguration", "KinesisStreamARN")
    flows.add(flows.first(source, KinesisStream), r.logical_id, "delivers", r.logical_id)
    found = firehose_destination(p)
    if found is None:
        return
    name, destination = found
    for s3 in firehose_s3(name, destination):
        prefix = t.text(s3.get("Prefix"))
        flows.add(r.logical_id, flows.first(s3.get("BucketARN"), S3Bucket), "delivers", r.logical_id, prefix=prefix or None)
    if name not in S3_DESTINATIONS:
        for target in FIREHOSE_DESTINATIONS[name]:
            flows.add(r.logical_id, flows.first(destination.get(target), Generic), "uses", r.logical_id)
    for processor in as_list(dig(destination, "ProcessingConfiguration", "Processors")):
        for parameter in as_list(dig(processor, "Parameters")):
            flows.add(r.logical_id, flows.first(dig(parameter, "ParameterValue"), LambdaFunction), "transforms", r.logical_id)


@reads_flows("AWS::Cognito::IdentityPool")
def _identity_pool(flows: Flows, r: Resource) -> None:
    for provider in as_list(r.properties.get("CognitoIdentityProviders")):
        flows.add(r.logical_id, flows.first(provider, CognitoUserPool), "federates", r.logical_id)


@reads_flows("AWS::Athena::WorkGroup")
def _workgroup(flows: Flows, r: Resource) -> None:
    t = flows.t
    location = dig(r.properties, "WorkGroupConfiguration", "ResultConfiguration", "OutputLocation")
    bucket = flows.first(location, S3Bucket)
    known = t.text(location) or ""
    prefix = known.split("/", 3)[3] if known.startswith("s3://") and known.count("/") >= 3 else None
    flows.add(r.logical_id, bucket, "writes", r.logical_id, prefix=prefix or None)



# IAM ------------------------------------------------------------------------------------------------------------

def _iam(flows: Flows, r: Resource) -> None:
    t = flows.t
    allowed = statements(t, r)
    workgroups = [lid for s, _ in allowed if any(str(a).startswith("athena:") for a in as_list(s.get("Action")))
                  and not any(str(a).startswith("sam:") for a in as_list(s.get("Action")))
                  for lid, _ in t.references(s.get("Resource")) if flows.class_of(lid) is Athena]
    located = {lid for s, _ in allowed if "s3:GetBucketLocation" in as_list(s.get("Action")) for lid, _ in t.references(s.get("Resource"))}
    for statement, refused in allowed:
        actions = [a for a in (t.text(x) for x in as_list(statement.get("Action"))) if a]
        for value in as_list(statement.get("Resource")):
            written = t.text(value)
            if r.service_class in PRODUCERS and DEFAULT_BUS.search(written or "") and grants(
                    actions, "publishes", partial(refused.covers, resource=written)):
                for rule in rules_on(t, None):
                    flows.add(r.logical_id, rule, "publishes", r.logical_id)
            for lid, _ in t.references(value):
                source = workgroups[0] if workgroups and lid in located and flows.class_of(lid) is S3Bucket else r.logical_id
                if source != r.logical_id and flows.has(t.service_of(source) or source, t.service_of(lid) or lid, ("writes",)):
                    continue  # Athena reads back the results it writes: no flow of its own
                _statement(flows, r, source, lid, actions, value, statement, refused)


def _statement(flows: Flows, r: Resource, source: str, target: str, actions: list[str], resource: Any, statement: dict[str, Any],
               refused: Denials = NO_DENIALS) -> None:
    """The flows one statement gives a service to one target, less what an unconditional Deny of the same role
    refuses on that resource (`refused`). `*` alone (every action of every service) states no intent: it is a broad
    permission (AC805), not a flow."""
    t = flows.t
    written = resource_text(t, resource)

    def denied(action: str) -> bool:
        return refused.covers(action, written)

    kept = [a for a in actions if not denied(a)]
    if actions and not kept:
        return  # every action the statement allows there is refused
    actions = [a for a in kept if a != "*"]
    cls = flows.class_of(target)
    owner = r.service_class
    if cls is Generic:
        flows.add(source, target, "uses", r.logical_id)
        return
    if owner is CognitoIdentityPool:
        known = t.text(resource) or ""
        per_user = "cognito-identity.amazonaws.com:sub" in known + str(statement.get("Condition"))
        flows.add(source, target, "grants", r.logical_id, actions=sorted(a for a in actions if re.fullmatch(r"[a-z0-9-]+:[A-Za-z*]+", a)),
                  scope="user" if per_user else "all")
        return
    if owner is DaxCluster:
        if cls is DynamoDbTable:
            flows.add(source, target, "caches", r.logical_id)
        return
    if cls is EventRule:  # events are put on a bus (a rule's ARN takes no events), and every rule on it matches them
        if owner in PRODUCERS and t.resources[target].type == "AWS::Events::EventBus" and grants(actions, "publishes", denied):
            for rule in rules_on(t, target):
                flows.add(source, rule, "publishes", r.logical_id)
        return
    sam = [a[4:] for a in actions if a.startswith("sam:")]
    if sam:
        stood_for = [a for a in actions if not a.startswith("sam:")]  # the actions of its flows a SAM policy template stands for
        for flow_kind in sam:
            if not stood_for or grants(stood_for, flow_kind, denied):
                flows.add(source, target, flow_kind, r.logical_id)
        return
    if cls in (DynamoDbTable, DaxCluster, S3Bucket):
        prefix = _prefix(t, resource, statement) if cls is S3Bucket else None
        for access in ("reads", "writes"):
            if grants(actions, access, denied):
                flows.add(source, target, access, r.logical_id, prefix=prefix)
        return
    kind = FLOW_TO.get(cls) if cls else None
    if kind == "mounts" and owner is LambdaFunction:
        return  # a function mounts what its FileSystemConfigs name, through an access point
    if cls is Secret and flows.has(t.service_of(target) or target, t.service_of(source) or source, ("invokes",)):
        return  # a rotation function reads and writes the secret it rotates: the secret invoking it says so
    if kind and grants(actions, kind, denied):
        ends = (t.service_of(source) or source, t.service_of(target) or target)
        if kind in ("enqueues", "publishes") and flows.has(*ends, ("dead-letter",)):
            return
        named = any("*" not in a for a in actions if grants([a], kind, denied))
        if kind == "enqueues" and not named and flows.has(ends[1], ends[0], ("triggers",)):
            return  # `sqs:*` on the queue a function consumes: it polls the queue, nothing says it sends
        flows.add(source, target, kind, r.logical_id)


PRODUCERS: frozenset[type[Service]] = frozenset({LambdaFunction, AutoScalingGroup, Ec2Instance})
"""Services whose events put on a bus are read as `publishes` flows to the rules on it."""
DEFAULT_BUS = re.compile(r":event-bus/default$")
"""The ARN of an account's default event bus, as a policy names it."""


def rules_on(t: Template, bus: str | None) -> list[str]:
    """The EventBridge rules of the template on a bus (its logical id; None: the default bus) that events a
    producer puts there can reach: rules matching a pattern, not running on a schedule, whose pattern names no
    source or one not of AWS (EventBridge refuses events put with a source starting with `aws.`)."""
    found = []
    for lid, resource in t.resources.items():
        if resource.type != "AWS::Events::Rule" or resource.properties.get("EventPattern") is None:
            continue
        named = resource.properties.get("EventBusName")
        on = bus in {x for x, _ in t.references(named)} if bus else named is None or (t.text(named) or "").endswith("default")
        pattern = resource.properties.get("EventPattern")
        if isinstance(pattern, str):
            pattern = _json(pattern)
        sources = [s for s in as_list(dig(pattern, "source")) if isinstance(s, str)] if isinstance(pattern, dict) else []
        if on and (not sources or not all(s.startswith("aws.") for s in sources)):
            found.append(lid)
    return found


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


FLOW_TO: dict[type[Service], str] = {
    SqsQueue: "enqueues", SnsTopic: "publishes", Ses: "sends-email", KinesisStream: "puts-records", Firehose: "puts-records",
    LambdaFunction: "invokes", Athena: "queries", ApiGateway: "calls", StateMachine: "starts", RdsDatabase: "connects",
    ElastiCache: "connects", EfsFileSystem: "mounts", Secret: "reads",
}
"""The flow a role's policy gives to a service of each class (`policies.ACTIONS_OF_FLOWS` says which actions)."""


def _prefix(t: Template, resource: Any, statement: dict[str, Any]) -> str | None:
    """The key prefix a statement on S3 is limited to: by the object ARN (`arn:...:s3:::bucket/uploads/*` or
    `${Bucket.Arn}/uploads/*` -> `uploads/`), or, on the bucket itself (listing), by its `s3:prefix` condition."""
    known = t.text(resource) or ""
    match = re.search(r"(?::s3:::[^/]+|^\$\{[^{}/]+\})/(.+?)\*?$", known)
    prefix = match.group(1) if match else ""
    if not match:
        condition = statement.get("Condition")
        listed = {t.text(v) or "" for v in condition_values(condition, "s3:prefix")}
        prefix = listed.pop().rstrip("*") if len(listed) == 1 else ""
    return prefix if prefix and "*" not in prefix and "$" not in prefix else None


# dynamic references ----------------------------------------------------------------------------------------------

DYNAMIC_SECRET = re.compile(r"\{\{resolve:secretsmanager:(\$\{[^}]+\}|(?:arn:[^:}]*:secretsmanager:[^:}]*:[^:}]*:secret:)?[^:}]+)")
"""A dynamic reference to a secret, and the secret it names: its name, its ARN, or `${Logical}` in `Fn::Sub`."""
ARN_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")
"""The six characters Secrets Manager appends to a secret's name in its ARN."""


def _dynamic_references(flows: Flows, r: Resource) -> None:
    """A resource whose properties resolve a secret of the template (`{{resolve:secretsmanager:...}}`, naming it by
    `${Logical}` in `Fn::Sub`, by its `Name` or by its ARN) has it resolved into its settings when it deploys: into a
    function's environment variables, instances' user data, or another setting. A secret that belongs to the resource
    (a cache's AUTH token) is no flow."""
    t = flows.t
    if r.type == "AWS::SecretsManager::Secret":
        return
    secrets = [lid for lid, x in t.resources.items() if x.type == "AWS::SecretsManager::Secret"]
    if not secrets:
        return
    names = {name: lid for lid in secrets if (name := t.text(t.resources[lid].properties.get("Name")))}
    for path, value in _strings(r.properties, ()):
        for match in DYNAMIC_SECRET.finditer(value):
            named = match.group(1)
            if named.startswith("${") and named.endswith("}"):
                secret = named[2:-1].split(".")[0]
            else:
                secret = names.get(named) or names.get(ARN_SUFFIX.sub("", named.rsplit(":secret:", 1)[-1])) or ""
            if secret not in secrets:
                continue
            source_class = flows.class_of(r.logical_id)
            into = "settings"
            if source_class is LambdaFunction and path[:1] == ("Environment",):
                into = "environment"
            elif source_class in (Ec2Instance, AutoScalingGroup) and "UserData" in path:
                into = "user-data"
            flows.add(r.logical_id, secret, "resolves", r.logical_id, into=into)


def _strings(value: Any, path: tuple[str, ...]) -> list[tuple[tuple[str, ...], str]]:
    """Every text in a resource's properties, with the path of keys to it (intrinsic functions left out)."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [found for key, item in value.items()
                for found in _strings(item, path if str(key).startswith("Fn::") else (*path, str(key)))]
    if isinstance(value, list):
        return [found for item in value for found in _strings(item, path)]
    return []


# environment variables and untyped references ---------------------------------------------------------------------

SIGNING_KEYS = frozenset({"AWS::CloudFront::PublicKey", "AWS::CloudFront::KeyGroup"})
SIGNING_NAMES = re.compile(r"KEY_?PAIR|PRIVATE_?KEY|SIGN", re.IGNORECASE)
"""A function told a distribution's domain signs its URLs only if it is also told a key: a public key or key group
of the template, or a variable named for a key pair, a private key or signing."""


def _environment(flows: Flows, r: Resource) -> None:
    t = flows.t
    variables = dig(r.properties, "Environment", "Variables")
    if not isinstance(variables, dict):
        return
    named = [lid for value in variables.values() for lid, _ in t.references(value)]
    clusters = {cluster for lid in named if flows.class_of(lid) is DaxCluster and (cluster := t.service_of(lid))}
    for cluster in sorted(clusters):
        if _caches_any_table(t, t.resources[cluster]):  # told a cluster and a table: it reads the table through it
            for table in (lid for lid in named if flows.class_of(lid) is DynamoDbTable):
                flows.add(cluster, table, "caches", r.logical_id)
    own = flows.targets.get(r.logical_id, {})
    reached = own.get("reads", set()) | own.get("writes", set()) | clusters
    cached = {target for source in reached for target in flows.targets.get(source, {}).get("caches", ())}
    signing = any(SIGNING_NAMES.search(str(name)) for name in variables) or any(
        t.resources[lid].type in SIGNING_KEYS for value in variables.values() for lid, _ in t.references(value))
    for value in variables.values():
        for lid, _ in t.references(value):
            target = t.service_of(lid)
            cls = flows.class_of(lid)
            if not target or cls is None or target in cached or flows.has(r.logical_id, target):
                continue
            if cls is CloudFront and signing:
                expires = number(variables.get("URL_EXPIRES_S"), t.parameters)
                flows.add(r.logical_id, target, "signs", r.logical_id, expires_s=expires)
            elif cls is CloudFront:  # a distribution's domain alone: the function calls it, nothing says it signs
                flows.add(r.logical_id, target, "calls", r.logical_id)
            elif cls is Generic:
                flows.add(r.logical_id, target, "uses", r.logical_id)
            elif cls in BY_TARGET:
                flows.add(r.logical_id, target, BY_TARGET[cls], r.logical_id)


def _caches_any_table(t: Template, cluster: Resource) -> bool:
    """Whether a DAX cluster's role lets it read every table (`dynamodb:GetItem` or a wildcard on `*`): then the
    tables it caches are those its clients name, not those its role names."""
    for statement, refused in statements(t, cluster):
        actions = [a for a in (t.text(x) for x in as_list(statement.get("Action"))) if a and a.startswith("dynamodb:")]
        everywhere = "*" in [t.text(x) for x in as_list(statement.get("Resource"))]
        if everywhere and grants(actions, "reads", partial(refused.covers, resource="*")):
            return True
    return False


def _generic(flows: Flows) -> None:
    """`uses` flows for references to or from resources archcase does not model."""
    t = flows.t
    for source, references in t.outgoing.items():
        for reference in references:
            a, b = t.service_of(source), t.service_of(reference.target)
            if a and b and a != b and Generic in (flows.class_of(a), flows.class_of(b)) and not flows.has(a, b) and not flows.has(b, a):
                flows.add(a, b, "uses", source)  # (a reference back along a flow already drawn restates it)
