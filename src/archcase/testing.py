"""Helpers for testing rules, archcase's own and custom ones alike (docs/custom-rules.md).

A rule test builds an architecture, either a small one (`architecture(...)`) or a bundled case broken in one small
way (`variant("mytodolist", svc("todo-function", memory_mb=3008))`), runs one rule on it (`findings`) and says
exactly what the rule finds: nothing on the compliant case, one message on the broken one.

    from archcase.testing import findings, svc, variant

    def test_a_big_function_is_reported():
        assert messages(big_functions, variant("mytodolist", svc("todo-function", memory_mb=4096))) == [...]
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .cases import BUNDLED
from .checks.engine import Finding
from .checks.engine import check as run_checks
from .checks.packs import Pack
from .checks.rule import Rule, rule_of
from .models import Architecture
from .models.yamlsafe import load

Op = Callable[[dict[str, Any]], None]
"""An edit of a case's data (as read from YAML), made before it is validated."""
NULL = object()
"""A field value meaning an explicit `null` (None itself removes the field, leaving the default)."""


def case_data(name: str | Path) -> dict[str, Any]:
    """A case's data: a bundled case by name (`mytodolist`), or a case file by path."""
    path = Path(name) if Path(name).suffix else BUNDLED / f"{name}.yaml"
    data: dict[str, Any] = load(path.read_text(encoding="utf-8")).data
    return data


def variant(name: str | Path | Mapping[str, Any], *ops: Op) -> Architecture:
    """A case (bundled by name, a case file by path, or data) with `ops` applied, validated."""
    data = copy.deepcopy(dict(name) if isinstance(name, Mapping) else case_data(name))
    for op in ops:
        op(data)
    return Architecture.model_validate(data)


def architecture(*services: Mapping[str, Any], flows: tuple[Mapping[str, Any], ...] = (), name: str = "t") -> Architecture:
    """A small architecture of the `services` (each `{"id": ..., "kind": ..., fields...}`) and `flows`
    (each `{"from": ..., "kind": ..., "to": ...}`)."""
    return Architecture.model_validate({"name": name, "title": name, "services": [dict(s) for s in services],
                                        "flows": [dict(f) for f in flows]})


def _set(item: dict[str, Any], fields: Mapping[str, Any]) -> None:
    """Set fields: None removes a field (leaving its default), NULL sets an explicit null."""
    for key, value in fields.items():
        if value is None:
            item.pop(key, None)
        else:
            item[key] = None if value is NULL else value


def svc(service_id: str, **fields: Any) -> Op:
    """Set fields of a service."""

    def op(data: dict[str, Any]) -> None:
        (service,) = [s for s in data["services"] if s["id"] == service_id]
        _set(service, fields)

    return op


def _match(flow: dict[str, Any], src: str, kind: str, dst: str) -> bool:
    return (flow["from"], flow["kind"], flow["to"]) == (src, kind, dst)


def flow(src: str, kind: str, dst: str, **fields: Any) -> Op:
    """Set fields of the flow src -kind-> dst."""

    def op(data: dict[str, Any]) -> None:
        (found,) = [f for f in data["flows"] if _match(f, src, kind, dst)]
        _set(found, fields)

    return op


def drop(src: str, kind: str, dst: str) -> Op:
    """Remove the flow src -kind-> dst."""

    def op(data: dict[str, Any]) -> None:
        before = len(data["flows"])
        data["flows"] = [f for f in data["flows"] if not _match(f, src, kind, dst)]
        assert len(data["flows"]) == before - 1, f"no flow {src} -{kind}-> {dst}"

    return op


def add(src: str, kind: str, dst: str, **fields: Any) -> Op:
    """Add a flow."""

    def op(data: dict[str, Any]) -> None:
        data["flows"].append({"from": src, "kind": kind, "to": dst, **fields})

    return op


def add_service(**fields: Any) -> Op:
    """Add a service."""

    def op(data: dict[str, Any]) -> None:
        data["services"].append(copy.deepcopy(fields))  # a variant may edit it later: the op stays as written

    return op


def findings(check: Callable[..., Any] | Rule, arch: Architecture) -> list[Finding]:
    """What one rule (its `@rule` function, or its Rule) finds in `arch`, as `archcase check` would report it."""
    rule = check if isinstance(check, Rule) else rule_of(check)
    pack = Pack("test", f"only {rule.id}", (rule.id,), custom={rule.id: rule})
    return [f for f in run_checks(arch, pack).findings if f.rule_id == rule.id]


def messages(check: Callable[..., Any] | Rule, arch: Architecture) -> list[str]:
    """The messages of what one rule finds in `arch` (failures and undecided alike)."""
    return [f.message for f in findings(check, arch)]


def applies(check: Callable[..., Any] | Rule, arch: Architecture) -> int:
    """How many services or flows of `arch` the rule looks at (passes included): a compliant example should be > 0."""
    rule = check if isinstance(check, Rule) else rule_of(check)
    return run_checks(arch, Pack("test", f"only {rule.id}", (rule.id,), custom={rule.id: rule})).applicable[rule.id]
