"""Settings a template leaves to something outside it, and intent it does not state: the stages of an API it makes
none of (access logs, tracing and throttling are then given wherever the API is deployed), an API whose definition
is in a file not read (its routes' authorization), the sign-in factors of a user pool whose sign-in is a custom
challenge (its functions decide what a user must show), the rotation of a secret whose value someone else issued,
the recovery of a table of WebSocket connection ids, and whether a read-only HTTP API is meant for anyone.

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
from .template import Resource, Template
from .values import as_list

READING = ("GET", "HEAD", "OPTIONS")
"""Methods that only read."""

STAGE_SETTINGS: dict[str, tuple[str, ...]] = {
    "AWS::ApiGateway::RestApi": ("access_logging", "tracing"),
    "AWS::ApiGatewayV2::Api": ("access_logging", "throttle_rate_per_s", "throttle_burst"),
}
"""API types whose stages are separate resources, and the settings of the API's model its stages give."""


CUSTOM_CHALLENGE = ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")
"""The triggers of a user pool's custom authentication flow (passwordless one-time codes, passkeys, ...)."""


Found = dict[str, tuple[dict[str, Any], str]]
"""Logical id -> the settings as a case file would have them (what best practice gives), and why they are not known."""


def elsewhere(t: Template) -> Found:
    """The services of the template some of whose settings something outside it decides, by logical id."""
    found: Found = {}
    for lid, resource in t.resources.items():
        defaults = resource.service_class.model_fields if resource.service_class else {}
        for fields, reason in _decided_elsewhere(t, lid, resource):
            updates = {name: defaults[name].default if value is CASE_DEFAULT else value for name, value in fields.items()
                       if name in defaults}
            given, why = found.get(lid, ({}, ""))
            found[lid] = ({**given, **updates}, f"{why}; {reason}" if why else reason)
    return found


CASE_DEFAULT = object()
"""Stands for the value a case file defaults a setting to."""


def _decided_elsewhere(t: Template, lid: str, resource: Resource) -> list[tuple[dict[str, Any], str]]:
    found: list[tuple[dict[str, Any], str]] = []
    p = resource.properties
    config = p.get("LambdaConfig")
    if resource.type == "AWS::Cognito::UserPool" and isinstance(config, dict) and all(config.get(k) for k in CUSTOM_CHALLENGE):
        found.append(({"mfa": CASE_DEFAULT, "password_min_length": CASE_DEFAULT},
                      "its sign-in is a custom challenge (LambdaConfig DefineAuthChallenge, CreateAuthChallenge, "
                      "VerifyAuthChallengeResponse): the factors a user shows are its functions' to decide"))
    settings = STAGE_SETTINGS.get(resource.type)
    if settings is not None and "Target" not in p:
        if resource.type == "AWS::ApiGateway::RestApi":
            staged = t.owned(lid, "AWS::ApiGateway::Stage") or [
                d for d in t.owned(lid, "AWS::ApiGateway::Deployment") if d.properties.get("StageName")]
            what = "no AWS::ApiGateway::Stage, and no Deployment with a StageName"
        else:
            staged = t.owned(lid, "AWS::ApiGatewayV2::Stage")
            what = "no AWS::ApiGatewayV2::Stage, and no Target"
        if not staged:
            found.append(({name: CASE_DEFAULT for name in settings}, f"its stages are made outside this template ({what})"))
    definition = next((key for key in DEFINITIONS.get(resource.type, ()) if key in p and _outside(key, p[key])), None)
    if definition:
        authorized = {"authorization": "outside"} if resource.type in ("AWS::ApiGateway::RestApi", "AWS::Serverless::Api") \
            else {"iam_authorization": True}
        found.append((authorized, f"its routes and their authorization are in an API definition not read ({definition})"))
    if resource.type == "AWS::SecretsManager::Secret" and "SecretString" in p and "GenerateSecretString" not in p:
        found.append(({"rotation": CASE_DEFAULT}, "its value is given (SecretString), issued elsewhere (an API key, a client "
                                                   "secret): whether and how it can rotate is its issuer's"))
    if resource.type in ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable") and _connections(t, p):
        found.append(({"point_in_time_recovery": CASE_DEFAULT}, "it is keyed by the connection ids of a WebSocket API: "
                                                                 "restoring connections long gone is worth nothing, unless it keeps more"))
    return found


DEFINITIONS: dict[str, tuple[str, ...]] = {
    "AWS::ApiGateway::RestApi": ("BodyS3Location", "Body"), "AWS::Serverless::Api": ("DefinitionUri", "DefinitionBody"),
    "AWS::ApiGatewayV2::Api": ("BodyS3Location", "Body"), "AWS::Serverless::HttpApi": ("DefinitionUri", "DefinitionBody"),
}
"""Where an API's OpenAPI definition is given: a file, or a body that may include one (`AWS::Include`)."""


def _outside(key: str, value: Any) -> bool:
    """Whether an API definition is outside the template: a file (an S3 location or a path), or an `AWS::Include`
    archcase could not put in place (importer/nested.py puts local ones in place). A body, even as JSON text, is in it."""
    return key in ("BodyS3Location", "DefinitionUri") or (isinstance(value, dict) and "Fn::Transform" in value)


def _connections(t: Template, p: dict[str, Any]) -> bool:
    """Whether a table is keyed by connection ids (`connectionId`) in a template with a WebSocket API."""
    keys = [k for k in as_list(p.get("KeySchema")) if isinstance(k, dict) and t.text(k.get("KeyType")) == "HASH"]
    primary = p.get("PrimaryKey")  # a SAM SimpleTable's
    named = t.text(keys[0].get("AttributeName")) if keys else t.text(primary.get("Name")) if isinstance(primary, dict) else None
    return bool(named and "connection" in named.lower()) and any(
        r.type == "AWS::ApiGatewayV2::Api" and t.text(r.properties.get("ProtocolType")) == "WEBSOCKET" for r in t.resources.values())


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
