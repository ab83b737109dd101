"""A template's resources as archcase sees them: which are services, which configure a service (roles,
policies, permissions, stages, ...), and what refers to what.

SAM is understood here: `AWS::Serverless::Function` is a Lambda function (with `Globals` merged in, its
`Events` and `Policies` read as flows), `AWS::Serverless::Api` a REST API, `AWS::Serverless::SimpleTable` a
DynamoDB table; an API event with no `RestApiId` uses the implicit `ServerlessRestApi`, as SAM does.
"""

from __future__ import annotations

import builtins
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..models.base import Service
from ..models.contract import METADATA_KEY
from .scenarios import Scenario
from .values import as_list, conditions, documents_parsed, references, text

V2_PARTS = ("AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Authorizer",
            "AWS::ApiGatewayV2::Stage", "AWS::ApiGatewayV2::Deployment", "AWS::ApiGatewayV2::RouteResponse",
            "AWS::ApiGatewayV2::IntegrationResponse", "AWS::ApiGatewayV2::Model", "AWS::ApiGatewayV2::ApiMapping")
"""The parts of an API Gateway v2 API, each naming its API by `ApiId`."""

OWNED_BY_REFERENCE: frozenset[str] = frozenset({
    "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::Lambda::Permission", "AWS::Lambda::EventSourceMapping",
    "AWS::Lambda::Version", "AWS::Lambda::Alias", "AWS::Lambda::EventInvokeConfig", "AWS::Lambda::Url",
    "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy", "AWS::SNS::Subscription",
    "AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Method", "AWS::ApiGateway::Resource",
    "AWS::ApiGateway::Authorizer", "AWS::ApiGateway::Model", "AWS::ApiGateway::RequestValidator",
    "AWS::ApiGateway::GatewayResponse", "AWS::ApiGateway::UsagePlan", "AWS::ApiGateway::UsagePlanKey",
    "AWS::ApiGateway::BasePathMapping", "AWS::ApiGateway::DocumentationPart",
    "AWS::ElasticLoadBalancingV2::Listener", "AWS::ElasticLoadBalancingV2::ListenerRule",
    "AWS::ElasticLoadBalancingV2::ListenerCertificate",
    "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolDomain", "AWS::Cognito::UserPoolGroup",
    "AWS::Cognito::UserPoolUser", "AWS::Cognito::IdentityPoolRoleAttachment", "AWS::Cognito::UserPoolResourceServer",
    "AWS::Logs::LogStream", "AWS::Logs::SubscriptionFilter", "AWS::Logs::MetricFilter",
    "AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress", "AWS::EFS::MountTarget", "AWS::EFS::AccessPoint",
    "AWS::CloudWatch::Alarm", "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy", "AWS::AutoScaling::ScalingPolicy",
    "AWS::AutoScaling::LifecycleHook", "AWS::AutoScaling::ScheduledAction",
    "AWS::EC2::VolumeAttachment",
    "AWS::SecretsManager::RotationSchedule", "AWS::SecretsManager::ResourcePolicy", "AWS::SecretsManager::SecretTargetAttachment",
    "AWS::ECS::ClusterCapacityProviderAssociations",
    "AWS::Athena::NamedQuery", "AWS::Glue::Table", "AWS::Glue::Partition",
    "AWS::KinesisFirehose::DeliveryStreamPolicy", "AWS::Kinesis::StreamConsumer",
    *V2_PARTS,
})
"""Resources that configure the service they refer to (a bucket's policy, a function's permission, ...)."""

OWNED_BY_REFERRER: frozenset[str] = frozenset({
    "AWS::IAM::Role", "AWS::IAM::InstanceProfile", "AWS::EC2::LaunchTemplate",
    "AWS::AutoScaling::LaunchConfiguration", "AWS::DAX::SubnetGroup", "AWS::DAX::ParameterGroup",
    "AWS::CloudFront::CloudFrontOriginAccessIdentity", "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::KeyGroup", "AWS::CloudFront::PublicKey", "AWS::CloudFront::CachePolicy",
    "AWS::CloudFront::OriginRequestPolicy", "AWS::CloudFront::ResponseHeadersPolicy", "AWS::CloudFront::Function",
    "AWS::EC2::SecurityGroup", "AWS::Logs::LogGroup", "AWS::Lambda::LayerVersion",
    "AWS::Serverless::LayerVersion", "AWS::SES::ConfigurationSet", "AWS::Glue::Database",
    "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::CertificateManager::Certificate",
    "AWS::RDS::DBSubnetGroup", "AWS::RDS::DBParameterGroup", "AWS::RDS::DBClusterParameterGroup", "AWS::RDS::OptionGroup",
    "AWS::Events::EventBus",
    "AWS::ElastiCache::SubnetGroup", "AWS::ElastiCache::ParameterGroup",
})
"""Resources that belong to the service that refers to them (a function's role, a distribution's OAI, ...)."""

OWNER_PROPERTIES: dict[str, tuple[str, ...]] = {
    "AWS::IAM::Policy": ("Roles", "Users", "Groups"), "AWS::IAM::ManagedPolicy": ("Roles", "Users", "Groups"),
    "AWS::Lambda::Permission": ("FunctionName",), "AWS::Lambda::EventSourceMapping": ("FunctionName",),
    "AWS::Lambda::EventInvokeConfig": ("FunctionName",), "AWS::Lambda::Version": ("FunctionName",),
    "AWS::Lambda::Alias": ("FunctionName",), "AWS::Lambda::Url": ("TargetFunctionArn",),
    "AWS::S3::BucketPolicy": ("Bucket",), "AWS::SQS::QueuePolicy": ("Queues",), "AWS::SNS::TopicPolicy": ("Topics",),
    "AWS::SNS::Subscription": ("TopicArn",), "AWS::Cognito::IdentityPoolRoleAttachment": ("IdentityPoolId",),
    "AWS::Cognito::UserPoolClient": ("UserPoolId",), "AWS::ElasticLoadBalancingV2::Listener": ("LoadBalancerArn",),
    "AWS::ElasticLoadBalancingV2::ListenerRule": ("ListenerArn",), "AWS::ApiGateway::Stage": ("RestApiId",),
    "AWS::ApiGateway::Method": ("RestApiId",), "AWS::ApiGateway::Deployment": ("RestApiId",),
    "AWS::ApiGateway::Resource": ("RestApiId",), "AWS::ApiGateway::Authorizer": ("RestApiId",),
    **{part: ("ApiId",) for part in V2_PARTS},
    "AWS::RDS::DBInstance": ("DBClusterIdentifier",),
    "AWS::ElastiCache::CacheCluster": ("ReplicationGroupId",),
    "AWS::EFS::MountTarget": ("FileSystemId",), "AWS::EFS::AccessPoint": ("FileSystemId",),
    "AWS::EC2::VolumeAttachment": ("InstanceId",),
    **{f"AWS::SecretsManager::{part}": ("SecretId",) for part in ("RotationSchedule", "ResourcePolicy", "SecretTargetAttachment")},
    "AWS::ECS::ClusterCapacityProviderAssociations": ("Cluster",),
}
"""The properties that name the owner of a configuring resource (a policy also names what it grants on)."""

SAM_EVENT_SOURCES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "Schedule": ("AWS::Events::Rule", "Targets", ("DeadLetterConfig",)),
    "CloudWatchEvent": ("AWS::Events::Rule", "Targets", ("DeadLetterConfig",)),
    "EventBridgeRule": ("AWS::Events::Rule", "Targets", ("DeadLetterConfig",)),
    "ScheduleV2": ("AWS::Scheduler::Schedule", "Target", ()),
    "IoTRule": ("AWS::IoT::TopicRule", "TopicRulePayload", ()),
    "CloudWatchLogs": ("AWS::Logs::SubscriptionFilter", "DestinationArn", ("LogGroupName", "FilterPattern")),
}
"""SAM event types that create a resource of their own invoking the function: the type, the property naming the
function (read by `importer.flows.INVOKING`, or for a subscription filter `importer.flows._log_subscription`),
and the event's properties the resource takes as they are (a filter's log group, a rule's dead-letter queue)."""

def _dead_letter_type(event: dict[str, Any]) -> Any:
    """The `Type` of a SAM event's `DeadLetterConfig` (`SQS`: SAM makes the queue)."""
    config = event.get("DeadLetterConfig")
    return config.get("Type") if isinstance(config, dict) else None


def _sam_rule(event: Any, target: Any) -> dict[str, Any]:
    """The `AWS::Events::Rule` SAM creates for a `Schedule`, `CloudWatchEvent` or `EventBridgeRule` event (and, in this
    shape, the `AWS::Scheduler::Schedule` it creates for a `ScheduleV2` event): its
    schedule or pattern, bus and state (`Enabled: false` as SAM reads it), and the target with the event's
    dead-letter queue (one named by `Arn`; SAM's own queue of `Type: SQS` is not in the template) and retry policy."""
    p = event if isinstance(event, dict) else {}
    rule: dict[str, Any] = {}
    for name, cfn in (("Schedule", "ScheduleExpression"), ("ScheduleExpression", "ScheduleExpression"), ("Pattern", "EventPattern"),
                      ("EventBusName", "EventBusName"), ("State", "State")):
        if name in p:
            rule[cfn] = p[name]
    if "State" not in p and p.get("Enabled") is False:
        rule["State"] = "DISABLED"
    entry: dict[str, Any] = {"Arn": target}
    if isinstance(p.get("DeadLetterConfig"), dict) and "Arn" in p["DeadLetterConfig"]:
        entry["DeadLetterConfig"] = {"Arn": p["DeadLetterConfig"]["Arn"]}
    if "RetryPolicy" in p:
        entry["RetryPolicy"] = p["RetryPolicy"]
    rule["Targets"] = [entry]
    return rule


UNMODELLED_VARIANTS: dict[str, tuple[str, frozenset[str]]] = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("Type", frozenset({"network", "gateway"})),
    "AWS::RDS::DBInstance": ("Engine", frozenset({
        *(f"{custom}oracle-{edition}{cdb}" for custom in ("", "custom-") for edition in ("ee", "se2") for cdb in ("", "-cdb")),
        *(f"{custom}sqlserver-{edition}" for custom in ("", "custom-") for edition in ("ee", "se", "ex", "web", "dev")),
        "oracle-se1", "oracle-se", "db2-se", "db2-ae"})),
    "AWS::RDS::DBCluster": ("Engine", frozenset({"mysql", "postgres", "neptune", "docdb"})),
}
"""Types read as a service class, but for the resources whose property (named here) says they are a variant the
class does not model: a network or gateway load balancer is no ALB (TCP, UDP and GENEVE listeners, no HTTP
settings); Oracle, SQL Server and Db2 DB instances and Multi-AZ DB clusters (`mysql`, `postgres` engines) are not
modelled databases. Those resources become generic services."""

ECS_PARTS: dict[str, str] = {"AWS::ECS::TaskDefinition": "TaskDefinition", "AWS::ECS::Cluster": "Cluster"}
"""The parts of an ECS service that belong to it when a service names them (by this property of the service): a task
definition or cluster no service of the template names (one run by a rule or a state machine, a cluster of
instances only) stays a service of its own, generic."""

ACCOUNT_WIDE: frozenset[str] = frozenset({"AWS::ApiGateway::Account"})
"""Settings of the account rather than of a service (API Gateway's CloudWatch role)."""

LOG_PATHS = re.compile(r"Logging|AccessLog|access_logs|LogFile|LogDestination|LogBucket")
"""Property paths through which a bucket receives logs (a bucket only referred to this way is a log bucket)."""
LOG_GROUP_PATHS = re.compile(r"Logging|AccessLog|LogConfig|LogDestination|LogGroup|awslogs-group")
"""Property paths through which a service writes to a log group (a function's `LoggingConfig`, a stage's
`AccessLogSetting`, a state machine's `LoggingConfiguration`, a container's `LogConfiguration`, ...)."""


@dataclass
class Resource:
    """One resource: its logical id, type, properties (`Fn::If` read as the scenario says), archcase metadata, and the
    service class it is read as (None for a type that becomes a `Generic` service or configures another)."""

    logical_id: str
    type: str
    properties: dict[str, Any]
    metadata: dict[str, Any]
    attributes: dict[str, Any] = field(default_factory=dict)
    service_class: builtins.type[Service] | None = None  # `type` is the field above
    variant: str | None = None
    """For a resource of a type read as a service class but of a variant the class does not model: which
    (`Type: network`); it is then a generic service."""


@dataclass
class Reference:
    """`source` refers to `target` (attribute `attribute`) at property path `path` (dot-separated)."""

    source: str
    target: str
    attribute: str | None
    path: str


Isolated = Callable[..., Any]
"""How a reading of one resource is run: `isolated(resource, what, run, default)` (see the importer)."""


class Template:
    """The resources of a template, with an index of references both ways and the owner of every resource
    that configures another."""

    def __init__(self, data: dict[str, Any], reads: Mapping[str, type[Service]], isolated: Isolated | None = None,
                 scenario: Scenario | None = None, drawn: Template | None = None) -> None:
        """`reads`: the service class each CloudFormation type is read as (`importer.registry.READS`);
        `scenario`: the parameter values and conditions to read it in (importer/scenarios.py), by default the
        parameters' defaults, every `Fn::If` read so that its setting is seen and every resource kept;
        `drawn`: the template as drawn, for a scenario of it: which buckets are for logs is read from it (the
        template's design), so that a scenario in which logs reach a bucket, or do not, keeps it as it is drawn."""
        self.drawn = drawn
        self.data = data
        metadata = data.get("Metadata")
        # emitted by archcase from a case, which states its services: a bucket only for logs belongs to what logs there
        self.emitted = isinstance(metadata, dict) and isinstance(metadata.get(METADATA_KEY), dict)
        parameters = data.get("Parameters")
        parameters = parameters if isinstance(parameters, dict) else {}
        self.parameters: dict[str, Any] = scenario.parameters(parameters) if scenario else parameters
        scenario = scenario or Scenario()
        self.metadata: dict[str, Any] = _archcase(data)
        given_globals = data.get("Globals")
        globals_: dict[str, Any] = given_globals if isinstance(given_globals, dict) else {}
        self.resources: dict[str, Resource] = {}
        for logical_id, body in data["Resources"].items():
            if not scenario.exists(body):
                continue
            properties = body.get("Properties") if isinstance(body.get("Properties"), dict) else {}
            defaults = globals_.get(body["Type"].split("::")[-1]) if body["Type"].startswith("AWS::Serverless::") else None
            resource = Resource(logical_id, body["Type"], dict(properties), _archcase(body, without="suppress"),
                                {k: v for k, v in body.items() if k not in ("Type", "Properties", "Metadata")},
                                reads.get(body["Type"]))

            def read(resource: Resource = resource, defaults: Any = defaults) -> dict[str, Any]:
                merged = _merge(defaults, resource.properties) if isinstance(defaults, dict) else resource.properties
                unconditional: dict[str, Any] = documents_parsed(conditions(merged, scenario.truth))  # a mapping stays a mapping
                return unconditional

            resource.properties = isolated(resource, "properties", read, {}) if isolated else read()
            self._variant(resource)
            self.resources[logical_id] = resource
        self.made: dict[str, tuple[str | int, ...]] = {}
        """For each resource SAM creates (and the template does not declare), where in the template the event
        that makes it is written: findings on it are placed there."""
        self._implicit_api(reads)
        self._sam_event_sources(reads)
        self.bucket_names = self._bucket_names()
        self._any_bucket = re.compile("|".join(re.escape(name) for name in sorted(self.bucket_names, key=len, reverse=True)))
        self._owned: dict[str, list[Resource]] | None = None
        self.outgoing: dict[str, list[Reference]] = defaultdict(list)
        self.incoming: dict[str, list[Reference]] = defaultdict(list)
        for resource in self.resources.values():
            for path, value in _walk(resource.properties, ""):
                for target, attribute in self.references(value):
                    if target != resource.logical_id:
                        reference = Reference(resource.logical_id, target, attribute, path)
                        self.outgoing[resource.logical_id].append(reference)
                        self.incoming[target].append(reference)
        self.log_buckets: set[str] = {lid for lid, r in self.resources.items() if r.type == "AWS::S3::Bucket" and self._only_logs(lid)} \
            if drawn is None else drawn.log_buckets & set(self.resources)
        self.owner = self._owners()

    # --------------------------------------------------------------------------------------------------------

    def text(self, value: Any) -> str | None:
        return text(value, self.parameters)

    def is_service(self, logical_id: str) -> bool:
        resource = self.resources[logical_id]
        if logical_id in self.log_buckets and self.emitted:
            return False  # a stranger's log bucket is a service: the S3 rules (but AC404) hold for it too
        if resource.type == "AWS::RDS::DBInstance" and resource.properties.get("DBClusterIdentifier") is not None:
            return False  # an instance of an Aurora cluster belongs to the cluster
        if resource.type == "AWS::ElastiCache::CacheCluster" and resource.properties.get("ReplicationGroupId") is not None:
            return False  # a node of a replication group belongs to the group
        if resource.type == "AWS::SecretsManager::Secret" and self._auth_token_of(logical_id):
            return False  # the AUTH token of a cache belongs to the cache
        if resource.type in ECS_PARTS and self._ecs_service_of(logical_id):
            return False  # the task definition and cluster of an ECS service belong to it
        return resource.type not in OWNED_BY_REFERENCE | OWNED_BY_REFERRER | ACCOUNT_WIDE

    def service_of(self, logical_id: str) -> str | None:
        """The logical id of the service a resource is, or belongs to (None when it belongs to none)."""
        return logical_id if self.is_service(logical_id) else self.owner.get(logical_id)

    def owned(self, service: str, *types: str) -> list[Resource]:
        """The resources of the given types that belong to a service, in template order."""
        if self._owned is None:
            self._owned = defaultdict(list)
            for lid, resource in self.resources.items():
                if lid in self.owner:
                    self._owned[self.owner[lid]].append(resource)
        return [r for r in self._owned.get(service, ()) if not types or r.type in types]

    def referrers(self, logical_id: str, *types: str) -> list[Resource]:
        return [self.resources[r.source] for r in self.incoming.get(logical_id, [])
                if not types or self.resources[r.source].type in types]

    def references(self, value: Any) -> list[tuple[str, str | None]]:
        """The resources a value refers to (logical id, attribute), in order, once each: by `Ref`, `Fn::GetAtt`
        or `Fn::Sub`, and buckets by their name (policies name buckets in ARNs: `arn:...:s3:::name/*`)."""
        if isinstance(value, list):
            return list(dict.fromkeys(found for item in value for found in self.references(item)))
        found = [(t, a) for t, a in references(value) if t in self.resources]
        if self.bucket_names and not (isinstance(value, dict) and set(value) & {"Ref", "Fn::GetAtt"}):
            known = self.text(value)
            if known and self._any_bucket.search(known):  # one pass in C; the loop only where a name is
                found += [(lid, "name") for name, lid in self.bucket_names.items() if name in known]
        return list(dict.fromkeys(found))

    def log_writers(self, group: Any) -> list[str]:
        """The services that write to the log group a value names (a subscription filter's `LogGroupName`): those
        its name names (`/aws/lambda/${Fn}`) and, for a log group of the template, those its own name names and
        those that send their logs to it (`LOG_GROUP_PATHS`)."""
        found: list[str | None] = []
        for lid, _ in self.references(group):
            if self.resources[lid].type != "AWS::Logs::LogGroup":
                found.append(self.service_of(lid))
                continue
            found += [self.service_of(x) for x, _ in self.references(self.resources[lid].properties.get("LogGroupName"))]
            found += [self.service_of(x.source) for x in self.incoming.get(lid, []) if LOG_GROUP_PATHS.search(x.path)
                      and self.resources[x.source].type != "AWS::Logs::SubscriptionFilter"]
        return [service for service in dict.fromkeys(found) if service]

    def _bucket_names(self) -> dict[str, str]:
        """Bucket name -> logical id, for names specific enough to be recognised inside ARNs."""
        names = {}
        for lid, resource in self.resources.items():
            name = self.text(resource.properties.get("BucketName")) if resource.type == "AWS::S3::Bucket" else None
            if name and len(re.sub(r"\$\{[^{}]*\}", "", name)) >= 6:
                names[name] = lid
        return names

    # --------------------------------------------------------------------------------------------------------

    def _variant(self, resource: Resource) -> None:
        """A resource of a variant its type's service class does not model is read as a generic service."""
        name, variants = UNMODELLED_VARIANTS.get(resource.type, ("", frozenset()))
        given = self.text(resource.properties.get(name)) if name else None
        if given in variants:
            resource.service_class, resource.variant = None, f"{name}: {given}"

    def _implicit_api(self, reads: Mapping[str, type[Service]]) -> None:
        """SAM creates `ServerlessRestApi` for API events that name no `RestApiId`."""
        implicit = [r for r in self.resources.values() if r.type == "AWS::Serverless::Function"
                    and any(isinstance(e, dict) and e.get("Type") == "Api" and not (e.get("Properties") or {}).get("RestApiId")
                            for e in (r.properties.get("Events") or {}).values())]
        if implicit and "ServerlessRestApi" not in self.resources:
            self.resources["ServerlessRestApi"] = Resource("ServerlessRestApi", "AWS::Serverless::Api", {"StageName": "Prod"}, {},
                                                           service_class=reads.get("AWS::Serverless::Api"))
            self.made["ServerlessRestApi"] = ("Resources", implicit[0].logical_id, "Properties", "Events")

    def _sam_event_sources(self, reads: Mapping[str, type[Service]]) -> None:
        """The resources SAM creates for a function's or state machine's events that invoke or start it from
        outside: a rule or schedule per `Schedule`, `ScheduleV2`, `CloudWatchEvent`, `EventBridgeRule` and (for
        functions) `IoTRule` event, a subscription filter per `CloudWatchLogs` event (named as SAM names them,
        resource id and event name), and `ServerlessHttpApi` for `HttpApi` events that name no API."""
        sam = ("AWS::Serverless::Function", "AWS::Serverless::StateMachine")
        for resource in [r for r in self.resources.values() if r.type in sam]:
            events = resource.properties.get("Events")
            for name, event in events.items() if isinstance(events, dict) else ():
                kind = event.get("Type") if isinstance(event, dict) else None
                machine = resource.type == "AWS::Serverless::StateMachine"
                if machine and kind not in ("Schedule", "ScheduleV2", "CloudWatchEvent", "EventBridgeRule"):
                    continue  # an API event starts a state machine through a REST API integration: not read yet
                target: dict[str, Any] = {"Ref": resource.logical_id} if machine else {"Fn::GetAtt": [resource.logical_id, "Arn"]}
                at = ("Resources", resource.logical_id, "Properties", "Events", name)
                if kind in SAM_EVENT_SOURCES:
                    created, prop, copied = SAM_EVENT_SOURCES[kind]
                    lid = f"{resource.logical_id}{name}"
                    given = event.get("Properties") if isinstance(event.get("Properties"), dict) else {}
                    if lid not in self.resources:
                        if created in ("AWS::Events::Rule", "AWS::Scheduler::Schedule"):
                            properties = _sam_rule(given, target)
                            if _dead_letter_type(given) == "SQS":  # SAM makes the rule's dead-letter queue itself
                                self.resources[f"{lid}Queue"] = Resource(f"{lid}Queue", "AWS::SQS::Queue", {}, {},
                                                                          service_class=reads.get("AWS::SQS::Queue"))
                                properties["Targets"][0]["DeadLetterConfig"] = {"Arn": {"Fn::GetAtt": [f"{lid}Queue", "Arn"]}}
                                self.made[f"{lid}Queue"] = (*at, "Properties", "DeadLetterConfig")
                            if created == "AWS::Scheduler::Schedule":  # one target, named `Target`
                                properties["Target"] = properties.pop("Targets")[0]
                        else:
                            properties = {**{k: given[k] for k in copied if k in given}, prop: [{"Arn": target}]}
                        self.resources[lid] = Resource(lid, created, properties, {}, service_class=reads.get(created))
                        self.made[lid] = at
                elif kind == "HttpApi" and not (event.get("Properties") or {}).get("ApiId") and "ServerlessHttpApi" not in self.resources:
                    self.resources["ServerlessHttpApi"] = Resource("ServerlessHttpApi", "AWS::Serverless::HttpApi", {}, {},
                                                                   service_class=reads.get("AWS::Serverless::HttpApi"))
                    self.made["ServerlessHttpApi"] = at

    def dangling(self) -> list[str]:
        """The resources of the template this reading refers to but does not deploy (a scenario in which a
        deployed resource refers to one whose condition is false): CloudFormation refuses such a template."""
        declared = self.data["Resources"]
        found = []
        for resource in self.resources.values():
            depends = resource.attributes.get("DependsOn")
            named = [lid for lid, _ in references(resource.properties)] + [d for d in as_list(depends) if isinstance(d, str)]
            found += [lid for lid in named if lid in declared and lid not in self.resources]
        return sorted(set(found))

    def receives_logs(self, logical_id: str) -> bool:
        """Whether something sends its logs to this bucket (a distribution, a load balancer, another bucket), in
        the template as drawn."""
        if self.drawn is not None:
            return self.drawn.receives_logs(logical_id)
        return any(LOG_PATHS.search(r.path) for r in self.incoming.get(logical_id, []))

    def _only_logs(self, logical_id: str) -> bool:
        uses = [r for r in self.incoming.get(logical_id, []) if self.resources[r.source].type != "AWS::S3::BucketPolicy"]
        return bool(uses) and all(LOG_PATHS.search(r.path) for r in uses) and not self.resources[logical_id].metadata

    def _owners(self) -> dict[str, str]:
        """Owner of each configuring resource, found by following references until a service is reached."""
        owners: dict[str, str] = {}
        pending = [lid for lid in self.resources if not self.is_service(lid)]
        for _ in range(6):
            progressed = False
            for lid in pending:
                if lid in owners:
                    continue
                owner = self._owner(lid, owners)
                if owner:
                    owners[lid] = owner
                    progressed = True
            if not progressed:
                break
        return owners

    def _owner(self, lid: str, owners: dict[str, str]) -> str | None:
        resource = self.resources[lid]
        if resource.type in ACCOUNT_WIDE:
            return None
        if resource.type == "AWS::Glue::Database":
            return self._workgroup_of(lid)
        if resource.type == "AWS::RDS::DBInstance" and (cluster := self._cluster_named(resource)):
            return cluster
        if resource.type == "AWS::SecretsManager::Secret" and (group := self._auth_token_of(lid)):
            return group
        if resource.type == "AWS::Events::EventBus" and (rules := self.referrers(lid, "AWS::Events::Rule")):
            return rules[0].logical_id  # a bus is its rules' (the first's), not a producer's that puts events on it
        if resource.type in ECS_PARTS and (service := self._ecs_service_of(lid)):
            return service
        named = OWNER_PROPERTIES.get(resource.type, ())
        out = [r.target for r in self.outgoing.get(lid, []) if not named or r.path.split(".")[0] in named]
        inc = [r.source for r in self.incoming.get(lid, [])]
        order = inc + out if lid in self.log_buckets or resource.type in OWNED_BY_REFERRER else out + inc
        for candidate in order:
            if self.is_service(candidate):
                return candidate
            if candidate in owners:
                return owners[candidate]
        return None


    def _auth_token_of(self, secret: str) -> str | None:
        """The ElastiCache replication group whose `AuthToken` resolves this secret, if any."""
        return next((r.source for r in self.incoming.get(secret, []) if r.path.split(".")[0] == "AuthToken"
                     and self.resources[r.source].type == "AWS::ElastiCache::ReplicationGroup"), None)

    def _ecs_service_of(self, part: str) -> str | None:
        """The first ECS service that names this task definition or cluster (`TaskDefinition`, `Cluster`)."""
        prop = ECS_PARTS[self.resources[part].type]
        return next((r.source for r in self.incoming.get(part, []) if r.path.split(".")[0] == prop
                     and self.resources[r.source].type == "AWS::ECS::Service"), None)

    def _cluster_named(self, member: Resource) -> str | None:
        """The DB cluster of the template a DB instance names by its identifier, written out (`shop-db`) rather
        than by reference (RDS identifiers are not case-sensitive)."""
        named = self.text(member.properties.get("DBClusterIdentifier"))
        if not named:
            return None
        return next((lid for lid, r in self.resources.items() if r.type == "AWS::RDS::DBCluster"
                     and (self.text(r.properties.get("DBClusterIdentifier")) or "").lower() == named.lower()), None)

    def _workgroup_of(self, database: str) -> str | None:
        """The Athena workgroup whose queries use a Glue database: one named beside it (in a policy or a
        function's environment), else the template's only workgroup."""
        workgroups = [lid for lid, r in self.resources.items() if r.type == "AWS::Athena::WorkGroup"]
        for referrer in self.incoming.get(database, []):
            beside = [r.target for r in self.outgoing[referrer.source] if r.target in workgroups]
            if beside:
                return beside[0]
        return workgroups[0] if len(workgroups) == 1 else None


def _archcase(body: Any, without: str = "") -> dict[str, Any]:
    """`Metadata.archcase` of a template or resource, without the key `without` (a resource's `suppress`, which says
    nothing of the service: importer/suppressions.py)."""
    metadata = body.get("Metadata") if isinstance(body, dict) else None
    value = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
    return _literal({k: v for k, v in value.items() if k != without}) if isinstance(value, dict) else {}


def _literal(value: Any) -> Any:
    """`Metadata.archcase` with `${!` read as `${`: archcase writes a literal `${` so, as `Fn::Sub` does, for no
    reader to take it for a substitution (models/text.py `cfn_value`)."""
    if isinstance(value, str):
        return value.replace("${!", "${")
    if isinstance(value, dict):
        return {key: _literal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_literal(item) for item in value]
    return value


def _merge(defaults: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """SAM's Globals: mappings merge key by key, the resource's own values win."""
    merged = dict(defaults)
    for key, value in own.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def _walk(value: Any, path: str) -> list[tuple[str, Any]]:
    """(path, value) of every intrinsic function call and every string in the value."""
    found: list[tuple[str, Any]] = []
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        if len(value) == 1 and (next(iter(value)) in ("Ref", "Condition") or next(iter(value)).startswith("Fn::")):
            return [(path, value)]
        for key, item in value.items():
            found += _walk(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _walk(item, f"{path}.{index}")
    return found
