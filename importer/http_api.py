"""API Gateway v2 APIs imported: an `AWS::ApiGatewayV2::Api` with the routes, integrations, authorizers and
stages that name it (`ApiId`), and SAM's `AWS::Serverless::HttpApi` with the `HttpApi` events of its functions
(the implicit `ServerlessHttpApi` for events that name no API)."""

from __future__ import annotations

import contextlib
import math
from typing import Any

from ..models.services import CognitoUserPool, HttpApi, LambdaFunction
from .flows import Flows
from .marks import reads, reads_flows
from .routes import ROUTE, sam_route
from .template import Resource, Template
from .values import dig, number


def _rate(t: Template, value: Any) -> float | None:
    known = t.text(value)
    if known is None or len(known) > 40:
        return None
    with contextlib.suppress(ValueError):
        rate = float(known)
        return rate if math.isfinite(rate) else None
    return None


def _sam_events(t: Template, api: Resource) -> list[dict[str, Any]]:
    """The `HttpApi` events of the template's SAM functions that the API serves."""
    found = []
    for resource in t.resources.values():
        events = resource.properties.get("Events") if resource.type == "AWS::Serverless::Function" else None
        for event in events.values() if isinstance(events, dict) else ():
            if not isinstance(event, dict) or event.get("Type") != "HttpApi":
                continue
            named = (event.get("Properties") or {}).get("ApiId") if isinstance(event.get("Properties"), dict) else None
            serves = api.logical_id in [lid for lid, _ in t.references(named)] if named else api.logical_id == "ServerlessHttpApi"
            if serves:
                found.append(event)
    return found


def _authorization(t: Template, r: Resource) -> dict[str, str]:
    """The authorization type of each route the API serves: `NONE`, `AWS_IAM`, `JWT` or `CUSTOM`."""
    if r.type != "AWS::Serverless::HttpApi":
        return {key: t.text(x.properties.get("AuthorizationType")) or "NONE"
                for x in t.owned(r.logical_id, "AWS::ApiGatewayV2::Route") if (key := t.text(x.properties.get("RouteKey")))}
    default = t.text(dig(r.properties, "Auth", "DefaultAuthorizer"))
    types = {}
    for event in _sam_events(t, r):
        route = sam_route(t, event)
        if route:
            named = t.text(dig(event, "Properties", "Auth", "Authorizer")) or default
            types[route] = "NONE" if named in (None, "NONE") else "AWS_IAM" if named == "AWS_IAM" else "AUTHORIZER"
    return types


@reads(HttpApi, "AWS::ApiGatewayV2::Api", "AWS::Serverless::HttpApi")
def http_api(t: Template, r: Resource) -> dict[str, Any]:
    """What AWS applies where the template says nothing: no access logs, only the account's throttling, routes
    open. Routes left open beside routes an authorizer or IAM protects are read as `public_routes`."""
    p = r.properties
    sam = r.type == "AWS::Serverless::HttpApi"
    stages = [p] if sam else [x.properties for x in t.owned(r.logical_id, "AWS::ApiGatewayV2::Stage")]
    stage = next((x for x in stages if t.text(x.get("StageName")) == "$default"), stages[0] if stages else {})
    given = stage.get("DefaultRouteSettings") if isinstance(stage, dict) else None
    limits: dict[str, Any] = given if isinstance(given, dict) else {}
    types = _authorization(t, r)
    protected = any(kind != "NONE" for kind in types.values())
    return {"protocol": "HTTP" if sam else t.text(p.get("ProtocolType")) or "HTTP",
            "access_logging": bool(dig(stage, "AccessLogSettings", "DestinationArn")),
            "throttle_rate_per_s": _rate(t, limits.get("ThrottlingRateLimit")),
            "throttle_burst": number(limits.get("ThrottlingBurstLimit"), t.parameters),
            "iam_authorization": "AWS_IAM" in types.values() or bool(dig(p, "Auth", "EnableIamAuthorizer")),
            "public_routes": sorted(key for key, kind in types.items() if protected and kind == "NONE" and ROUTE.fullmatch(key))}


def _api(flows: Flows, value: Any) -> str | None:
    return flows.first(value, HttpApi)


@reads_flows("AWS::ApiGatewayV2::Api")
def _quick_create(flows: Flows, r: Resource) -> None:
    """An API made with `Target` has one integration, of every route, to that function."""
    flows.add(r.logical_id, flows.first(r.properties.get("Target"), LambdaFunction), "invokes", r.logical_id)


@reads_flows("AWS::ApiGatewayV2::Integration")
def _integration(flows: Flows, r: Resource) -> None:
    function = flows.first(r.properties.get("IntegrationUri"), LambdaFunction)
    flows.add(_api(flows, r.properties.get("ApiId")), function, "invokes", r.logical_id)


@reads_flows("AWS::ApiGatewayV2::Route")
def _route(flows: Flows, r: Resource) -> None:
    t, p = flows.t, r.properties
    key = t.text(p.get("RouteKey")) or ""
    for integration, _ in t.references(p.get("Target")):
        if t.resources[integration].type == "AWS::ApiGatewayV2::Integration":
            function = flows.first(t.resources[integration].properties.get("IntegrationUri"), LambdaFunction)
            flows.add(_api(flows, p.get("ApiId")), function, "invokes", r.logical_id, routes=[key] if ROUTE.fullmatch(key) else [])


@reads_flows("AWS::ApiGatewayV2::Authorizer")
def _authorizer(flows: Flows, r: Resource) -> None:
    api, p = _api(flows, r.properties.get("ApiId")), r.properties
    flows.add(api, flows.first(dig(p, "JwtConfiguration", "Issuer"), CognitoUserPool), "authorizes", r.logical_id)
    flows.add(api, flows.first(p.get("AuthorizerUri"), LambdaFunction), "authorizes", r.logical_id)


@reads_flows("AWS::Serverless::HttpApi")
def _sam_http_api(flows: Flows, r: Resource) -> None:
    authorizers = dig(r.properties, "Auth", "Authorizers")
    for authorizer in authorizers.values() if isinstance(authorizers, dict) else ():
        if isinstance(authorizer, dict):
            issuer = dig(authorizer, "JwtConfiguration", "issuer") or dig(authorizer, "JwtConfiguration", "Issuer")
            flows.add(r.logical_id, flows.first(issuer, CognitoUserPool), "authorizes", r.logical_id)
            flows.add(r.logical_id, flows.first(authorizer.get("FunctionArn"), LambdaFunction), "authorizes", r.logical_id)
