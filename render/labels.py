"""What a reader sees on a picture: service names and flow labels.

The drawing facts of each kind are tables keyed by model class (`FLOW_LABELS`; the icons and shapes
are in `diagram.ICONS` and `mermaid.SHAPES`), looked up with `type(...)`: every class has its entry, so a lookup
that fails is a defect, and the completeness test (tests/test_kinds.py) names any class a table is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ..models import Service
from ..models.flows import (
    AssumesRole,
    Authenticates,
    Authorizes,
    Caches,
    Calls,
    Connects,
    DeadLetter,
    Delivers,
    Enqueues,
    Federates,
    Flow,
    Grants,
    Invokes,
    Mounts,
    Notifies,
    Origin,
    Publishes,
    PutsRecords,
    Queries,
    Reads,
    Resolves,
    SendsEmail,
    Signs,
    Starts,
    Subscribes,
    Targets,
    Transforms,
    Triggers,
    Uses,
    Writes,
)
from ..models.services import (
    SERVICE_KINDS,
    CloudFront,
    DynamoDbTable,
    EcsService,
    Generic,
    KinesisStream,
    RdsDatabase,
    S3Bucket,
    SnsTopic,
    SqsQueue,
)


def service_label(service: Service) -> str:
    """The service's label, else its id; a `generic` service also names its CloudFormation type, an ECS service where
    its tasks run and how many (the icon is the same for both launch types)."""
    name = service.label or service.id
    if isinstance(service, EcsService):
        return f"{name}\n{'Fargate' if service.launch_type == 'fargate' else 'EC2'} × {service.desired_count}"
    return f"{name}\n{service.resource_type}" if isinstance(service, Generic) else name


Kinds = Mapping[str, str]
"""The kind tag of each service, by id (what a flow's label may depend on at its ends)."""

F = TypeVar("F", bound=Flow)
FlowLabel = Callable[[Any, Kinds], str]
"""A flow class's default label, of a flow of that class (`FLOW_LABELS` pairs each with its class)."""


def _of(cls: type[F], label: Callable[[F, Kinds], str]) -> tuple[type[Flow], FlowLabel]:
    """A `FLOW_LABELS` entry: the type checker holds `label` to flows of `cls`."""
    return cls, label


def _fixed(text: str) -> Callable[[Flow, Kinds], str]:
    """A label that is the same for every flow of a class."""
    return lambda flow, kinds: text


def _protocol(flow: Calls, kinds: Kinds) -> str:
    return flow.protocol.upper()


def _target_port(flow: Targets, kinds: Kinds) -> str:
    return f"{flow.protocol.upper()}:{flow.port}"


def _origin_access(flow: Origin, kinds: Kinds) -> str:
    """S3 origins: how CloudFront reads the bucket (the model resolves unset to `oac`); others: the protocol."""
    if flow.access is None:
        return f"origin {flow.protocol.upper()}"
    return flow.access.upper() if flow.access != "none" else "public origin"


_TRIGGER_LABELS: dict[type[Service], str] = {DynamoDbTable: "stream", KinesisStream: "stream", S3Bucket: "event",
                                             SqsQueue: "poll", SnsTopic: "event"}
"""How an event source invokes a function, by the source's class."""


def _trigger(flow: Triggers, kinds: Kinds) -> str:
    return _TRIGGER_LABELS.get(SERVICE_KINDS[kinds[flow.source]], "trigger")


def _signed_url(flow: Signs, kinds: Kinds) -> str:
    return "signed URL" if SERVICE_KINDS[kinds[flow.target]] is CloudFront else "presigned URL"


def _routes(flow: Invokes, kinds: Kinds) -> str:
    return flow.routes[0] if len(flow.routes) == 1 else (f"{len(flow.routes)} routes" if flow.routes else "invoke")


def _prefixed(verb: str) -> Callable[[Reads | Writes | Delivers, Kinds], str]:
    """The verb, and the S3 key prefix when the flow names one."""
    return lambda flow, kinds: f"{verb} {flow.prefix}" if flow.prefix else verb


def _connection(flow: Connects, kinds: Kinds) -> str:
    """SQL to a database; a cache's protocol to a cache."""
    target = kinds[flow.target]
    return "SQL" if SERVICE_KINDS[target] is RdsDatabase else "cache"


def _mount(flow: Mounts, kinds: Kinds) -> str:
    """NFS, and the directory an access point roots the client in."""
    point = flow.access_point
    return f"NFS {point.root_directory}" if point and point.root_directory != "/" else "NFS"


def _grant_scope(flow: Grants, kinds: Kinds) -> str:
    return "own prefix" if flow.scope == "user" else "credentials"


FLOW_LABELS: dict[type[Flow], FlowLabel] = dict([
    _of(Calls, _protocol),
    _of(Authenticates, _fixed("sign in")),
    _of(Authorizes, _fixed("authorizer")),
    _of(Federates, _fixed("federation")),
    _of(AssumesRole, _fixed("assume role")),
    _of(Grants, _grant_scope),
    _of(Invokes, _routes),
    _of(Reads, _prefixed("read")),
    _of(Writes, _prefixed("write")),
    _of(Caches, _fixed("cache")),
    _of(Connects, _connection),
    _of(Mounts, _mount),
    _of(Resolves, _fixed("resolved at deploy")),
    _of(Triggers, _trigger),
    _of(SendsEmail, _fixed("email")),
    _of(Origin, _origin_access),
    _of(Signs, _signed_url),
    _of(Publishes, _fixed("publish")),
    _of(Enqueues, _fixed("enqueue")),
    _of(Starts, _fixed("start")),
    _of(Subscribes, _fixed("subscription")),
    _of(Notifies, _fixed("S3 event")),
    _of(PutsRecords, _fixed("put records")),
    _of(Delivers, _prefixed("deliver")),
    _of(Transforms, _fixed("transform")),
    _of(Queries, _fixed("SQL")),
    _of(Targets, _target_port),
    _of(DeadLetter, _fixed("DLQ")),
    _of(Uses, _fixed("uses")),
])
"""The label a flow gets when the case gives none, by flow class: short ("HTTPS", "OAI", "DLQ", ...)."""


def flow_label(flow: Flow, kinds: Kinds) -> str:
    """The flow's own label, else its class's default label (`FLOW_LABELS`)."""
    return flow.label or FLOW_LABELS[type(flow)](flow, kinds)
