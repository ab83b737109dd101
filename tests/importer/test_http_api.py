"""API Gateway v2 APIs imported: routes, integrations and authorizers as flows, settings as AWS deploys them, SAM's
HTTP APIs and their events, and the round trip of an emitted HTTP API."""

from __future__ import annotations

from typing import Any

import pytest

from archcase.importer import import_template
from archcase.models import Architecture
from archcase.models.http_api import HttpApi
from archcase.render.cloudformation.emit import template_text

from ..render.cloudformation.conftest import write_handlers
from .templates import imported
from .test_round_trip import differences

SAM = "AWS::Serverless-2016-10-31"
FN = {"Type": "AWS::Lambda::Function", "Properties": {
    "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r",
    "Code": {"ZipFile": "def handler(event, context): pass"}}}
SAM_FN = {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "python3.12", "Handler": "app.handler", "CodeUri": "src/"}}
API = {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "todos", "ProtocolType": "HTTP"}}
POOL = {"Type": "AWS::Cognito::UserPool", "Properties": {}}


def part(kind: str, **properties: Any) -> dict[str, Any]:
    return {"Type": f"AWS::ApiGatewayV2::{kind}", "Properties": {"ApiId": {"Ref": "Api"}, **properties}}


INTEGRATION = part("Integration", IntegrationType="AWS_PROXY", IntegrationUri={"Fn::GetAtt": ["Fn", "Arn"]}, PayloadFormatVersion="2.0")
JWT = part("Authorizer", AuthorizerType="JWT", Name="jwt", IdentitySource=["$request.header.Authorization"],
           JwtConfiguration={"Issuer": {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}"}, "Audience": ["x"]})


def route(key: str, **properties: Any) -> dict[str, Any]:
    return part("Route", RouteKey=key, Target={"Fn::Join": ["/", ["integrations", {"Ref": "Integration"}]]}, **properties)



def the_api(case: Architecture, service_id: str = "api") -> HttpApi:
    service = case.service(service_id)
    assert isinstance(service, HttpApi)
    return service


def flows(case: Architecture) -> list[tuple[str, str, str, list[str]]]:
    return sorted((f.source, f.kind, f.target, getattr(f, "routes", [])) for f in case.flows)


def test_routes_integrations_and_a_jwt_authorizer_are_read_as_flows(tmp_path):
    case = imported(tmp_path, {"Api": API, "Fn": FN, "Pool": POOL, "Integration": INTEGRATION, "Jwt": JWT,
                               "Todos": route("GET /todos", AuthorizationType="JWT", AuthorizerId={"Ref": "Jwt"}),
                               "Health": route("GET /health")})
    assert flows(case) == [("api", "authorizes", "pool", []), ("api", "invokes", "fn", ["GET /health", "GET /todos"])]
    assert the_api(case).public_routes == ["GET /health"]
    assert {s.kind for s in case.services} == {"http-api", "lambda", "cognito-user-pool"}  # the parts belong to the API


def test_an_api_that_says_nothing_is_read_as_aws_deploys_it(tmp_path):
    api = the_api(imported(tmp_path, {"Api": API, "Fn": FN, "Integration": INTEGRATION, "Todos": route("GET /todos")}))
    assert (api.access_logging, api.throttle_rate_per_s, api.throttle_burst, api.iam_authorization, api.public_routes) == \
        (False, None, None, False, [])


def test_the_default_stage_gives_logging_and_throttling(tmp_path):
    stage = part("Stage", StageName="$default", AutoDeploy=True,
                 AccessLogSettings={"DestinationArn": {"Fn::GetAtt": ["Logs", "Arn"]}, "Format": "$context.requestId"},
                 DefaultRouteSettings={"ThrottlingRateLimit": 20.5, "ThrottlingBurstLimit": 40})
    api = the_api(imported(tmp_path, {"Api": API, "Stage": stage, "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {}}}))
    assert (api.access_logging, api.throttle_rate_per_s, api.throttle_burst) == (True, 20.5, 40)


def test_iam_routes_and_a_lambda_authorizer(tmp_path):
    uri = "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Check.Arn}/invocations"
    authorizer = part("Authorizer", AuthorizerType="REQUEST", Name="fn", AuthorizerPayloadFormatVersion="2.0",
                      AuthorizerUri={"Fn::Sub": uri})
    case = imported(tmp_path, {"Api": API, "Fn": FN, "Check": FN, "Integration": INTEGRATION, "Auth": authorizer,
                               "Todos": route("GET /todos", AuthorizationType="AWS_IAM")})
    assert ("api", "authorizes", "check", []) in flows(case)
    assert the_api(case).iam_authorization is True


def test_a_websocket_api_keeps_its_protocol_and_integrations_without_routes(tmp_path):
    socket = {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "chat", "ProtocolType": "WEBSOCKET",
                                                               "RouteSelectionExpression": "$request.body.action"}}
    case = imported(tmp_path, {"Api": socket, "Fn": FN, "Integration": INTEGRATION, "Connect": route("$connect")})
    assert the_api(case).protocol == "WEBSOCKET"
    assert flows(case) == [("api", "invokes", "fn", [])]


def test_sam_http_api_events_authorizers_and_public_routes(tmp_path):
    api = {"Type": "AWS::Serverless::HttpApi", "Properties": {
        "AccessLogSettings": {"DestinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:a", "Format": "x"},
        "Auth": {"DefaultAuthorizer": "Users", "Authorizers": {"Users": {
            "IdentitySource": "$request.header.Authorization",
            "JwtConfiguration": {"issuer": {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}"}, "audience": ["x"]}}}}}}
    events = {"List": {"Type": "HttpApi", "Properties": {"ApiId": {"Ref": "Api"}, "Method": "get", "Path": "/todos"}},
              "Health": {"Type": "HttpApi", "Properties": {"ApiId": {"Ref": "Api"}, "Method": "GET", "Path": "/health",
                                                           "Auth": {"Authorizer": "NONE"}}}}
    fn = {**SAM_FN, "Properties": {**SAM_FN["Properties"], "Events": events}}
    case = imported(tmp_path, {"Api": api, "Fn": fn, "Pool": POOL}, Transform=SAM)
    assert flows(case) == [("api", "authorizes", "pool", []), ("api", "invokes", "fn", ["GET /health", "GET /todos"])]
    found = the_api(case)
    assert (found.access_logging, found.public_routes, found.throttle_rate_per_s) == (True, ["GET /health"], None)


def test_the_implicit_serverless_http_api_serves_events_that_name_no_api(tmp_path):
    events = {"Get": {"Type": "HttpApi", "Properties": {"Path": "/x", "Method": "GET"}}}
    fn = {**SAM_FN, "Properties": {**SAM_FN["Properties"], "Events": events}}
    case = imported(tmp_path, {"Fn": fn}, Transform=SAM)
    assert flows(case) == [("serverless-http-api", "invokes", "fn", ["GET /x"])]
    assert the_api(case, "serverless-http-api").access_logging is False


@pytest.mark.parametrize("api", [{}, {"public_routes": ["GET /health"], "throttle_rate_per_s": 12.5, "throttle_burst": 30},
                                 {"access_logging": False, "iam_authorization": True, "throttle_rate_per_s": None,
                                  "throttle_burst": None}])
@pytest.mark.parametrize("authorizer", ["users", "check", None])
def test_an_emitted_http_api_imports_as_its_case(tmp_path, api, authorizer):
    case = Architecture.model_validate({"name": "todos", "title": "Todos", "services": [
        {"id": "todo-api", "kind": "http-api", **api},
        {"id": "todos", "kind": "lambda", "handler": "billing.app.handler"},
        {"id": "check", "kind": "lambda", "handler": "billing.app.handler"},
        {"id": "users", "kind": "cognito-user-pool"},
        {"id": "app", "kind": "mobile-app"},
    ], "flows": [
        {"from": "app", "to": "todo-api", "kind": "calls"},
        {"from": "todo-api", "to": "todos", "kind": "invokes", "routes": ["GET /todos", "GET /health", "DELETE /todos/{id}"]},
        *([{"from": "todo-api", "to": authorizer, "kind": "authorizes"}] if authorizer else []),
    ]})
    path = tmp_path / "todos.yaml"
    path.write_text(template_text(case, write_handlers(tmp_path / "handlers", [case])), encoding="utf-8")
    assert differences(case, import_template(path).architecture) == []
