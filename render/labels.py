"""What a reader sees on a picture: service names, flow labels, and the groups services are drawn in."""

from __future__ import annotations

from collections.abc import Mapping

from ..models import Service
from ..models.flows import Flow

GROUPS: dict[str, str] = {
    "clients": "Users and devices",
    "edge": "Edge",
    "auth": "Identity",
    "api": "API and load balancing",
    "ingest": "Ingestion",
    "compute": "Compute",
    "data": "Data",
    "async": "Messaging",
    "analytics": "Analytics",
    "external": "Consumers",
    "other": "Not modelled",
}
"""The columns a picture is drawn in, left to right (users to data), with each column's title."""

_INGEST = frozenset({"kinesis-stream", "firehose"})


def group_of(service: Service) -> str:
    """The column a service is drawn in: its model group, except that streaming ingestion stands before compute."""
    return "ingest" if service.kind in _INGEST else service.group


_TRIGGER_LABELS = {"dynamodb": "stream", "kinesis-stream": "stream", "s3": "event", "sqs": "poll", "sns": "event"}


def service_label(service: Service) -> str:
    name = service.label or service.id
    return f"{name}\n{service.resource_type}" if service.kind == "generic" else name  # type: ignore[attr-defined]


def flow_label(flow: Flow, kinds: Mapping[str, str]) -> str:
    """The flow's own label, else a short one derived from its kind and settings ("HTTPS", "OAI", "DLQ", ...)."""
    if flow.label:
        return flow.label
    kind = flow.kind
    if kind in ("calls",):
        return flow.protocol.upper()
    if kind == "targets":
        return f"{flow.protocol.upper()}:{flow.port}"
    if kind == "origin":
        return flow.access.upper() if flow.access and flow.access != "none" else "public origin"
    if kind == "triggers":
        return _TRIGGER_LABELS.get(kinds[flow.source], "trigger")
    if kind == "signs":
        return "signed URL" if kinds[flow.target] == "cloudfront" else "presigned URL"
    if kind == "invokes":
        return flow.routes[0] if len(flow.routes) == 1 else (f"{len(flow.routes)} routes" if flow.routes else "invoke")
    if kind in ("reads", "writes", "delivers") and flow.prefix:
        return f"{kind.rstrip('s')} {flow.prefix}"
    if kind == "grants":
        return "own prefix" if flow.scope == "user" else "credentials"
    return _KIND_LABELS.get(kind, kind.replace("-", " "))


_KIND_LABELS = {
    "authenticates": "sign in", "authorizes": "authorizer", "federates": "federation", "assumes-role": "assume role",
    "reads": "read", "writes": "write", "caches": "cache", "sends-email": "email",
    "publishes": "publish", "enqueues": "enqueue", "subscribes": "subscription", "notifies": "S3 event",
    "puts-records": "put records", "delivers": "deliver", "transforms": "transform", "queries": "SQL",
    "dead-letter": "DLQ",
}
