"""One template per case: every deployable service through its emitter, in the case's order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...models import Architecture
from ...models.about import version
from ...models.compute import PYTHON_RUNTIMES, LambdaFunction
from ...models.edge import ApiGateway
from ...models.graph import Graph
from ...models.text import DYNAMIC_REFERENCE, cfn_text, unsafe
from . import api, code, metadata
from .context import Context
from .registry import EMITTERS, TABLES
from .suppressions import apply as apply_suppressions
from .template import EmitError, Json, NothingToDeploy, Template
from .yaml_out import dump

FREE_TEXT = frozenset({"label", "description"})
"""Fields written only as free text (descriptions, comments, display names) through `cfn_text`, which makes any
text harmless; every other string of a service or flow is written as it is, so it must be writable."""


def check_writable(architecture: Architecture) -> None:
    """Raise EmitError, located at the service or flow, for a setting that cannot be written into a template as
    it is: a role's broad permissions (emitted roles come from flows), a dynamic reference (`{{resolve:...}}`,
    which CloudFormation would replace with a parameter's or secret's value) or a control character. Free text
    (labels, descriptions) is made harmless instead, and the case's own text (title, requirements) is written
    only into metadata, made harmless too."""
    for service in architecture.services:
        broad = getattr(service, "broad_permissions", [])
        if broad:
            raise EmitError(f"service '{service.id}': its role allows {broad[0]}, and archcase emits roles from the case's "
                            "flows only (least privilege)", service.id,
                            "remove `broad_permissions` (the emitted role grants what the flows need), or add the flows it needs")
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


def artifacts(architecture: Architecture, handlers: Path) -> dict[str, str | EmitError]:
    """The S3 key of each deployable function's packaged handler (named by its content hash), or why it has
    none, by function id: read from the handlers folder once, before any emitter runs."""
    keys: dict[str, str | EmitError] = {}
    packages: dict[str, str | EmitError] = {}
    for function in architecture.services:
        if not isinstance(function, LambdaFunction) or function.handler is None or function.runtime not in PYTHON_RUNTIMES:
            continue
        try:
            code.module_file(handlers, function.handler)
        except EmitError as exc:
            keys[function.id] = exc
            continue
        package = code.package_of(function.handler)
        if package not in packages:
            try:
                packages[package] = code.artifact_key(handlers, package)
            except EmitError as exc:
                packages[package] = exc
        keys[function.id] = packages[package]
    return keys


def template(architecture: Architecture, handlers: Path) -> Json:
    """The CloudFormation template of a case, as data (intrinsics in their long `Fn::` form): each deployable
    service's fragment from its emitter, merged in the case's order. Raises EmitError for a case that cannot
    be emitted (see `check_writable`, and each kind's emitter)."""
    check_writable(architecture)
    if not any(type(service) in EMITTERS for service in architecture.services):
        kinds = ", ".join(sorted({service.kind for service in architecture.services}))
        raise NothingToDeploy(f"nothing in the case is deployed by a stack: archcase emits no resource for {kinds}",
                              hint="add the AWS services the case runs on (see `archcase schema`), or use "
                              "`validate`, `check` and `render` only")
    ctx = Context(architecture, Graph(architecture), TABLES, artifacts(architecture, handlers))
    document = Template(
        description=f"{cfn_text(architecture.title, 200)} (archcase case '{architecture.name}'; generated: edit the case, not this file)",
    )
    for service in architecture.services:
        emitter = EMITTERS.get(type(service))
        if emitter is None:
            continue
        try:
            document.merge(emitter(service, ctx))
        except EmitError as exc:
            # located where the emitter said (a service or a flow), else at the service being emitted
            raise EmitError(str(exc) if exc.service else f"service '{service.id}': {exc}", exc.service or service.id,
                            exc.hint) from None
    body = document.to_dict()
    deployed = {s.id for s in architecture.services if type(s) in EMITTERS}
    metadata.apply(body, architecture, deployed, version())
    apply_suppressions(body)
    return body


def template_text(architecture: Architecture, handlers: Path) -> str:
    return dump(template(architecture, handlers))


def openapi_documents(architecture: Architecture) -> dict[str, Json]:
    """The OpenAPI document of each REST API of the case, by service id, with `${...}` placeholders."""
    ctx = Context(architecture, Graph(architecture), TABLES)
    return {s.id: api.as_text(api.openapi(ctx, s)) for s in architecture.services if isinstance(s, ApiGateway)}
