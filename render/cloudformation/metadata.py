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
from .context import pascal
from .template import Json

INTENT: dict[str, tuple[str, ...]] = {
    "api-gateway": ("expected_reads_per_s", "expected_writes_per_s", "min_tls"),
    "dynamodb": ("expected_reads_per_s", "expected_writes_per_s"),
    "s3": ("content", "per_user_prefixes"),
    "autoscaling-group": ("serves", "availability_zones"),
    "alb": ("availability_zones",),
    "clb": ("availability_zones",),
    "dax": ("item_ttl_s",),
}
"""Per kind, the fields no resource property states: the intent (read-heavy, paid content, static files),
and settings the emitted stack does not configure (an API's custom-domain TLS, DAX's default item TTL, the
number of zones, which the subnets given at deployment decide)."""

FLOW_INTENT: dict[str, tuple[str, ...]] = {"invokes": ("mode",), "signs": ("expires_s",)}
"""Per flow kind, the fields a template does not state (a function's invocation mode lives in its code)."""

UNSTATED_FLOWS = frozenset({("calls", "lambda", "api-gateway"), ("calls", "autoscaling-group", "api-gateway"),
                            ("calls", "lambda", "cloudfront"), ("calls", "autoscaling-group", "cloudfront"),
                            ("calls", "lambda", "alb"), ("calls", "autoscaling-group", "alb"),
                            ("calls", "lambda", "clb"), ("calls", "autoscaling-group", "clb"),
                            ("signs", "lambda", "s3")})
"""Flows between deployed services that a template does not tell apart from others: HTTP calls need no IAM,
and presigning needs the same S3 permissions as reading."""


def _fields(model: Any, names: tuple[str, ...]) -> Json:
    defaults = type(model).model_fields
    return {name: _plain(getattr(model, name)) for name in names if getattr(model, name) != defaults[name].default}


def _plain(value: Any) -> Any:
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


def _unstated(architecture: Architecture, service: Service) -> tuple[str, ...]:
    """Settings that only take effect with a flow the case does not have, so the template does not state them:
    a queue's receive count without a dead-letter queue, a distribution's TTLs without a cached origin."""
    kind: str = service.kind  # type: ignore[attr-defined]
    out = [f for f in architecture.flows if f.source == service.id]
    if kind == "sqs" and not any(f.kind == "dead-letter" for f in out):  # type: ignore[attr-defined]
        return ("max_receive_count",)
    if kind == "cloudfront":
        kinds = {s.id: s for s in architecture.services}
        static = [f for f in out if f.kind == "origin" and (kinds[f.target].kind == "s3" or _serves_static(architecture, kinds[f.target]))]  # type: ignore[attr-defined]
        return () if static else ("default_ttl_s", "max_ttl_s")
    return ()


def _serves_static(architecture: Architecture, origin: Service) -> bool:
    groups = [architecture.service(f.target) for f in architecture.flows if f.source == origin.id and f.kind == "targets"]  # type: ignore[attr-defined]
    return bool(groups) and all(getattr(g, "serves", "dynamic") == "static" for g in groups)


def service_metadata(architecture: Architecture, service: Service) -> Json:
    kind: str = service.kind  # type: ignore[attr-defined]
    names = ("label", "description", *INTENT.get(kind, ()), *_unstated(architecture, service))
    return {"id": service.id, **_fields(service, names)}


def case_metadata(architecture: Architecture, deployed: set[str], version: str) -> Json:
    kinds = {s.id: s.kind for s in architecture.services}  # type: ignore[attr-defined]
    meta: Json = {"version": version, "case": architecture.name, "title": architecture.title}
    data = architecture.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for key in ("summary", "seed_section", "requirements", "suppressions", "settings"):
        if key in data:
            meta[key] = data[key]
    outside = [_dump(s) for s in architecture.services if s.id not in deployed]
    if outside:
        meta["services"] = outside
    flows = [_flow(f, kinds, deployed) for f in architecture.flows]
    if any(flows):
        meta["flows"] = [f for f in flows if f]
    return meta


def _dump(model: Any) -> Json:
    body = model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return {"id": model.id, "kind": model.kind, **body} if isinstance(model, Service) else body


def _flow(flow: Flow, kinds: dict[str, str], deployed: set[str]) -> Json | None:
    kind: str = flow.kind  # type: ignore[attr-defined]
    ends: Json = {"from": flow.source, "to": flow.target, "kind": kind}
    if flow.source not in deployed or flow.target not in deployed or (kind, kinds[flow.source], kinds[flow.target]) in UNSTATED_FLOWS:
        return {**ends, **flow.model_dump(mode="json", by_alias=True, exclude_defaults=True), **ends,
                **({"id": flow.id} if flow.id != f"{flow.source}-{kind}-{flow.target}" else {})}
    extra = _fields(flow, ("label", *FLOW_INTENT.get(kind, ())))
    if flow.id != f"{flow.source}-{kind}-{flow.target}":
        extra["id"] = flow.id
    return {**ends, **extra} if extra else None


def apply(document: Json, architecture: Architecture, deployed: set[str], version: str) -> None:
    """Write the case's and each deployed service's metadata into an emitted template."""
    head = {key: document.pop(key) for key in ("AWSTemplateFormatVersion", "Description")}
    rest = dict(document)
    document.clear()
    document.update(head, Metadata={"archcase": case_metadata(architecture, deployed, version)}, **rest)
    for service in architecture.services:
        resource = document["Resources"].get(pascal(service.id)) if service.id in deployed else None
        if resource is not None:
            resource.setdefault("Metadata", {})["archcase"] = service_metadata(architecture, service)
