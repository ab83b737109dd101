"""API Gateway HTTP APIs as emitted: a template cfn-lint reports nothing on, a route per route of the API's
`invokes` flows, the authorizer its `authorizes` flow names, the functions' permissions, and the `$default` stage
with throttling and access logs; and WebSocket APIs, a route per function."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from archcase.importer import import_template
from archcase.models import Architecture
from archcase.render.cloudformation import lint
from archcase.render.cloudformation.emit import template, template_text
from archcase.render.cloudformation.template import EmitError

from ...importer.test_round_trip import differences
from .conftest import resources_of, write_handlers

HANDLER = "billing.app.handler"


def case(api: dict[str, Any] | None = None, flows: list[dict[str, Any]] | None = None) -> Architecture:
    """An HTTP API `api` beside two functions and a user pool; `flows` joins them."""
    return Architecture.model_validate({"name": "todos", "title": "Todos", "services": [
        {"id": "api", "kind": "http-api", **(api or {})},
        {"id": "todos", "kind": "lambda", "handler": HANDLER},
        {"id": "check", "kind": "lambda", "handler": HANDLER},
        {"id": "users", "kind": "cognito-user-pool"},
    ], "flows": flows or [{"from": "api", "to": "todos", "kind": "invokes", "routes": ["GET /todos", "POST /todos", "GET /health"]}]})


ROUTES = [{"from": "api", "to": "todos", "kind": "invokes", "routes": ["GET /todos", "POST /todos", "GET /health"]}]


@pytest.fixture(scope="module")
def handlers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_handlers(tmp_path_factory.mktemp("handlers"), [case()])


def routes(document: dict) -> dict[str, dict]:
    return {r["Properties"]["RouteKey"]: r["Properties"] for r in resources_of(document, "AWS::ApiGatewayV2::Route").values()}


@pytest.mark.parametrize("authorizer", ["users", "check", None])
def test_an_http_api_is_clean_for_cfn_lint(handlers, authorizer):
    flows = [*ROUTES, *([{"from": "api", "to": authorizer, "kind": "authorizes"}] if authorizer else [])]
    assert [str(p) for p in lint.problems(template_text(case({"public_routes": ["GET /health"]}, flows), handlers))] == []


def test_each_route_goes_to_its_functions_integration(handlers):
    document = template(case(flows=ROUTES), handlers)
    (integration,) = resources_of(document, "AWS::ApiGatewayV2::Integration").values()
    assert integration["Properties"]["IntegrationUri"] == {"Fn::GetAtt": ["Todos", "Arn"]}
    assert integration["Properties"]["IntegrationType"] == "AWS_PROXY"
    assert sorted(routes(document)) == ["GET /health", "GET /todos", "POST /todos"]
    assert {r["Target"]["Fn::Sub"] for r in routes(document).values()} == {"integrations/${ApiTodosIntegration}"}


def test_a_user_pool_authorizes_every_route_but_the_public_ones_with_a_jwt(handlers):
    flows = [*ROUTES, {"from": "api", "to": "users", "kind": "authorizes"}]
    document = template(case({"public_routes": ["GET /health"]}, flows), handlers)
    (authorizer,) = resources_of(document, "AWS::ApiGatewayV2::Authorizer").values()
    assert authorizer["Properties"]["AuthorizerType"] == "JWT"
    assert authorizer["Properties"]["JwtConfiguration"] == {
        "Issuer": {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${Users}"}, "Audience": [{"Ref": "UsersClient"}]}
    kinds = {key: (r["AuthorizationType"], r.get("AuthorizerId")) for key, r in routes(document).items()}
    assert kinds == {"GET /health": ("NONE", None), "GET /todos": ("JWT", {"Ref": "ApiAuthorizer"}),
                     "POST /todos": ("JWT", {"Ref": "ApiAuthorizer"})}


def test_an_authorizer_function_may_be_invoked_by_the_api_for_its_authorizers_only(handlers):
    document = template(case(flows=[*ROUTES, {"from": "api", "to": "check", "kind": "authorizes"}]), handlers)
    (authorizer,) = resources_of(document, "AWS::ApiGatewayV2::Authorizer").values()
    assert authorizer["Properties"]["AuthorizerType"] == "REQUEST"
    assert "${Check.Arn}" in authorizer["Properties"]["AuthorizerUri"]["Fn::Sub"]
    permission = document["Resources"]["CheckApiAuthorizerPermission"]["Properties"]
    assert permission["FunctionName"] == {"Fn::GetAtt": ["Check", "Arn"]}
    assert permission["SourceArn"]["Fn::Sub"].endswith(":${Api}/authorizers/*")
    assert {r["AuthorizationType"] for r in routes(document).values()} == {"CUSTOM"}


def test_the_invoked_function_may_be_invoked_on_its_routes_only(handlers):
    document = template(case(flows=ROUTES), handlers)
    arns = sorted(r["Properties"]["SourceArn"]["Fn::Sub"] for lid, r in resources_of(document, "AWS::Lambda::Permission").items()
                  if lid.startswith("TodosApiPermission"))
    assert [arn.split("${Api}/", 1)[1] for arn in arns] == ["*/GET/health", "*/GET/todos", "*/POST/todos"]


def test_without_an_authorizer_routes_are_open_or_signed_with_iam(handlers):
    assert {r["AuthorizationType"] for r in routes(template(case(flows=ROUTES), handlers)).values()} == {"NONE"}
    signed = routes(template(case({"iam_authorization": True, "public_routes": ["GET /health"]}, ROUTES), handlers))
    assert {key: r["AuthorizationType"] for key, r in signed.items()} == {"GET /health": "NONE", "GET /todos": "AWS_IAM",
                                                                          "POST /todos": "AWS_IAM"}


def test_the_default_stage_throttles_and_logs_as_the_case_says(handlers):
    stage = template(case({"throttle_rate_per_s": 50.5, "throttle_burst": 100}), handlers)["Resources"]["ApiStage"]["Properties"]
    assert stage["StageName"] == "$default" and stage["AutoDeploy"] is True
    assert stage["DefaultRouteSettings"] == {"DetailedMetricsEnabled": True, "ThrottlingRateLimit": 50.5, "ThrottlingBurstLimit": 100}
    assert stage["AccessLogSettings"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]}
    quiet = template(case({"throttle_rate_per_s": None, "throttle_burst": None, "access_logging": False}), handlers)
    assert quiet["Resources"]["ApiStage"]["Properties"]["DefaultRouteSettings"] == {"DetailedMetricsEnabled": True}
    assert "AccessLogSettings" not in quiet["Resources"]["ApiStage"]["Properties"]
    assert "ApiAccessLogs" not in quiet["Resources"]


SOCKETS = [{"from": "api", "to": "todos", "kind": "invokes"}, {"from": "api", "to": "check", "kind": "invokes"}]


def test_a_websocket_api_routes_each_function_by_its_id_and_is_imported_as_it_was(handlers, tmp_path):
    socket = case({"protocol": "WEBSOCKET", "throttle_rate_per_s": 20, "throttle_burst": 40}, SOCKETS)
    text = template_text(socket, handlers)
    assert [str(p) for p in lint.problems(text)] == []
    document = template(socket, handlers)
    assert document["Resources"]["Api"]["Properties"]["ProtocolType"] == "WEBSOCKET"
    assert sorted(routes(document)) == ["check", "todos"]
    assert document["Resources"]["ApiStage"]["Properties"]["StageName"] == "live"
    path = tmp_path / "chat.yaml"
    path.write_text(text, encoding="utf-8")
    assert differences(socket, import_template(path).architecture) == []


@pytest.mark.parametrize(("api", "flows", "reason"), [
    ({"protocol": "WEBSOCKET"}, ROUTES, "a WebSocket API's routes are route keys, not `METHOD /path`"),
    ({"protocol": "WEBSOCKET"}, [*SOCKETS, {"from": "api", "to": "users", "kind": "authorizes"}],
     "a WebSocket API takes no JWT authorizer"),
])
def test_a_websocket_api_archcase_cannot_write_is_refused_with_the_reason(handlers, api, flows, reason):
    with pytest.raises(EmitError, match=re.escape(reason)):
        template(case(api, flows), handlers)


@pytest.mark.parametrize(("api", "authorizer", "expected"), [
    ({"iam_authorization": True}, False, {"AuthorizationType": "AWS_IAM"}),
    ({}, True, {"AuthorizationType": "CUSTOM", "AuthorizerId": {"Ref": "ApiAuthorizer"}}),
])
def test_a_websocket_api_authorizes_connections_on_connect_and_is_imported_as_it_was(handlers, tmp_path, api, authorizer, expected):
    """Found by the recall review: a WebSocket API's `$connect` is where it lets anyone in, or not."""
    flows = [SOCKETS[0], *([{"from": "api", "to": "check", "kind": "authorizes"}] if authorizer else [])]
    socket = case({"protocol": "WEBSOCKET", **api}, flows)
    text = template_text(socket, handlers)
    assert [str(p) for p in lint.problems(text)] == []
    document = template(socket, handlers)
    connect = routes(document)["$connect"]
    assert {key: connect.get(key) for key in expected} == expected
    (mock,) = [r["Properties"] for r in resources_of(document, "AWS::ApiGatewayV2::Integration").values()
               if r["Properties"]["IntegrationType"] == "MOCK"]
    assert connect["Target"] == {"Fn::Sub": "integrations/${ApiConnectIntegration}"} and mock["ApiId"] == {"Ref": "Api"}
    if authorizer:
        (found,) = resources_of(document, "AWS::ApiGatewayV2::Authorizer").values()
        assert (found["Properties"]["AuthorizerType"], found["Properties"]["IdentitySource"]) == (
            "REQUEST", ["route.request.querystring.token"])
        assert "CheckApiAuthorizerPermission" in document["Resources"]
    path = tmp_path / "chat.yaml"
    path.write_text(text, encoding="utf-8")
    assert differences(socket, import_template(path).architecture) == []


def test_a_route_served_twice_or_a_second_authorizer_is_refused_by_the_model():
    with pytest.raises(ValueError, match="'api' already serves 'GET /todos' with 'todos'"):
        case(flows=[*ROUTES, {"from": "api", "to": "check", "kind": "invokes", "routes": ["GET /todos"]}])
    with pytest.raises(ValueError, match="'api' already authorizes with 'users'"):
        case(flows=[*ROUTES, {"from": "api", "to": "users", "kind": "authorizes"}, {"from": "api", "to": "check", "kind": "authorizes"}])
