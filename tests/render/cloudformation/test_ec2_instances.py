"""Single EC2 instances as emitted: launched from the same launch template, role, instance profile and security group
an Auto Scaling group's instances are, in the first of the stack's subnets, registered with the load balancers that
target them; the role allows what the instance's flows need and nothing else; cfn-lint reports nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archcase.models import Architecture
from archcase.render.cloudformation import lint
from archcase.render.cloudformation.emit import template, template_text

from .conftest import resources_of, write_handlers


def case(balancer: str = "alb", **instance: Any) -> Architecture:
    return Architecture.model_validate({"name": "shop", "title": "Shop", "services": [
        {"id": "web", "kind": "ec2-instance", **instance},
        {"id": "lb", "kind": balancer},
        {"id": "assets", "kind": "s3"},
        {"id": "orders", "kind": "sqs"},
        {"id": "db", "kind": "rds"},
    ], "flows": [{"from": "lb", "to": "web", "kind": "targets", "port": 8080},
                 {"from": "web", "to": "assets", "kind": "reads"}, {"from": "web", "to": "orders", "kind": "enqueues"},
                 {"from": "web", "to": "db", "kind": "connects"}]})


@pytest.fixture(scope="module")
def handlers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_handlers(tmp_path_factory.mktemp("handlers"), [case()])


@pytest.mark.parametrize(("balancer", "instance"), [
    ("alb", {}), ("clb", {}), ("alb", {"imdsv2_required": False, "ebs_encrypted": False, "instance_type": "m7g.large"})])
def test_the_template_is_lint_clean(handlers, balancer, instance):
    assert [str(p) for p in lint.problems(template_text(case(balancer, **instance), handlers))] == []


def test_the_instance_is_launched_from_its_launch_template_in_a_subnet_of_the_stack(handlers):
    document = template(case(imdsv2_required=False), handlers)
    assert resources_of(document, "AWS::EC2::Instance")["Web"]["Properties"] == {
        "LaunchTemplate": {"LaunchTemplateId": {"Ref": "WebLaunchTemplate"},
                           "Version": {"Fn::GetAtt": ["WebLaunchTemplate", "LatestVersionNumber"]}},
        "SubnetId": {"Fn::Select": [0, {"Ref": "SubnetIds"}]}}
    data = document["Resources"]["WebLaunchTemplate"]["Properties"]["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "optional"
    assert data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True
    assert data["IamInstanceProfile"] == {"Arn": {"Fn::GetAtt": ["WebInstanceProfile", "Arn"]}}
    assert not resources_of(document, "AWS::AutoScaling::AutoScalingGroup")


def test_the_role_allows_what_the_flows_need(handlers):
    document = template(case(), handlers)
    statements = document["Resources"]["WebRolePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    actions = sorted(a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
    assert actions == ["rds-db:connect", "s3:GetObject", "s3:ListBucket", "secretsmanager:GetSecretValue", "sqs:SendMessage"]
    trust = document["Resources"]["WebRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust[0]["Principal"] == {"Service": "ec2.amazonaws.com"}


def test_load_balancers_register_the_instance(handlers):
    alb = template(case("alb"), handlers)
    assert alb["Resources"]["LbTargetGroup"]["Properties"]["Targets"] == [{"Id": {"Ref": "Web"}, "Port": 8080}]
    ingress = alb["Resources"]["WebSecurityGroup"]["Properties"]["SecurityGroupIngress"]
    assert [(i["FromPort"], i["SourceSecurityGroupId"]) for i in ingress] == [(8080, {"Ref": "LbSecurityGroup"})]
    clb = template(case("clb"), handlers)
    assert clb["Resources"]["Lb"]["Properties"]["Instances"] == [{"Ref": "Web"}]
