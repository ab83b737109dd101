"""EFS file systems imported: settings as AWS deploys them when left out, mount targets and access points that
belong to the file system, who mounts it (a function through the access point it names, instances whose security
group the mount targets admit), and the round trip of emitted ones."""

from __future__ import annotations

from typing import Any

import pytest

from archcase.checks.engine import check
from archcase.importer import import_template
from archcase.models import Architecture
from archcase.models.data import EfsFileSystem
from archcase.render.cloudformation import lint
from archcase.render.cloudformation.emit import template_text

from ..render.cloudformation.conftest import write_handlers
from .templates import imported
from .test_round_trip import differences

FN = {"Type": "AWS::Lambda::Function", "Properties": {
    "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r",
    "Code": {"ZipFile": "def handler(event, context): pass"}, "VpcConfig": {"SubnetIds": ["s"], "SecurityGroupIds": ["sg"]},
    "FileSystemConfigs": [{"Arn": {"Fn::GetAtt": ["Point", "Arn"]}, "LocalMountPath": "/mnt/data"}]}}


@pytest.mark.parametrize(("properties", "backups"), [
    ({}, None),  # Regional: AWS's guide says off, users report CloudFormation turning them on: in doubt
    ({"AvailabilityZoneName": "us-east-1a"}, True),  # One Zone: on
    ({"BackupPolicy": {"Status": "DISABLED"}}, False), ({"BackupPolicy": {"Status": "ENABLED"}}, True),
])
def test_a_file_system_left_to_aws_is_unencrypted_and_its_backups_as_aws_documents_them(tmp_path, properties, backups):
    case = imported(tmp_path, {"Fs": {"Type": "AWS::EFS::FileSystem", "Properties": properties}})
    (fs,) = case.services
    assert isinstance(fs, EfsFileSystem) and (fs.encrypted_at_rest, fs.backups) == (False, backups)
    statuses = [f.status for f in check(case).findings if f.rule_id == "AC441"]
    assert statuses == {None: ["unknown"], True: [], False: ["fail"]}[backups]


@pytest.mark.parametrize(("point", "expected"), [
    ({"RootDirectory": {"Path": "/lambda/"}, "PosixUser": {"Uid": "1000", "Gid": "1000"}},
     {"root_directory": "/lambda", "posix_user": True}),
    ({}, {"root_directory": "/", "posix_user": False}),
])
def test_a_function_mounts_through_the_access_point_it_names(tmp_path, point, expected):
    case = imported(tmp_path, {"Fs": {"Type": "AWS::EFS::FileSystem", "Properties": {"Encrypted": True}},
                               "Point": {"Type": "AWS::EFS::AccessPoint", "Properties": {"FileSystemId": {"Ref": "Fs"}, **point}},
                               "Fn": FN})
    (flow,) = case.flows
    assert (flow.source, flow.kind, flow.target) == ("fn", "mounts", "fs")
    assert flow.model_dump()["access_point"] == expected
    assert sorted(s.id for s in case.services) == ["fn", "fs"]


CASES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({}, {"root_directory": "/lambda"}), ({"encrypted_at_rest": False, "backups": False}, {"root_directory": "/", "posix_user": False})]


@pytest.mark.parametrize(("fs", "point"), CASES)
def test_emitted_file_systems_are_lint_clean_and_survive_import(tmp_path, fs, point):
    case = Architecture.model_validate({"name": "shop", "title": "Shop", "services": [
        {"id": "shared", "kind": "efs", **fs},
        {"id": "api", "kind": "lambda", "handler": "orders_api.app.handler", "in_vpc": True},
        {"id": "web", "kind": "autoscaling-group"}],
        "flows": [{"from": "api", "to": "shared", "kind": "mounts", "access_point": point},
                  {"from": "web", "to": "shared", "kind": "mounts"}]})
    text = template_text(case, write_handlers(tmp_path / "handlers", [case]))
    assert [str(p) for p in lint.problems(text)] == []
    path = tmp_path / "shop.yaml"
    path.write_text(text, encoding="utf-8")
    assert differences(case, import_template(path).architecture) == []


@pytest.mark.parametrize(("flow", "refused"), [
    ({"from": "fn", "to": "fs", "kind": "mounts"}, "only through an access point"),
    ({"from": "asg", "to": "fs", "kind": "mounts", "access_point": {}}, "access points in functions only"),
])
def test_mounts_a_client_cannot_make_are_refused(flow, refused):
    with pytest.raises(ValueError, match=refused):
        Architecture.model_validate({"name": "t", "title": "t", "services": [
            {"id": "fs", "kind": "efs"}, {"id": "fn", "kind": "lambda", "handler": "a.b", "in_vpc": True},
            {"id": "asg", "kind": "autoscaling-group"}], "flows": [flow]})
