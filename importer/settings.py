"""The settings of each modelled service, read from its resource and the resources that configure it.

Where a template leaves a property out, the service gets what AWS does when it is left out (no point-in-time
recovery, no tracing, IMDSv1 allowed, ...), not archcase's secure defaults: the checks then see the
template as it would deploy.

Each reader is registered with `@reads(ServiceClass, "AWS::Type", ...)`: the CloudFormation types read as
that class, the table the importer maps resources with (`importer.registry.READS`).
"""

from __future__ import annotations

import contextlib
import re
from functools import partial
from typing import Any, get_args

from ..models.contract import CACHING_DISABLED, MANAGED_CACHE_POLICY_TTLS
from ..models.messaging import Endpoint
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
    Firehose,
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
from .denials import denials, resource_text
from .flows import S3_DESTINATIONS, firehose_destination, firehose_s3
from .marks import reads
from .policies import broad, grants
from .template import Resource, Template
from .values import as_list, condition_values, dig, flag, number, references

Settings = dict[str, Any]


def _or(value: int | None, default: int) -> int:
    """A number a template may leave out (0 is a value, not an absence)."""
    return default if value is None else value


def _put(settings: Settings, name: str, value: Any) -> None:
    if value is not None:
        settings[name] = value


@reads(LambdaFunction, "AWS::Lambda::Function", "AWS::Serverless::Function")
def lambda_function(t: Template, r: Resource) -> Settings:
    p = r.properties
    s: Settings = {"handler": t.text(p.get("Handler")) if p.get("PackageType") != "Image" else None,
                   "broad_permissions": broad(t, r), "invoked_from_outside": _invoked_from_outside(t, r)}
    _put(s, "runtime", t.text(p.get("Runtime")))
    architectures = as_list(p.get("Architectures"))
    _put(s, "architecture", t.text(architectures[0]) if architectures else "x86_64")
    _put(s, "memory_mb", number(p.get("MemorySize", 128), t.parameters))
    _put(s, "timeout_s", number(p.get("Timeout", 3), t.parameters))
    _put(s, "reserved_concurrency", number(p.get("ReservedConcurrentExecutions"), t.parameters))
    tracing = p.get("Tracing") if r.type == "AWS::Serverless::Function" else dig(p, "TracingConfig", "Mode")
    s["tracing"] = t.text(tracing) == "Active"
    s["in_vpc"] = bool(p.get("VpcConfig"))
    retention = [number(g.properties.get("RetentionInDays"), t.parameters) for g in t.owned(r.logical_id, "AWS::Logs::LogGroup")
                 if "/aws/lambda/" in (t.text(g.properties.get("LogGroupName")) or "")]
    _put(s, "log_retention_days", next((days for days in retention if days), None))
    variables = dig(p, "Environment", "Variables")
    if isinstance(variables, dict):
        signs = any(t.resources[t.service_of(lid) or lid].type == "AWS::CloudFront::Distribution"
                    for value in variables.values() for lid, _ in t.references(value))
        # the literal values: not those naming resources (flows), parameters or pseudo parameters (set per deployment)
        s["environment"] = {name: t.text(value) for name, value in variables.items()
                            if not t.references(value) and not any(references(value)) and t.text(value) is not None
                            and not (isinstance(value, dict) and "${AWS::" in str(value.get("Fn::Sub")))
                            and not (signs and name == "URL_EXPIRES_S")}
    return s


OUTSIDE_SOURCES = {"AWS::Lambda::Permission": "SourceArn", "AWS::Lambda::EventSourceMapping": "EventSourceArn"}
"""Resources that let something invoke a function, and the property naming what: when it names nothing in
the template, the invoker is outside it."""
SAM_SOURCES = ("Queue", "Stream", "Topic", "Bucket", "Broker", "Cluster", "UserPool", "ApiId", "RestApiId", "KafkaBootstrapServers")
"""The properties of SAM events naming their source (a self-managed Kafka cluster's servers are outside the
template unless they name a resource of it)."""
SAM_OUTSIDE = frozenset({"AlexaSkill"})
"""SAM event types whose source is always outside the template."""


def _invoked_from_outside(t: Template, r: Resource) -> bool:
    """A permission or event source mapping whose source is not in the template (or is an output of a nested
    stack), a function URL, a role allowed to invoke the function that no service of the template acts as, a
    subscription filter on a log group no other service of the template writes to (`Template.log_writers`), or a
    SAM event whose source is named by an ARN rather than a resource of the template."""
    for resource in t.owned(r.logical_id, *OUTSIDE_SOURCES, "AWS::Lambda::Url"):
        source = resource.properties.get(OUTSIDE_SOURCES.get(resource.type, ""))
        if resource.type == "AWS::Lambda::Url" or not [lid for lid, _ in t.references(source) if t.resources[lid].type not in STACKS]:
            return True  # no source, or one a nested stack not followed gives (its output)
    if r.properties.get("FunctionUrlConfig"):
        return True
    for grant in t.referrers(r.logical_id, *IAM_GRANTS):
        if t.service_of(grant.logical_id) is None and _allows_invoking(t, grant, r.logical_id):
            return True  # a role no service of the template acts as (one an included API definition names, ...)
    for subscription in t.referrers(r.logical_id, "AWS::Logs::SubscriptionFilter"):
        if r.logical_id not in {lid for lid, _ in t.references(subscription.properties.get("DestinationArn"))}:
            continue
        if not set(t.log_writers(subscription.properties.get("LogGroupName"))) - {r.logical_id}:
            return True  # the log group is given by name, or no other service of the template writes to it
    declared = r.properties.get("Events")
    events = [event for event in declared.values() if isinstance(event, dict)] if isinstance(declared, dict) else []
    if any(event.get("Type") in SAM_OUTSIDE for event in events):
        return True
    for event in events:
        given = [event["Properties"][k] for k in SAM_SOURCES if isinstance(event, dict) and isinstance(event.get("Properties"), dict)
                 and k in event["Properties"]]
        if any(not t.references(value) for value in given):
            return True
    return False


STACKS = frozenset({"AWS::CloudFormation::Stack", "AWS::Serverless::Application"})
"""Nested stacks: an output of one not followed (importer/nested.py follows local ones) is outside the template."""
IAM_GRANTS = ("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
"""Resources whose policy documents allow what a role may do (a role's inline `Policies`)."""


def _allows_invoking(t: Template, grant: Resource, function: str) -> bool:
    """Whether a role's or policy's documents allow invoking the function (`lambda:InvokeFunction` on it), less
    what an unconditional Deny of the same documents refuses there."""
    given = grant.properties.get("Policies") if grant.type == "AWS::IAM::Role" else [grant.properties]
    documents = [dig(p, "PolicyDocument") for p in as_list(given)]
    refused = denials(t, documents)
    statements = [s for d in documents for s in as_list(dig(d, "Statement")) if isinstance(s, dict) and s.get("Effect", "Allow") == "Allow"]
    return any(grants([a for a in map(t.text, as_list(s.get("Action"))) if a], "invokes",
                      partial(refused.covers, resource=resource_text(t, value)))
               for s in statements for value in as_list(s.get("Resource")) if function in {lid for lid, _ in t.references(value)})


@reads(AutoScalingGroup, "AWS::AutoScaling::AutoScalingGroup")
def autoscaling_group(t: Template, r: Resource) -> Settings:
    p = r.properties
    s: Settings = {"min_size": number(p.get("MinSize"), t.parameters), "max_size": number(p.get("MaxSize"), t.parameters),
                   "broad_permissions": broad(t, r)}
    launch = _launch_data(t, [p.get("LaunchTemplate"), p.get("LaunchConfigurationName"), p.get("MixedInstancesPolicy")])
    if launch is not None:
        s.update(_instance_settings(t, launch))
    zones = p.get("VPCZoneIdentifier") or p.get("AvailabilityZones")
    if isinstance(zones, list) and zones:
        s["availability_zones"] = min(len(zones), 6)
    return {k: v for k, v in s.items() if v is not None}


def _launch_data(t: Template, value: Any) -> dict[str, Any] | None:
    """The instance settings of the launch template or launch configuration a value names (None when it names
    none in the template)."""
    launch = next((t.resources[lid] for lid, _ in t.references(value)
                   if t.resources[lid].type in ("AWS::EC2::LaunchTemplate", "AWS::AutoScaling::LaunchConfiguration")), None)
    if launch is None:
        return None
    data = launch.properties.get("LaunchTemplateData", launch.properties)
    return data if isinstance(data, dict) else {}


def _instance_settings(t: Template, data: dict[str, Any]) -> Settings:
    """What instances launched with these settings (a launch template's data, a launch configuration, an
    instance's own properties) run with, as AWS applies what they leave out: IMDSv1 allowed unless `HttpTokens` is
    `required` (or, left out, the AMI is an Amazon Linux 2023 one), volumes unencrypted unless every EBS block device
    mapping encrypts them (docs/aws-defaults.md)."""
    tokens = dig(data, "MetadataOptions", "HttpTokens")
    s: Settings = {"imdsv2_required": t.text(tokens) == "required" if tokens is not None else _imdsv2_ami(t, data.get("ImageId")),
                   "ebs_encrypted": _encrypted(t, data.get("BlockDeviceMappings"))}
    _put(s, "instance_type", t.text(data.get("InstanceType")))
    return s


AL2023_AMIS = "/aws/service/ami-amazon-linux-latest/al2023-"
"""The public Systems Manager parameters naming the latest Amazon Linux 2023 AMIs (their AMIs have `ImdsSupport`
v2.0: instances launched from them require IMDSv2 unless told otherwise)."""


def _imdsv2_ami(t: Template, image: Any) -> bool:
    """Whether an instance launched from this AMI without `HttpTokens` requires IMDSv2: when the AMI is an Amazon
    Linux 2023 one named by its public SSM parameter (a parameter's default of type
    `AWS::SSM::Parameter::Value<...>`, or a `{{resolve:ssm:...}}` reference), whose `ImdsSupport` is v2.0. Other AMIs
    (found in a mapping, given by id, or of other systems) leave IMDSv1 allowed, as AWS does for AMIs without
    `ImdsSupport` (docs/aws-defaults.md). An account-level default of V1 would allow it again: a template cannot
    show that."""
    name = image if isinstance(image, str) else None
    if isinstance(image, dict) and isinstance(image.get("Ref"), str):
        declared = t.data.get("Parameters")
        spec = declared.get(image["Ref"]) if isinstance(declared, dict) else None
        if isinstance(spec, dict) and str(spec.get("Type", "")).startswith("AWS::SSM::Parameter::Value"):
            name = spec.get("Default") if isinstance(spec.get("Default"), str) else None
    return name is not None and AL2023_AMIS in name


def _encrypted(t: Template, mappings: Any) -> bool:
    """Whether the EBS volumes that block device mappings give are all encrypted (an unencrypted data volume beside
    an encrypted root is an unencrypted volume); no EBS mapping leaves the AMI's volumes, unencrypted."""
    volumes = [m for m in as_list(mappings) if isinstance(m, dict) and isinstance(m.get("Ebs"), dict)]
    return bool(volumes) and all(flag(dig(m, "Ebs", "Encrypted"), t.parameters) for m in volumes)


@reads(Ec2Instance, "AWS::EC2::Instance")
def ec2_instance(t: Template, r: Resource) -> Settings:
    """A single instance: its own properties, over those of the launch template it names (an instance's
    `MetadataOptions`, `BlockDeviceMappings` and `InstanceType` replace the template's). Volumes attached to it
    (`Volumes`, `AWS::EC2::VolumeAttachment`) are its volumes too: one unencrypted makes it unencrypted."""
    p = r.properties
    own = {name: p[name] for name in ("InstanceType", "ImageId", "MetadataOptions", "BlockDeviceMappings") if p.get(name) is not None}
    s = _instance_settings(t, {**(_launch_data(t, p.get("LaunchTemplate")) or {}), **own})
    volumes = [lid for lid, _ in t.references([dig(v, "VolumeId") for v in as_list(p.get("Volumes"))])]
    volumes += [lid for x in t.referrers(r.logical_id, "AWS::EC2::VolumeAttachment")
                for lid, _ in t.references(x.properties.get("VolumeId"))]
    attached = [t.resources[lid] for lid in volumes if t.resources[lid].type == "AWS::EC2::Volume"]
    if attached and s["ebs_encrypted"]:
        s["ebs_encrypted"] = all(flag(v.properties.get("Encrypted"), t.parameters) for v in attached)
    s["broad_permissions"] = broad(t, r)
    return s


FARGATE_PROVIDERS = frozenset({"FARGATE", "FARGATE_SPOT"})
"""The capacity providers that run tasks on Fargate (any other runs them on the cluster's EC2 instances)."""


@reads(EcsService, "AWS::ECS::Service")
def ecs_service(t: Template, r: Resource) -> Settings:
    """A service with its task definition and cluster (which belong to it), as AWS applies what they leave out
    (docs/aws-defaults.md): one task; the EC2 launch type unless `LaunchType`, a capacity provider strategy (the
    service's, else the cluster's default) or a Fargate-only task definition says Fargate; no public IP; containers
    with no log driver, a writable root filesystem, not privileged; no Container Insights on a cluster of the
    template. What a task definition or cluster outside the template (a parameter, an import, the default cluster)
    would say is not known: None."""
    p = r.properties
    definition = _ecs_part(t, p.get("TaskDefinition"), "AWS::ECS::TaskDefinition")
    cluster = _ecs_part(t, p.get("Cluster"), "AWS::ECS::Cluster")
    d = definition.properties if definition else {}
    launch = _launch_type(t, p, cluster, d)
    s: Settings = {"broad_permissions": broad(t, r)}
    _put(s, "launch_type", launch)
    _put(s, "desired_count", _or(number(p.get("DesiredCount"), t.parameters), 1) if p.get("SchedulingStrategy") != "DAEMON" else None)
    containers = [c for c in as_list(d.get("ContainerDefinitions")) if isinstance(c, dict)]
    known = definition is not None and bool(containers)
    s["logging"] = all(c.get("LogConfiguration") is not None for c in containers) if known else None
    s["read_only_root_filesystem"] = all(flag(c.get("ReadonlyRootFilesystem"), t.parameters) for c in containers) if known else None
    privileged = any(flag(c.get("Privileged"), t.parameters) for c in containers) if known else None
    s["privileged"] = privileged if launch == "ec2" else False  # Fargate refuses a privileged container
    assign = t.text(dig(p, "NetworkConfiguration", "AwsvpcConfiguration", "AssignPublicIp")) or "DISABLED"
    s["public_ip"] = assign.upper() == "ENABLED" and launch != "ec2"  # tasks on instances get none
    s["container_insights"] = _container_insights(t, cluster) if cluster else None
    return s


def _ecs_part(t: Template, value: Any, kind: str) -> Resource | None:
    """The task definition or cluster of the template a service names (None when it names one outside it, or, for
    the cluster, none: the account's default cluster)."""
    return next((t.resources[lid] for lid, _ in t.references(value) if t.resources[lid].type == kind), None)


def _launch_type(t: Template, p: dict[str, Any], cluster: Resource | None, definition: dict[str, Any]) -> str | None:
    """`fargate` or `ec2`: the service's `LaunchType`, else its capacity provider strategy, else the cluster's default
    strategy (its own, or its `ClusterCapacityProviderAssociations`), else EC2 as ECS applies it, unless the task
    definition is compatible with Fargate only (it could not run on EC2). None when a parameter without a value
    decides."""
    given = p.get("LaunchType")
    if given is not None:
        known = t.text(given)
        return None if known is None else "fargate" if known.upper() == "FARGATE" else "ec2"
    strategy = as_list(p.get("CapacityProviderStrategy"))
    if not strategy and cluster is not None:
        strategy = as_list(cluster.properties.get("DefaultCapacityProviderStrategy"))
        strategy = strategy or [x for a in t.referrers(cluster.logical_id, "AWS::ECS::ClusterCapacityProviderAssociations")
                                for x in as_list(a.properties.get("DefaultCapacityProviderStrategy"))]
    providers = [t.text(dig(x, "CapacityProvider")) for x in strategy]
    if providers:
        return None if None in providers else "fargate" if all(x in FARGATE_PROVIDERS for x in providers) else "ec2"
    compatible = {t.text(x) for x in as_list(definition.get("RequiresCompatibilities"))}
    return "fargate" if compatible == {"FARGATE"} else "ec2"


def _container_insights(t: Template, cluster: Resource) -> bool:
    """Whether a cluster collects Container Insights metrics (`enabled`, or `enhanced` observability); left out, not
    (the account setting's default)."""
    settings = [x for x in as_list(cluster.properties.get("ClusterSettings")) if isinstance(x, dict)]
    value = next((t.text(x.get("Value")) for x in settings if t.text(x.get("Name")) == "containerInsights"), None)
    return (value or "disabled").lower() in ("enabled", "enhanced")


@reads(DynamoDbTable, "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable")
def dynamodb(t: Template, r: Resource) -> Settings:
    p = r.properties
    if r.type == "AWS::Serverless::SimpleTable":
        key = p.get("PrimaryKey") or {"Name": "id", "Type": "String"}
        types = {"String": "S", "Number": "N", "Binary": "B"}
        s: Settings = {"partition_key": {"name": t.text(key.get("Name")) or "id", "type": types.get(t.text(key.get("Type")) or "", "S")},
                       "billing_mode": "PROVISIONED" if p.get("ProvisionedThroughput") else "PAY_PER_REQUEST",
                       "point_in_time_recovery": False, "deletion_protection": False}
        s["encryption"] = "aws-managed" if flag(dig(p, "SSESpecification", "SSEEnabled"), t.parameters) else "aws-owned"
        return s
    attribute_types = {t.text(a.get("AttributeName")): t.text(a.get("AttributeType"))
                       for a in as_list(p.get("AttributeDefinitions")) if isinstance(a, dict)}
    keys = {t.text(k.get("KeyType")): t.text(k.get("AttributeName")) for k in as_list(p.get("KeySchema")) if isinstance(k, dict)}
    s = {"partition_key": {"name": keys.get("HASH") or "id", "type": attribute_types.get(keys.get("HASH"), "S") or "S"}}
    if keys.get("RANGE"):
        s["sort_key"] = {"name": keys["RANGE"], "type": attribute_types.get(keys["RANGE"]) or "S"}
    s["billing_mode"] = t.text(p.get("BillingMode")) or "PROVISIONED"
    _put(s, "stream", t.text(dig(p, "StreamSpecification", "StreamViewType")))
    _put(s, "ttl_attribute", t.text(dig(p, "TimeToLiveSpecification", "AttributeName"))
         if flag(dig(p, "TimeToLiveSpecification", "Enabled"), t.parameters) else None)
    own = p
    if r.type == "AWS::DynamoDB::GlobalTable":
        replicas = [x for x in as_list(p.get("Replicas")) if isinstance(x, dict)]
        local = next((x for x in replicas if x.get("Region") == {"Ref": "AWS::Region"}), replicas[0] if replicas else {})
        s["replica_regions"] = [region for x in replicas if x is not local and (region := t.text(x.get("Region")))]
        own = {**local, "SSESpecification": {**(p.get("SSESpecification") or {}), **(local.get("SSESpecification") or {})}}
    s["point_in_time_recovery"] = bool(flag(dig(own, "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"), t.parameters))
    s["deletion_protection"] = bool(flag(own.get("DeletionProtectionEnabled"), t.parameters))
    sse = own.get("SSESpecification") or {}
    if dig(sse, "KMSMasterKeyId") is not None:
        s["encryption"] = "customer-managed"
    elif flag(sse.get("SSEEnabled"), t.parameters) or (r.type == "AWS::DynamoDB::GlobalTable" and sse.get("SSEType") == "KMS"):
        s["encryption"] = "aws-managed"
    else:
        s["encryption"] = "aws-owned"
    return s


@reads(DaxCluster, "AWS::DAX::Cluster")
def dax(t: Template, r: Resource) -> Settings:
    p = r.properties
    s: Settings = {"encryption_at_rest": bool(flag(dig(p, "SSESpecification", "SSEEnabled"), t.parameters)),
                   "tls_in_transit": t.text(p.get("ClusterEndpointEncryptionType")) == "TLS"}
    _put(s, "node_type", t.text(p.get("NodeType")))
    _put(s, "nodes", number(p.get("ReplicationFactor"), t.parameters))
    return s


RDS_ENGINES = frozenset(get_args(RdsDatabase.model_fields["engine"].annotation))


@reads(RdsDatabase, "AWS::RDS::DBInstance", "AWS::RDS::DBCluster")
def rds(t: Template, r: Resource) -> Settings:
    """A DB instance, or an Aurora cluster with the DB instances that name it (they belong to it). Left out:
    no storage encryption (a serverless v1 cluster is always encrypted), single-AZ, backups kept 1 day, no
    deletion protection, no IAM database authentication, minor versions upgraded (docs/aws-defaults.md); public
    access depends on the subnets given at deployment, and is read as off unless the template turns it on. A read
    replica of a DB instance of the template has its source's engine and encryption."""
    p = r.properties
    source = next((t.resources[lid].properties for lid, _ in t.references(p.get("SourceDBInstanceIdentifier"))
                   if t.resources[lid].type == "AWS::RDS::DBInstance"), {})  # a read replica inherits these
    engine = (t.text(p.get("Engine") or source.get("Engine")) or "").lower()
    s: Settings = {}
    if engine == "aurora":
        engine = "aurora-mysql"  # the MySQL 5.6-compatible Aurora of old templates
    if engine in RDS_ENGINES:
        s["engine"] = engine
    serverless = (t.text(p.get("EngineMode")) or "").lower() == "serverless"
    s["encrypted_at_rest"] = bool(flag(p.get("StorageEncrypted", source.get("StorageEncrypted")), t.parameters)) or serverless
    s["backup_retention_days"] = _or(number(p.get("BackupRetentionPeriod"), t.parameters), 1)
    s["deletion_protection"] = bool(flag(p.get("DeletionProtection"), t.parameters))
    s["iam_authentication"] = bool(flag(p.get("EnableIAMDatabaseAuthentication"), t.parameters))
    instances = [p] if r.type == "AWS::RDS::DBInstance" else [m.properties for m in t.owned(r.logical_id, "AWS::RDS::DBInstance")]
    s["publicly_accessible"] = any(flag(i.get("PubliclyAccessible"), t.parameters) for i in instances)
    s["auto_minor_version_upgrade"] = all(flag(i.get("AutoMinorVersionUpgrade"), t.parameters) is not False for i in [p, *instances])
    if r.type == "AWS::RDS::DBInstance":
        s["multi_az"] = bool(flag(p.get("MultiAZ"), t.parameters))
    else:
        s["multi_az"] = len(instances) >= 2 or serverless
    return s


CACHE_ENGINES = frozenset(get_args(ElastiCache.model_fields["engine"].annotation))


@reads(ElastiCache, "AWS::ElastiCache::ReplicationGroup", "AWS::ElastiCache::CacheCluster", "AWS::ElastiCache::ServerlessCache")
def elasticache(t: Template, r: Resource) -> Settings:
    """A Valkey or Redis OSS replication group, a cache cluster (Memcached, or one Redis node), or a serverless cache.
    Left out: engine Redis OSS (replication groups), no encryption at rest or in transit, no AUTH, no Multi-AZ
    failover, no snapshots (docs/aws-defaults.md). A Redis cache cluster cannot be encrypted at rest and has no
    AUTH; what a Memcached or serverless cache cannot choose the model fills in."""
    p = r.properties
    engine = (t.text(p.get("Engine")) or "redis").lower()
    s: Settings = {"engine": engine if engine in CACHE_ENGINES else "redis"}
    if r.type == "AWS::ElastiCache::ServerlessCache":
        s["serverless"] = True
        s["auth_token"] = p.get("UserGroupId") is not None and engine != "memcached"
        s["snapshot_retention_days"] = _or(number(p.get("SnapshotRetentionLimit"), t.parameters), 0)
        return s
    s["tls_in_transit"] = bool(flag(p.get("TransitEncryptionEnabled"), t.parameters))
    if engine == "memcached":
        return s
    s["snapshot_retention_days"] = _or(number(p.get("SnapshotRetentionLimit"), t.parameters), 0)
    if r.type == "AWS::ElastiCache::CacheCluster":  # one node: no replica, no encryption at rest, no AUTH
        s.update(encrypted_at_rest=False, auth_token=False, multi_az=False)
        return s
    s["encrypted_at_rest"] = bool(flag(p.get("AtRestEncryptionEnabled"), t.parameters))
    s["auth_token"] = p.get("AuthToken") is not None or bool(as_list(p.get("UserGroupIds")))
    s["multi_az"] = bool(flag(p.get("MultiAZEnabled"), t.parameters)) and flag(p.get("AutomaticFailoverEnabled"), t.parameters) is not False
    return s


@reads(EfsFileSystem, "AWS::EFS::FileSystem")
def efs(t: Template, r: Resource) -> Settings:
    """Left out: not encrypted; automatic backups on for a One Zone file system, in doubt for a Regional one
    (docs/aws-defaults.md)."""
    p = r.properties
    status = t.text(dig(p, "BackupPolicy", "Status"))
    one_zone = p.get("AvailabilityZoneName") is not None
    return {"encrypted_at_rest": bool(flag(p.get("Encrypted"), t.parameters)),
            "backups": status.upper() == "ENABLED" if status else True if one_zone else None}


ROTATION_RATE = re.compile(r"rate\((\d+) (day|days|hour|hours)\)")
AWS_MANAGED_SECRET_KEY = re.compile(r"(arn:[^:]+:kms:[^:]*:[^:]*:)?alias/aws/secretsmanager")


@reads(Secret, "AWS::SecretsManager::Secret")
def secret(t: Template, r: Resource) -> Settings:
    """Left out: not rotated, the AWS managed key, no resource policy, no replicas (docs/aws-defaults.md). Rotated when a
    rotation schedule of its own names a function or a hosted rotation function; its interval from `RotationRules`."""
    p = r.properties
    s: Settings = {"rotation": False}
    for schedule in t.owned(r.logical_id, "AWS::SecretsManager::RotationSchedule"):
        q = schedule.properties
        if q.get("RotationLambdaARN") is None and q.get("HostedRotationLambda") is None:
            continue  # a schedule without a function rotates nothing (CloudFormation asks for one)
        s = {"rotation": True, "rotation_days": _rotation_days(t, q.get("RotationRules"))}
    key = t.text(p.get("KmsKeyId"))
    managed = p.get("KmsKeyId") is None or (key is not None and AWS_MANAGED_SECRET_KEY.fullmatch(key) is not None)
    s["encryption"] = "aws-managed" if managed else "customer-managed"
    policies = [q.properties.get("ResourcePolicy") for q in t.owned(r.logical_id, "AWS::SecretsManager::ResourcePolicy")]
    s["resource_policy"] = "public" if any(_public(t, d) for d in policies) else "restricted" if policies else "none"
    regions = [t.text(dig(replica, "Region")) for replica in as_list(p.get("ReplicaRegions"))]
    s["replica_regions"] = list(dict.fromkeys(r for r in regions if r and re.fullmatch(r"[a-z]{2}(-gov)?-[a-z]+-\d", r)))
    return s


def _rotation_days(t: Template, rules: Any) -> int | None:
    """Days between rotations: `AutomaticallyAfterDays`, or `ScheduleExpression` as `rate(N days)` (hours round up
    to days); None for a cron expression. Left out, Secrets Manager asks for one of them: 30 is not assumed."""
    days = number(dig(rules, "AutomaticallyAfterDays"), t.parameters)
    if days is not None:
        return days if 1 <= days <= 1000 else None
    rate = ROTATION_RATE.fullmatch((t.text(dig(rules, "ScheduleExpression")) or "").strip())
    if rate is None:
        return None
    amount = int(rate.group(1))
    return max(1, -(-amount // 24)) if rate.group(2).startswith("hour") else amount


def _public(t: Template, document: Any) -> bool:
    """Whether a resource policy allows anyone (`*`, or `AWS: "*"`) without a condition."""
    for statement in as_list(dig(document, "Statement")):
        if not isinstance(statement, dict) or statement.get("Effect", "Allow") != "Allow" or statement.get("Condition"):
            continue
        principal = statement.get("Principal")
        named = as_list(principal.get("AWS")) if isinstance(principal, dict) else as_list(principal)
        if any(t.text(p) == "*" for p in named):
            return True
    return False


@reads(S3Bucket, "AWS::S3::Bucket")
def s3(t: Template, r: Resource) -> Settings:
    p = r.properties
    block = p.get("PublicAccessBlockConfiguration")
    acl = t.text(p.get("AccessControl")) or ""
    algorithm = t.text(dig(p, "BucketEncryption", "ServerSideEncryptionConfiguration", 0, "ServerSideEncryptionByDefault",
                           "SSEAlgorithm")) or "AES256"
    policies = [s.properties.get("PolicyDocument") for s in t.referrers(r.logical_id, "AWS::S3::BucketPolicy")]
    statements = [x for doc in policies for x in as_list(dig(doc, "Statement")) if isinstance(x, dict)]
    public_read = any(x.get("Effect") == "Allow" and x.get("Principal") in ("*", {"AWS": "*"}) for x in statements)
    s: Settings = {
        # buckets made since April 2023 block public access unless told otherwise
        "block_public_access": all(flag(v, t.parameters) for v in block.values()) if isinstance(block, dict) and block
        else not (acl.startswith("Public") or public_read),
        "encryption": "sse-kms" if algorithm.startswith("aws:kms") else "sse-s3",
        "versioning": t.text(dig(p, "VersioningConfiguration", "Status")) == "Enabled",
        "access_logging": bool(p.get("LoggingConfiguration")),
        "enforce_tls": any(_denies_plain_http(t, x) for x in statements),
        "transfer_acceleration": t.text(dig(p, "AccelerateConfiguration", "AccelerationStatus")) == "Enabled",
        "receives_logs": t.receives_logs(r.logical_id),
    }
    # a website endpoint serves only what the public may read: with public access blocked it answers 403
    s["website_hosting"] = bool(p.get("WebsiteConfiguration")) and not s["block_public_access"]
    if (s["website_hosting"] or acl.startswith("Public") or public_read) and not r.metadata:
        s["content"] = "public"  # what a template says of a bucket it serves to anyone (emitted ones state it)
    return s


def _denies_plain_http(t: Template, statement: dict[str, Any]) -> bool:
    """A bucket policy statement that refuses requests not over TLS: a Deny on the bucket's objects (`.../*` or
    `*`) under `aws:SecureTransport` false. `true` there denies TLS itself; a
    deny on the bucket ARN alone leaves the objects open."""
    if statement.get("Effect") != "Deny":
        return False
    if not any(str(t.text(v)).lower() == "false" for v in condition_values(statement.get("Condition"), "aws:SecureTransport")):
        return False
    written = [t.text(r) or str(r) for r in as_list(statement.get("Resource"))]  # a Join keeps its literal "/*"
    return any(text.endswith("*") or "/*" in text for text in written)


@reads(CloudFront, "AWS::CloudFront::Distribution")
def cloudfront(t: Template, r: Resource) -> Settings:
    config = r.properties.get("DistributionConfig") or {}
    default = config.get("DefaultCacheBehavior") or {}
    certificate = config.get("ViewerCertificate") or {}
    s: Settings = {
        "viewer_protocol": t.text(default.get("ViewerProtocolPolicy")) or "allow-all",
        # the default *.cloudfront.net certificate accepts TLSv1 whatever MinimumProtocolVersion says
        "min_tls": (t.text(certificate.get("MinimumProtocolVersion")) or "TLSv1")
        if certificate.get("AcmCertificateArn") or certificate.get("IamCertificateId") else "TLSv1",
        "price_class": t.text(config.get("PriceClass")) or "PriceClass_All",
        "access_logging": bool(config.get("Logging")),
        "waf": bool(config.get("WebACLId")),
        "http_version": t.text(config.get("HttpVersion")) or "http1.1",
    }
    groups = [t.resources[lid] for lid, _ in t.references(default.get("TrustedKeyGroups")) if lid in t.resources]
    if groups:
        name = t.text(dig(groups[0].properties, "KeyGroupConfig", "Name")) or groups[0].logical_id
        s["signed_urls"] = {"key_group": re.sub(r"^\$\{AWS::StackName\}-", "", name)}
    elif default.get("TrustedKeyGroups") or default.get("TrustedSigners"):
        s["signed_urls"] = {"key_group": "trusted-signers"}
    behaviours = [default, *(b for b in as_list(config.get("CacheBehaviors")) if isinstance(b, dict))]
    ttls = next((found for b in behaviours if (found := _ttls(t, b))), None)
    if ttls:
        s["default_ttl_s"], s["max_ttl_s"] = ttls
    return s


def _ttls(t: Template, behaviour: dict[str, Any]) -> tuple[int, int] | None:
    policy = behaviour.get("CachePolicyId")
    known = t.text(policy)
    if known == CACHING_DISABLED:
        return None  # nothing cached: the TTLs are those of the behaviours that cache, if any
    if known in MANAGED_CACHE_POLICY_TTLS:
        return MANAGED_CACHE_POLICY_TTLS[known]
    for lid, _ in t.references(policy):
        config = t.resources[lid].properties.get("CachePolicyConfig") or {}
        default, maximum = number(config.get("DefaultTTL"), t.parameters), number(config.get("MaxTTL"), t.parameters)
        if default is not None and maximum is not None:
            return default, maximum
    if "DefaultTTL" in behaviour or "MaxTTL" in behaviour:
        return number(behaviour.get("DefaultTTL", 86400), t.parameters) or 0, number(behaviour.get("MaxTTL", 31536000), t.parameters) or 0
    return None


@reads(ApiGateway, "AWS::ApiGateway::RestApi", "AWS::Serverless::Api")
def api_gateway(t: Template, r: Resource) -> Settings:
    p = r.properties
    endpoint = p.get("EndpointConfiguration")
    types = as_list(endpoint.get("Types") or endpoint.get("Type")) if isinstance(endpoint, dict) else as_list(endpoint)
    s: Settings = {"endpoint_type": (t.text(types[0]) or "EDGE").lower() if types else "edge"}
    stages = []
    if r.type == "AWS::Serverless::Api":
        stages.append(_stage(t, {**p, "StageName": p.get("StageName", "Prod")}))
        s["access_logging"] = bool(p.get("AccessLogSetting"))
        s["tracing"] = bool(flag(p.get("TracingEnabled"), t.parameters))
    for stage in t.owned(r.logical_id, "AWS::ApiGateway::Stage"):
        stages.append(_stage(t, stage.properties))
        s["access_logging"] = bool(stage.properties.get("AccessLogSetting"))
        s["tracing"] = bool(flag(stage.properties.get("TracingEnabled"), t.parameters))
    if not stages:  # the stages deployments create, set by their `StageDescription` as a stage's own properties
        deployments = t.owned(r.logical_id, "AWS::ApiGateway::Deployment")
        described = [_described(d.properties) for d in deployments if d.properties.get("StageName")]
        stages += [_stage(t, stage) for stage in described]
        s["access_logging"] = bool(described) and all(stage.get("AccessLogSetting") for stage in described)
        s["tracing"] = bool(described) and all(flag(stage.get("TracingEnabled"), t.parameters) for stage in described)
    named = {stage["name"]: stage for stage in stages if stage}
    if named:
        s["stages"] = list(named.values())
    for domain in t.referrers(r.logical_id, "AWS::ApiGateway::BasePathMapping"):
        for lid, _ in t.references(domain.properties.get("DomainName")):
            _put(s, "min_tls", t.text(t.resources[lid].properties.get("SecurityPolicy")))
    authorization = _authorization(t, r)
    if authorization != "authorizers":
        s["authorization"] = authorization
    return s


def _authorization(t: Template, r: Resource) -> str:
    """How an API's callers are authorized where no `authorizes` flow says it: `iam` when every method (but
    CORS `OPTIONS`) requires IAM-signed requests, `outside` when every method requires authorization and some
    name an authorizer whose user pool or function is not in the template; `authorizers` otherwise. Read from
    `AWS::ApiGateway::Method`s, a SAM API's `Auth.DefaultAuthorizer`, or the OpenAPI body's security."""
    kinds: list[str | None] = []
    for method in t.owned(r.logical_id, "AWS::ApiGateway::Method"):
        if (t.text(method.properties.get("HttpMethod")) or "").upper() != "OPTIONS":
            authorizer = [t.resources[lid].properties for lid, _ in t.references(method.properties.get("AuthorizerId"))]
            kinds.append(_kind(t, t.text(method.properties.get("AuthorizationType")) or "NONE",
                               [a.get("ProviderARNs") or a.get("AuthorizerUri") for a in authorizer]))
    if r.type == "AWS::Serverless::Api" or r.logical_id == "ServerlessRestApi":
        kinds += _sam_authorization(t, r)
    body = r.properties.get("Body") or r.properties.get("DefinitionBody")
    schemes = dig(body, "components", "securitySchemes") or dig(body, "securityDefinitions") or {}
    for operations in (dig(body, "paths") or {}).values() if isinstance(dig(body, "paths"), dict) else ():
        for verb, operation in operations.items() if isinstance(operations, dict) else ():
            if verb.lower() == "options" or not isinstance(operation, dict):
                continue
            security = operation.get("security", dig(body, "security"))
            named = [name for item in as_list(security) if isinstance(item, dict) for name in item]
            if not named:
                kinds.append("NONE")
            for name in named:
                iam = str(dig(schemes, name, "x-amazon-apigateway-authtype")).lower() == "awssigv4"
                given = dig(schemes, name, "x-amazon-apigateway-authorizer")
                kinds.append(_kind(t, "AWS_IAM" if iam else "CUSTOM", [dig(given, "providerARNs") or dig(given, "authorizerUri")]))
    if not kinds or "NONE" in kinds or None in kinds:
        return "authorizers"
    return "iam" if set(kinds) == {"iam"} else "outside" if "outside" in kinds else "authorizers"


def _sam_authorization(t: Template, r: Resource) -> list[str | None]:
    """The authorization of each method SAM creates on an API from functions' `Api` events: the event's
    `Auth.Authorizer`, else the API's `Auth.DefaultAuthorizer`."""
    default = dig(r.properties, "Auth", "DefaultAuthorizer")
    kinds: list[str | None] = []
    for function in [x for x in t.resources.values() if x.type == "AWS::Serverless::Function"]:
        events = function.properties.get("Events")
        for event in events.values() if isinstance(events, dict) else ():
            api = dig(event, "Properties", "RestApiId")
            if dig(event, "Type") != "Api" or (r.logical_id not in {lid for lid, _ in t.references(api)}
                                                if api else r.logical_id != "ServerlessRestApi"):
                continue
            if (t.text(dig(event, "Properties", "Method")) or "").upper() == "OPTIONS":
                continue
            name = t.text(dig(event, "Properties", "Auth", "Authorizer") or default or "NONE") or "NONE"
            named = dig(r.properties, "Auth", "Authorizers", name)
            kinds.append(_kind(t, name if name in ("NONE", "AWS_IAM") else "CUSTOM",
                               [dig(named, "UserPoolArn") or dig(named, "FunctionArn")]))
    if not kinds and default is not None:
        named = dig(r.properties, "Auth", "Authorizers", t.text(default) or "")
        kinds.append(_kind(t, "AWS_IAM" if t.text(default) == "AWS_IAM" else "CUSTOM",
                           [dig(named, "UserPoolArn") or dig(named, "FunctionArn")]))
    return kinds


def _kind(t: Template, authorization: str, providers: list[Any]) -> str | None:
    """One method's authorization: `NONE`, `iam`, `outside` (its authorizer's pool or function is not in the
    template), or None (an authorizer of the template, drawn as an `authorizes` flow)."""
    if authorization.upper() == "NONE":
        return "NONE"
    if authorization.upper() == "AWS_IAM":
        return "iam"
    known = [p for p in providers if p is not None]
    return None if any(t.references(p) for p in known) or not known else "outside"


STAGE_WIDE = ("ThrottlingRateLimit", "ThrottlingBurstLimit", "CachingEnabled", "CacheTtlInSeconds", "CacheDataEncrypted",
              "LoggingLevel", "MetricsEnabled", "DataTraceEnabled")
"""What a deployment's `StageDescription` sets for every method of its stage, as a stage's `MethodSettings` for
`/*/*` (HttpMethod `*`) does."""


def _described(deployment: dict[str, Any]) -> dict[str, Any]:
    """The stage a deployment creates, as an `AWS::ApiGateway::Stage`'s properties: its `StageDescription`
    (access logs, tracing, cache cluster, method settings), with the settings it gives every method as a `*`
    method setting (unless its method settings have one)."""
    description = deployment.get("StageDescription")
    stage: dict[str, Any] = {**(description if isinstance(description, dict) else {}), "StageName": deployment["StageName"]}
    settings = [m for m in as_list(stage.get("MethodSettings")) if isinstance(m, dict)]
    every = {key: stage[key] for key in STAGE_WIDE if key in stage}
    if every and not any(m.get("HttpMethod") == "*" for m in settings):
        stage["MethodSettings"] = [*settings, {"HttpMethod": "*", "ResourcePath": "/*", **every}]
    return stage


def _stage(t: Template, p: dict[str, Any]) -> dict[str, Any]:
    name = t.text(p.get("StageName"))
    if not name or not re.fullmatch(r"[A-Za-z0-9_]{1,128}", name):
        return {}
    stage: dict[str, Any] = {"name": name}
    settings = [m for m in as_list(p.get("MethodSettings")) if isinstance(m, dict)]
    every = next((m for m in settings if t.text(m.get("HttpMethod")) == "*"), {})
    rate, burst = number(every.get("ThrottlingRateLimit"), t.parameters), number(every.get("ThrottlingBurstLimit"), t.parameters)
    if rate:
        given = every["ThrottlingRateLimit"]
        stage["throttle_rate_per_s"] = float(given) if isinstance(given, int | float) else rate
    if burst:
        stage["throttle_burst"] = burst
    cached = [m for m in settings if flag(m.get("CachingEnabled"), t.parameters)]
    if flag(p.get("CacheClusterEnabled"), t.parameters) or cached:
        cache: dict[str, Any] = {}
        size = t.text(p.get("CacheClusterSize"))
        if size and len(size) < 20:
            with contextlib.suppress(ValueError):
                cache["size_gb"] = float(size) if "." in size else int(size)
        if cached:
            methods = [m for x in cached if (m := t.text(x.get("HttpMethod"))) and m != "*"]
            cache["methods"] = methods or ["GET"]
            _put(cache, "ttl_s", number(cached[0].get("CacheTtlInSeconds"), t.parameters))
            cache["encrypted"] = bool(flag(cached[0].get("CacheDataEncrypted"), t.parameters))
        else:
            cache["encrypted"] = False
        stage["cache"] = cache
    return stage


def _zones(s: Settings, subnets: Any) -> Settings:
    """Zones a load balancer spans, when its subnets are listed in the template (not a parameter)."""
    if isinstance(subnets, list) and subnets:
        s["availability_zones"] = min(len(subnets), 6)
    return s


def _listeners(t: Template, r: Resource) -> list[Resource]:
    return t.referrers(r.logical_id, "AWS::ElasticLoadBalancingV2::Listener")


@reads(Alb, "AWS::ElasticLoadBalancingV2::LoadBalancer")
def alb(t: Template, r: Resource) -> Settings:
    p = r.properties
    attributes = {t.text(a.get("Key")): t.text(a.get("Value")) for a in as_list(p.get("LoadBalancerAttributes")) if isinstance(a, dict)}
    s: Settings = {
        "scheme": t.text(p.get("Scheme")) or "internet-facing",
        "access_logging": attributes.get("access_logs.s3.enabled") == "true",
        "drop_invalid_headers": attributes.get("routing.http.drop_invalid_header_fields.enabled") == "true",
        "deletion_protection": attributes.get("deletion_protection.enabled") == "true",
    }
    listeners = []
    for listener in _listeners(t, r):
        lp = listener.properties
        protocol = "HTTPS" if t.text(lp.get("Protocol")) in ("HTTPS", "TLS") else "HTTP"
        entry: dict[str, Any] = {"protocol": protocol, "port": number(lp.get("Port"), t.parameters) or (443 if protocol == "HTTPS" else 80)}
        actions = [a for a in as_list(lp.get("DefaultActions")) if isinstance(a, dict)]
        if protocol == "HTTP":
            entry["redirect_to_https"] = any(t.text(a.get("Type")) == "redirect"
                                             and t.text(dig(a, "RedirectConfig", "Protocol")) == "HTTPS" for a in actions)
        else:
            _put(s, "tls_policy", t.text(lp.get("SslPolicy")) or "ELBSecurityPolicy-2016-08")
        listeners.append(entry)
    if listeners:
        s["listeners"] = listeners
    return _zones(s, p.get("Subnets") or p.get("SubnetMappings"))


@reads(Clb, "AWS::ElasticLoadBalancing::LoadBalancer")
def clb(t: Template, r: Resource) -> Settings:
    p = r.properties
    s: Settings = {
        "scheme": t.text(p.get("Scheme")) or "internet-facing",
        "access_logging": bool(flag(dig(p, "AccessLoggingPolicy", "Enabled"), t.parameters)),
        "connection_draining": bool(flag(dig(p, "ConnectionDrainingPolicy", "Enabled"), t.parameters)),
    }
    listeners = []
    for listener in as_list(p.get("Listeners")):
        if isinstance(listener, dict):
            protocol = "HTTPS" if (t.text(listener.get("Protocol")) or "").upper() in ("HTTPS", "SSL") else "HTTP"
            listeners.append({"protocol": protocol, "port": number(listener.get("LoadBalancerPort"), t.parameters) or 80})
    if listeners:
        s["listeners"] = listeners
    for policy in as_list(p.get("Policies")):
        for attribute in as_list(dig(policy, "Attributes")):
            if isinstance(attribute, dict) and attribute.get("Name") == "Reference-Security-Policy":
                _put(s, "tls_policy", t.text(attribute.get("Value")))
    return _zones(s, p.get("Subnets") or p.get("AvailabilityZones"))


@reads(CognitoUserPool, "AWS::Cognito::UserPool")
def user_pool(t: Template, r: Resource) -> Settings:
    p = r.properties
    mfa = (t.text(p.get("MfaConfiguration")) or "OFF").lower()
    return {
        "mfa": mfa if mfa in ("off", "optional", "on") else "off",
        "password_min_length": number(dig(p, "Policies", "PasswordPolicy", "MinimumLength"), t.parameters) or 8,
        "advanced_security": t.text(dig(p, "UserPoolAddOns", "AdvancedSecurityMode")) == "ENFORCED",
        "self_sign_up": not flag(dig(p, "AdminCreateUserConfig", "AllowAdminCreateUserOnly"), t.parameters),
        "deletion_protection": t.text(p.get("DeletionProtection")) == "ACTIVE",
    }


@reads(CognitoIdentityPool, "AWS::Cognito::IdentityPool")
def identity_pool(t: Template, r: Resource) -> Settings:
    p = r.properties
    guests = bool(flag(p.get("AllowUnauthenticatedIdentities"), t.parameters))
    attachments = t.owned(r.logical_id, "AWS::Cognito::IdentityPoolRoleAttachment")
    if attachments:  # guests get an identity, and credentials only through a guest role that trusts them
        roles = [dig(a.properties, "Roles", "unauthenticated") for a in attachments]
        guests = guests and any(role is not None and _trusts_guests(t, role) for role in roles)
    return {"allow_unauthenticated": guests, "classic_flow": bool(flag(p.get("AllowClassicFlow"), t.parameters))}


def _trusts_guests(t: Template, role: Any) -> bool:
    """Whether the role given as an identity pool's guest role lets guests assume it: its trust policy does not
    limit `cognito-identity.amazonaws.com:amr` to `authenticated` (a role outside the template: assumed it does)."""
    named = [t.resources[lid] for lid, _ in t.references(role) if t.resources[lid].type == "AWS::IAM::Role"]
    if not named:
        return True
    for statement in as_list(dig(named[0].properties, "AssumeRolePolicyDocument", "Statement")):
        if not isinstance(statement, dict) or statement.get("Effect", "Allow") != "Allow":
            continue
        amr = condition_values(statement.get("Condition"), "cognito-identity.amazonaws.com:amr")
        if not amr or any(str(t.text(v) or "?").lower() != "authenticated" for v in amr):
            return True
    return False


@reads(SqsQueue, "AWS::SQS::Queue")
def sqs(t: Template, r: Resource) -> Settings:
    p = r.properties
    s: Settings = {"fifo": bool(flag(p.get("FifoQueue"), t.parameters)),
                   "visibility_timeout_s": number(p.get("VisibilityTimeout", 30), t.parameters),
                   "retention_s": number(p.get("MessageRetentionPeriod", 345600), t.parameters)}
    _put(s, "max_receive_count", number(dig(p, "RedrivePolicy", "maxReceiveCount"), t.parameters))
    if p.get("KmsMasterKeyId"):
        s["encryption"] = "kms"
    elif flag(p.get("SqsManagedSseEnabled"), t.parameters) is False:
        s["encryption"] = "none"
    else:
        s["encryption"] = "sqs-managed"  # the default for new queues
    return {k: v for k, v in s.items() if v is not None}


ENDPOINTS = frozenset(get_args(Endpoint))
"""Subscription protocols whose subscriber is outside the case (`SnsTopic.endpoints`)."""


@reads(SnsTopic, "AWS::SNS::Topic")
def sns(t: Template, r: Resource) -> Settings:
    p = r.properties
    subscriptions = [x for x in as_list(p.get("Subscription")) if isinstance(x, dict)] + \
        [x.properties for x in t.referrers(r.logical_id, "AWS::SNS::Subscription")]
    endpoints = sorted({protocol for x in subscriptions if (protocol := t.text(x.get("Protocol")) or "") in ENDPOINTS})
    s: Settings = {"fifo": bool(flag(p.get("FifoTopic"), t.parameters)), "encryption": bool(p.get("KmsMasterKeyId")),
                   "published_from_outside": any(t.resources[x.source].type in PUBLISHING
                                                 and x.path.split(".")[0] in PUBLISHING[t.resources[x.source].type]
                                                 for x in t.incoming.get(r.logical_id, []))}
    if endpoints:
        s["endpoints"] = endpoints
    return s


@reads(StateMachine, "AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
def state_machine(t: Template, r: Resource) -> Settings:
    """What AWS applies where the template says nothing (or what cannot be known): a standard workflow, no
    logging, no tracing."""
    p = r.properties
    sam = r.type == "AWS::Serverless::StateMachine"
    logging = p.get("Logging" if sam else "LoggingConfiguration")
    return {"workflow_type": t.text(p.get("Type" if sam else "StateMachineType")) or "STANDARD",
            "logging_level": t.text(dig(logging, "Level")) or "OFF",
            "include_execution_data": bool(flag(dig(logging, "IncludeExecutionData"), t.parameters)),
            "tracing": bool(flag(dig(p, "Tracing" if sam else "TracingConfiguration", "Enabled"), t.parameters))}


PUBLISHING: dict[str, tuple[str, ...]] = {
    "AWS::CloudWatch::Alarm": ("AlarmActions", "OKActions", "InsufficientDataActions"),
    "AWS::AutoScaling::AutoScalingGroup": ("NotificationConfigurations", "NotificationConfiguration"),
    "AWS::AutoScaling::LifecycleHook": ("NotificationTargetARN",),
}
"""Resources that publish to the topics these properties name, and are no service of the case that a `publishes`
flow could start at (an alarm configures what it watches; a group's notifications need no IAM): the topic is
`published_from_outside`. Resources kept as generic services (a composite alarm, an EventBridge rule, ...) have
`uses` flows to the topic instead."""


@reads(Ses, "AWS::SES::EmailIdentity")
def ses(t: Template, r: Resource) -> Settings:
    p = r.properties
    s: Settings = {"identity": t.text(p.get("EmailIdentity")) or f"${{{r.logical_id}}}"}
    if "@" not in s["identity"]:  # an address signs as its domain does
        s["dkim"] = flag(dig(p, "DkimAttributes", "SigningEnabled"), t.parameters) is not False
    name = dig(p, "ConfigurationSetAttributes", "ConfigurationSetName")
    for lid, _ in t.references(name):
        name = t.resources[lid].properties.get("Name", lid)
    _put(s, "configuration_set", t.text(name))
    return s


@reads(KinesisStream, "AWS::Kinesis::Stream")
def kinesis_stream(t: Template, r: Resource) -> Settings:
    p = r.properties
    mode = t.text(dig(p, "StreamModeDetails", "StreamMode")) or "PROVISIONED"
    s: Settings = {"mode": mode, "retention_h": number(p.get("RetentionPeriodHours", 24), t.parameters) or 24,
                   "encryption": bool(p.get("StreamEncryption"))}
    if mode == "PROVISIONED":
        s["shards"] = number(p.get("ShardCount", 1), t.parameters) or 1
    return s


@reads(Firehose, "AWS::KinesisFirehose::DeliveryStream")
def firehose(t: Template, r: Resource) -> Settings:
    """Buffering from the destination (whatever its type); compression, error prefix and object encryption from
    what it writes to S3 (the S3 destination, else the destination's backup bucket)."""
    p = r.properties
    name, destination = firehose_destination(p) or ("", {})
    s3 = next(iter(firehose_s3(name, destination)), {})
    hints = destination.get("BufferingHints") or s3.get("BufferingHints")
    error_prefix = t.text(s3.get("ErrorOutputPrefix"))
    s: Settings = {
        "buffer_interval_s": _or(number(dig(hints, "IntervalInSeconds"), t.parameters), 300),
        "buffer_size_mb": _or(number(dig(hints, "SizeInMBs"), t.parameters), 5),
        "compression": t.text(s3.get("CompressionFormat")) or "UNCOMPRESSED",
        "encryption": bool(p.get("DeliveryStreamEncryptionConfigurationInput")
                           or dig(s3, "EncryptionConfiguration", "KMSEncryptionConfig")),
        "broad_permissions": broad(t, r),
        "records_compressed": any(r.logical_id in {lid for lid, _ in t.references(x.properties.get("DestinationArn"))}
                                  for x in t.referrers(r.logical_id, "AWS::Logs::SubscriptionFilter")),
        "external_destination": bool(name) and not (name in S3_DESTINATIONS and _names_bucket(t, destination.get("BucketARN"))),
    }
    if error_prefix:
        s["error_prefix"] = error_prefix.split("!{", 1)[0]
    return s


def _names_bucket(t: Template, value: Any) -> bool:
    """A value naming a bucket of the template (not a parameter's, an imported or a literal ARN)."""
    return any(t.resources[lid].type == "AWS::S3::Bucket" for lid, _ in t.references(value))


@reads(Athena, "AWS::Athena::WorkGroup")
def athena(t: Template, r: Resource) -> Settings:
    p = r.properties
    configuration = p.get("WorkGroupConfiguration") or {}
    option = t.text(dig(configuration, "ResultConfiguration", "EncryptionConfiguration", "EncryptionOption"))
    enforced = bool(flag(configuration.get("EnforceWorkGroupConfiguration"), t.parameters))
    location = dig(configuration, "ResultConfiguration", "OutputLocation")
    s: Settings = {
        "enforce_workgroup_configuration": enforced,
        "results_encryption": option if option in ("SSE_S3", "SSE_KMS") else "none",
        "bytes_scanned_cutoff": number(configuration.get("BytesScannedCutoffPerQuery"), t.parameters),
        "database": "default",
        # a location naming no bucket of the template, or none, with clients free to give theirs with each query
        "external_results": not _names_bucket(t, location) if location is not None else not enforced,
    }
    for database in t.owned(r.logical_id, "AWS::Glue::Database"):
        name = t.text(dig(database.properties, "DatabaseInput", "Name"))
        if name and re.fullmatch(r"[a-z0-9_]{1,255}", name):
            s["database"] = name
    return s
