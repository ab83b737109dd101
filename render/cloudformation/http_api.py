"""API Gateway HTTP APIs: the API, a Lambda proxy integration per function it invokes, a route per route of its
`invokes` flows, its authorizer (JWT for a Cognito user pool, a Lambda authorizer for a function), and the
`$default` stage with throttling and access logs. WebSocket APIs: the API, a Lambda proxy integration and a route
per function it invokes (the route key is the function's id: clients send `{"action": "<id>", ...}`), and a `live`
stage with throttling and access logs; a Lambda authorizer or IAM authorization on a `$connect` route."""

from __future__ import annotations

import hashlib
import json

from ...models.compute import LambdaFunction
from ...models.flows import Authorizes, Invokes
from ...models.http_api import HttpApi
from ...models.identity import CognitoUserPool
from ...models.text import cfn_text
from .context import Context, Fragment, lid, pascal, ref_of
from .marks import emits
from .template import Json, get_att, ref, sub

ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey", "status": "$context.status", "protocol": "$context.protocol",
    "responseLength": "$context.responseLength", "integrationError": "$context.integrationErrorMessage",
    "authorizerError": "$context.authorizer.error",
}, sort_keys=True)
IDENTITY = ["$request.header.Authorization"]
WEBSOCKET_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "requestTime": "$context.requestTime",
    "routeKey": "$context.routeKey", "status": "$context.status", "connectionId": "$context.connectionId",
    "eventType": "$context.eventType", "integrationError": "$context.integrationErrorMessage",
}, sort_keys=True)
WEBSOCKET_STAGE = "live"


def route_id(api: HttpApi, route: str) -> str:
    """Logical id of a route: stable, and distinct for routes that differ only in characters ids cannot hold."""
    return lid(api, "Route" + hashlib.sha256(route.encode()).hexdigest()[:10])


def _authorizer(out: Fragment, api: HttpApi) -> tuple[str, str] | None:
    """The API's authorizer resource and the authorization type its routes name, if it has one."""
    flows = out.ctx.graph.outgoing(api.id, Authorizes)
    if not flows:
        return None
    target = out.ctx.service(flows[0].target)
    properties: Json = {"ApiId": ref_of(api), "Name": f"{api.id}-authorizer", "IdentitySource": IDENTITY}
    if isinstance(target, CognitoUserPool):
        properties.update(AuthorizerType="JWT", JwtConfiguration={
            "Issuer": sub(f"https://cognito-idp.${{AWS::Region}}.amazonaws.com/${{{lid(target)}}}"),
            "Audience": [ref_of(target, "Client")]})
        kind = "JWT"
    else:
        properties.update(AuthorizerType="REQUEST", AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=True,
                          AuthorizerUri=sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                                            f"${{{lid(target)}.Arn}}/invocations"))
        kind = "CUSTOM"
    return out.resource(lid(api, "Authorizer"), "AWS::ApiGatewayV2::Authorizer", properties), kind


@emits(HttpApi)
def emit_http_api(api: HttpApi, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    if api.protocol == "WEBSOCKET":
        return _websocket(out, api)
    api_id = lid(api)
    out.resource(api_id, "AWS::ApiGatewayV2::Api", {
        "Name": sub(f"${{AWS::StackName}}-{api.id}"), "ProtocolType": "HTTP", "Description": cfn_text(api.label or api.id)})
    authorizer = _authorizer(out, api)
    public = set(api.public_routes)
    for flow in ctx.graph.outgoing(api.id, Invokes, to=LambdaFunction):
        integration = out.resource(lid(api, f"{pascal(flow.target)}Integration"), "AWS::ApiGatewayV2::Integration", {
            "ApiId": ref(api_id), "IntegrationType": "AWS_PROXY", "IntegrationUri": get_att(lid(flow.target), "Arn"),
            "PayloadFormatVersion": "2.0"})
        for route in flow.routes:
            properties: Json = {"ApiId": ref(api_id), "RouteKey": route, "Target": sub(f"integrations/${{{integration}}}")}
            if route in public:
                properties["AuthorizationType"] = "NONE"
            elif authorizer:
                properties.update(AuthorizationType=authorizer[1], AuthorizerId=ref(authorizer[0]))
            else:
                properties["AuthorizationType"] = "AWS_IAM" if api.iam_authorization else "NONE"
            out.resource(route_id(api, route), "AWS::ApiGatewayV2::Route", properties)
    _stage(out, api, "$default", ACCESS_LOG_FORMAT)
    out.output(lid(api, "Url"), get_att(api_id, "ApiEndpoint"), f"Endpoint of the {api.id} HTTP API")
    return out


def _stage(out: Fragment, api: HttpApi, name: str, log_format: str) -> None:
    """The API's one stage, deployed on every change, with its throttling and access logs."""
    stage: Json = {"ApiId": ref(lid(api)), "StageName": name, "AutoDeploy": True}
    limits: Json = {"DetailedMetricsEnabled": True}
    if api.throttle_rate_per_s is not None:
        limits["ThrottlingRateLimit"] = api.throttle_rate_per_s
    if api.throttle_burst is not None:
        limits["ThrottlingBurstLimit"] = api.throttle_burst
    stage["DefaultRouteSettings"] = limits
    if api.access_logging:
        logs = out.resource(lid(api, "AccessLogs"), "AWS::Logs::LogGroup", {"RetentionInDays": 90},
                            DeletionPolicy="Delete", UpdateReplacePolicy="Delete")
        stage["AccessLogSettings"] = {"DestinationArn": get_att(logs, "Arn"), "Format": log_format}
    out.resource(lid(api, "Stage"), "AWS::ApiGatewayV2::Stage", stage)


def _websocket(out: Fragment, api: HttpApi) -> Fragment:
    ctx = out.ctx
    authorizers = ctx.graph.outgoing(api.id, Authorizes)
    if authorizers and isinstance(ctx.service(authorizers[0].target), CognitoUserPool):
        raise ctx.fail(api, "a WebSocket API takes no JWT authorizer: authorize `$connect` with a Lambda authorizer (an "
                            "`authorizes` flow to a function that checks the user pool's tokens) or with IAM (`iam_authorization`)")
    flows = ctx.graph.outgoing(api.id, Invokes, to=LambdaFunction)
    if api.public_routes or any(flow.routes for flow in flows):
        raise ctx.fail(api, "a WebSocket API's routes are route keys, not `METHOD /path`: remove `routes` from its `invokes` "
                            "flows and `public_routes` (each function gets the route key of its id)")
    api_id = out.resource(lid(api), "AWS::ApiGatewayV2::Api", {
        "Name": sub(f"${{AWS::StackName}}-{api.id}"), "ProtocolType": "WEBSOCKET", "Description": cfn_text(api.label or api.id),
        "RouteSelectionExpression": "$request.body.action"})
    for flow in flows:
        integration = out.resource(lid(api, f"{pascal(flow.target)}Integration"), "AWS::ApiGatewayV2::Integration", {
            "ApiId": ref(api_id), "IntegrationType": "AWS_PROXY",
            "IntegrationUri": sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                                  f"${{{lid(flow.target)}.Arn}}/invocations")})
        out.resource(route_id(api, flow.target), "AWS::ApiGatewayV2::Route", {
            "ApiId": ref(api_id), "RouteKey": flow.target, "AuthorizationType": "NONE",
            "Target": sub(f"integrations/${{{integration}}}")})
    if authorizers or api.iam_authorization:
        _connect(out, api, authorizers[0].target if authorizers else None)
    _stage(out, api, WEBSOCKET_STAGE, WEBSOCKET_LOG_FORMAT)
    out.output(lid(api, "Url"), get_att(api_id, "ApiEndpoint"), f"Endpoint of the {api.id} WebSocket API (wss://)")
    return out


def _connect(out: Fragment, api: HttpApi, function: str | None) -> None:
    """The `$connect` route, where a WebSocket API authorizes a connection (every later message rides on it): a
    Lambda authorizer given the `token` query string (browsers set no headers on a WebSocket), else IAM; it accepts
    the connection with a mock integration."""
    accept = out.resource(lid(api, "ConnectIntegration"), "AWS::ApiGatewayV2::Integration", {
        "ApiId": ref_of(api), "IntegrationType": "MOCK", "TemplateSelectionExpression": "\\$default",
        "RequestTemplates": {"$default": '{"statusCode": 200}'}})
    route: Json = {"ApiId": ref_of(api), "RouteKey": "$connect", "Target": sub(f"integrations/${{{accept}}}")}
    if function is None:
        route["AuthorizationType"] = "AWS_IAM"
    else:
        authorizer = out.resource(lid(api, "Authorizer"), "AWS::ApiGatewayV2::Authorizer", {
            "ApiId": ref_of(api), "Name": f"{api.id}-authorizer", "AuthorizerType": "REQUEST",
            "IdentitySource": ["route.request.querystring.token"],
            "AuthorizerUri": sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                                 f"${{{lid(function)}.Arn}}/invocations")})
        route.update(AuthorizationType="CUSTOM", AuthorizerId=ref(authorizer))
    out.resource(route_id(api, "$connect"), "AWS::ApiGatewayV2::Route", route)
