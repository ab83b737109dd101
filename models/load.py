"""Load case files into `Architecture` models, turning every problem into a located, actionable message."""

from __future__ import annotations

import errno
import gc
import os
import re
import reprlib
import stat
import types
import typing
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from . import limits, yamlsafe
from .architecture import Architecture, GraphError
from .base import ID_PATTERN, Model, did_you_mean
from .docs import document
from .registry import FLOW_KINDS, SERVICE_KINDS

MAX_BYTES = limits.MAX_CASE_BYTES
"""Largest case file accepted (kept for callers of the old name; the limits live in `models.limits`)."""


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
        text = f"{_visible(self.file)}:{self.line}:{self.column}: {self.severity}: {_visible(self.message)}"
        return f"{text}\n    fix: {_visible(self.hint)}" if self.hint else text


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _visible(text: str) -> str:
    """Text with control characters (line breaks, escapes, ...) shown as escapes, so a message stays on its
    line and cannot drive the terminal."""
    return _CONTROL.sub(lambda m: repr(m.group(0))[1:-1], text) if _CONTROL.search(text) else text


class CaseError(Exception):
    """A case file could not be loaded; `diagnostics` says where and why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


@dataclass(frozen=True)
class Variant:
    """Another reading of a file: a template as it deploys when its conditions are as `conditions` says, or when
    values it does not give take values they may (`unknown`: (service id, or "" for all, and what was varied in
    words) for each), with the same ids for the same services and flows."""

    architecture: Architecture
    conditions: Mapping[str, bool]
    unknown: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SourcedCase:
    """A validated case with the file it came from and the position of everything in it."""

    path: Path
    architecture: Architecture
    document: yamlsafe.Document
    notes: tuple[Diagnostic, ...] = ()
    """What reading the file left out or could not follow (for templates: resources not modelled, ...)."""
    partial: bool = False
    """Read from a template someone wrote, which shows one stack and not what is outside it (client apps,
    callers in other stacks); a case file, or a template archcase emitted from one, states the whole case."""
    variants: tuple[Variant, ...] = ()
    """Other readings of the same file (a template as it deploys in each scenario of its conditions): a finding
    not given by every reading that has its service or flow is undecided."""
    conditional: Mapping[str, str] = field(default_factory=dict)
    """Services of a template that its parameters' defaults do not deploy, each with the condition that would: a
    finding on one of them is undecided."""
    stray: tuple[Diagnostic, ...] = ()
    """Suppressions written on template resources that become no service and belong to none: they suppress nothing
    and are reported as unused (AC001), each at its line."""

    def position(self, loc: tuple[str | int, ...]) -> tuple[int, int]:
        """1-based (line, column) of the value at `loc` in the case file."""
        return self.document.position(loc)

    def element_position(self, element_id: str) -> tuple[int, int]:
        """Where the service or flow with this id is declared."""
        where = self._elements.get(element_id)
        return self.position(where) if where else (1, 1)

    @cached_property
    def _elements(self) -> dict[str, tuple[str, int]]:
        """Service and flow ids to their place in the case, built once (the first declaration of an id wins)."""
        arch = self.architecture
        index: dict[str, tuple[str, int]] = {}
        for i in range(len(arch.flows) - 1, -1, -1):
            index[arch.flows[i].key] = ("flows", i)
        for i in range(len(arch.services) - 1, -1, -1):
            index[arch.services[i].id] = ("services", i)
        return index

    def diagnostic(self, loc: tuple[str | int, ...], message: str, hint: str = "") -> Diagnostic:
        return Diagnostic(str(self.path), *self.position(loc), message, hint)


def load_case(path: str | Path) -> Architecture:
    """Read, parse and validate one case file; raises CaseError with located diagnostics."""
    return read_case(path).architecture


def read_case(path: str | Path) -> SourcedCase:
    """Read, parse and validate one case file, keeping positions; raises CaseError."""
    path = Path(path)
    text = read_text(path, "split the case into several files")
    name = str(path)
    architecture, document = _parse(text, name)
    return SourcedCase(path, architecture, document)


@contextmanager
def bulk() -> Iterator[None]:
    """No cyclic garbage collection while many objects are made that hold no cycles (parsed data, models,
    findings): the collector would otherwise walk them again and again, a third of the time on large cases."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def file_problem(path: Path) -> Diagnostic | None:
    """What makes `path` unreadable as an input file, found with `stat` alone (nothing is opened, so a named
    pipe cannot block): missing, a broken or looping symbolic link, not a regular file, not permitted."""
    name = str(path)
    try:
        info = os.stat(path)
    except OSError as exc:
        return _stat_problem(path, exc)
    if not stat.S_ISREG(info.st_mode):
        what = next((noun for test, noun in _KINDS if test(info.st_mode)), "not a regular file")
        return Diagnostic(name, 1, 1, f"{what}, not a file archcase can read",
                          "give a case file or a template (a regular file), or a folder of them")
    return None


def _stat_problem(path: Path, exc: OSError) -> Diagnostic:
    name = str(path)
    if exc.errno == errno.ELOOP:
        return Diagnostic(name, 1, 1, "symbolic link loop: following the link leads back to it",
                          "point the link at a real file, or remove it")
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return Diagnostic(name, 1, 1, f"broken symbolic link: it points to '{_short_text(os.readlink(path))}', which does not exist",
                          "point the link at an existing file, or remove it")
    if exc.errno == errno.ENOENT:
        return Diagnostic(name, 1, 1, "no such file or folder", "check the path")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return Diagnostic(name, 1, 1, "permission denied", "make the file (and the folders above it) readable")
    return Diagnostic(name, 1, 1, f"cannot read file: {exc.strerror or 'unknown error'}", "check the path")


def read_text(path: Path, too_big: str, limit: str = "MAX_CASE_BYTES") -> str:
    """A file's UTF-8 text (a leading byte-order mark dropped); CaseError if it is not a regular file, cannot be
    read, is larger than the byte limit `limit` (`too_big` says what to do), or is not UTF-8. The size is
    checked with `stat` before the file is opened, a named pipe is never opened, and no more than the limit
    (and one byte) is read, whatever the file claims its size is."""
    name = str(path)
    problem = file_problem(path)
    if problem:
        raise CaseError([problem])
    cap = limits.size_limit(limit)
    try:
        size = os.stat(path).st_size
        if size > cap:
            raise CaseError([_too_big(name, size, cap, limit, too_big)])
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced by something else since the stat above
                raise CaseError([Diagnostic(name, 1, 1, "not a regular file", "give a case file or a template")])
            chunks, total = [], 0
            while total <= cap:
                chunk = os.read(fd, min(1 << 20, cap + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        raise CaseError([_stat_problem(path, exc)]) from None
    raw = b"".join(chunks)
    if len(raw) > cap:
        raise CaseError([_too_big(name, len(raw), cap, limit, too_big)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        raise CaseError([Diagnostic(name, line, column, f"file is not UTF-8 text (byte 0x{raw[exc.start]:02x} here)",
                                    "save it as UTF-8")]) from None


def _too_big(name: str, size: int, cap: int, limit: str, too_big: str) -> Diagnostic:
    return Diagnostic(name, 1, 1, f"file is larger than {limits.megabytes(cap)} ({size} bytes; the {limit} limit)",
                      f"{too_big}; or raise the limit for one run with ARCHCASE_{limit}=<bytes>")


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 60
_REPR.maxlevel = 3


def short(value: Any) -> str:
    """A value as a message shows it: repr, cut to a few dozen characters and three levels."""
    return _REPR.repr(value)


def _short_text(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[:width] + "..."


def case_from_text(text: str, path: Path) -> SourcedCase:
    """A case from text already read."""
    architecture, document = _parse(text, str(path))
    return SourcedCase(path, architecture, document)


def case_from(document: yamlsafe.Document, path: Path) -> SourcedCase:
    """A case from a document already parsed (with intrinsics read, so CloudFormation's tags are refused here)."""
    name = str(path)
    if document.tag:
        tag, line, column = document.tag
        raise CaseError([Diagnostic(name, line, column, f"tag '{tag}' is not allowed in a case file",
                                    "remove the tag: case files hold plain data only (CloudFormation's tags belong in templates)")])
    if document.duplicates:  # read as a template might be, where the last of two keys wins; a case refuses them
        raise CaseError([Diagnostic(name, line, column, f"duplicate key '{key[:80]}' (first given at line {first})",
                                    "remove one of the two entries") for key, line, column, first in document.duplicates])
    return SourcedCase(path, _validate(document, name), document)


def parse_case(text: str, name: str = "<case>") -> Architecture:
    """Parse and validate case text; `name` is used in diagnostics."""
    return _parse(text, name)[0]


def _parse(text: str, name: str) -> tuple[Architecture, yamlsafe.Document]:
    try:
        with bulk():
            doc = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        raise CaseError([Diagnostic(name, exc.line, exc.column, exc.message, exc.hint)]) from None
    return _validate(doc, name), doc


def _validate(doc: yamlsafe.Document, name: str) -> Architecture:
    if not isinstance(doc.data, dict):
        found = "an empty file" if doc.data is None else f"a {type(doc.data).__name__}"
        raise CaseError([Diagnostic(
            name, *doc.position(()), f"a case file must be a mapping, found {found}",
            "start from a bundled case: it needs at least `name`, `title` and `services`",
        )])
    try:
        with bulk():
            return Architecture.model_validate(doc.data)
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
        data = data[part] if isinstance(data, dict | list) and _has(data, part) else None  # type: ignore[index]  # _has checked the index's type
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
    if len(path) < 2 or path[0] not in ("services", "flows", "requirements", "suppressions") or not isinstance(path[1], int):
        return "case"
    items = data.get(path[0]) if isinstance(data, dict) else None
    item = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
    item = item if isinstance(item, dict) else {}
    kind = f"{_short_text(item['kind'], 40)} " if isinstance(item.get("kind"), str) else ""
    noun = {"services": "service", "flows": "flow", "requirements": "requirement", "suppressions": "suppression"}[path[0]]
    ident = item.get("id")
    return f"{kind}{noun} '{_short_text(ident, 63)}'" if isinstance(ident, str) else f"{kind}{noun} #{path[1] + 1}"


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "name"


def _diagnostics(error: ErrorDetails, doc: yamlsafe.Document, name: str) -> list[Diagnostic]:
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    base = _data_path(error["loc"], doc.data)
    if isinstance(cause, GraphError):
        return [Diagnostic(name, *doc.position(p.loc), p.message, p.hint) for p in cause.problems]
    kind = error["type"]
    field = _short_text(str(base[-1]), 60) if base else ""
    owner = _what(base, doc.data)
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        registry = SERVICE_KINDS if base and base[0] == "services" else FLOW_KINDS
        noun = "service" if registry is SERVICE_KINDS else "flow"
        valid = sorted(registry)
        if kind == "union_tag_not_found":
            return [Diagnostic(name, *doc.position(base), f"{owner} has no `kind`",
                               f"add `kind:` with one of: {', '.join(valid)}")]
        tag = _short_text(str(ctx.get("tag")), 60)
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
        close = did_you_mean(str(value)[:100], options)
        hint = f"{close} valid: {expected}" if close else f"use one of: {expected}"
        message = f"'{field}' of {owner} is {short(value)}, not an accepted value"
        return [Diagnostic(name, *doc.position(base), message, hint)]
    where = f"'{field}' of {owner}" if field and not isinstance(base[-1], int) else owner
    if kind == "value_error":
        return [Diagnostic(name, *doc.position(base), f"{where}: {cause}", "")]
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == ID_PATTERN:
        hint = f"use lower-case letters, digits and hyphens, starting with a letter: '{_slug(str(value)[:63])}'"
        return [Diagnostic(name, *doc.position(base), f"{where} is {short(value)}, not a valid identifier", hint)]
    model = _model_at(base[:-1], doc.data) if field else None
    info = model.model_fields.get(field) if model else None
    hint = " ".join(info.description.split()) if info and info.description else "check the value against `archcase schema`"
    return [Diagnostic(name, *doc.position(base), f"{where}: {message[0].lower()}{message[1:]} (got {short(value)})", hint)]
