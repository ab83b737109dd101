"""ECS services imported: a service with its task definition and cluster read as one ecs-service, settings as the
template says or as AWS applies them when left out; the task role's grants (not the execution role's) give its flows,
a role shared by two services gives each; the ALB target group that feeds it targets it, with the container's port;
caches and file systems it reaches by security group or volume; what is outside the template stays unknown."""

from __future__ import annotations

import json
from typing import Any

import pytest

from archcase import api
from archcase.models import Architecture
from archcase.models.compute import EcsService

from .templates import flows, imported

TRUST = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def role(*actions: str, resource: Any = "*") -> dict[str, Any]:
    policies = [{"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": resource}]}}]
    return {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST, "Policies": policies if actions else []}}


def task_definition(**properties: Any) -> dict[str, Any]:
    container = {"Name": "app", "Image": "nginx", **properties.pop("container", {})}
    return {"Type": "AWS::ECS::TaskDefinition", "Properties": {
        "RequiresCompatibilities": ["FARGATE"], "NetworkMode": "awsvpc", "Cpu": "256", "Memory": "512",
        "ContainerDefinitions": [container], **properties}}


def service(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::ECS::Service", "Properties": {"Cluster": {"Ref": "Cluster"}, "TaskDefinition": {"Ref": "Task"}, **properties}}


def stack(task: dict[str, Any] | None = None, svc: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    return {"Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {}}, "Task": task or task_definition(),
            "Web": svc or service(), **more}


def the_service(case: Architecture, service_id: str = "web") -> EcsService:
    (found,) = [s for s in case.services if isinstance(s, EcsService) and s.id == service_id]
    return found


def test_a_service_left_to_aws_runs_one_task_with_nothing_secured(tmp_path):
    case = imported(tmp_path, stack())
    assert [s.kind for s in case.services] == ["ecs-service"]  # the task definition and cluster belong to it
    web = the_service(case)
    assert (web.launch_type, web.desired_count, web.logging, web.read_only_root_filesystem, web.privileged, web.public_ip,
            web.container_insights) == ("fargate", 1, False, False, False, False, False)


def test_a_service_says_its_settings(tmp_path):
    web = the_service(imported(tmp_path, stack(
        task_definition(container={"ReadonlyRootFilesystem": True, "LogConfiguration": {"LogDriver": "awsfirelens"}}),
        service(LaunchType="FARGATE", DesiredCount=3, NetworkConfiguration={"AwsvpcConfiguration": {
            "AssignPublicIp": "ENABLED", "Subnets": ["subnet-1"]}}),
        Cluster={"Type": "AWS::ECS::Cluster", "Properties": {"ClusterSettings": [{"Name": "containerInsights", "Value": "enhanced"}]}})))
    assert (web.launch_type, web.desired_count, web.logging, web.read_only_root_filesystem, web.public_ip,
            web.container_insights) == ("fargate", 3, True, True, True, True)


@pytest.mark.parametrize(("svc", "cluster", "compatible", "launch_type"), [
    ({"LaunchType": "EC2"}, {}, ["EC2"], "ec2"),
    ({"CapacityProviderStrategy": [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}]}, {}, ["EC2", "FARGATE"], "fargate"),
    ({}, {"DefaultCapacityProviderStrategy": [{"CapacityProvider": "FARGATE"}]}, ["EC2", "FARGATE"], "fargate"),
    ({}, {}, ["EC2", "FARGATE"], "ec2"),  # no launch type and no strategy: ECS runs it on EC2
    ({}, {}, ["FARGATE"], "fargate"),  # ... which a Fargate-only task definition could not be
])
def test_the_launch_type_is_the_services_else_its_strategys_else_ec2(tmp_path, svc, cluster, compatible, launch_type):
    web = the_service(imported(tmp_path, stack(task_definition(RequiresCompatibilities=compatible), service(**svc),
                                               Cluster={"Type": "AWS::ECS::Cluster", "Properties": cluster})))
    assert web.launch_type == launch_type


def test_privileged_containers_on_ec2_are_read_and_public_ips_are_not(tmp_path):
    web = the_service(imported(tmp_path, stack(task_definition(RequiresCompatibilities=["EC2"], container={"Privileged": True}),
                                               service(LaunchType="EC2"))))
    assert (web.launch_type, web.privileged, web.public_ip) == ("ec2", True, False)


def test_a_task_definition_and_cluster_outside_the_template_are_not_known(tmp_path):
    web = the_service(imported(tmp_path, {"Web": service(Cluster="arn:aws:ecs:us-east-1:111122223333:cluster/shared",
                                                         TaskDefinition="web:3", LaunchType="FARGATE")}))
    assert (web.logging, web.read_only_root_filesystem, web.container_insights) == (None, None, None)
    assert web.privileged is False  # Fargate runs none


def test_unknowns_are_undecided_not_failed(tmp_path):
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": {"Web": service(Cluster={"Fn::ImportValue": "cluster"}, TaskDefinition="web:3",
                                                                 LaunchType="FARGATE")}}), encoding="utf-8")
    (report,) = api.check([path])
    statuses = {f.rule_id: f.status for f in report.findings if f.rule_id.startswith("AC32")}
    assert statuses == {"AC320": "unknown", "AC322": "unknown", "AC324": "unknown"}


def test_the_task_role_gives_flows_and_the_execution_role_does_not(tmp_path):
    case = imported(tmp_path, stack(
        task_definition(TaskRoleArn={"Fn::GetAtt": ["TaskRole", "Arn"]}, ExecutionRoleArn={"Fn::GetAtt": ["ExecRole", "Arn"]}),
        TaskRole=role("sqs:SendMessage", resource={"Fn::GetAtt": ["Jobs", "Arn"]}),
        ExecRole=role("s3:GetObject", "logs:*", resource="*"),
        Jobs={"Type": "AWS::SQS::Queue"}, Data={"Type": "AWS::S3::Bucket"}))
    assert flows(case) == [("web", "enqueues", "jobs")]
    assert the_service(case).broad_permissions == []  # the execution role's `logs:*` is ECS's, not the tasks'


def test_a_broad_task_role_is_reported_by_ac805(tmp_path):
    case = imported(tmp_path, stack(task_definition(TaskRoleArn={"Fn::GetAtt": ["TaskRole", "Arn"]}), TaskRole=role("s3:*")))
    assert the_service(case).broad_permissions == ["s3:* on *"]


def test_a_task_role_shared_by_two_services_gives_each_its_flows(tmp_path):
    shared = {"TaskRoleArn": {"Fn::GetAtt": ["TaskRole", "Arn"]}}
    case = imported(tmp_path, {
        "Cluster": {"Type": "AWS::ECS::Cluster"}, "Task": task_definition(**shared), "Task2": task_definition(**shared),
        "Web": service(), "Worker": service(TaskDefinition={"Ref": "Task2"}),
        "TaskRole": role("dynamodb:GetItem", resource={"Fn::GetAtt": ["Items", "Arn"]}),
        "Items": {"Type": "AWS::DynamoDB::Table", "Properties": {"KeySchema": [{"AttributeName": "k", "KeyType": "HASH"}],
                                                                  "AttributeDefinitions": [{"AttributeName": "k", "AttributeType": "S"}]}}})
    assert {(f.source, f.target) for f in case.flows if f.kind == "reads"} == {("web", "items"), ("worker", "items")}


def test_an_alb_target_group_feeding_the_service_targets_it_on_the_containers_port(tmp_path):
    case = imported(tmp_path, stack(
        svc=service(LoadBalancers=[{"ContainerName": "app", "ContainerPort": 8080, "TargetGroupArn": {"Ref": "Group"}}]),
        Lb={"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Subnets": ["a", "b"]}},
        Group={"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Port": 80, "Protocol": "HTTP", "TargetType": "ip"}},
        Listener={"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
            "LoadBalancerArn": {"Ref": "Lb"}, "Port": 80, "Protocol": "HTTP",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Group"}}]}}))
    (target,) = [f for f in case.flows if f.kind == "targets"]
    assert (target.source, target.target, target.port) == ("lb", "web", 8080)


def test_a_cache_admitting_the_services_security_group_is_connected_to_and_a_volume_mounted(tmp_path):
    case = imported(tmp_path, stack(
        task_definition(Volumes=[{"Name": "data", "EFSVolumeConfiguration": {"FilesystemId": {"Ref": "Files"}}}]),
        service(NetworkConfiguration={"AwsvpcConfiguration": {"SecurityGroups": [{"Ref": "WebGroup"}], "Subnets": ["s"]}}),
        WebGroup={"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "web"}},
        CacheGroup={"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "cache", "SecurityGroupIngress": [
            {"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379, "SourceSecurityGroupId": {"Ref": "WebGroup"}}]}},
        Cache={"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {
            "ReplicationGroupDescription": "c", "SecurityGroupIds": [{"Ref": "CacheGroup"}]}},
        Files={"Type": "AWS::EFS::FileSystem"}))
    assert ("web", "connects", "cache") in flows(case) and ("web", "mounts", "files") in flows(case)


def test_a_task_definition_no_service_runs_stays_generic(tmp_path):
    """A task definition run by a rule or a state machine keeps no tasks running: it is no service."""
    case = imported(tmp_path, {"Cluster": {"Type": "AWS::ECS::Cluster"}, "Task": task_definition()})
    assert sorted((s.id, s.kind) for s in case.services) == [("cluster", "generic"), ("task", "generic")]
