"""Hypothesis strategies that build valid architectures from the model itself: any subset of the service
classes, flows drawn from each flow class's allowed (source, target) pairs among the services drawn, and the
settings of every service and flow drawn from its class's JSON Schema (so a field added to a model is
generated from the moment it exists). Labels and descriptions may be hostile text.

    @given(architectures())
    def test_something(case: Architecture): ...

Reusable by any test: `architectures(max_services=..., hostile=False)`, `service_data(cls)`, `flow_data(cls)`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from pydantic import ValidationError

from archcase.models import Architecture, document
from archcase.models.base import Model, Service
from archcase.models.compute import LambdaFunction
from archcase.models.registry import FLOW_CLASSES
from archcase.models.services import SERVICE_CLASSES

HANDLERS = Path(__file__).resolve().parents[1] / "handlers"

document(Model)  # the schemas drawn from are the documented ones whichever test ran first, so a derandomized run
# gives the same examples alone and in the whole suite (a clean-clone CI failure did not show in the file alone)

IDENTITY = frozenset({"id", "kind", "label", "description", "from", "to", "source", "target"})
"""Fields every service or flow has, drawn by these strategies rather than from the class's schema."""

ids = st.from_regex(re.compile(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,8}){0,3}"), fullmatch=True)
"""Service and flow ids: short, sometimes hyphenated (logical ids, names and variables derive from them)."""

hostile_text = st.text(min_size=1, max_size=60) | st.sampled_from([
    "${AWS::Region}", "{{resolve:ssm:/secret}}", "<script>alert(1)</script>", "a\nb", "\"quoted\" 'text'",
    "#{not a sub}", "!Ref Thing", "--> end", "Ünïcödé ✓", "  ", "%s %d {}", "\\u0000",
])
"""Free text as a user (or an attacker) might write it."""

PLAIN = st.characters(exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp"))
"""Characters of names and settings: any printable character (control characters in a setting are refused
before a template is written, and are the hostile-input tests' subject)."""


@cache
def bundled_handlers() -> tuple[str, ...]:
    """`package.module.handler` of every handler module in the repository's handlers folder."""
    found = []
    for module in sorted(HANDLERS.glob("*/app.py")):
        if "def handler(" in module.read_text(encoding="utf-8"):
            found.append(f"{module.parent.name}.app.handler")
    return tuple(found)


@cache
def _settings_schema(cls: type[Model]) -> dict[str, Any]:
    """The JSON Schema of a class's own settings: its schema without the fields drawn separately."""
    schema = cls.model_json_schema(by_alias=True)
    properties = {name: spec for name, spec in schema.get("properties", {}).items() if name not in IDENTITY}
    required = [name for name in schema.get("required", []) if name in properties]
    return {**schema, "properties": properties, "required": required}


def settings(cls: type[Model]) -> st.SearchStrategy[dict[str, Any]]:
    """Settings of one service or flow class, within each field's type (as its JSON Schema states it)."""
    schema = _settings_schema(cls)
    return from_schema(schema, schema.get("$defs", {}))


def from_schema(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of a JSON Schema, for the keywords pydantic writes (type, anyOf, enum, const, pattern, bounds,
    items, properties, additionalProperties, $ref). Unbounded numbers include infinities: a model that means
    to refuse them must say so."""
    if "examples" in schema:
        plain = {key: value for key, value in schema.items() if key != "examples"}
        return st.sampled_from(schema["examples"]) | from_schema(plain, defs)
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return st.deferred(lambda: from_schema(defs[name], defs))
    if "anyOf" in schema:
        return st.one_of([from_schema(option, defs) for option in schema["anyOf"]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True, alphabet=PLAIN).filter(
                lambda text: schema.get("minLength", 0) <= len(text) <= schema.get("maxLength", len(text)))
        return st.text(PLAIN, min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 40), 40))
    if kind == "integer":
        low = schema.get("minimum", schema["exclusiveMinimum"] + 1 if "exclusiveMinimum" in schema else None)
        return st.integers(low, schema.get("maximum"))
    if kind == "number":
        return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan="minimum" not in schema,
                         exclude_min="exclusiveMinimum" in schema) if "exclusiveMinimum" not in schema else \
            st.floats(schema["exclusiveMinimum"], schema.get("maximum"), exclude_min=True, allow_nan=False)
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), defs), min_size=schema.get("minItems", 0),
                        max_size=max(schema.get("minItems", 0), min(schema.get("maxItems", 4), 4)))
    if kind == "object":
        properties = schema.get("properties", {})
        if properties:
            required = set(schema.get("required", []))
            return st.fixed_dictionaries(
                {name: from_schema(spec, defs) for name, spec in properties.items() if name in required},
                optional={name: from_schema(spec, defs) for name, spec in properties.items() if name not in required})
        values = schema.get("additionalProperties", {})
        return st.dictionaries(st.text(PLAIN, max_size=12), from_schema(values if isinstance(values, dict) else {}, defs), max_size=3)
    return st.none() | st.booleans() | st.integers() | st.text(max_size=10)


@st.composite
def service_data(draw: st.DrawFn, cls: type[Service], service_id: str, hostile: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {**draw(settings(cls)), "id": service_id, "kind": cls.model_fields["kind"].default}
    if cls is LambdaFunction and draw(st.integers(0, 9)) > 0:
        # mostly a handler that exists, so that most generated functions can be emitted
        data.update(handler=draw(st.sampled_from(bundled_handlers())), runtime=draw(st.sampled_from(["python3.12", "python3.13"])))
    if hostile:
        for field in ("label", "description"):
            if draw(st.booleans()):
                data[field] = draw(hostile_text)
    return data


def _valid(cls: type[Model], data: dict[str, Any]) -> bool:
    try:
        cls.model_validate(data)
    except ValidationError:
        return False
    return True


@st.composite
def architectures(draw: st.DrawFn, max_services: int = 8, max_flows: int = 12, hostile: bool = True) -> Architecture:
    """A valid architecture: 1 to `max_services` services of any classes, and up to `max_flows` flows each
    allowed between its two ends."""
    names = draw(st.lists(ids, min_size=1, max_size=max_services, unique=True))
    services: list[dict[str, Any]] = []
    for name in names:
        cls = draw(st.sampled_from(SERVICE_CLASSES))
        data = draw(service_data(cls, name, hostile))
        if _valid(cls, data):
            services.append(data)
    assume(services)
    kinds = {s["id"]: s["kind"] for s in services}
    candidates = [(flow, source, target) for flow in FLOW_CLASSES for source in kinds for target in kinds
                  if (kinds[source], kinds[target]) in flow.allowed]
    flows: list[dict[str, Any]] = []
    if candidates:
        chosen = draw(st.lists(st.sampled_from(candidates), max_size=max_flows,
                               unique_by=lambda c: (c[0], c[1], c[2])))
        by_id = {s["id"]: s for s in services}
        for flow, source, target in chosen:
            data = {**draw(settings(flow)), "from": source, "to": target, "kind": flow.model_fields["kind"].default}
            if hostile and draw(st.booleans()):
                data["label"] = draw(hostile_text)
            if _valid(Architecture, {"name": "pair", "title": "pair", "services": [by_id[source], by_id[target]],
                                     "flows": [data]}):
                flows.append(data)
    case = {"name": draw(ids), "title": draw(hostile_text) if hostile else "A generated case",
            "services": services, "flows": flows}
    try:
        return Architecture.model_validate(case)
    except ValidationError:
        assume(False)
        raise  # unreachable: assume(False) stops this example
