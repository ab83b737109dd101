"""API Gateway REST APIs defined from an OpenAPI document (with the API Gateway integration extensions), with
a stage per model stage: caching where the model asks, throttling, tracing and access logs."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ...models.compute import LambdaFunction
from ...models.edge import ApiGateway
from ...models.flows import Authorizes, Invokes
from ...models.identity import CognitoUserPool
from ...models.text import cfn_text
from .context import Context, Fragment, att_of, lid
from .marks import emits
from .template import Json, get_att, ref, sub

ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp", "caller": "$context.identity.caller",
    "user": "$context.authorizer.claims.sub", "requestTime": "$context.requestTime", "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath", "status": "$context.status", "protocol": "$context.protocol",
    "responseLength": "$context.responseLength", "integrationError": "$context.integration.error",
}, sort_keys=True)


def openapi(ctx: Context, api: ApiGateway) -> Json:
    """The OpenAPI 3 document of a REST API: one operation per route of its `invokes` flows, Lambda proxy
    integrations, and the Cognito authorizer of its `authorizes` flow. Values that depend on the stack are
    intrinsic functions (`Fn::Sub`), resolved by CloudFormation.

    Where a stage caches a method of an API with an authorizer, the caller's `Authorization` header is part of
    the cache key, so that one user's cached response is never served to another."""
    pools = [f.target for f in ctx.graph.outgoing(api.id, Authorizes, to=CognitoUserPool)]
    cached = {m for stage in api.stages if stage.cache for m in stage.cache.methods}
    paths: dict[str, dict[str, Any]] = {}
    for flow in ctx.graph.outgoing(api.id, Invokes, to=LambdaFunction):
        function = lid(flow.target)
        for route in flow.routes:
            method, path = route.split(" ", 1)
            operation: Json = {
                "operationId": _operation_id(method, path),
                "summary": cfn_text(f"{route} ({flow.target})"),
                "responses": {"200": {"description": "Success"}, "400": {"description": "Invalid request"},
                              "401": {"description": "Not signed in"}, "404": {"description": "Not found"}},
                "x-amazon-apigateway-integration": {
                    "type": "aws_proxy", "httpMethod": "POST", "passthroughBehavior": "when_no_match",
                    "uri": sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                               f"${{{function}.Arn}}/invocations"),
                },
            }
            parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                          for name in re.findall(r"{([^}]+)}", path)]
            if pools and method in cached:
                parameters.append({"name": "Authorization", "in": "header", "required": True, "schema": {"type": "string"}})
                integration = operation["x-amazon-apigateway-integration"]
                integration["requestParameters"] = {"integration.request.header.Authorization": "method.request.header.Authorization"}
                integration["cacheKeyParameters"] = ["method.request.header.Authorization"]
            if parameters:
                operation["parameters"] = parameters
            if pools:
                operation["security"] = [{lid(pool): []} for pool in pools]
            elif api.authorization == "iam":
                operation["security"] = [{SIGV4: []}]
            paths.setdefault(path, {})["x-amazon-apigateway-any-method" if method == "ANY" else method.lower()] = operation
    document: Json = {
        "openapi": "3.0.1",
        "info": {"title": cfn_text(api.label or api.id), "version": "1.0", "description": f"REST API {api.id} of {ctx.architecture.name}"},
        "paths": {path: paths[path] for path in sorted(paths)},
    }
    if api.authorization == "iam" and not pools:
        document["components"] = {"securitySchemes": {SIGV4: {
            "type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}}}
    if pools:
        document["components"] = {"securitySchemes": {lid(pool): {
            "type": "apiKey", "name": "Authorization", "in": "header",
            "x-amazon-apigateway-authtype": "cognito_user_pools",
            "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools", "providerARNs": [att_of(pool, "Arn")]},
        } for pool in pools}}
    return document


SIGV4 = "sigv4"
"""The security scheme of an API whose callers sign requests with IAM credentials (`authorization: iam`)."""


def _operation_id(method: str, path: str) -> str:
    words = [w.strip("{}") for w in path.split("/") if w]
    return method.lower() + "".join(("By" if w != words[0] and f"{{{w}}}" in path else "") + w[:1].upper() + w[1:]
                                    for w in words) or method.lower()


def as_text(document: Any) -> Any:
    """The document with intrinsic functions written as the `${...}` placeholders they resolve, for the
    openapi.yaml beside the template (SDK generators and other environments)."""
    if isinstance(document, dict):
        if set(document) == {"Fn::Sub"} and isinstance(document["Fn::Sub"], str):
            return document["Fn::Sub"]
        if set(document) == {"Fn::GetAtt"}:
            return "${" + ".".join(document["Fn::GetAtt"]) + "}"
        if set(document) == {"Ref"}:
            return "${" + document["Ref"] + "}"
        return {key: as_text(value) for key, value in document.items()}
    if isinstance(document, list):
        return [as_text(item) for item in document]
    return document


@emits(ApiGateway)
def emit_api_gateway(api: ApiGateway, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    api_id = lid(api)
    if api.authorization == "outside":
        raise ctx.fail(api, "`authorization: outside` names authorizers archcase cannot emit: add the user pool or function "
                       "to the case with an `authorizes` flow, or use `authorization: iam`")
    if api.authorization == "iam" and ctx.graph.outgoing(api.id, Authorizes):
        raise ctx.fail(api, "an API authorizes callers either with IAM (`authorization: iam`) or with its `authorizes` flows, "
                       "not both: remove one")
    body = openapi(ctx, api)
    if not body["paths"]:
        raise ctx.fail(api, "a REST API needs `invokes` flows with routes (e.g. routes: [\"GET /items\"]) to a function")
    out.resource(api_id, "AWS::ApiGateway::RestApi", {
        "Name": sub(f"${{AWS::StackName}}-{api.id}"),
        "Description": cfn_text(api.label or api.id),
        "EndpointConfiguration": {"Types": [api.endpoint_type.upper()]},
        "Body": body,
        "FailOnWarnings": True,
    })
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:8]
    deployment = out.resource(f"{api_id}Deployment{digest}", "AWS::ApiGateway::Deployment",
                              {"RestApiId": ref(api_id), "Description": f"{api.id} {digest}"})
    depends = [_account(out)] if api.access_logging else []
    for index, stage in enumerate(api.stages):
        suffix = "Stage" if index == 0 else f"{stage.name[:1].upper()}{stage.name[1:]}Stage"
        name = out.parameter(lid(api, f"{suffix}Name"), {
            "Type": "String", "Default": stage.name, "AllowedPattern": "^[A-Za-z0-9_]{1,128}$",
            "Description": f"Stage name of the {api.id} API in this environment."})
        settings: list[Json] = [{"ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": True,
                                 "LoggingLevel": "INFO" if api.access_logging else "OFF",
                                 "DataTraceEnabled": False, "ThrottlingRateLimit": stage.throttle_rate_per_s,
                                 "ThrottlingBurstLimit": stage.throttle_burst, "CachingEnabled": False}]
        properties: Json = {"RestApiId": ref(api_id), "StageName": name, "DeploymentId": ref(deployment),
                            "TracingEnabled": api.tracing}
        if stage.cache:
            properties.update(CacheClusterEnabled=True, CacheClusterSize=str(stage.cache.size_gb))
            settings += [{"ResourcePath": "/*", "HttpMethod": method, "CachingEnabled": True,
                          "CacheTtlInSeconds": stage.cache.ttl_s, "CacheDataEncrypted": stage.cache.encrypted}
                         for method in stage.cache.methods]
        properties["MethodSettings"] = settings
        if api.access_logging:
            logs = out.resource(lid(api, f"{suffix}AccessLogs"), "AWS::Logs::LogGroup", {"RetentionInDays": 90},
                                DeletionPolicy="Delete", UpdateReplacePolicy="Delete")
            properties["AccessLogSetting"] = {"DestinationArn": get_att(logs, "Arn"), "Format": ACCESS_LOG_FORMAT}
        attributes: Json = {"DependsOn": depends} if depends else {}
        out.resource(lid(api, suffix), "AWS::ApiGateway::Stage", properties, **attributes)
        out.output(lid(api, f"{suffix}Url"),
                   sub(f"https://${{{api_id}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}/${{{lid(api, suffix + 'Name')}}}"),
                   f"Endpoint of the {api.id} API ({stage.name} stage)")
    return out


def _account(out: Fragment) -> str:
    """API Gateway's account setting: the role it writes execution logs with (one per account and Region, so
    shared by every API that logs)."""
    out.resource("ApiGatewayLoggingRole", "AWS::IAM::Role", {
        "Description": "Lets API Gateway write execution and access logs to CloudWatch Logs.",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": [sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs")],
    }, shared=True)
    return out.resource("ApiGatewayAccount", "AWS::ApiGateway::Account",
                        {"CloudWatchRoleArn": get_att("ApiGatewayLoggingRole", "Arn")}, shared=True)
