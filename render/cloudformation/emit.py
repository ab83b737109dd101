"""One template per case: every deployable service through its emitter, in the case's order."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ...models import Architecture, Service
from ...models.about import version
from ...models.text import DYNAMIC_REFERENCE, cfn_text, unsafe
from . import analytics, api, compute, data, edge, identity, messaging, metadata
from .context import Emit
from .suppressions import apply as apply_suppressions
from .template import EmitError, Json, Template
from .yaml_out import dump

Emitter = Callable[[Emit, Service], None]

EMITTERS: dict[str, Emitter] = {
    "cloudfront": edge.emit_cloudfront,
    "api-gateway": api.emit_api_gateway,
    "alb": edge.emit_alb,
    "clb": edge.emit_clb,
    "cognito-user-pool": identity.emit_user_pool,
    "cognito-identity-pool": identity.emit_identity_pool,
    "lambda": compute.emit_lambda,
    "autoscaling-group": compute.emit_autoscaling_group,
    "dynamodb": data.emit_dynamodb,
    "dax": data.emit_dax,
    "s3": data.emit_s3,
    "sqs": messaging.emit_sqs,
    "sns": messaging.emit_sns,
    "ses": messaging.emit_ses,
    "kinesis-stream": analytics.emit_kinesis_stream,
    "firehose": analytics.emit_firehose,
    "athena": analytics.emit_athena,
}
"""The emitter of every deployable service kind."""

NOT_EMITTED: dict[str, str] = {
    "mobile-app": "a client: users' devices are not deployed by a stack",
    "browser": "a client: users' browsers are not deployed by a stack",
    "iot-device": "a client: devices are provisioned outside the stack",
    "quicksight": "an external consumer: QuickSight data sources are set up in QuickSight",
    "redshift": "an external consumer: the warehouse exists outside this stack",
    "sts": "AWS STS is a global service with nothing to create; the identity pool's role is what it issues",
    "generic": "a resource type archcase does not model (kept from an imported template): it has no emitter",
}
"""Service kinds deliberately left out of templates, and why."""


FREE_TEXT = frozenset({"label", "description"})
"""Fields written only as free text (descriptions, comments, display names) through `cfn_text`, which makes any
text harmless; every other string of a service or flow is written as it is, so it must be writable."""


def check_writable(architecture: Architecture) -> None:
    """Raise EmitError, located at the service or flow, for a setting that cannot be written into a template as
    it is: one holding a dynamic reference (`{{resolve:...}}`, which CloudFormation would replace with a
    parameter's or secret's value) or a control character. Free text (labels, descriptions) is made harmless
    instead, and the case's own text (title, requirements) is written only into metadata, made harmless too."""
    elements = [("service", s) for s in architecture.services] + [("flow", f) for f in architecture.flows]
    for what, element in elements:
        for field, value in _settings(element.model_dump(mode="json", by_alias=True)):
            if field[0] in FREE_TEXT:
                continue
            name = ".".join(str(part) for part in field)
            if DYNAMIC_REFERENCE.search(value):
                raise EmitError(f"{what} '{element.id}': `{name}` holds a CloudFormation dynamic reference "
                                "({{resolve:...}}), which deploying would replace with a parameter's or secret's value",
                                element.id, "archcase writes no dynamic references: keep secrets out of the case, "
                                "and let the code read them at run time (e.g. an environment variable naming the parameter)")
            if unsafe(value):
                raise EmitError(f"{what} '{element.id}': `{name}` holds a control character, which a template "
                                "cannot carry", element.id, "remove it from the case")


def _settings(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _settings(key, (*path, key))
            yield from _settings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _settings(item, (*path, index))


def template(architecture: Architecture, handlers: Path) -> Json:
    """The CloudFormation template of a case, as data (intrinsics in their long `Fn::` form). Raises EmitError
    for a case that cannot be emitted (see `check_writable`, and each kind's emitter)."""
    check_writable(architecture)
    emit = Emit(architecture, handlers, Template(
        description=f"{cfn_text(architecture.title, 200)} (archcase case '{architecture.name}'; generated: edit the case, not this file)",
    ))
    for service in architecture.services:
        emitter = EMITTERS.get(service.kind)
        if emitter is None:
            continue
        try:
            emitter(emit, service)
        except EmitError as exc:
            raise EmitError(str(exc) if exc.service else f"service '{service.id}': {exc}", service.id, exc.hint) from None
    document = emit.template.to_dict()
    deployed = {s.id for s in architecture.services if s.kind in EMITTERS}
    metadata.apply(document, architecture, deployed, version())
    apply_suppressions(document)
    return document


def template_text(architecture: Architecture, handlers: Path) -> str:
    return dump(template(architecture, handlers))


def openapi_documents(architecture: Architecture, handlers: Path) -> dict[str, Json]:
    """The OpenAPI document of each REST API of the case, by service id, with `${...}` placeholders."""
    emit = Emit(architecture, handlers, Template(description=""))
    return {s.id: api.as_text(api.openapi(emit, s)) for s in architecture.services if s.kind == "api-gateway"}
