"""Small edits of a bundled case's data, to build broken (and fixed) variants in tests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from archcase.models import Architecture
from archcase.models.yamlsafe import load

from ..conftest import CASES

Op = Callable[[dict[str, Any]], None]
NULL = object()
"""A field value meaning an explicit `null` (None itself removes the field, leaving the default)."""


def case_data(name: str) -> dict[str, Any]:
    return load((CASES / f"{name}.yaml").read_text()).data


def variant(name: str, *ops: Op) -> Architecture:
    data = copy.deepcopy(case_data(name))
    for op in ops:
        op(data)
    return Architecture.model_validate(data)


def _set(item: dict[str, Any], fields: dict[str, Any]) -> None:
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
    def op(data: dict[str, Any]) -> None:
        data["services"].append(copy.deepcopy(fields))  # a variant may edit it later: the op stays as written

    return op
