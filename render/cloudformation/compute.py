"""Lambda functions (code from the handlers folder, role and policy from the flows, triggers, log group), EC2
Auto Scaling groups and single EC2 instances (launch template, instance role, security group)."""

from __future__ import annotations

import re
from typing import Any

from ...models import catalogue
from ...models.base import Service
from ...models.compute import PYTHON_RUNTIMES, AutoScalingGroup, Ec2Instance, LambdaFunction
from ...models.data import DynamoDbTable, S3Bucket
from ...models.edge import Alb, ApiGateway, Clb
from ...models.flows import ASYNC_SOURCES, POLLED_SOURCES, Authorizes, DeadLetter, Flow, Invokes, Subscribes, Targets, Triggers
from ...models.http_api import HttpApi
from ...models.messaging import SqsQueue
from ...models.text import cfn_text
from . import code, files, iam, secrets
from .context import Context, Fragment, att_of, lid, pascal, ref_of
from .marks import emits
from .policy import Statement
from .template import NO_VALUE, EmitError, Json, get_att, ref, sub


def permission_id(function: Service, source: Service) -> str:
    """Logical id of the permission that lets `source` invoke `function` (S3 buckets depend on it)."""
    return lid(function, f"{pascal(source.id)}Permission")


@emits(LambdaFunction)
def emit_lambda(function: LambdaFunction, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    handler = function.handler
    if handler is None or function.runtime not in PYTHON_RUNTIMES:
        raise ctx.fail(function, f"archcase emits Python functions with bundled handlers, not "
                                 f"{function.runtime} {'handler ' + repr(handler) if handler else 'container images'}")
    deprecated = catalogue.runtime_deprecation(function.runtime)
    if deprecated:
        date, successor = deprecated
        raise ctx.fail(function, f"runtime {function.runtime} was deprecated on {date}: Lambda no longer runs new "
                                 f"functions on it; set runtime: {successor or PYTHON_RUNTIMES[0]}")
    artifact = ctx.artifact(function)
    package = code.package_of(handler)
    bucket = out.parameter("ArtifactBucket", {"Type": "String", "AllowedPattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
                                              "Description": "S3 bucket holding the packaged handler code (archcase package)."})
    key = out.parameter(f"{pascal(package.replace('_', '-'))}CodeKey", {
        "Type": "String", "Default": artifact,
        "Description": f"S3 key of the packaged '{package}' handler; the name carries its content hash."})
    retention = function.log_retention_days
    function_id = lid(function)
    log_group = out.resource(lid(function, "LogGroup"), "AWS::Logs::LogGroup", {
        "LogGroupName": sub(f"/aws/lambda/${{{function_id}}}"), "RetentionInDays": retention},
        DeletionPolicy="Delete", UpdateReplacePolicy="Delete")
    role_id = iam.role(out, lid(function, "Role"), "lambda.amazonaws.com", _statements(out, function, log_group),
                       f"Runs the {function.id} function: only what its flows need.")
    dead_letter = _dead_letter(ctx, function)
    async_invoked = any(isinstance(ctx.service(f.source), ASYNC_SOURCES) for f in _push_flows(ctx, function))
    properties: Json = {
        "Description": cfn_text(function.label or function.id, 256),
        "Code": {"S3Bucket": bucket, "S3Key": key},
        "Handler": handler,
        "Runtime": function.runtime,
        "Architectures": [function.architecture],
        "MemorySize": function.memory_mb,
        "Timeout": function.timeout_s,
        "Role": get_att(role_id, "Arn"),
        "TracingConfig": {"Mode": "Active" if function.tracing else "PassThrough"},
    }
    environment = environment_of(out, function)
    if environment:
        properties["Environment"] = {"Variables": environment}
    if function.reserved_concurrency is not None:
        properties["ReservedConcurrentExecutions"] = function.reserved_concurrency
    if dead_letter is not None and async_invoked:
        properties["DeadLetterConfig"] = {"TargetArn": out.arn(dead_letter)}
    if function.in_vpc:
        properties["VpcConfig"] = {"SubnetIds": out.subnets(), "SecurityGroupIds": [ref(security_group(out, function))]}
    file_systems, mount_targets = files.file_system_configs(out, function.id)
    if file_systems:
        properties["FileSystemConfigs"] = file_systems
    waits: dict[str, Any] = {"DependsOn": mount_targets} if mount_targets else {}
    out.resource(function_id, "AWS::Lambda::Function", properties, **waits)
    for flow in ctx.graph.incoming(function.id, Triggers, POLLED_SOURCES):
        _event_source_mapping(out, function, flow, dead_letter, role_id)
    for pushed in _push_flows(ctx, function):
        _permission(out, function, pushed)
    return out


def _push_flows(ctx: Context, function: Service) -> list[Flow]:
    """Flows whose source invokes the function directly (API Gateway, an HTTP API's authorizer, S3 events, SNS)."""
    return [f for f in ctx.graph.incoming(function.id)
            if (isinstance(f, Invokes) and isinstance(ctx.service(f.source), (ApiGateway, HttpApi)))
            or (isinstance(f, Authorizes) and isinstance(ctx.service(f.source), HttpApi))
            or (isinstance(f, Triggers) and isinstance(ctx.service(f.source), S3Bucket)) or isinstance(f, Subscribes)]


def _dead_letter(ctx: Context, function: Service) -> Service | None:
    flows = ctx.graph.outgoing(function.id, DeadLetter)
    return ctx.service(flows[0].target) if flows else None


def _statements(out: Fragment, function: LambdaFunction, log_group: str) -> list[Statement]:
    graph = out.ctx.graph
    statements = [Statement(("logs:CreateLogStream", "logs:PutLogEvents"), (get_att(log_group, "Arn"),))]
    for flow in graph.outgoing(function.id):
        statements += out.permissions(flow)
    for trigger in graph.incoming(function.id, Triggers, POLLED_SOURCES):
        statements += out.poll_permissions(out.ctx.service(trigger.source))
    statements += secrets.rotation_statements(out, function)
    if function.tracing:
        statements.append(Statement(("xray:PutTelemetryRecords", "xray:PutTraceSegments"), ("*",)))
    if function.in_vpc:
        # network interfaces in the function's subnets: describing has no resource-level permissions
        statements.append(Statement(("ec2:DescribeNetworkInterfaces",), ("*",)))
        statements.append(Statement(("ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface",
                                     "ec2:DeleteNetworkInterface", "ec2:UnassignPrivateIpAddresses"),
                                    (sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:*"),)))
    return statements


def environment_of(out: Fragment, function: LambdaFunction) -> Json:
    """Where the function finds what its flows reach (render/cloudformation/environment.py), then the case's
    own variables."""
    variables: Json = {}
    for flow in out.ctx.graph.outgoing(function.id):
        variables.update(out.environment(flow))
    taken = sorted(set(variables) & set(function.environment))
    if taken:
        raise out.ctx.fail(function, f"`environment` sets {', '.join(taken)}, which archcase sets itself for the "
                                     "function's flows (it would be overwritten)")
    variables.update(function.environment)
    return variables


def _event_source_mapping(out: Fragment, function: LambdaFunction, flow: Triggers, dead_letter: Service | None,
                          role_id: str) -> None:
    source = out.ctx.service(flow.source)
    if isinstance(source, DynamoDbTable) and source.stream is None:  # AC412 reports it; a template cannot deploy it
        raise EmitError(f"`triggers` flow '{flow.key}': table '{source.id}' has no stream, so there is nothing for "
                        f"'{function.id}' to read (the event source mapping names the table's stream ARN)",
                        flow.key, f"set `stream: NEW_IMAGE` (or another view type) on '{source.id}'")
    properties: Json = {
        "FunctionName": ref_of(function),
        "EventSourceArn": att_of(source, "StreamArn") if isinstance(source, DynamoDbTable) else out.arn(source),
        "Enabled": True,
    }
    if flow.batch_size:
        properties["BatchSize"] = flow.batch_size
    if flow.report_batch_item_failures:
        properties["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
    if not isinstance(source, SqsQueue):
        properties["StartingPosition"] = "LATEST"
        properties["MaximumRetryAttempts"] = 3
        properties["BisectBatchOnFunctionError"] = flow.bisect_on_error
        if dead_letter is not None:
            properties["DestinationConfig"] = {"OnFailure": {"Destination": out.arn(dead_letter)}}
    events = [e for e in flow.events if not e.startswith("s3:")]
    if events and isinstance(source, DynamoDbTable):
        pattern = '{"eventName": [' + ", ".join(f'"{e}"' for e in events) + "]}"
        properties["FilterCriteria"] = {"Filters": [{"Pattern": pattern}]}
    out.resource(lid(function, f"{pascal(source.id)}Mapping"), "AWS::Lambda::EventSourceMapping",
                 properties, DependsOn=[f"{role_id}Policy"])


def _permission(out: Fragment, function: LambdaFunction, flow: Flow) -> None:
    source = out.ctx.service(flow.source)
    properties: Json = {"Action": "lambda:InvokeFunction", "FunctionName": att_of(function, "Arn")}
    if isinstance(flow, Authorizes):  # an HTTP API's Lambda authorizer
        arn_text = f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{lid(source)}}}/authorizers/*"
        out.resource(lid(function, f"{pascal(source.id)}AuthorizerPermission"), "AWS::Lambda::Permission", {
            **properties, "Principal": "apigateway.amazonaws.com", "SourceArn": sub(arn_text)})
        return
    if isinstance(flow, Invokes):  # from API Gateway
        properties["Principal"] = "apigateway.amazonaws.com"
        routes = [_execute_api_path(route) for route in flow.routes] or ["*/*"]
        api = lid(source)
        for index, route in enumerate(routes, start=1):
            arn_text = f"arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{{api}}}/*/{route}"
            suffix = f"{pascal(source.id)}Permission" + (str(index) if len(routes) > 1 else "")
            out.resource(lid(function, suffix), "AWS::Lambda::Permission", {**properties, "SourceArn": sub(arn_text)})
        return
    if isinstance(source, S3Bucket):
        properties.update(Principal="s3.amazonaws.com", SourceAccount=ref("AWS::AccountId"),
                          SourceArn=sub(f"arn:${{AWS::Partition}}:s3:::{out.physical_name(source)}"))
    else:  # an SNS subscription
        properties.update(Principal="sns.amazonaws.com", SourceArn=ref_of(source))
    out.resource(permission_id(function, source), "AWS::Lambda::Permission", properties)


def _execute_api_path(route: str) -> str:
    """`GET /todos/{id}` as the method/path part of an execute-api ARN: `GET/todos/*`."""
    method, path = route.split(" ", 1)
    return f"{'*' if method == 'ANY' else method}/{re.sub(r'{[^}]+}', '*', path.lstrip('/'))}"


def security_group(out: Fragment, service: Service) -> str:
    """A security group for a service in the VPC: egress over HTTPS only (AWS APIs, DAX's TLS port added by
    the DAX emitter). Shared: the DAX emitter adds it for its clients too."""
    return out.resource(lid(service, "SecurityGroup"), "AWS::EC2::SecurityGroup", {
        "GroupDescription": f"{service.id}: outbound HTTPS to AWS APIs",
        "VpcId": out.vpc(),
        "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0",
                                 "Description": "HTTPS to AWS service endpoints"}],
    }, shared=True)


def launch_template(out: Fragment, ec2: AutoScalingGroup | Ec2Instance) -> str:
    """The instances' launch template, with their role (from the flows, and Systems Manager access), instance
    profile and security group (traffic from their load balancers only, HTTPS out): shared by Auto Scaling groups
    and single instances."""
    ctx = out.ctx
    image = out.parameter(lid(ec2, "ImageId"), {
        "Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
        "Default": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
        "Description": f"AMI of the {ec2.id} instances (an SSM public parameter or your own)."})
    statements: list[Statement] = []
    for flow in ctx.graph.outgoing(ec2.id):
        statements += out.permissions(flow)
    role_id = iam.role(out, lid(ec2, "Role"), "ec2.amazonaws.com", statements,
                       f"Instances of {ec2.id}: only what its flows need, and Systems Manager access.",
                       managed=[sub("arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore")])
    profile = out.resource(lid(ec2, "InstanceProfile"), "AWS::IAM::InstanceProfile", {"Roles": [ref(role_id)]})
    security = lid(ec2, "SecurityGroup")
    ingress = [{"IpProtocol": "tcp", "FromPort": f.port, "ToPort": f.port,
                "SourceSecurityGroupId": ref_of(f.source, "SecurityGroup"),
                "Description": f"from {f.source}"} for f in ctx.graph.incoming(ec2.id, Targets)]
    out.resource(security, "AWS::EC2::SecurityGroup", {
        "GroupDescription": f"{ec2.id}: traffic from its load balancers only",
        "VpcId": out.vpc(),
        "SecurityGroupIngress": ingress or NO_VALUE,
        "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0",
                                 "Description": "HTTPS to AWS service endpoints and updates"}],
    })
    return out.resource(lid(ec2, "LaunchTemplate"), "AWS::EC2::LaunchTemplate", {"LaunchTemplateData": {
        "ImageId": image,
        "InstanceType": ec2.instance_type,
        "IamInstanceProfile": {"Arn": get_att(profile, "Arn")},
        "SecurityGroupIds": [ref(security)],
        "MetadataOptions": {"HttpTokens": "required" if ec2.imdsv2_required else "optional",
                            "HttpEndpoint": "enabled", "HttpPutResponseHopLimit": 1},
        "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
            "Encrypted": ec2.ebs_encrypted, "VolumeType": "gp3", "VolumeSize": 8}}],
        "Monitoring": {"Enabled": True},
    }})


def _launch_template_version(template: str) -> Json:
    return {"LaunchTemplateId": ref(template), "Version": get_att(template, "LatestVersionNumber")}


@emits(AutoScalingGroup)
def emit_autoscaling_group(group: AutoScalingGroup, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    template = launch_template(out, group)
    balancers = [ctx.service(f.source) for f in ctx.graph.incoming(group.id, Targets)]
    properties: Json = {
        "MinSize": str(group.min_size), "MaxSize": str(group.max_size),
        "VPCZoneIdentifier": out.subnets(),
        "LaunchTemplate": _launch_template_version(template),
        "HealthCheckType": "ELB" if balancers else "EC2",
        "HealthCheckGracePeriod": 300,
    }
    target_groups = [ref_of(b, "TargetGroup") for b in balancers if isinstance(b, Alb)]
    classic = [ref_of(b) for b in balancers if isinstance(b, Clb)]
    if target_groups:
        properties["TargetGroupARNs"] = target_groups
    if classic:
        properties["LoadBalancerNames"] = classic
    out.resource(lid(group), "AWS::AutoScaling::AutoScalingGroup", properties)
    return out


@emits(Ec2Instance)
def emit_instance(instance: Ec2Instance, ctx: Context) -> Fragment:
    """One instance in the first of the stack's subnets, launched from its launch template (role, security group,
    IMDS and volumes as an Auto Scaling group's). Load balancers register it themselves (their target group's
    `Targets`, a Classic Load Balancer's `Instances`)."""
    out = Fragment(ctx=ctx)
    template = launch_template(out, instance)
    out.resource(lid(instance), "AWS::EC2::Instance", {
        "LaunchTemplate": _launch_template_version(template),
        "SubnetId": {"Fn::Select": [0, out.subnets()]},
    })
    return out
