"""Secrets as emitted: a template cfn-lint reports nothing on, a secret whose value Secrets Manager generates, rotated
by the function it invokes (allowed by a Lambda permission), readers allowed GetSecretValue on that secret only and told
its ARN, and refusals of what archcase does not write (dynamic references, public policies)."""

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


def case(secret: dict[str, Any] | None = None, *extra: dict[str, Any]) -> Architecture:
    return Architecture.model_validate({"name": "shop", "title": "Shop", "services": [
        {"id": "api-key", "kind": "secret", **(secret or {})},
        {"id": "api", "kind": "lambda", "handler": HANDLER}, {"id": "rotator", "kind": "lambda", "handler": HANDLER},
        {"id": "web", "kind": "autoscaling-group"},
    ], "flows": [{"from": "api", "to": "api-key", "kind": "reads"}, {"from": "web", "to": "api-key", "kind": "reads"},
                 {"from": "api-key", "to": "rotator", "kind": "invokes"}, *extra]})


@pytest.fixture(scope="module")
def handlers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_handlers(tmp_path_factory.mktemp("handlers"), [case()])


@pytest.mark.parametrize("secret", [{}, {"encryption": "customer-managed"}, {"resource_policy": "restricted"},
                                    {"replica_regions": ["eu-west-1"], "rotation_days": 90}])
def test_the_template_is_lint_clean(handlers, secret):
    assert [str(p) for p in lint.problems(template_text(case(secret), handlers))] == []


def test_the_secret_is_generated_and_rotated_by_the_function_it_invokes(handlers):
    document = template(case({"rotation_days": 14}), handlers)
    (secret,) = resources_of(document, "AWS::SecretsManager::Secret").values()
    assert "GenerateSecretString" in secret["Properties"] and "SecretString" not in secret["Properties"]
    (schedule,) = resources_of(document, "AWS::SecretsManager::RotationSchedule").values()
    assert schedule["Properties"] == {"SecretId": {"Ref": "ApiKey"}, "RotationLambdaARN": {"Fn::GetAtt": ["Rotator", "Arn"]},
                                      "RotationRules": {"AutomaticallyAfterDays": 14}}
    permission = document["Resources"][schedule["DependsOn"]]["Properties"]
    assert (permission["Principal"], permission["SourceArn"]) == ("secretsmanager.amazonaws.com", {"Ref": "ApiKey"})
    statements = document["Resources"]["RotatorRolePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert {"Effect": "Allow", "Action": ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
                                          "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
            "Resource": {"Ref": "ApiKey"}} in statements


def test_a_reading_function_is_told_the_arn_and_may_read_that_secret_only(handlers):
    document = template(case(), handlers)
    assert document["Resources"]["Api"]["Properties"]["Environment"]["Variables"]["API_KEY_SECRET_ARN"] == {"Ref": "ApiKey"}
    statements = document["Resources"]["ApiRolePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    secret_statements = [s for s in statements if any(a.startswith(("secretsmanager:", "kms:")) for a in s["Action"])]
    assert secret_statements == [{"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": {"Ref": "ApiKey"}}]


def test_a_customer_managed_key_is_a_parameter_the_readers_may_decrypt_with(handlers):
    document = template(case({"encryption": "customer-managed"}), handlers)
    assert document["Resources"]["ApiKey"]["Properties"]["KmsKeyId"] == {"Ref": "ApiKeyKeyArn"}
    statements = document["Resources"]["ApiRolePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert {"Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": {"Ref": "ApiKeyKeyArn"}} in statements


def test_a_resolved_secret_is_refused_at_the_flow(handlers):
    with pytest.raises(EmitError, match="writes no dynamic reference") as refused:
        template(case({}, {"from": "api", "to": "api-key", "kind": "resolves", "into": "environment"}), handlers)
    assert refused.value.service == "api-resolves-api-key"


@pytest.mark.parametrize(("secret", "message"), [({"resource_policy": "public"}, "lets anyone read"),
                                                 ({"encryption": "customer-managed", "replica_regions": ["eu-west-1"]}, "one key")])
def test_what_archcase_does_not_emit_is_refused_at_the_secret(handlers, secret, message):
    with pytest.raises(EmitError, match=message) as refused:
        template(case(secret), handlers)
    assert refused.value.service == "api-key"


def test_a_rotated_secret_without_its_function_is_refused():
    lone = Architecture.model_validate({"name": "shop", "title": "Shop", "services": [{"id": "api-key", "kind": "secret"}]})
    with pytest.raises(EmitError, match="needs its rotation function"):
        template(lone, Path("."))
