"""Secrets Manager secrets imported from small templates: their settings as AWS applies left-out properties, who reads
them (IAM, a SAM policy template, an environment variable), what resolves them at deploy, the function rotating them,
what belongs to them, and the round trip of emitted ones."""

from __future__ import annotations

from typing import Any

import pytest

from archcase.checks.engine import check
from archcase.importer import import_template
from archcase.models import Architecture
from archcase.models.identity import Secret
from archcase.render.cloudformation.emit import template_text

from ..render.cloudformation.conftest import write_handlers
from .templates import flows, imported
from .test_round_trip import differences

SECRET: dict[str, Any] = {"Type": "AWS::SecretsManager::Secret", "Properties": {"Name": "app/api-key", "GenerateSecretString": {}}}
TRUST = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def function(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::Lambda::Function", "Properties": {
        "Handler": "app.handler", "Runtime": "python3.12", "Code": {"ZipFile": "x"}, "Role": {"Fn::GetAtt": ["Role", "Arn"]},
        **properties}}


def role(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": TRUST, "Policies": [
        {"PolicyName": "p", "PolicyDocument": {"Statement": list(statements)}}]}}


def secret_of(case: Architecture) -> Secret:
    found = [s for s in case.services if isinstance(s, Secret)]
    assert len(found) == 1, case.services
    return found[0]


def test_a_secret_left_alone_is_not_rotated_uses_the_aws_managed_key_and_has_no_policy(tmp_path):
    secret = secret_of(imported(tmp_path, {"Key": SECRET}))
    assert (secret.rotation, secret.rotation_days, secret.encryption, secret.resource_policy, secret.replica_regions) == \
        (False, None, "aws-managed", "none", [])


def test_a_rotation_schedule_makes_the_secret_invoke_its_function(tmp_path):
    case = imported(tmp_path, {"Key": SECRET, "Rotator": function(), "Role": role(), "Rotation": {
        "Type": "AWS::SecretsManager::RotationSchedule", "Properties": {
            "SecretId": {"Ref": "Key"}, "RotationLambdaARN": {"Fn::GetAtt": ["Rotator", "Arn"]},
            "RotationRules": {"ScheduleExpression": "rate(10 days)"}}}})
    assert (secret_of(case).rotation, secret_of(case).rotation_days) == (True, 10)
    assert flows(case) == [("key", "invokes", "rotator")]
    assert "AC311" not in {f.rule_id for f in check(case).findings}


def test_a_hosted_rotation_function_rotates_without_a_flow(tmp_path):
    case = imported(tmp_path, {"Key": SECRET, "Rotation": {"Type": "AWS::SecretsManager::RotationSchedule", "Properties": {
        "SecretId": {"Ref": "Key"}, "HostedRotationLambda": {"RotationType": "PostgreSQLSingleUser"},
        "RotationRules": {"AutomaticallyAfterDays": 120}}}})
    assert (secret_of(case).rotation, secret_of(case).rotation_days, flows(case)) == (True, 120, [])


def test_a_cron_schedule_rotates_on_an_interval_not_read(tmp_path):
    case = imported(tmp_path, {"Key": SECRET, "Rotation": {"Type": "AWS::SecretsManager::RotationSchedule", "Properties": {
        "SecretId": {"Ref": "Key"}, "HostedRotationLambda": {"RotationType": "MySQLSingleUser"},
        "RotationRules": {"ScheduleExpression": "cron(0 4 1 * ? *)"}}}})
    assert (secret_of(case).rotation, secret_of(case).rotation_days) == (True, None)


@pytest.mark.parametrize(("key", "encryption"), [("alias/aws/secretsmanager", "aws-managed"), ("alias/app", "customer-managed"),
                                                 ({"Ref": "AppKey"}, "customer-managed")])
def test_the_kms_key_named_decides_the_encryption(tmp_path, key, encryption):
    template = {"Key": {**SECRET, "Properties": {**SECRET["Properties"], "KmsKeyId": key}},
                "AppKey": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {}}}}
    assert secret_of(imported(tmp_path, template)).encryption == encryption


@pytest.mark.parametrize(("principal", "condition", "policy"), [
    ({"AWS": "arn:aws:iam::123456789012:root"}, None, "restricted"), ("*", None, "public"), ({"AWS": "*"}, None, "public"),
    ("*", {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}, "restricted")])
def test_a_resource_policy_belongs_to_the_secret_and_says_who_reads_it(tmp_path, principal, condition, policy):
    statement = {"Effect": "Allow", "Principal": principal, "Action": "secretsmanager:GetSecretValue", "Resource": "*",
                 **({"Condition": condition} if condition else {})}
    case = imported(tmp_path, {"Key": SECRET, "Policy": {"Type": "AWS::SecretsManager::ResourcePolicy", "Properties": {
        "SecretId": {"Ref": "Key"}, "ResourcePolicy": {"Statement": [statement]}}}})
    assert [s.id for s in case.services] == ["key"]
    assert secret_of(case).resource_policy == policy


def test_replica_regions_are_read(tmp_path):
    template = {"Key": {**SECRET, "Properties": {**SECRET["Properties"], "ReplicaRegions": [{"Region": "eu-west-1"}]}}}
    assert secret_of(imported(tmp_path, template)).replica_regions == ["eu-west-1"]


@pytest.mark.parametrize("resource", [{"Ref": "Key"}, {"Fn::Sub": "${Key}*"}])
def test_a_role_allowed_get_secret_value_reads_the_secret(tmp_path, resource):
    statement = {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": resource}
    assert flows(imported(tmp_path, {"Key": SECRET, "Fn": function(), "Role": role(statement)})) == [("fn", "reads", "key")]


def test_a_role_shared_by_two_functions_gives_each_the_read(tmp_path):
    statement = {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": {"Ref": "Key"}}
    case = imported(tmp_path, {"Key": SECRET, "A": function(), "B": function(), "Role": role(statement)})
    assert flows(case) == [("a", "reads", "key"), ("b", "reads", "key")]


def test_a_sam_policy_template_reads_the_secret(tmp_path):
    policies = [{"AWSSecretsManagerGetSecretValuePolicy": {"SecretArn": {"Ref": "Key"}}}]
    fn = {"Type": "AWS::Serverless::Function",
          "Properties": {"Handler": "app.handler", "Runtime": "python3.12", "CodeUri": "src/", "Policies": policies}}
    case = imported(tmp_path, {"Key": SECRET, "Fn": fn}, Transform="AWS::Serverless-2016-10-31")
    assert flows(case) == [("fn", "reads", "key")]


def test_a_function_told_the_secret_arn_reads_it(tmp_path):
    case = imported(tmp_path, {"Key": SECRET, "Fn": function(Environment={"Variables": {"KEY_ARN": {"Ref": "Key"}}}), "Role": role()})
    assert flows(case) == [("fn", "reads", "key")]


@pytest.mark.parametrize("value", ["{{resolve:secretsmanager:app/api-key:SecretString:token}}",
                                   {"Fn::Sub": "{{resolve:secretsmanager:${Key}:SecretString}}"},
                                   "{{resolve:secretsmanager:arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/api-key-AbCdEf}}"])
def test_a_secret_resolved_into_a_function_environment_is_resolved_into_its_environment(tmp_path, value):
    case = imported(tmp_path, {"Key": SECRET, "Fn": function(Environment={"Variables": {"TOKEN": value}}), "Role": role()})
    assert [(f.source, f.kind, f.target, getattr(f, "into", None)) for f in case.flows] == [("fn", "resolves", "key", "environment")]


def test_a_secret_resolved_into_a_database_password_is_resolved_into_its_settings(tmp_path):
    password = {"Fn::Sub": "{{resolve:secretsmanager:${Key}:SecretString:password}}"}
    db = {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "postgres", "DBInstanceClass": "db.t3.micro", "MasterUsername": "app",
                                                         "MasterUserPassword": password}}
    attachment = {"Type": "AWS::SecretsManager::SecretTargetAttachment", "Properties": {
        "SecretId": {"Ref": "Key"}, "TargetId": {"Ref": "Db"}, "TargetType": "AWS::RDS::DBInstance"}}
    case = imported(tmp_path, {"Key": SECRET, "Db": db, "Attachment": attachment})
    assert sorted(s.id for s in case.services) == ["db", "key"]
    assert [(f.source, f.kind, f.target, getattr(f, "into", None)) for f in case.flows] == [("db", "resolves", "key", "settings")]


def test_a_function_reading_a_databases_master_secret_connects_to_the_database(tmp_path):
    """The secret is read to sign in: the function connects (AC427 asks it to run in the VPC), as it did when the
    secret belonged to the database."""
    password = {"Fn::Sub": "{{resolve:secretsmanager:${Key}:SecretString:password}}"}
    db = {"Type": "AWS::RDS::DBInstance", "Properties": {"Engine": "postgres", "DBInstanceClass": "db.t3.micro", "MasterUsername": "app",
                                                         "MasterUserPassword": password}}
    statement = {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": {"Ref": "Key"}}
    case = imported(tmp_path, {"Key": SECRET, "Db": db, "Fn": function(), "Other": SECRET, "Role": role(statement)})
    assert flows(case) == [("db", "resolves", "key"), ("fn", "connects", "db"), ("fn", "reads", "key")]
    statement["Resource"] = {"Ref": "Other"}  # a secret the database does not sign in with says nothing of it
    assert flows(imported(tmp_path, {"Key": SECRET, "Db": db, "Fn": function(), "Other": SECRET, "Role": role(statement)})) == [
        ("db", "resolves", "key"), ("fn", "reads", "other")]


def test_a_cache_auth_token_still_belongs_to_the_cache(tmp_path):
    cache = {"Type": "AWS::ElastiCache::ReplicationGroup", "Properties": {
        "ReplicationGroupDescription": "c", "Engine": "valkey", "TransitEncryptionEnabled": True,
        "AuthToken": {"Fn::Sub": "{{resolve:secretsmanager:${Key}:SecretString}}"}}}
    assert [s.kind for s in imported(tmp_path, {"Key": SECRET, "Cache": cache}).services] == ["elasticache"]


def test_a_rotation_function_is_not_read_as_reading_its_secret(tmp_path):
    statement = {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
                 "Resource": {"Ref": "Key"}}
    case = imported(tmp_path, {"Key": SECRET, "Rotator": function(), "Role": role(statement), "Rotation": {
        "Type": "AWS::SecretsManager::RotationSchedule", "Properties": {
            "SecretId": {"Ref": "Key"}, "RotationLambdaARN": {"Fn::GetAtt": ["Rotator", "Arn"]},
            "RotationRules": {"AutomaticallyAfterDays": 30}}}})
    assert flows(case) == [("key", "invokes", "rotator")]


CASES = [{}, {"rotation_days": 7}, {"encryption": "customer-managed"}, {"resource_policy": "restricted"},
         {"replica_regions": ["eu-west-1", "us-west-2"]}]


@pytest.mark.parametrize("secret", CASES)
def test_emitted_secrets_survive_import(tmp_path, secret):
    case = Architecture.model_validate({"name": "shop", "title": "Shop", "services": [
        {"id": "api-key", "kind": "secret", **secret},
        {"id": "api", "kind": "lambda", "handler": "orders_api.app.handler"},
        {"id": "rotator", "kind": "lambda", "handler": "orders_api.app.handler"},
        {"id": "web", "kind": "autoscaling-group"}],
        "flows": [{"from": "api", "to": "api-key", "kind": "reads"}, {"from": "web", "to": "api-key", "kind": "reads"},
                  {"from": "api-key", "to": "rotator", "kind": "invokes"}]})
    path = tmp_path / "shop.yaml"
    path.write_text(template_text(case, write_handlers(tmp_path / "handlers", [case])), encoding="utf-8")
    assert differences(case, import_template(path).architecture) == []


def test_an_unrotated_secret_survives_import(tmp_path):
    case = Architecture.model_validate({"name": "shop", "title": "Shop", "services": [
        {"id": "api-key", "kind": "secret", "rotation": False}, {"id": "api", "kind": "lambda", "handler": "orders_api.app.handler"}],
        "flows": [{"from": "api", "to": "api-key", "kind": "reads"}]})
    path = tmp_path / "shop.yaml"
    path.write_text(template_text(case, write_handlers(tmp_path / "handlers", [case])), encoding="utf-8")
    assert differences(case, import_template(path).architecture) == []
