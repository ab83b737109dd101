"""Load case files into `Architecture` models, turning every problem into a located, actionable message."""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from . import yamlsafe
from .architecture import Architecture, GraphError
from .base import ID_PATTERN, Model, did_you_mean
from .docs import document
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
    severity: str = "error"
    """`error` for what stops a command; `note` for what it tells and goes on (what an import left out)."""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: {self.severity}: {self.message}"
        return f"{text}\n    fix: {self.hint}" if self.hint else text


class CaseError(Exception):
    """A case file could not be loaded; `diagnostics` says where and why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


@dataclass(frozen=True)
class SourcedCase:
    """A validated case with the file it came from and the position of everything in it."""

    path: Path
    architecture: Architecture
    document: yamlsafe.Document
    notes: tuple[Diagnostic, ...] = ()
    """What reading the file left out or could not follow (for templates: resources not modelled, ...)."""

    def position(self, loc: tuple[str | int, ...]) -> tuple[int, int]:
        """1-based (line, column) of the value at `loc` in the case file."""
        return self.document.position(loc)

    def element_position(self, element_id: str) -> tuple[int, int]:
        """Where the service or flow with this id is declared."""
        arch = self.architecture
        for section, items in (("services", arch.services), ("flows", arch.flows)):
            for i, item in enumerate(items):
                if item.id == element_id:
                    return self.position((section, i))
        return (1, 1)

    def diagnostic(self, loc: tuple[str | int, ...], message: str, hint: str = "") -> Diagnostic:
        return Diagnostic(str(self.path), *self.position(loc), message, hint)


def load_case(path: str | Path) -> Architecture:
    """Read, parse and validate one case file; raises CaseError with located diagnostics."""
    return read_case(path).architecture


def read_case(path: str | Path) -> SourcedCase:
    """Read, parse and validate one case file, keeping positions; raises CaseError."""
    path = Path(path)
    text = read_text(path, "split the case")
    name = str(path)
    architecture, document = _parse(text, name)
    return SourcedCase(path, architecture, document)


def read_text(path: Path, too_big: str) -> str:
    """A file's UTF-8 text (a leading byte-order mark dropped); CaseError if it cannot be read, is larger than
    MAX_BYTES (`too_big` says what to do), or is not UTF-8."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CaseError([Diagnostic(name, 1, 1, f"cannot read file: {exc.strerror}", "check the path")]) from None
    if len(raw) > MAX_BYTES:
        raise CaseError([Diagnostic(name, 1, 1, f"file is larger than {MAX_BYTES} bytes", too_big)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CaseError([Diagnostic(name, 1, 1, f"file is not UTF-8 text ({exc.reason})", "save it as UTF-8")]) from None


def parse_case(text: str, name: str = "<case>") -> Architecture:
    """Parse and validate case text; `name` is used in diagnostics."""
    return _parse(text, name)[0]


def _parse(text: str, name: str) -> tuple[Architecture, yamlsafe.Document]:
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
        return Architecture.model_validate(doc.data), doc
    except ValidationError as exc:
        document(Model)  # field descriptions make the hints
        diagnostics = [d for error in exc.errors() for d in _diagnostics(error, doc, name)]
        raise CaseError(sorted(set(diagnostics), key=lambda d: (d.line, d.column, d.message))) from None


def _data_path(loc: tuple[Any, ...], data: Any) -> tuple[str | int, ...]:
    """Map a pydantic error location onto the data, dropping the union tags pydantic inserts."""
    path: list[str | int] = []
    for part in loc:
        if isinstance(data, dict | list) and _has(data, part):
            data = data[part]
        elif isinstance(data, dict) and str(part) == data.get("kind"):
            continue  # the union member's tag
        elif isinstance(part, str) and not part.isidentifier():
            continue  # a validator's own name, such as 'function-after[...]'
        else:
            data = None  # a missing key: still the right place to point at
        path.append(part)
    return tuple(path)


def _model_at(path: tuple[str | int, ...], data: Any) -> type[BaseModel] | None:
    """The model class that validates the mapping at `path` in `data`, if any."""
    annotation: Any = Architecture
    for part in path:
        if isinstance(part, int):
            annotation = _list_item(annotation)
        else:
            model = _resolve(annotation, data)
            fields = {f.alias or n: f for n, f in model.model_fields.items()} if model else {}
            if part not in fields:
                return None
            annotation = fields[part].annotation
        data = data[part] if isinstance(data, dict | list) and _has(data, part) else None
    return _resolve(annotation, data)


def _has(container: dict[str, Any] | list[Any], part: str | int) -> bool:
    return part in container if isinstance(container, dict) else isinstance(part, int) and part < len(container)


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _list_item(annotation: Any) -> Any:
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        annotation = next((a for a in typing.get_args(annotation) if typing.get_origin(a) is list), None)
    return typing.get_args(annotation)[0] if typing.get_origin(annotation) is list else None


def _resolve(annotation: Any, data: Any) -> type[BaseModel] | None:
    """The model class in `annotation` that validates `data` (following optionals and tagged unions)."""
    annotation = _unwrap(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [a for a in map(_unwrap, typing.get_args(annotation)) if _is_model(a)]
        kind = data.get("kind") if isinstance(data, dict) else None
        matching = [m for m in models if "kind" in m.model_fields and m.model_fields["kind"].default == kind]
        return (matching or models)[0] if len(matching) == 1 or len(models) == 1 else None
    return annotation if _is_model(annotation) else None


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _what(path: tuple[str | int, ...], data: Any) -> str:
    """How to name the thing at `path` in a message: `lambda service 'todo-api'`, `reads flow #3`, ..."""
    if len(path) < 2 or path[0] not in ("services", "flows", "requirements") or not isinstance(path[1], int):
        return "case"
    items = data.get(path[0]) if isinstance(data, dict) else None
    item = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
    item = item if isinstance(item, dict) else {}
    kind = f"{item['kind']} " if isinstance(item.get("kind"), str) else ""
    noun = {"services": "service", "flows": "flow", "requirements": "requirement"}[path[0]]
    ident = item.get("id")
    return f"{kind}{noun} '{ident}'" if isinstance(ident, str) else f"{kind}{noun} #{path[1] + 1}"


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "name"


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
        hint = did_you_mean(tag, valid, n=3)
        return [Diagnostic(name, *doc.position((*base, "kind")), f"unknown {noun} kind '{tag}'",
                           f"{hint} valid {noun} kinds: {', '.join(valid)}".strip())]
    if kind == "extra_forbidden":
        model = _model_at(base[:-1], doc.data)
        valid = sorted(f.alias or n for n, f in model.model_fields.items()) if model else []
        hint = did_you_mean(field, valid) or f"remove it; valid fields: {', '.join(valid)}"
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
        close = did_you_mean(str(value), options)
        hint = f"{close} valid: {expected}" if close else f"use one of: {expected}"
        message = f"'{field}' of {owner} is {value!r}, not an accepted value"
        return [Diagnostic(name, *doc.position(base), message, hint)]
    where = f"'{field}' of {owner}" if field and not isinstance(base[-1], int) else owner
    if kind == "value_error":
        return [Diagnostic(name, *doc.position(base), f"{where}: {cause}", "")]
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == ID_PATTERN:
        hint = f"use lower-case letters, digits and hyphens, starting with a letter: '{_slug(str(value))}'"
        return [Diagnostic(name, *doc.position(base), f"{where} is {value!r}, not a valid identifier", hint)]
    model = _model_at(base[:-1], doc.data) if field else None
    info = model.model_fields.get(field) if model else None
    hint = info.description if info and info.description else "check the value against `archcase schema`"
    return [Diagnostic(name, *doc.position(base), f"{where}: {message[0].lower()}{message[1:]} (got {value!r})", hint)]
