"""API Gateway HTTP APIs: the API, a Lambda proxy integration per function it invokes, a route per route of its
`invokes` flows, its authorizer (JWT for a Cognito user pool, a Lambda authorizer for a function), and the
`$default` stage with throttling and access logs."""

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
    if api.protocol != "HTTP":
        raise ctx.fail(api, "archcase emits HTTP APIs; a WebSocket API is read from templates and checked, not emitted")
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
    stage: Json = {"ApiId": ref(api_id), "StageName": "$default", "AutoDeploy": True}
    limits: Json = {"DetailedMetricsEnabled": True}
    if api.throttle_rate_per_s is not None:
        limits["ThrottlingRateLimit"] = api.throttle_rate_per_s
    if api.throttle_burst is not None:
        limits["ThrottlingBurstLimit"] = api.throttle_burst
    stage["DefaultRouteSettings"] = limits
    if api.access_logging:
        logs = out.resource(lid(api, "AccessLogs"), "AWS::Logs::LogGroup", {"RetentionInDays": 90},
                            DeletionPolicy="Delete", UpdateReplacePolicy="Delete")
        stage["AccessLogSettings"] = {"DestinationArn": get_att(logs, "Arn"), "Format": ACCESS_LOG_FORMAT}
    out.resource(lid(api, "Stage"), "AWS::ApiGatewayV2::Stage", stage)
    out.output(lid(api, "Url"), get_att(api_id, "ApiEndpoint"), f"Endpoint of the {api.id} HTTP API")
    return out
