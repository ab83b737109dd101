"""ECS services as emitted: a Fargate service with its cluster, task definition, log group, execution role and a task
role allowing what its flows need, in the stack's VPC, registered in the target group of the ALB that targets it;
cfn-lint reports nothing, what cannot be emitted is refused at the service, and the template imports as the case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archcase.importer import import_template
from archcase.models import Architecture
from archcase.render.cloudformation import lint
from archcase.render.cloudformation.emit import template, template_text
from archcase.render.cloudformation.template import EmitError

from ...importer.test_round_trip import differences
from .conftest import resources_of, write_handlers


def case(flows: tuple[str, ...] = ("targets", "reads", "connects", "mounts"), **service: Any) -> Architecture:
    every = {"targets": {"from": "lb", "to": "web", "kind": "targets", "port": 8080},
             "reads": {"from": "web", "to": "orders", "kind": "reads"},
             "connects": {"from": "web", "to": "sessions", "kind": "connects"},
             "mounts": {"from": "web", "to": "files", "kind": "mounts"}}
    return Architecture.model_validate({"name": "shop", "title": "Shop", "services": [
        {"id": "web", "kind": "ecs-service", **service},
        {"id": "lb", "kind": "alb"},
        {"id": "orders", "kind": "dynamodb", "partition_key": {"name": "id"}},
        {"id": "sessions", "kind": "elasticache"},
        {"id": "files", "kind": "efs"},
    ], "flows": [every[name] for name in flows]})


@pytest.fixture(scope="module")
def handlers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_handlers(tmp_path_factory.mktemp("handlers"), [case()])


@pytest.mark.parametrize("service", [{}, {"logging": False, "read_only_root_filesystem": False, "public_ip": True,
                                          "container_insights": False, "desired_count": 0}])
def test_the_template_is_lint_clean_and_imports_as_the_case(handlers, tmp_path, service):
    architecture = case(**service)
    text = template_text(architecture, handlers)
    assert [str(p) for p in lint.problems(text)] == []
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    assert differences(architecture, import_template(path).architecture) == []


def test_a_service_without_flows_has_no_task_role_and_imports_as_it_was(handlers, tmp_path):
    architecture = case(flows=())
    document = template(architecture, handlers)
    assert "TaskRoleArn" not in document["Resources"]["WebTaskDefinition"]["Properties"]
    text = template_text(architecture, handlers)
    assert [str(p) for p in lint.problems(text)] == []
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    assert differences(architecture, import_template(path).architecture) == []


def test_the_task_role_allows_what_the_flows_need_and_the_execution_role_is_apart(handlers):
    document = template(case(), handlers)
    statements = document["Resources"]["WebTaskRolePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    actions = sorted(a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
    assert "dynamodb:GetItem" in actions and "elasticfilesystem:ClientMount" in actions
    assert not any(a.endswith("*") for a in actions)
    trust = document["Resources"]["WebTaskRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust[0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    definition = document["Resources"]["WebTaskDefinition"]["Properties"]
    assert definition["TaskRoleArn"] == {"Fn::GetAtt": ["WebTaskRole", "Arn"]}
    assert definition["ExecutionRoleArn"] == {"Fn::GetAtt": ["WebExecutionRole", "Arn"]}
    assert "Policies" not in document["Resources"]["WebExecutionRole"]["Properties"]


def test_the_service_runs_on_fargate_in_the_vpc_behind_its_load_balancer(handlers):
    document = template(case(), handlers)
    service = resources_of(document, "AWS::ECS::Service")["Web"]
    assert service["Properties"]["LaunchType"] == "FARGATE"
    assert service["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == "DISABLED"
    assert service["Properties"]["LoadBalancers"] == [
        {"ContainerName": "app", "ContainerPort": 8080, "TargetGroupArn": {"Ref": "LbTargetGroup"}}]
    assert "LbListener443" in service["DependsOn"]
    assert document["Resources"]["LbTargetGroup"]["Properties"]["TargetType"] == "ip"
    ingress = document["Resources"]["WebSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert [(i["FromPort"], i["SourceSecurityGroupId"]) for i in ingress] == [(8080, {"Ref": "LbSecurityGroup"})]
    cache_ingress = document["Resources"]["SessionsSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert [i["SourceSecurityGroupId"] for i in cache_ingress] == [{"Ref": "WebSecurityGroup"}]
    container = document["Resources"]["WebTaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    assert container["LogConfiguration"]["LogDriver"] == "awslogs"
    assert container["ReadonlyRootFilesystem"] is True
    assert {"Name": "ORDERS_TABLE", "Value": {"Ref": "Orders"}} in container["Environment"]
    assert document["Parameters"]["WebImage"]["Default"].startswith("public.ecr.aws/")
    cluster = resources_of(document, "AWS::ECS::Cluster")["WebCluster"]["Properties"]
    assert cluster["ClusterSettings"] == [{"Name": "containerInsights", "Value": "enabled"}]


@pytest.mark.parametrize(("service", "says"), [
    ({"launch_type": "ec2"}, "Fargate services only"),
    ({"container_insights": None}, "`container_insights` is not known"),
    ({"broad_permissions": ["s3:* on *"]}, "archcase emits roles from the case's flows only"),
])
def test_what_cannot_be_emitted_is_refused_at_the_service(handlers, service, says):
    with pytest.raises(EmitError) as refused:
        template_text(case(**service), handlers)
    assert refused.value.service == "web" and says in str(refused.value)


def test_an_alb_with_instances_and_tasks_behind_it_is_refused_at_the_alb(handlers):
    architecture = Architecture.model_validate({"name": "shop", "title": "Shop", "services": [
        {"id": "web", "kind": "ecs-service"}, {"id": "vm", "kind": "ec2-instance"}, {"id": "lb", "kind": "alb"}],
        "flows": [{"from": "lb", "to": "web", "kind": "targets"}, {"from": "lb", "to": "vm", "kind": "targets"}]})
    with pytest.raises(EmitError) as refused:
        template_text(architecture, handlers)
    assert refused.value.service == "lb" and "separate load balancers" in str(refused.value)
