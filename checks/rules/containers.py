"""Containers: Amazon ECS services, their task definitions and clusters."""

from __future__ import annotations

from ...models.compute import EcsService
from ...models.graph import Graph
from ..rule import NOT_APPLICABLE, Outcome, passes_if, rule, unknown

ECS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"


def _not_known(service: EcsService, what: str) -> Outcome:
    return unknown(f"ECS service '{service.id}' does not say {what}: its task definition or cluster is not in the case")


@rule("AC320", severity="medium", title="ECS containers send their logs somewhere",
      rationale="A container without a log driver writes its output nowhere that outlives the task: when a task "
                "crashes, is replaced or is scaled in, what it printed is gone, and with it the reason.",
      remediation="Set `logging: true` (archcase emits the `awslogs` driver into a log group kept for 30 days); in a "
                  "template, give every container a `LogConfiguration` (`awslogs`, or `awsfirelens`).",
      docs=ECS + "using_awslogs.html", cdk_nag=("AwsSolutions-ECS7",))
def ecs_logging(service: EcsService, g: Graph) -> Outcome:
    if service.logging is None:
        return _not_known(service, "whether its containers log")
    return passes_if(service.logging, f"containers of ECS service '{service.id}' have no log driver: their output is lost")


@rule("AC321", severity="high", title="ECS containers do not run privileged",
      rationale="A privileged container is root on its EC2 host: it can reach every other task on the instance, the "
                "instance's role and the host's devices. One exploited process is the whole instance.",
      remediation="Set `privileged: false`, and grant the specific Linux capabilities the container needs (`linuxParameters`).",
      docs=ECS + "task_definition_parameters.html#container_definition_security", checkov=("CKV_AWS_334",))
def ecs_not_privileged(service: EcsService, g: Graph) -> Outcome:
    if service.launch_type == "fargate":
        return NOT_APPLICABLE  # Fargate refuses privileged containers
    if service.privileged is None:
        return _not_known(service, "whether a container runs privileged")
    return passes_if(not service.privileged, f"a container of ECS service '{service.id}' runs privileged (root on its instance)")


@rule("AC322", severity="low", title="ECS containers have a read-only root filesystem",
      rationale="A writable root filesystem lets an intruder change the container's own binaries and drop tools "
                "that stay for the task's life; read-only, the container writes only to the volumes it declares.",
      remediation="Set `read_only_root_filesystem: true` and mount a volume where the application must write (`/tmp`).",
      docs=ECS + "task_definition_parameters.html#container_definition_storage", checkov=("CKV_AWS_336",))
def ecs_read_only_root(service: EcsService, g: Graph) -> Outcome:
    if service.read_only_root_filesystem is None:
        return _not_known(service, "whether its containers' root filesystems are read-only")
    return passes_if(service.read_only_root_filesystem, f"containers of ECS service '{service.id}' can write to their root filesystem")


@rule("AC323", severity="medium", title="ECS tasks get no public IP address",
      rationale="A task with a public IP address is reachable from the internet on every port its security groups "
                "open, past the load balancer in front of it; tasks in private subnets reach the internet through NAT "
                "or VPC endpoints instead.",
      remediation="Set `public_ip: false` and run the tasks in private subnets (with a NAT gateway or VPC endpoints to "
                  "pull images and reach AWS APIs); put a load balancer in front of what must be public.",
      docs=ECS + "fargate-task-networking.html", checkov=("CKV_AWS_333",))
def ecs_no_public_ip(service: EcsService, g: Graph) -> Outcome:
    if service.launch_type == "ec2":
        return NOT_APPLICABLE  # tasks on EC2 instances get no public IP address of their own
    if service.public_ip is None:
        return _not_known(service, "whether its tasks get public IP addresses")
    return passes_if(not service.public_ip, f"tasks of ECS service '{service.id}' get public IP addresses")


@rule("AC324", severity="low", title="ECS clusters collect Container Insights",
      rationale="Without Container Insights, a service shows CPU and memory only as averages over its tasks: a task "
                "that is starved, restarting or leaking memory does not show, and neither do network and storage.",
      remediation="Set `container_insights: true` (the cluster's `containerInsights` setting `enabled`, or `enhanced`).",
      docs="https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContainerInsights.html",
      cdk_nag=("AwsSolutions-ECS4",), checkov=("CKV_AWS_65",))
def ecs_container_insights(service: EcsService, g: Graph) -> Outcome:
    if service.container_insights is None:
        return unknown(f"ECS service '{service.id}' runs in a cluster outside the case (or the default cluster): whether it "
                       "collects Container Insights is not known")
    return passes_if(service.container_insights, f"the cluster of ECS service '{service.id}' does not collect Container Insights")
