"""Lambda functions (code from the handlers folder, role and policy from the flows, triggers, log group) and
EC2 Auto Scaling groups (launch template, instance role, security group)."""

from __future__ import annotations

import re

from ...models import Flow, Service
from ...models.compute import PYTHON_RUNTIMES
from ...models.text import cfn_text
from . import code, iam
from .context import Emit, env_name, pascal
from .refs import arn, bucket_name, sender
from .template import NO_VALUE, Json, get_att, ref, sub

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
ASYNC_SOURCES = ("s3", "sns")
"""Services that invoke a function asynchronously: failed events go to the function's dead-letter queue."""
POLLED_SOURCES = ("sqs", "dynamodb", "kinesis-stream")
"""Services a function's event source mapping polls."""


def permission_id(emit: Emit, function: Service, source: Service) -> str:
    """Logical id of the permission that lets `source` invoke `function` (S3 buckets depend on it)."""
    return emit.lid(function, f"{pascal(source.id)}Permission")


def emit_lambda(emit: Emit, function: Service) -> None:
    handler: str | None = function.handler  # type: ignore[attr-defined]
    if handler is None or function.runtime not in PYTHON_RUNTIMES:  # type: ignore[attr-defined]
        raise emit.fail(function, f"archcase emits Python functions with bundled handlers, not "
                                  f"{function.runtime} {'handler ' + repr(handler) if handler else 'container images'}")  # type: ignore[attr-defined]
    code.module_file(emit.handlers, handler)
    package = code.package_of(handler)
    t = emit.template
    bucket = t.parameter("ArtifactBucket", {"Type": "String", "AllowedPattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
                                            "Description": "S3 bucket holding the packaged handler code (archcase package)."})
    key = t.parameter(f"{pascal(package.replace('_', '-'))}CodeKey", {
        "Type": "String", "Default": code.artifact_key(emit.handlers, package),
        "Description": f"S3 key of the packaged '{package}' handler; the name carries its content hash."})
    retention = function.log_retention_days  # type: ignore[attr-defined]
    if retention not in RETENTION_DAYS:
        raise emit.fail(function, f"log_retention_days {retention} is not a CloudWatch Logs retention period: use one "
                                  f"of {', '.join(map(str, RETENTION_DAYS))}")
    lid = emit.lid(function)
    log_group = t.resource(emit.lid(function, "LogGroup"), "AWS::Logs::LogGroup", {
        "LogGroupName": sub(f"/aws/lambda/${{{lid}}}"), "RetentionInDays": retention},
        DeletionPolicy="Delete", UpdateReplacePolicy="Delete")
    role_id = iam.role(emit, emit.lid(function, "Role"), "lambda.amazonaws.com", _statements(emit, function, log_group),
                       f"Runs the {function.id} function: only what its flows need.")
    dead_letter = _dead_letter(emit, function)
    async_invoked = any(emit.kind(f.source) in ASYNC_SOURCES for f in _push_flows(emit, function))
    properties: Json = {
        "Description": cfn_text(function.label or function.id, 256),
        "Code": {"S3Bucket": bucket, "S3Key": key},
        "Handler": handler,
        "Runtime": function.runtime,  # type: ignore[attr-defined]
        "Architectures": [function.architecture],  # type: ignore[attr-defined]
        "MemorySize": function.memory_mb,  # type: ignore[attr-defined]
        "Timeout": function.timeout_s,  # type: ignore[attr-defined]
        "Role": get_att(role_id, "Arn"),
        "TracingConfig": {"Mode": "Active" if function.tracing else "PassThrough"},  # type: ignore[attr-defined]
    }
    environment = environment_of(emit, function)
    if environment:
        properties["Environment"] = {"Variables": environment}
    if function.reserved_concurrency is not None:  # type: ignore[attr-defined]
        properties["ReservedConcurrentExecutions"] = function.reserved_concurrency  # type: ignore[attr-defined]
    if dead_letter is not None and async_invoked:
        properties["DeadLetterConfig"] = {"TargetArn": arn(emit, dead_letter)}
    if function.in_vpc:  # type: ignore[attr-defined]
        properties["VpcConfig"] = {"SubnetIds": emit.subnets(), "SecurityGroupIds": [ref(security_group(emit, function))]}
    t.resource(lid, "AWS::Lambda::Function", properties)
    for flow in emit.incoming(function, "triggers", POLLED_SOURCES):
        _event_source_mapping(emit, function, flow, dead_letter, role_id)
    for flow in _push_flows(emit, function):
        _permission(emit, function, flow)


def _push_flows(emit: Emit, function: Service) -> list[Flow]:
    """Flows whose source invokes the function directly (API Gateway, S3 events, SNS)."""
    return [f for f in emit.incoming(function) if (f.kind == "invokes" and emit.kind(f.source) == "api-gateway")
            or (f.kind == "triggers" and emit.kind(f.source) == "s3") or f.kind == "subscribes"]


def _dead_letter(emit: Emit, function: Service) -> Service | None:
    flows = emit.outgoing(function, "dead-letter")
    return emit.service(flows[0].target) if flows else None


def _statements(emit: Emit, function: Service, log_group: str) -> list[iam.Statement]:
    statements = [iam.Statement(("logs:CreateLogStream", "logs:PutLogEvents"), (get_att(log_group, "Arn"),))]
    for flow in emit.outgoing(function):
        statements += iam.flow_statements(emit, flow)
    for flow in emit.incoming(function, "triggers", POLLED_SOURCES):
        statements += iam.trigger_statements(emit, flow)
    if function.tracing:  # type: ignore[attr-defined]
        statements.append(iam.Statement(("xray:PutTelemetryRecords", "xray:PutTraceSegments"), ("*",)))
    if function.in_vpc:  # type: ignore[attr-defined]
        # network interfaces in the function's subnets: describing has no resource-level permissions
        statements.append(iam.Statement(("ec2:DescribeNetworkInterfaces",), ("*",)))
        statements.append(iam.Statement(("ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface",
                                         "ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses"),
                                        (sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:*"),)))
    return statements


def environment_of(emit: Emit, function: Service) -> Json:
    """Where the function finds what its flows reach: `<SERVICE_ID>_<WHAT>` variables, then the case's own."""
    variables: Json = {}
    for flow in emit.outgoing(function):
        target = emit.service(flow.target)
        kind = target.kind  # type: ignore[attr-defined]
        if kind == "dynamodb":
            variables[env_name(target.id, "TABLE")] = emit.ref(target)
        elif kind == "dax":
            variables[env_name(target.id, "ENDPOINT")] = emit.get_att(target, "ClusterDiscoveryEndpointURL")
            for cached in emit.outgoing(target, "caches"):
                variables[env_name(cached.target, "TABLE")] = emit.ref(cached.target)
        elif kind == "s3":
            variables[env_name(target.id, "BUCKET")] = bucket_name(emit, target)
        elif kind == "sqs" and flow.kind == "enqueues":
            variables[env_name(target.id, "QUEUE_URL")] = emit.ref(target)
        elif kind == "sns":
            variables[env_name(target.id, "TOPIC_ARN")] = emit.ref(target)
        elif kind == "ses":
            variables[env_name(target.id, "SENDER")] = sender(emit, target)
        elif kind == "kinesis-stream":
            variables[env_name(target.id, "STREAM")] = emit.ref(target)
        elif kind == "firehose":
            variables[env_name(target.id, "DELIVERY_STREAM")] = emit.ref(target)
        elif kind == "athena":
            variables[env_name(target.id, "WORKGROUP")] = emit.ref(target)
            variables[env_name(target.id, "DATABASE")] = emit.ref(target, "Database")
        elif kind == "cloudfront" and flow.kind == "signs":
            variables[env_name(target.id, "DOMAIN")] = emit.get_att(target, "DomainName")
            variables[env_name(target.id, "KEY_PAIR_ID")] = emit.ref(target, "PublicKey")
            variables[env_name(target.id, "PRIVATE_KEY_PARAMETER")] = emit.ref(target, "PrivateKeyParameter")
            variables["URL_EXPIRES_S"] = str(flow.expires_s)  # type: ignore[attr-defined]
    variables.update(function.environment)  # type: ignore[attr-defined]
    return variables


def _event_source_mapping(emit: Emit, function: Service, flow: Flow, dead_letter: Service | None, role_id: str) -> None:
    source = emit.service(flow.source)
    kind = source.kind  # type: ignore[attr-defined]
    properties: Json = {
        "FunctionName": emit.ref(function),
        "EventSourceArn": emit.get_att(source, "StreamArn") if kind == "dynamodb" else arn(emit, source),
        "Enabled": True,
    }
    if flow.batch_size:  # type: ignore[attr-defined]
        properties["BatchSize"] = flow.batch_size  # type: ignore[attr-defined]
    if flow.report_batch_item_failures:  # type: ignore[attr-defined]
        properties["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
    if kind != "sqs":
        properties["StartingPosition"] = "LATEST"
        properties["MaximumRetryAttempts"] = 3
        properties["BisectBatchOnFunctionError"] = True
        if dead_letter is not None:
            properties["DestinationConfig"] = {"OnFailure": {"Destination": arn(emit, dead_letter)}}
    events = [e for e in flow.events if not e.startswith("s3:")]  # type: ignore[attr-defined]
    if events and kind == "dynamodb":
        pattern = '{"eventName": [' + ", ".join(f'"{e}"' for e in events) + "]}"
        properties["FilterCriteria"] = {"Filters": [{"Pattern": pattern}]}
    emit.template.resource(emit.lid(function, f"{pascal(source.id)}Mapping"), "AWS::Lambda::EventSourceMapping",
                           properties, DependsOn=[f"{role_id}Policy"])


def _permission(emit: Emit, function: Service, flow: Flow) -> None:
    source = emit.service(flow.source)
    kind = source.kind  # type: ignore[attr-defined]
    properties: Json = {"Action": "lambda:InvokeFunction", "FunctionName": emit.get_att(function, "Arn")}
    if kind == "api-gateway":
        properties["Principal"] = "apigateway.amazonaws.com"
        routes = [_execute_api_path(route) for route in flow.routes] or ["*/*"]  # type: ignore[attr-defined]
        api = emit.lid(source)
        for index, route in enumerate(routes, start=1):
            arn_text = f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{api}}}/*/{route}"
            suffix = f"{pascal(source.id)}Permission" + (str(index) if len(routes) > 1 else "")
            emit.template.resource(emit.lid(function, suffix), "AWS::Lambda::Permission",
                                   {**properties, "SourceArn": sub(arn_text)})
        return
    if kind == "s3":
        properties.update(Principal="s3.amazonaws.com", SourceAccount=ref("AWS::AccountId"),
                          SourceArn=sub(f"arn:${{AWS::Partition}}:s3:::{emit.physical_name(source)}"))
    else:  # sns
        properties.update(Principal="sns.amazonaws.com", SourceArn=emit.ref(source))
    emit.template.resource(permission_id(emit, function, source), "AWS::Lambda::Permission", properties)


def _execute_api_path(route: str) -> str:
    """`GET /todos/{id}` as the method/path part of an execute-api ARN: `GET/todos/*`."""
    method, path = route.split(" ", 1)
    return f"{'*' if method == 'ANY' else method}/{re.sub(r'{[^}]+}', '*', path.lstrip('/'))}"


def security_group(emit: Emit, service: Service) -> str:
    """A security group for a service in the VPC: egress over HTTPS only (AWS APIs, DAX's TLS port added by
    the DAX emitter)."""
    lid = emit.lid(service, "SecurityGroup")
    if lid not in emit.template.resources:
        emit.template.resource(lid, "AWS::EC2::SecurityGroup", {
            "GroupDescription": f"{service.id}: outbound HTTPS to AWS APIs",
            "VpcId": emit.vpc(),
            "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0",
                                     "Description": "HTTPS to AWS service endpoints"}],
        })
    return lid


def emit_autoscaling_group(emit: Emit, group: Service) -> None:
    t = emit.template
    image = t.parameter(emit.lid(group, "ImageId"), {
        "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        "Default": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        "Description": f"AMI of the {group.id} instances (an SSM public parameter or your own)."})
    statements: list[iam.Statement] = []
    for flow in emit.outgoing(group):
        statements += iam.flow_statements(emit, flow)
    role_id = iam.role(emit, emit.lid(group, "Role"), "ec2.amazonaws.com", statements,
                       f"Instances of {group.id}: only what its flows need, and Systems Manager access.",
                       managed=[sub("arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore")])
    profile = t.resource(emit.lid(group, "InstanceProfile"), "AWS::IAM::InstanceProfile", {"Roles": [ref(role_id)]})
    security = emit.lid(group, "SecurityGroup")
    balancers = [emit.service(f.source) for f in emit.incoming(group, "targets")]
    ingress = [{"IpProtocol": "tcp", "FromPort": f.port, "ToPort": f.port,  # type: ignore[attr-defined]
                "SourceSecurityGroupId": emit.ref(f.source, "SecurityGroup"),
                "Description": f"from {f.source}"} for f in emit.incoming(group, "targets")]
    t.resource(security, "AWS::EC2::SecurityGroup", {
        "GroupDescription": f"{group.id}: traffic from its load balancers only",
        "VpcId": emit.vpc(),
        "SecurityGroupIngress": ingress or NO_VALUE,
        "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0",
                                 "Description": "HTTPS to AWS service endpoints and updates"}],
    })
    template = t.resource(emit.lid(group, "LaunchTemplate"), "AWS::EC2::LaunchTemplate", {"LaunchTemplateData": {
        "ImageId": image,
        "InstanceType": group.instance_type,  # type: ignore[attr-defined]
        "IamInstanceProfile": {"Arn": get_att(profile, "Arn")},
        "SecurityGroupIds": [ref(security)],
        "MetadataOptions": {"HttpTokens": "required" if group.imdsv2_required else "optional",  # type: ignore[attr-defined]
                            "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1},
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
            "Encrypted": group.ebs_encrypted, "VolumeType": "gp3", "VolumeSize": 8}}],  # type: ignore[attr-defined]
        "Monitoring": {"Enabled": True},
    }})
    properties: Json = {
        "MinSize": str(group.min_size), "MaxSize": str(group.max_size),  # type: ignore[attr-defined]
        "VPCZoneIdentifier": emit.subnets(),
        "LaunchTemplate": {"LaunchTemplateId": ref(template), "Version": get_att(template, "LatestVersionNumber")},
        "HealthCheckType": "ELB" if balancers else "EC2",
        "HealthCheckGracePeriod": 300,
    }
    target_groups = [emit.ref(b, "TargetGroup") for b in balancers if b.kind == "alb"]  # type: ignore[attr-defined]
    classic = [emit.ref(b) for b in balancers if b.kind == "clb"]  # type: ignore[attr-defined]
    if target_groups:
        properties["TargetGroupARNs"] = target_groups
    if classic:
        properties["LoadBalancerNames"] = classic
    t.resource(emit.lid(group), "AWS::AutoScaling::AutoScalingGroup", properties)
