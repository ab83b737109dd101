"""An API whose methods require IAM-signed requests, or name an authorizer outside the template, requires
authorization (AC201), though no `authorizes` flow can be drawn; one method left open makes the API open."""

from __future__ import annotations

import json

import pytest

from archcase.checks.engine import check
from archcase.importer import import_template

FN = {"Type": "AWS::Lambda::Function", "Properties": {
    "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r", "Code": {"ZipFile": "x"}}}
URI = {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}


def method(verb: str, authorization: str, authorizer: str | None = None) -> dict:
    properties = {"RestApiId": {"Ref": "Api"}, "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "HttpMethod": verb,
                  "AuthorizationType": authorization, "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": URI}}
    if authorizer:
        properties["AuthorizerId"] = {"Ref": authorizer}
    return {"Type": "AWS::ApiGateway::Method", "Properties": properties}


def imported(tmp_path, body: dict):
    path = tmp_path / "template.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    case = import_template(path).architecture
    return case.service("api").authorization, [f.message for f in check(case).findings if f.rule_id == "AC201"]


API = {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "a"}}
OPEN = ["API 'api' lets callers in without authorization"]


def test_methods_that_require_iam_signatures_authorize_the_api(tmp_path):
    body = {"Resources": {"Api": API, "Fn": FN, "Get": method("GET", "AWS_IAM"), "Cors": method("OPTIONS", "NONE")}}
    assert imported(tmp_path, body) == ("iam", [])


def test_one_open_method_leaves_the_api_open(tmp_path):
    body = {"Resources": {"Api": API, "Fn": FN, "Get": method("GET", "AWS_IAM"), "Post": method("POST", "NONE")}}
    assert imported(tmp_path, body) == ("authorizers", OPEN)


def test_an_authorizer_whose_user_pool_is_outside_the_template_authorizes_the_api(tmp_path):
    authorizer = {"Type": "AWS::ApiGateway::Authorizer", "Properties": {
        "RestApiId": {"Ref": "Api"}, "Name": "users", "Type": "COGNITO_USER_POOLS", "IdentitySource": "method.request.header.Authorization",
        "ProviderARNs": [{"Ref": "UserPoolArn"}]}}
    body = {"Parameters": {"UserPoolArn": {"Type": "String"}},
            "Resources": {"Api": API, "Fn": FN, "Users": authorizer, "Get": method("GET", "COGNITO_USER_POOLS", "Users")}}
    assert imported(tmp_path, body) == ("outside", [])


@pytest.mark.parametrize(("auth", "expected"), [({"DefaultAuthorizer": "AWS_IAM"}, ("iam", [])), ({}, ("authorizers", OPEN))])
def test_a_sam_api_takes_its_default_authorizer(tmp_path, auth, expected):
    sam_api = {"Type": "AWS::Serverless::Api", "Properties": {"StageName": "prod", **({"Auth": auth} if auth else {})}}
    function = {"Type": "AWS::Serverless::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "app.handler", "CodeUri": "src/",
        "Events": {"Get": {"Type": "Api", "Properties": {"RestApiId": {"Ref": "Api"}, "Path": "/items", "Method": "get"}}}}}
    body = {"Transform": "AWS::Serverless-2016-10-31", "Resources": {"Api": sam_api, "Fn": function}}
    assert imported(tmp_path, body) == expected
