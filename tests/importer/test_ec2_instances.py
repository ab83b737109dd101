"""Single EC2 instances imported: IMDS and EBS encryption as the instance or its launch template says, or as AWS
applies them when left out (IMDSv1 allowed unless the AMI is an Amazon Linux 2023 one; volumes unencrypted); its
role through its instance profile; load balancers that register it; services whose security groups admit it; and
the round trip of emitted ones."""

from __future__ import annotations

from typing import Any

import pytest

from archcase.importer import import_template
from archcase.models import Architecture
from archcase.models.compute import Ec2Instance
from archcase.render.cloudformation.emit import template_text

from ..render.cloudformation.conftest import write_handlers
from .templates import flows, imported
from .test_round_trip import differences


def instance(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::EC2::Instance", "Properties": {"ImageId": "ami-12345678", "InstanceType": "t3.micro", **properties}}


def the_instance(case: Architecture) -> Ec2Instance:
    (found,) = [s for s in case.services if isinstance(s, Ec2Instance)]
    return found


def test_an_instance_left_to_aws_allows_imdsv1_and_has_unencrypted_volumes(tmp_path):
    web = the_instance(imported(tmp_path, {"Web": instance()}))
    assert (web.id, web.instance_type, web.imdsv2_required, web.ebs_encrypted, web.broad_permissions) == (
        "web", "t3.micro", False, False, [])


def test_an_instance_says_its_settings(tmp_path):
    web = the_instance(imported(tmp_path, {"Web": instance(
        InstanceType="m7g.large", MetadataOptions={"HttpTokens": "required"},
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True}}])}))
    assert (web.instance_type, web.imdsv2_required, web.ebs_encrypted) == ("m7g.large", True, True)


def test_the_launch_template_an_instance_names_says_what_the_instance_does_not(tmp_path):
    web = the_instance(imported(tmp_path, {
        "Launch": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {
            "InstanceType": "m7g.large", "MetadataOptions": {"HttpTokens": "required"},
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True}}]}}},
        "Web": {"Type": "AWS::EC2::Instance", "Properties": {"LaunchTemplate": {
            "LaunchTemplateId": {"Ref": "Launch"}, "Version": {"Fn::GetAtt": ["Launch", "LatestVersionNumber"]}}}}}))
    assert (web.instance_type, web.imdsv2_required, web.ebs_encrypted) == ("m7g.large", True, True)


@pytest.mark.parametrize(("image", "parameters", "required"), [
    ({"Ref": "Ami"}, {"Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                              "Default": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"}}, True),
    ("{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64}}", {}, True),
    ({"Ref": "Ami"}, {"Ami": {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                              "Default": "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2"}}, False),
    ({"Ref": "Ami"}, {"Ami": {"Type": "AWS::EC2::Image::Id", "Default": "ami-12345678"}}, False),
])
def test_an_amazon_linux_2023_ami_requires_imdsv2_when_the_template_does_not_say(tmp_path, image, parameters, required):
    web = the_instance(imported(tmp_path, {"Web": instance(ImageId=image)}, Parameters=parameters))
    assert web.imdsv2_required is required


def test_an_instance_told_to_allow_imdsv1_does_even_on_amazon_linux_2023(tmp_path):
    web = the_instance(imported(tmp_path, {"Web": instance(
        ImageId="{{resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64}}",
        MetadataOptions={"HttpTokens": "optional"})}))
    assert web.imdsv2_required is False


@pytest.mark.parametrize(("attach", "encrypted"), [("Volumes", False), ("VolumeAttachment", False), (None, True)])
def test_an_unencrypted_volume_attached_makes_the_instances_volumes_unencrypted(tmp_path, attach, encrypted):
    mapping = [{"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True}}]
    resources: dict[str, Any] = {"Data": {"Type": "AWS::EC2::Volume", "Properties": {"Size": 10, "AvailabilityZone": "us-east-1a"}}}
    if attach == "Volumes":
        resources["Web"] = instance(BlockDeviceMappings=mapping, Volumes=[{"Device": "/dev/sdf", "VolumeId": {"Ref": "Data"}}])
    else:
        resources["Web"] = instance(BlockDeviceMappings=mapping)
    if attach == "VolumeAttachment":
        resources["Attach"] = {"Type": "AWS::EC2::VolumeAttachment", "Properties": {
            "InstanceId": {"Ref": "Web"}, "VolumeId": {"Ref": "Data"}, "Device": "/dev/sdf"}}
    assert the_instance(imported(tmp_path, resources)).ebs_encrypted is encrypted


ROLE = {"Type": "AWS::IAM::Role", "Properties": {
    "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]},
    "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${Assets.Arn}/*"}},
        {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]}}]}}


def test_the_role_of_the_instance_profile_gives_the_instance_its_flows_and_broad_permissions(tmp_path):
    case = imported(tmp_path, {
        "Assets": {"Type": "AWS::S3::Bucket"}, "Role": ROLE,
        "Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": "Role"}]}},
        "Web": instance(IamInstanceProfile={"Ref": "Profile"})})
    assert ("web", "reads", "assets") in flows(case)
    assert the_instance(case).broad_permissions == ["sqs:* on *"]
    assert {s.id for s in case.services} == {"web", "assets"}


def test_load_balancers_that_register_the_instance_target_it(tmp_path):
    case = imported(tmp_path, {
        "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Subnets": ["subnet-1", "subnet-2"]}},
        "Group": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
            "Port": 8080, "Protocol": "HTTP", "VpcId": "vpc-1", "Targets": [{"Id": {"Ref": "Web"}}]}},
        "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
            "LoadBalancerArn": {"Ref": "Lb"}, "Port": 80, "Protocol": "HTTP",
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Group"}}]}},
        "Classic": {"Type": "AWS::ElasticLoadBalancing::LoadBalancer", "Properties": {
            "Instances": [{"Ref": "Web"}], "Listeners": [{"LoadBalancerPort": "80", "InstancePort": "8081", "Protocol": "HTTP"}],
            "AvailabilityZones": ["us-east-1a", "us-east-1b"]}},
        "Web": instance()})
    targets = sorted((f.source, f.target, getattr(f, "port", None)) for f in case.flows if f.kind == "targets")
    assert targets == [("classic", "web", 8081), ("lb", "web", 8080)]


def test_a_cache_and_a_file_system_admitting_the_instances_security_group_are_connected_to_and_mounted(tmp_path):
    case = imported(tmp_path, {
        "WebGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "web"}},
        "CacheGroup": {"Type": "AWS::EC2::SecurityGroup", "Properties": {"GroupDescription": "cache", "SecurityGroupIngress": [
            {"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379, "SourceSecurityGroupId": {"Ref": "WebGroup"}}]}},
        "Cache": {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {
            "ReplicationGroupDescription": "c", "CacheNodeType": "cache.t4g.micro", "Engine": "redis",
            "SecurityGroupIds": [{"Ref": "CacheGroup"}]}},
        "Files": {"Type": "AWS::EFS::FileSystem", "Properties": {}},
        "Mount": {"Type": "AWS::EFS::MountTarget", "Properties": {
            "FileSystemId": {"Ref": "Files"}, "SubnetId": "subnet-1", "SecurityGroups": [{"Ref": "CacheGroup"}]}},
        "Web": instance(SecurityGroupIds=[{"Ref": "WebGroup"}])})
    assert {("web", "connects", "cache"), ("web", "mounts", "files")} <= set(flows(case))


CASES: list[dict[str, Any]] = [
    {}, {"imdsv2_required": False, "ebs_encrypted": False, "instance_type": "m7g.large"}, {"serves": "static"}]


@pytest.mark.parametrize("web", CASES)
@pytest.mark.parametrize("balancer", ["alb", "clb"])
def test_emitted_instances_survive_import(tmp_path, web, balancer):
    case = Architecture.model_validate({"name": "shop", "title": "Shop", "services": [
        {"id": "web", "kind": "ec2-instance", **web}, {"id": "lb", "kind": balancer},
        {"id": "assets", "kind": "s3"}, {"id": "orders", "kind": "sqs"}, {"id": "db", "kind": "rds"}, {"id": "files", "kind": "efs"}],
        "flows": [{"from": "lb", "to": "web", "kind": "targets", "port": 8080},
                  {"from": "web", "to": "assets", "kind": "reads"}, {"from": "web", "to": "orders", "kind": "enqueues"},
                  {"from": "web", "to": "db", "kind": "connects"}, {"from": "web", "to": "files", "kind": "mounts"}]})
    path = tmp_path / "shop.yaml"
    path.write_text(template_text(case, write_handlers(tmp_path / "handlers", [case])), encoding="utf-8")
    assert differences(case, import_template(path).architecture) == []


def test_an_unencrypted_data_volume_beside_an_encrypted_root_is_an_unencrypted_volume(tmp_path):
    web = the_instance(imported(tmp_path, {"Web": instance(BlockDeviceMappings=[
        {"DeviceName": "/dev/xvda", "Ebs": {"Encrypted": True}}, {"DeviceName": "/dev/sdf", "Ebs": {"VolumeSize": 10}},
        {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"}])}))
    assert web.ebs_encrypted is False
