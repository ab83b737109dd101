"""Load case files into `Architecture` models, turning every problem into a located, actionable message."""

from __future__ import annotations

import difflib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from . import yamlsafe
from .architecture import Architecture, GraphError
from .registry import FLOW_KINDS, SERVICE_KINDS

MAX_BYTES = 5_000_000
"""Largest case file accepted."""


@dataclass(frozen=True)
class Diagnostic:
    """One problem with an input file: where it is, what is wrong and how to fix it."""

    file: str
    line: int
    column: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: error: {self.message}"
        return f"{text}\n    fix: {self.hint}" if self.hint else text


class CaseError(Exception):
    """A case file could not be loaded; `diagnostics` says where and why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


def load_case(path: str | Path) -> Architecture:
    """Read, parse and validate one case file; raises CaseError with located diagnostics."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CaseError([Diagnostic(name, 1, 1, f"cannot read file: {exc.strerror}", "check the path")]) from None
    if len(raw) > MAX_BYTES:
        raise CaseError([Diagnostic(name, 1, 1, f"file is larger than {MAX_BYTES} bytes", "split the case")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError([Diagnostic(name, 1, 1, f"file is not UTF-8 text ({exc.reason})", "save it as UTF-8")]) from None
    return parse_case(text, name)


def parse_case(text: str, name: str = "<case>") -> Architecture:
    """Parse and validate case text; `name` is used in diagnostics."""
    try:
        doc = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        raise CaseError([Diagnostic(name, exc.line, exc.column, exc.message, exc.hint)]) from None
    if not isinstance(doc.data, dict):
        found = "an empty file" if doc.data is None else f"a {type(doc.data).__name__}"
        raise CaseError([Diagnostic(
            name, *doc.position(()), f"a case file must be a mapping, found {found}",
            "start from a bundled case: it needs at least `name`, `title` and `services`",
        )])
    try:
        return Architecture.model_validate(doc.data)
    except ValidationError as exc:
        diagnostics = [d for error in exc.errors() for d in _diagnostics(error, doc, name)]
        raise CaseError(sorted(set(diagnostics), key=lambda d: (d.line, d.column, d.message))) from None


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """Map a pydantic error location onto the data, dropping the union tags pydantic inserts."""
    path: list[str | int] = []
    for part in loc:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        elif isinstance(data, dict | list):
            if isinstance(data, dict) and str(part) == data.get("kind"):
                continue  # the union member's tag
            if isinstance(part, str) and not part.isidentifier():
                continue  # a validator's own name, such as 'function-after[...]'
            path.append(part)  # a missing key: still the right place to point at
            data = None
            continue
        path.append(part)
    return tuple(path)


def _model_at(path: tuple[str | int, ...], data: Any) -> type[BaseModel] | None:
    """The model class that validates the mapping at `path` in `data`, if any."""
    current: Any = Architecture
    for part in path:
        data = data[part] if isinstance(data, dict | list) else None
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        fields = {f.alias or n: f for n, f in current.model_fields.items()}
        if part not in fields:
            return None
        current = _member(fields[part].annotation, data)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _member(annotation: Any, data: Any) -> Any:
    """The model class in an annotation that matches `data` (following lists, optionals and tagged unions)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin is list:
            return _member(typing.get_args(annotation)[0], data[0] if isinstance(data, list) and data else None)
        elif origin in (typing.Union, types.UnionType):
            models = [a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
            kind = data.get("kind") if isinstance(data, dict) else None
            for model in models:
                if "kind" in model.model_fields and model.model_fields["kind"].default == kind:
                    return model
            return models[0] if len(models) == 1 else None
        else:
            return annotation


def _what(path: tuple[str | int, ...], data: Any) -> str:
    """How to name the thing at `path` in a message: `lambda service 'todo-api'`, `flow 3`, ..."""
    node: Any = data
    for part in path[:2]:
        node = node[part] if isinstance(node, dict | list) else None
    if len(path) >= 2 and path[0] in ("services", "flows") and isinstance(node, dict):
        label = node.get("id") or (f"{node.get('from')} -> {node.get('to')}" if path[0] == "flows" else None)
        kind = node.get("kind")
        noun = "service" if path[0] == "services" else "flow"
        return f"{kind or ''} {noun} '{label}'".strip() if label else f"{noun} {path[1] + 1}"
    return "case"


def _diagnostics(error: ErrorDetails, doc: yamlsafe.Document, name: str) -> list[Diagnostic]:
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    base = _data_path(error["loc"], doc.data)
    if isinstance(cause, GraphError):
        return [Diagnostic(name, *doc.position(p.loc), p.message, p.hint) for p in cause.problems]
    kind = error["type"]
    field = str(base[-1]) if base else ""
    owner = _what(base, doc.data)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        registry = SERVICE_KINDS if base and base[0] == "services" else FLOW_KINDS
        noun = "service" if registry is SERVICE_KINDS else "flow"
        valid = sorted(registry)
        if kind == "union_tag_not_found":
            return [Diagnostic(name, *doc.position(base), f"{owner} has no `kind`",
                               f"add `kind:` with one of: {', '.join(valid)}")]
        tag = str(ctx.get("tag"))
        close = difflib.get_close_matches(tag, valid, n=3, cutoff=0.4)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
        return [Diagnostic(name, *doc.position((*base, "kind")), f"unknown {noun} kind '{tag}'",
                           f"{hint}valid {noun} kinds: {', '.join(valid)}")]
    if kind == "extra_forbidden":
        model = _model_at(base[:-1], doc.data)
        valid = sorted(f.alias or n for n, f in model.model_fields.items()) if model else []
        close = difflib.get_close_matches(field, valid, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else f"remove it; valid fields: {', '.join(valid)}"
        return [Diagnostic(name, *doc.position(base, key=True), f"unknown field '{field}' in {owner}", hint)]
    if kind == "missing":
        model = _model_at(base[:-1], doc.data)
        info = model.model_fields.get(field) if model else None
        if model and info is None:
            info = next((f for f in model.model_fields.values() if f.alias == field), None)
        hint = f"add `{field}:` ({info.description})" if info and info.description else f"add `{field}:`"
        return [Diagnostic(name, *doc.position(base[:-1]), f"{owner} is missing required field '{field}'", hint)]
    value = error.get("input")
    message = error["msg"]
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.5)
        hint = f"did you mean '{close[0]}'? valid: {expected}" if close else f"use one of: {expected}"
        return [Diagnostic(name, *doc.position(base), f"'{field}' of {owner} is {value!r}, not an accepted value", hint)]
    where = f"'{field}' of {owner}" if field and not isinstance(base[-1], int) else owner
    hint = "check the value against the case schema (`archcase schema`)"
    return [Diagnostic(name, *doc.position(base), f"{where}: {message[0].lower()}{message[1:]} (got {value!r})", hint)]
