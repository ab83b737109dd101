"""A template shows one stack, not what is outside it: what it implies is added (an identity pool gets its
credentials from STS), and a rule whose failure rests on what no template can state (the apps that use a
grant, who signs URLs, who publishes to a topic from elsewhere) reports undecided on a template, and fails
on a case file, which states the whole architecture."""

from __future__ import annotations

import json

import pytest

from archcase import api
from archcase.checks.catalogue import RULES
from archcase.importer import case_yaml, import_template


def write(tmp_path, resources: dict) -> object:
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": resources}), encoding="utf-8")
    return path


def statuses(path, rule: str) -> list[tuple[str, str]]:
    (report,) = api.check([path])
    return [(f.status, f.message) for f in report.findings if f.rule_id == rule]


USER_POOL = {"Type": "AWS::Cognito::UserPool", "Properties": {}}
CLIENT = {"Type": "AWS::Cognito::UserPoolClient", "Properties": {"UserPoolId": {"Ref": "Users"}}}
IDENTITY_POOL = {"Type": "AWS::Cognito::IdentityPool", "Properties": {
    "AllowUnauthenticatedIdentities": False, "CognitoIdentityProviders": [
        {"ClientId": {"Ref": "Client"}, "ProviderName": {"Fn::GetAtt": ["Users", "ProviderName"]}}]}}


def test_an_identity_pool_gets_credentials_from_sts_which_no_template_declares(tmp_path):
    path = write(tmp_path, {"Users": USER_POOL, "Client": CLIENT, "Identities": IDENTITY_POOL})
    case = import_template(path).architecture
    assert [(s.id, s.kind) for s in case.services if s.kind == "sts"] == [("sts", "sts")]
    assert [(f.source, f.kind, f.target) for f in case.flows if f.kind == "assumes-role"] == [("identities", "assumes-role", "sts")]
    assert statuses(path, "AC506") == []


def test_a_template_with_a_resource_named_sts_gets_another_id_for_it(tmp_path):
    path = write(tmp_path, {"Users": USER_POOL, "Client": CLIENT, "Identities": IDENTITY_POOL,
                            "Sts": {"Type": "AWS::SQS::Queue", "Properties": {}}})
    case = import_template(path).architecture
    assert [s.id for s in case.services if s.kind == "sts"] == ["sts-2"]


def test_a_topic_nothing_in_the_template_publishes_to_is_undecided_there_and_failed_in_a_case(tmp_path):
    topic = {"Type": "AWS::SNS::Topic", "Properties": {"Subscription": [{"Protocol": "email", "Endpoint": "ops@example.com"}]}}
    path = write(tmp_path, {"Alerts": topic})
    message = "nothing sends to 'alerts'"
    assert statuses(path, "AC608") == [("unknown", f"{message} (undecided: a template cannot state the producers and consumers "
                                                   "elsewhere (application code, other stacks))")]
    case = tmp_path / "case.yaml"
    case.write_text(case_yaml(import_template(path).architecture), encoding="utf-8")
    assert statuses(case, "AC608") == [("fail", message)]


@pytest.mark.parametrize("rule", sorted(r for r in RULES if RULES[r].outside))
def test_every_rule_that_rests_on_the_outside_says_what_in_words(rule):
    outside = RULES[rule].outside
    assert outside[0].islower() and not outside.endswith(".") and len(outside.split()) >= 3


FN = {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "Handler": "app.handler",
                                                      "Role": "arn:aws:iam::123456789012:role/r", "Code": {"ZipFile": "x"}}}


@pytest.mark.parametrize("triggers", [("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse"), ("PreSignUp",)])
def test_a_pool_signing_in_with_a_custom_challenge_leaves_its_factors_undecided(tmp_path, triggers):
    """Found by the precision review: a passwordless pool (one-time codes its functions send and check) was told to
    turn MFA on, which would ask for the same factor twice; what a user shows is decided in code outside the template."""
    config = {trigger: {"Fn::GetAtt": ["Fn", "Arn"]} for trigger in triggers}
    pool = {"Type": "AWS::Cognito::UserPool", "Properties": {"MfaConfiguration": "OFF", "LambdaConfig": config,
                                                             "Policies": {"PasswordPolicy": {"MinimumLength": 6}}}}
    path = write(tmp_path, {"Users": pool, "Fn": FN})
    custom = len(triggers) == 3
    for rule in ("AC501", "AC502"):
        ((status, message),) = statuses(path, rule)
        assert status == ("unknown" if custom else "fail")
        assert ("custom challenge" in message) is custom


SAM = "AWS::Serverless-2016-10-31"
SAM_FN = {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "python3.12", "Handler": "app.handler", "CodeUri": "s/"}}


def sam_statuses(tmp_path, resources: dict, rule: str) -> list[str]:
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Transform": SAM, "Resources": resources}), encoding="utf-8")
    return [status for status, _ in statuses(path, rule)]


@pytest.mark.parametrize(("definition", "expected"), [
    ({"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "s3://bucket/openapi.yaml"}}}, ["unknown"]),
    ("openapi.yaml", ["unknown"]),
    (None, ["fail"]),
    ({"openapi": "3.0.1", "info": {"title": "t", "version": "1"}, "paths": {}}, ["fail"]),  # in the template: read
])
def test_an_api_whose_definition_is_not_read_leaves_its_authorization_undecided(tmp_path, definition, expected):
    """Found by the precision review: an API whose routes and authorization are in an included OpenAPI file archcase
    could not read was failed as open (the file set AWS_IAM on its only route)."""
    api: dict = {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "prod"}}
    if isinstance(definition, dict):  # an include, or an inline body
        api["Properties"]["DefinitionBody"] = definition
    elif definition:
        api["Properties"]["DefinitionUri"] = definition
    function = {**SAM_FN, "Properties": {**SAM_FN["Properties"], "Events": {
        "Get": {"Type": "Api", "Properties": {"RestApiId": {"Ref": "Api"}, "Path": "/items", "Method": "get"}}}}}
    assert sam_statuses(tmp_path, {"Api": api, "Fn": function}, "AC201") == expected


@pytest.mark.parametrize(("value", "expected"), [
    ({"SecretString": {"Ref": "ClientSecret"}}, "unknown"),  # issued by someone else: rotating is theirs
    ({"GenerateSecretString": {}}, "fail"),
])
def test_a_secret_someone_else_issued_leaves_its_rotation_undecided(tmp_path, value, expected):
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Parameters": {"ClientSecret": {"Type": "String", "NoEcho": True, "Default": "x"}},
                                "Resources": {"Key": {"Type": "AWS::SecretsManager::Secret", "Properties": value}}}), encoding="utf-8")
    assert [status for status, _ in statuses(path, "AC511")] == [expected]


@pytest.mark.parametrize(("key", "websocket", "expected"), [
    ("connectionId", True, "unknown"), ("orderId", True, "fail"), ("connectionId", False, "fail"),
])
def test_a_table_of_websocket_connections_leaves_its_recovery_undecided(tmp_path, key, websocket, expected):
    """Found by three precision reviews: a table of live WebSocket connection ids was asked for point-in-time recovery."""
    table = {"Type": "AWS::Serverless::SimpleTable", "Properties": {"PrimaryKey": {"Name": key, "Type": "String"}}}
    resources: dict = {"Connections": table}
    if websocket:
        resources["Socket"] = {"Type": "AWS::ApiGatewayV2::Api", "Properties": {
            "Name": "s", "ProtocolType": "WEBSOCKET", "RouteSelectionExpression": "$request.body.action"}}
    assert sam_statuses(tmp_path, resources, "AC405") == [expected]
