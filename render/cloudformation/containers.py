"""ECS services: a Fargate service in the VPC's subnets with its cluster, task definition (one container, its image a
parameter), log group, execution role and, when its flows need permissions, a task role allowing exactly those. Its
security group admits only the load balancers that target it, on the flow's port."""

from __future__ import annotations

from ...models.compute import EcsService
from ...models.edge import Alb
from ...models.flows import Mounts, Targets
from .context import Context, Fragment, lid, ref_of
from .files import mount_target_ids
from .iam import role
from .marks import emits
from .policy import Statement
from .template import NO_VALUE, Json, get_att, ref, sub

CONTAINER = "app"
"""The name of the one container an emitted task definition runs."""
DEFAULT_IMAGE = "public.ecr.aws/nginx/nginx:stable-alpine"
"""The image the container runs unless the stack is given another (`<Service>Image`): a public one, so that the
stack deploys before the application's image is built."""
UNKNOWN = ("logging", "read_only_root_filesystem", "privileged", "public_ip", "container_insights")
"""The settings a case may leave unknown (null, as an import does when the template does not say); emitting needs each."""


def _refuse(service: EcsService, ctx: Context) -> None:
    """What an ECS service cannot be emitted with, located at the service."""
    unknown = [name for name in UNKNOWN if getattr(service, name) is None]
    if unknown:
        raise ctx.fail(service, f"{', '.join(f'`{name}`' for name in unknown)} {'is' if len(unknown) == 1 else 'are'} not known "
                                "(null): say true or false to emit it")
    if service.launch_type == "ec2":
        raise ctx.fail(service, "archcase emits Fargate services only: the EC2 launch type needs container instances (an Auto "
                                "Scaling group of the ECS-optimized AMI and a capacity provider) that it does not emit; set "
                                "`launch_type: fargate`")
    for flow in ctx.graph.incoming(service.id, Targets):
        if not isinstance(ctx.service(flow.source), Alb):
            raise ctx.fail(service, f"'{flow.source}' forwards to it, and only an ALB's target group registers ECS tasks")


@emits(EcsService)
def emit_ecs_service(service: EcsService, ctx: Context) -> Fragment:
    _refuse(service, ctx)
    out = Fragment(ctx=ctx)
    targets = ctx.graph.incoming(service.id, Targets)
    statements: list[Statement] = []
    environment: Json = {}
    for flow in ctx.graph.outgoing(service.id):
        statements += out.permissions(flow)
        environment.update(out.environment(flow))
    task_role = role(out, lid(service, "TaskRole"), "ecs-tasks.amazonaws.com", statements,
                     f"Tasks of {service.id}: only what its flows need.") if statements else None
    execution = role(out, lid(service, "ExecutionRole"), "ecs-tasks.amazonaws.com", [],
                     f"ECS, starting tasks of {service.id}: pull the image, write the logs.",
                     managed=[sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")])
    image = out.parameter(lid(service, "Image"), {
        "Type": "String", "Default": DEFAULT_IMAGE, "Description": f"Container image the {service.id} tasks run."})
    ports = sorted({flow.port for flow in targets})
    container: Json = {
        "Name": CONTAINER, "Image": image, "Essential": True,
        "ReadonlyRootFilesystem": service.read_only_root_filesystem,
        "PortMappings": [{"ContainerPort": port, "Protocol": "tcp"} for port in ports] or None,
        "Environment": [{"Name": name, "Value": value} for name, value in sorted(environment.items())] or None,
    }
    if service.logging:
        logs = out.resource(lid(service, "LogGroup"), "AWS::Logs::LogGroup", {"RetentionInDays": 30})
        container["LogConfiguration"] = {"LogDriver": "awslogs", "Options": {
            "awslogs-group": ref(logs), "awslogs-region": ref("AWS::Region"), "awslogs-stream-prefix": service.id}}
    mounts = ctx.graph.outgoing(service.id, Mounts)
    if mounts:
        container["MountPoints"] = [{"SourceVolume": lid(flow.target), "ContainerPath": f"/mnt/{flow.target}"} for flow in mounts]
    definition: Json = {
        "RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc", "Cpu": "256", "Memory": "512",
        "ExecutionRoleArn": get_att(execution, "Arn"),
        "ContainerDefinitions": [{k: v for k, v in container.items() if v is not None}],
    }
    if task_role:
        definition["TaskRoleArn"] = get_att(task_role, "Arn")
    if mounts:
        definition["Volumes"] = [{"Name": lid(flow.target), "EFSVolumeConfiguration": {
            "FilesystemId": ref_of(flow.target), "TransitEncryption": "ENABLED",
            "AuthorizationConfig": {"IAM": "ENABLED"}}} for flow in mounts]  # the task role may mount (files.py)
    out.resource(lid(service, "TaskDefinition"), "AWS::ECS::TaskDefinition", definition)
    out.resource(lid(service, "Cluster"), "AWS::ECS::Cluster", {"ClusterSettings": [
        {"Name": "containerInsights", "Value": "enabled" if service.container_insights else "disabled"}]})
    security = out.resource(lid(service, "SecurityGroup"), "AWS::EC2::SecurityGroup", {
        "GroupDescription": f"{service.id}: traffic from its load balancers only",
        "VpcId": out.vpc(),
        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": f.port, "ToPort": f.port,
                                  "SourceSecurityGroupId": ref_of(f.source, "SecurityGroup"),
                                  "Description": f"from {f.source}"} for f in targets] or NO_VALUE,
        "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0",
                                 "Description": "HTTPS to AWS service endpoints and image registries"}],
    })
    properties: Json = {
        "Cluster": ref(lid(service, "Cluster")), "TaskDefinition": ref(lid(service, "TaskDefinition")),
        "LaunchType": "FARGATE", "DesiredCount": service.desired_count,
        "NetworkConfiguration": {"AwsvpcConfiguration": {
            "AssignPublicIp": "ENABLED" if service.public_ip else "DISABLED",
            "SecurityGroups": [ref(security)], "Subnets": out.subnets()}},
        "DeploymentConfiguration": {"DeploymentCircuitBreaker": {"Enable": True, "Rollback": True}},
    }
    if targets:
        properties["LoadBalancers"] = [{"ContainerName": CONTAINER, "ContainerPort": f.port,
                                        "TargetGroupArn": ref_of(f.source, "TargetGroup")} for f in targets]
    depends = [listener for f in targets for listener in _listeners(ctx, f.source)]
    depends += [target for flow in mounts for target in mount_target_ids(flow.target)]
    extra: Json = {"DependsOn": depends} if depends else {}
    out.resource(lid(service), "AWS::ECS::Service", {k: v for k, v in properties.items() if v is not None}, **extra)
    return out


def _listeners(ctx: Context, balancer: str) -> list[str]:
    """The listeners of an ALB: ECS registers tasks only in a target group a load balancer already forwards to."""
    alb = ctx.service(balancer)
    assert isinstance(alb, Alb)
    return [lid(alb, f"Listener{listener.port}") for listener in alb.listeners]
