"""Relational databases imported: DB instances and Aurora clusters (their instances belong to them), their settings
as AWS deploys them when left out, the flows a template states (endpoint or master secret in a function's
environment, `rds-db:connect` or the secret in a role), and the round trip of emitted ones."""

from __future__ import annotations

from typing import Any

import pytest

from archcase.importer import import_template
from archcase.models import Architecture
from archcase.models.data import RdsDatabase
from archcase.render.cloudformation.emit import template_text

from ..render.cloudformation.conftest import write_handlers
from .templates import flows, imported
from .test_round_trip import differences

FN = {"Type": "AWS::Lambda::Function", "Properties": {
    "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r",
    "Code": {"ZipFile": "def handler(event, context): pass"}}}
SECRET = "{{resolve:secretsmanager:db-master:SecretString:password}}"


def instance(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::RDS::DBInstance", "Properties": {
        "Engine": "postgres", "DBInstanceClass": "db.t3.micro", "AllocatedStorage": "20", "MasterUsername": "app",
        "MasterUserPassword": SECRET, **properties}}


def cluster(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::RDS::DBCluster", "Properties": {
        "Engine": "aurora-postgresql", "MasterUsername": "app", "MasterUserPassword": SECRET, **properties}}


def member(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::RDS::DBInstance", "Properties": {
        "Engine": "aurora-postgresql", "DBInstanceClass": "db.r6g.large", "DBClusterIdentifier": {"Ref": "Db"}, **properties}}



def the_db(case: Architecture) -> RdsDatabase:
    service = case.service("db")
    assert isinstance(service, RdsDatabase)
    return service


SETTINGS = {"engine", "encrypted_at_rest", "multi_az", "backup_retention_days", "deletion_protection", "publicly_accessible",
            "iam_authentication", "auto_minor_version_upgrade"}


def test_a_db_instance_that_says_nothing_is_read_as_aws_deploys_it(tmp_path):
    case = imported(tmp_path, {"Db": instance()})
    assert the_db(case).model_dump(include=SETTINGS) == {
        "engine": "postgres", "encrypted_at_rest": False, "multi_az": False, "backup_retention_days": 1,
        "deletion_protection": False, "publicly_accessible": False, "iam_authentication": False,
        "auto_minor_version_upgrade": True}


def test_a_db_instance_says_its_settings(tmp_path):
    case = imported(tmp_path, {"Db": instance(
        Engine="MySQL", StorageEncrypted="true", MultiAZ=True, BackupRetentionPeriod="14", DeletionProtection=True,
        PubliclyAccessible=True, EnableIAMDatabaseAuthentication=True, AutoMinorVersionUpgrade=False)})
    assert the_db(case).model_dump(include=SETTINGS) == {
        "engine": "mysql", "encrypted_at_rest": True, "multi_az": True, "backup_retention_days": 14,
        "deletion_protection": True, "publicly_accessible": True, "iam_authentication": True,
        "auto_minor_version_upgrade": False}


def test_an_aurora_cluster_is_one_database_and_its_instances_belong_to_it(tmp_path):
    case = imported(tmp_path, {"Db": cluster(StorageEncrypted=True, BackupRetentionPeriod=7),
                               "Writer": member(), "Reader": member(PubliclyAccessible=True)})
    assert [(s.id, s.kind) for s in case.services] == [("db", "rds")]
    assert the_db(case).model_dump(include=SETTINGS) == {
        "engine": "aurora-postgresql", "encrypted_at_rest": True, "multi_az": True, "backup_retention_days": 7,
        "deletion_protection": False, "publicly_accessible": True, "iam_authentication": False,
        "auto_minor_version_upgrade": True}


def test_instances_that_name_their_cluster_by_its_identifier_belong_to_it(tmp_path):
    case = imported(tmp_path, {"Db": cluster(DBClusterIdentifier="Shop-DB"), "Writer": member(DBClusterIdentifier="shop-db"),
                               "Reader": member(DBClusterIdentifier="shop-db")})
    assert [(s.id, s.kind) for s in case.services] == [("db", "rds")]
    assert the_db(case).multi_az is True


def test_an_aurora_cluster_of_one_instance_is_single_az_and_old_aurora_is_aurora_mysql(tmp_path):
    db = the_db(imported(tmp_path, {"Db": cluster(Engine="aurora"), "Writer": member(Engine="aurora")}))
    assert (db.engine, db.multi_az, db.encrypted_at_rest) == ("aurora-mysql", False, False)


def test_a_read_replica_has_the_engine_and_encryption_of_its_source(tmp_path):
    replica = {"Type": "AWS::RDS::DBInstance", "Properties": {"SourceDBInstanceIdentifier": {"Ref": "Main"},
                                                               "DBInstanceClass": "db.t3.micro"}}
    case = imported(tmp_path, {"Main": instance(Engine="mariadb", StorageEncrypted=True), "Db": replica})
    assert (the_db(case).engine, the_db(case).encrypted_at_rest) == ("mariadb", True)


def test_a_serverless_v1_cluster_is_always_encrypted(tmp_path):
    assert the_db(imported(tmp_path, {"Db": cluster(EngineMode="serverless")})).encrypted_at_rest is True


@pytest.mark.parametrize("db", [instance(Engine="sqlserver-ex"), instance(Engine="oracle-se2"), instance(Engine="oracle-se1"),
                                instance(Engine="custom-sqlserver-web"), instance(Engine="db2-ae"), cluster(Engine="mysql")])
def test_engines_archcase_does_not_model_stay_generic(tmp_path, db):
    assert [(s.id, s.kind) for s in imported(tmp_path, {"Db": db}).services] == [("db", "generic")]



def with_environment(**variables: Any) -> dict[str, Any]:
    return {**FN, "Properties": {**FN["Properties"], "Environment": {"Variables": variables}}}


@pytest.mark.parametrize("value", [{"Fn::GetAtt": ["Db", "Endpoint.Address"]}, {"Fn::GetAtt": ["Db", "MasterUserSecret.SecretArn"]},
                                   {"Fn::Sub": "postgres://${Db.Endpoint.Address}:5432/app"}])
def test_a_function_told_the_database_connects_to_it(tmp_path, value):
    case = imported(tmp_path, {"Db": instance(), "Fn": with_environment(DB=value)})
    assert flows(case) == [("fn", "connects", "db")]


def test_a_function_told_a_member_instance_connects_to_its_cluster(tmp_path):
    case = imported(tmp_path, {"Db": cluster(), "Writer": member(),
                               "Fn": with_environment(DB_HOST={"Fn::GetAtt": ["Writer", "Endpoint.Address"]})})
    assert flows(case) == [("fn", "connects", "db")]


def test_a_function_not_told_the_database_has_no_flow_to_it(tmp_path):
    assert flows(imported(tmp_path, {"Db": instance(), "Fn": with_environment(STAGE="prod")})) == []


def test_a_role_allowed_rds_db_connect_on_the_database_connects(tmp_path):
    role = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "db", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "rds-db:connect", "Resource": {
            "Fn::Sub": "arn:${AWS::Partition}:rds-db:${AWS::Region}:${AWS::AccountId}:dbuser:${Db.DbiResourceId}/app"}}]}}]}}
    function = {**FN, "Properties": {**FN["Properties"], "Role": {"Fn::GetAtt": ["Role", "Arn"]}}}
    assert flows(imported(tmp_path, {"Db": instance(), "Role": role, "Fn": function})) == [("fn", "connects", "db")]


HANDLER = "orders_api.app.handler"


def case_of(db: dict[str, Any]) -> Architecture:
    return Architecture.model_validate({"name": "shop", "title": "Shop", "services": [
        {"id": "db", "kind": "rds", **db}, {"id": "api", "kind": "lambda", "handler": HANDLER, "in_vpc": True},
        {"id": "servers", "kind": "autoscaling-group"}],
        "flows": [{"from": "api", "to": "db", "kind": "connects"}, {"from": "servers", "to": "db", "kind": "connects"}]})


@pytest.mark.parametrize("db", [
    {}, {"engine": "aurora-mysql"},
    {"engine": "mariadb", "encrypted_at_rest": False, "multi_az": False, "backup_retention_days": 0, "deletion_protection": False,
     "publicly_accessible": True, "iam_authentication": False, "auto_minor_version_upgrade": False},
    {"engine": "aurora-postgresql", "encrypted_at_rest": False, "multi_az": False, "backup_retention_days": 1,
     "deletion_protection": False, "publicly_accessible": True, "iam_authentication": False, "auto_minor_version_upgrade": False},
])
def test_an_emitted_database_imports_as_its_case(tmp_path, db):
    case = case_of(db)
    path = tmp_path / "template.yaml"
    path.write_text(template_text(case, write_handlers(tmp_path / "handlers", [case])), encoding="utf-8")
    assert differences(case, import_template(path).architecture) == []
