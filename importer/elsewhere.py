"""Settings a template leaves to something outside it: the stages of an API it makes none of (access logs, tracing
and throttling are then given wherever the API is deployed: another stack, the console, a pipeline), and the sign-in
factors of a user pool whose sign-in is a custom challenge (its functions decide what a user must show).

`elsewhere` names such services, with the settings decided elsewhere; the import reads them once more with those
settings as a case file defaults them (what following the best practices gives), so a finding on them is
undecided with the reason, never a failure on a guess.
"""

from __future__ import annotations

from typing import Any

from ..models import Architecture
from ..models.flows import Authorizes, Invokes
from ..models.graph import Graph
from ..models.http_api import HttpApi
from .template import Template

READING = ("GET", "HEAD", "OPTIONS")
"""Methods that only read."""

STAGE_SETTINGS: dict[str, tuple[str, ...]] = {
    "AWS::ApiGateway::RestApi": ("access_logging", "tracing"),
    "AWS::ApiGatewayV2::Api": ("access_logging", "throttle_rate_per_s", "throttle_burst"),
}
"""API types whose stages are separate resources, and the settings of the API's model its stages give."""


CUSTOM_CHALLENGE = ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")
"""The triggers of a user pool's custom authentication flow (passwordless one-time codes, passkeys, ...)."""


def elsewhere(t: Template) -> dict[str, tuple[tuple[str, ...], str]]:
    """The services of the template some of whose settings something outside it decides, by logical id: those
    settings, and why they are not known. An HTTP API made with `Target` has the `$default` stage AWS makes with it
    (auto-deployed, no access logs, no throttling): known, so not named."""
    found: dict[str, tuple[tuple[str, ...], str]] = {}
    for lid, resource in t.resources.items():
        config = resource.properties.get("LambdaConfig")
        if resource.type == "AWS::Cognito::UserPool" and isinstance(config, dict) and all(config.get(k) for k in CUSTOM_CHALLENGE):
            found[lid] = (("mfa", "password_min_length"),
                          "its sign-in is a custom challenge (LambdaConfig DefineAuthChallenge, CreateAuthChallenge, "
                          "VerifyAuthChallengeResponse): the factors a user shows are its functions' to decide")
    for lid, resource in t.resources.items():
        settings = STAGE_SETTINGS.get(resource.type)
        if settings is None or "Target" in resource.properties:
            continue
        if resource.type == "AWS::ApiGateway::RestApi":
            staged = t.owned(lid, "AWS::ApiGateway::Stage") or [
                d for d in t.owned(lid, "AWS::ApiGateway::Deployment") if d.properties.get("StageName")]
            what = "no AWS::ApiGateway::Stage, and no Deployment with a StageName"
        else:
            staged = t.owned(lid, "AWS::ApiGatewayV2::Stage")
            what = "no AWS::ApiGatewayV2::Stage, and no Target"
        if not staged:
            found[lid] = (settings, f"its stages are made outside this template ({what})")
    return found


def open_reads(architecture: Architecture) -> dict[str, tuple[dict[str, Any], str]]:
    """HTTP APIs with no authorizer and no IAM authorization whose every route only reads: whether anyone may read
    them (public content, a status page) is the intent a template does not state, so they are read once more with
    those routes listed as `public_routes`. An API with a route that writes stays failed: anyone may change data."""
    graph = Graph(architecture)
    found: dict[str, tuple[dict[str, Any], str]] = {}
    for api in architecture.services:
        if not isinstance(api, HttpApi) or api.protocol != "HTTP" or api.iam_authorization or graph.outgoing(api.id, Authorizes):
            continue
        routes = sorted({route for flow in graph.outgoing(api.id, Invokes) for route in flow.routes})
        if routes and all(route.split(" ", 1)[0] in READING for route in routes):
            found[api.id] = ({"public_routes": routes}, "every route only reads, and no authorizer is in the template: whether "
                                                         "anyone is meant to read them is not stated")
    return found
