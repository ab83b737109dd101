"""What a template cannot say, written under `Metadata.archcase` so that importing an emitted template gives
back its case (`archcase import`).

The template's own `Metadata.archcase` holds the case (name, title, requirements, suppressions, settings),
the services a stack does not deploy (clients, consumers, STS) and the flows a template does not state.
Each service's main resource holds its id and its intent: what it is for rather than how it is configured.
Everything else is read back from the resources themselves.
"""

from __future__ import annotations

from typing import Any

from ...models import Architecture, Flow, Service
from ...models.analytics import Athena, Firehose, KinesisStream
from ...models.compute import AutoScalingGroup, Ec2Instance, EcsService, LambdaFunction
from ...models.contract import CACHING_DISABLED, METADATA_KEY
from ...models.data import DaxCluster, DynamoDbTable, EfsFileSystem, ElastiCache, RdsDatabase, S3Bucket
from ...models.edge import Alb, ApiGateway, Clb, CloudFront
from ...models.events import EventRule
from ...models.flows import Authorizes, Calls, Invokes, Reads, Signs, Targets
from ...models.http_api import HttpApi
from ...models.identity import CognitoIdentityPool, CognitoUserPool, Secret
from ...models.messaging import Ses, SnsTopic, SqsQueue
from ...models.registry import kind_of
from ...models.text import cfn_value
from ...models.workflows import StateMachine
from .context import pascal
from .template import Json

INTENT: dict[type[Service], tuple[str, ...]] = {
    ApiGateway: ("expected_reads_per_s", "expected_writes_per_s", "min_tls"),
    DynamoDbTable: ("expected_reads_per_s", "expected_writes_per_s"),
    S3Bucket: ("content", "per_user_prefixes", "receives_logs"),
    AutoScalingGroup: ("serves", "availability_zones"),
    Ec2Instance: ("serves",),
    EcsService: (),
    Alb: ("availability_zones",),
    Clb: ("availability_zones",),
    DaxCluster: ("item_ttl_s",),
    RdsDatabase: (),
    ElastiCache: (),
    EfsFileSystem: (),
    Secret: (),
    CloudFront: (), LambdaFunction: ("invoked_from_outside",), CognitoUserPool: (), CognitoIdentityPool: (), SqsQueue: (),
    SnsTopic: ("endpoints", "published_from_outside"), HttpApi: ("public_routes", "iam_authorization"),
    Ses: (), KinesisStream: (), Firehose: ("records_compressed",), Athena: ("database",), StateMachine: (), EventRule: (),
}
"""Per emitted class, the fields no resource property states: the intent (read-heavy, paid content, static files),
and settings the emitted stack does not configure (an API's custom-domain TLS, DAX's default item TTL, the
number of zones, which the subnets given at deployment decide), the Glue database a workgroup queries (no
workgroup property names it), and a topic's kinds of subscriber outside the case (a case holds no addresses) and
whether something outside the case publishes to it (an imported template's alarms)."""

FLOW_INTENT: dict[type[Flow], tuple[str, ...]] = {Invokes: ("mode",), Signs: ("expires_s",)}
"""Per flow kind, the fields a template does not state (a function's invocation mode lives in its code)."""

UNSTATED_FLOWS: frozenset[tuple[type[Flow], type[Service], type[Service]]] = frozenset(
    {(Calls, source, target) for source in (LambdaFunction, AutoScalingGroup, Ec2Instance, EcsService)
     for target in (ApiGateway, HttpApi, CloudFront, Alb, Clb)}
    | {(Signs, LambdaFunction, S3Bucket)} | {(Reads, Athena, S3Bucket)}
    | {(Authorizes, Alb, CognitoUserPool)} | {(Invokes, CognitoUserPool, LambdaFunction)}
    | {(Authorizes, ApiGateway, LambdaFunction)} | {(Targets, Alb, LambdaFunction)})
"""Flows between deployed services that a template does not tell apart from others: HTTP calls need no IAM,
presigning needs the same S3 permissions as reading, Athena reads with its callers' permissions, and ALB
authorizers, Lambda authorizers, ALB-to-function targets and user-pool triggers are not emitted yet (see registry.py)."""


def _fields(model: Any, names: tuple[str, ...]) -> Json:
    defaults = type(model).model_fields
    return {name: _plain(getattr(model, name)) for name in names if getattr(model, name) != defaults[name].default}


def _plain(value: Any) -> Any:
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


def _unstated(service: Service, resource: Json) -> tuple[str, ...]:
    """Settings the emitted resource does not state because nothing uses them: a queue's receive count without
    a dead-letter queue (no redrive policy), a load balancer's TLS policy without an HTTPS listener, a
    distribution's TTLs when every behaviour has caching disabled."""
    properties = resource.get("Properties", {})
    if isinstance(service, SqsQueue) and "RedrivePolicy" not in properties:
        return ("max_receive_count",)
    if isinstance(service, (Alb, Clb)) and not any(listener.protocol == "HTTPS" for listener in service.listeners):
        return ("tls_policy",)
    if isinstance(service, CloudFront):
        config = properties.get("DistributionConfig", {})
        behaviours = [config.get("DefaultCacheBehavior", {}), *config.get("CacheBehaviors", [])]
        return () if any(b.get("CachePolicyId") != CACHING_DISABLED for b in behaviours) else ("default_ttl_s", "max_ttl_s")
    return ()


def service_metadata(service: Service, resource: Json) -> Json:
    names = ("label", "description", "group", *INTENT[type(service)], *_unstated(service, resource))
    return {"id": service.id, **_fields(service, names)}


def case_metadata(architecture: Architecture, deployed: set[str], version: str) -> Json:
    classes: dict[str, type[Service]] = {s.id: type(s) for s in architecture.services}
    meta: Json = {"version": version, "case": architecture.name, "title": architecture.title}
    data = architecture.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for key in ("summary", "seed_section", "requirements", "suppressions", "settings"):
        if key in data:
            meta[key] = data[key]
    outside = [_dump(s) for s in architecture.services if s.id not in deployed]
    if outside:
        meta["services"] = outside
    signed = {(f.source, f.target) for f in architecture.flows if isinstance(f, Signs)}
    flows = [_flow(f, classes, deployed, signed) for f in architecture.flows]
    if any(flows):
        meta["flows"] = [f for f in flows if f]
    return meta


def _dump(model: Any) -> Json:
    body = model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return {"id": model.id, "kind": kind_of(type(model)), **body} if isinstance(model, Service) else body


def _flow(flow: Flow, classes: dict[str, type[Service]], deployed: set[str], signed: set[tuple[str, str]]) -> Json | None:
    """A flow as the template's metadata states it, or None when the resources state all of it. A function that
    reads a bucket it also signs URLs of needs no permission the signing does not: that it reads is stated here."""
    kind = kind_of(type(flow))
    ends: Json = {"from": flow.source, "to": flow.target, "kind": kind}
    if (flow.source not in deployed or flow.target not in deployed
            or (type(flow), classes[flow.source], classes[flow.target]) in UNSTATED_FLOWS
            or (isinstance(flow, Reads) and (flow.source, flow.target) in signed)):
        return {**ends, **flow.model_dump(mode="json", by_alias=True, exclude_defaults=True)}
    extra = _fields(flow, ("label", *FLOW_INTENT.get(type(flow), ())))
    if flow.id != f"{flow.source}-{kind}-{flow.target}":
        extra["id"] = flow.id
    return {**ends, **extra} if extra else None


def apply(document: Json, architecture: Architecture, deployed: set[str], version: str) -> None:
    """Write the case's and each deployed service's metadata into an emitted template."""
    head = {key: document.pop(key) for key in ("AWSTemplateFormatVersion", "Description")}
    rest = dict(document)
    document.clear()
    document.update(head, Metadata={METADATA_KEY: _harmless(case_metadata(architecture, deployed, version))}, **rest)
    for service in architecture.services:
        resource = document["Resources"].get(pascal(service.id)) if service.id in deployed else None
        if resource is not None:
            resource.setdefault("Metadata", {})[METADATA_KEY] = _harmless(service_metadata(service, resource))


def _harmless(value: Any) -> Any:
    """Metadata with every string written by `cfn_value`: the case's text (title, labels, requirements, reasons)
    kept, line breaks included, but with no control character and no `{{resolve:...}}` dynamic reference."""
    if isinstance(value, str):
        return cfn_value(value)
    if isinstance(value, dict):
        return {key: _harmless(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_harmless(item) for item in value]
    return value
