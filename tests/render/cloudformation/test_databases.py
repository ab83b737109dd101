"""Relational databases as emitted: a template cfn-lint reports nothing on, a DB instance or an Aurora cluster with
its instances, the settings the case asks for, no password in the template, a security group open only to the
services that connect, and the permissions and environment of a function that connects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archcase.models import Architecture
from archcase.render.cloudformation import lint
from archcase.render.cloudformation.emit import template, template_text
from archcase.render.cloudformation.template import EmitError

from .conftest import resources_of, write_handlers

HANDLER = "orders_api.app.handler"


def case(db: dict[str, Any] | None = None, in_vpc: bool = True, connects: bool = True) -> Architecture:
    return Architecture.model_validate({"name": "shop", "title": "Shop", "services": [
        {"id": "orders-db", "kind": "rds", **(db or {})},
        {"id": "api", "kind": "lambda", "handler": HANDLER, "in_vpc": in_vpc},
    ], "flows": [{"from": "api", "to": "orders-db", "kind": "connects"}] if connects else []})


@pytest.fixture(scope="module")
def handlers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_handlers(tmp_path_factory.mktemp("handlers"), [case()])


@pytest.mark.parametrize("db", [{}, {"engine": "mysql", "multi_az": False, "encrypted_at_rest": False},
                                {"engine": "aurora-postgresql"}, {"engine": "aurora-mysql", "multi_az": False,
                                                                  "iam_authentication": False, "publicly_accessible": True}])
def test_the_template_is_lint_clean(handlers, db):
    assert [str(p) for p in lint.problems(template_text(case(db), handlers))] == []


def test_a_db_instance_has_the_settings_of_the_case_and_no_password(handlers):
    document = template(case({"engine": "mysql", "multi_az": False, "backup_retention_days": 3, "deletion_protection": False,
                              "auto_minor_version_upgrade": False}), handlers)
    (properties,) = [r["Properties"] for r in resources_of(document, "AWS::RDS::DBInstance").values()]
    assert {k: properties[k] for k in ("Engine", "StorageEncrypted", "MultiAZ", "BackupRetentionPeriod", "DeletionProtection",
                                       "PubliclyAccessible", "EnableIAMDatabaseAuthentication", "AutoMinorVersionUpgrade",
                                       "ManageMasterUserPassword")} == {
        "Engine": "mysql", "StorageEncrypted": True, "MultiAZ": False, "BackupRetentionPeriod": 3, "DeletionProtection": False,
        "PubliclyAccessible": False, "EnableIAMDatabaseAuthentication": True, "AutoMinorVersionUpgrade": False,
        "ManageMasterUserPassword": True}
    assert "MasterUserPassword" not in properties
    assert properties["DBInstanceClass"] == {"Ref": "OrdersDbInstanceClass"}
    assert document["Resources"]["OrdersDb"]["DeletionPolicy"] == "Snapshot"


@pytest.mark.parametrize(("multi_az", "instances"), [(True, ["OrdersDbInstance1", "OrdersDbInstance2"]), (False, ["OrdersDbInstance1"])])
def test_an_aurora_cluster_has_a_second_instance_when_multi_az(handlers, multi_az, instances):
    document = template(case({"engine": "aurora-postgresql", "multi_az": multi_az}), handlers)
    assert list(resources_of(document, "AWS::RDS::DBCluster")) == ["OrdersDb"]
    members = resources_of(document, "AWS::RDS::DBInstance")
    assert sorted(members) == instances
    assert all(m["Properties"]["DBClusterIdentifier"] == {"Ref": "OrdersDb"} for m in members.values())
    cluster = document["Resources"]["OrdersDb"]["Properties"]
    assert (cluster["Engine"], cluster["StorageEncrypted"], cluster["ManageMasterUserPassword"]) == ("aurora-postgresql", True, True)


def test_only_the_connecting_function_may_reach_the_database_port(handlers):
    document = template(case(), handlers)
    group = document["Resources"]["OrdersDbSecurityGroup"]["Properties"]
    assert group["SecurityGroupIngress"] == [{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432,
                                              "SourceSecurityGroupId": {"Ref": "ApiSecurityGroup"}, "Description": "from api"}]
    egress = document["Resources"]["ApiToOrdersDbEgress"]["Properties"]
    assert (egress["FromPort"], egress["DestinationSecurityGroupId"]) == (5432, {"Ref": "OrdersDbSecurityGroup"})


def test_a_database_no_one_connects_to_admits_no_one(handlers):
    document = template(case(connects=False), handlers)
    assert document["Resources"]["OrdersDbSecurityGroup"]["Properties"]["SecurityGroupIngress"] == []


def test_a_connecting_function_reads_the_master_secret_signs_in_with_iam_and_is_told_the_endpoint(handlers):
    document = template(case(), handlers)
    statements = document["Resources"]["ApiRolePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    actions = {action: statement["Resource"] for statement in statements for action in statement["Action"]}
    assert actions["secretsmanager:GetSecretValue"] == {"Fn::GetAtt": ["OrdersDb", "MasterUserSecret.SecretArn"]}
    assert actions["rds-db:connect"] == {"Fn::Sub": "arn:${AWS::Partition}:rds-db:${AWS::Region}:${AWS::AccountId}:dbuser:"
                                                    "${OrdersDb.DbiResourceId}/app"}
    variables = document["Resources"]["Api"]["Properties"]["Environment"]["Variables"]
    assert variables["ORDERS_DB_ENDPOINT"] == {"Fn::GetAtt": ["OrdersDb", "Endpoint.Address"]}
    assert variables["ORDERS_DB_SECRET_ARN"] == {"Fn::GetAtt": ["OrdersDb", "MasterUserSecret.SecretArn"]}


def test_without_iam_authentication_the_function_gets_no_rds_db_connect(handlers):
    document = template(case({"iam_authentication": False}), handlers)
    statements = document["Resources"]["ApiRolePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert not [s for s in statements if "rds-db:connect" in s["Action"]]


def test_a_function_outside_the_vpc_cannot_connect_and_the_case_is_refused(handlers):
    with pytest.raises(EmitError) as refused:
        template(case(in_vpc=False), handlers)
    assert refused.value.service == "orders-db"
    assert "function 'api' connects to it but runs outside the VPC" in str(refused.value)
    assert "set `in_vpc: true` on 'api'" in str(refused.value)
