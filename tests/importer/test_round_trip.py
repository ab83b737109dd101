"""import(emit(case)) == case: for the six bundled cases, and for cases generated from them with their settings,
intent and labels varied. What a template states is read back from its resources; only what it cannot say
travels in `Metadata.archcase` (render/cloudformation/metadata.py)."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from archcase.importer import import_template
from archcase.models import Architecture
from archcase.render.cloudformation.emit import template_text
from archcase.render.cloudformation.template import EmitError

from ..render.cloudformation.conftest import CASES, write_handlers

HANDLERS = write_handlers(Path(__import__("tempfile").mkdtemp(prefix="archcase-handlers-")), list(CASES.values()))
NUMBERS = (0, 1, 3, 7, 30, 60, 90, 128, 300, 512, 900, 3600, 86400, 604800)


def canonical(architecture: Architecture) -> dict[str, Any]:
    """The case as data, services and flows in id order (a template does not keep declaration order)."""
    data = architecture.model_dump(mode="json", by_alias=True)
    data["services"] = sorted(data["services"], key=lambda s: s["id"])
    data["flows"] = sorted(data["flows"], key=lambda f: f["id"])
    return data


def differences(case: Architecture, imported: Architecture) -> list[str]:
    """Where two cases differ, one line per field, for a readable failure."""
    a, b = canonical(case), canonical(imported)
    lines = [f"{key}: {a[key]!r} != {b.get(key)!r}" for key in a if key not in ("services", "flows") and a[key] != b.get(key)]
    for section in ("services", "flows"):
        left, right = {x["id"]: x for x in a[section]}, {x["id"]: x for x in b[section]}
        for ident in sorted(set(left) | set(right)):
            if ident not in left or ident not in right:
                lines.append(f"{section[:-1]} {ident} only in the {'case' if ident in left else 'import'}")
                continue
            lines += [f"{section[:-1]} {ident}: {field} {left[ident].get(field)!r} != {right[ident].get(field)!r}"
                      for field in sorted(set(left[ident]) | set(right[ident])) if left[ident].get(field) != right[ident].get(field)]
    return lines


def round_trip(architecture: Architecture, tmp: Path) -> Architecture:
    path = tmp / f"{architecture.name}.yaml"
    path.write_text(template_text(architecture, HANDLERS), encoding="utf-8")
    return import_template(path).architecture


@pytest.mark.parametrize("name", sorted(CASES))
def test_bundled_case_survives_emit_and_import(name, tmp_path):
    assert differences(CASES[name], round_trip(CASES[name], tmp_path)) == []


def _choices(annotation: Any) -> st.SearchStrategy[Any] | None:
    """Values to try for a field: booleans, the options of a Literal, a few numbers; None for what is not varied."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    options = typing.get_args(annotation) if typing.get_origin(annotation) in (typing.Union, types.UnionType) else (annotation,)
    strategies = []
    for option in options:
        while typing.get_origin(option) is typing.Annotated:
            option = typing.get_args(option)[0]
        if option is bool:
            strategies.append(st.booleans())
        elif typing.get_origin(option) is typing.Literal:
            strategies.append(st.sampled_from(typing.get_args(option)))
        elif option in (int, float):
            strategies.append(st.sampled_from(NUMBERS))
        elif option is type(None):
            strategies.append(st.none())
    return st.one_of(strategies) if strategies else None


SKIPPED = {"id", "kind", "handler", "runtime", "environment", "stages", "listeners", "replica_regions", "signed_urls",
           "partition_key", "sort_key", "identity", "database", "mode", "shards"}
"""Fields kept as the bundled case has them: what names code, structure, or couples to other fields."""


@st.composite
def varied_cases(draw: st.DrawFn) -> Architecture:
    base = draw(st.sampled_from(sorted(CASES)))
    data = CASES[base].model_dump(mode="json", by_alias=True)
    for service in data["services"]:
        cls = type(CASES[base].service(service["id"]))
        for name, info in cls.model_fields.items():
            strategy = None if name in SKIPPED else _choices(info.annotation)
            if strategy is not None and draw(st.booleans()):
                service[name] = draw(strategy)
        if draw(st.booleans()):
            service["label"] = draw(st.sampled_from(["Orders", "Reads: a, b & c", "日本語"]))
    for flow in data["flows"]:
        if draw(st.integers(0, 4)) == 0:
            flow["label"] = "custom label"
    try:
        return Architecture.model_validate(data)
    except ValidationError:
        assume(False)
        raise


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(varied_cases())
def test_generated_case_survives_emit_and_import(tmp_path_factory, architecture):
    try:
        text = template_text(architecture, HANDLERS)
    except EmitError:
        assume(False)
    path = tmp_path_factory.mktemp("rt") / "template.yaml"
    path.write_text(text, encoding="utf-8")
    assert differences(architecture, import_template(path).architecture) == []


@pytest.mark.parametrize("reads", [True, False])
def test_a_function_that_signs_a_buckets_urls_reads_it_only_if_the_case_says_so(tmp_path, reads):
    """Found by the generated round trip in a clean-clone CI run: signing needs the read permission, so a function
    that only signed was imported as also reading."""
    flows = [{"from": "signer", "to": "media", "kind": "signs"}] + ([{"from": "signer", "to": "media", "kind": "reads"}] if reads else [])
    case = Architecture.model_validate({"name": "signing", "title": "Signing", "services": [
        {"id": "signer", "kind": "lambda", "handler": "url_signer.app.handler"}, {"id": "media", "kind": "s3"}], "flows": flows})
    path = tmp_path / "signing.yaml"
    path.write_text(template_text(case, write_handlers(tmp_path / "handlers", [case])), encoding="utf-8")
    assert differences(case, import_template(path).architecture) == []
