"""Read a CloudFormation or SAM template (YAML with short or long intrinsics, or JSON), keeping the line of
every value, and tell templates from case files by what they hold."""

from __future__ import annotations

import json
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..models import CaseError, Diagnostic, limits
from ..models.load import bulk, read_text
from ..models.yamlsafe import Document, YamlError, load
from .nested import include, nest

TEMPLATE_KEYS = frozenset({"AWSTemplateFormatVersion", "Resources", "Transform"})
"""Top-level keys that only templates have (a case has `services`)."""
TOO_BIG = "CloudFormation accepts templates up to 1 MB: is this a template?"


@dataclass(frozen=True)
class Source:
    """A template as data, with positions, and notes on what reading it left out."""

    path: Path
    document: Document
    notes: list[Diagnostic] = field(default_factory=list)
    origins: dict[str, str] = field(default_factory=dict)
    """For each resource read from a nested stack's template, the logical id of the stack resource in this one
    (where its findings are placed)."""
    made: dict[str, tuple[str | int, ...]] = field(default_factory=dict)
    """For each resource SAM creates, where the event that makes it is written (`Template.made`)."""

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.document.data  # a template's document is a mapping (see `parse`)
        return data

    def position(self, *path: str | int) -> tuple[int, int]:
        """Where a key is given (a resource's logical id, rather than its first property); for a resource of a
        nested stack, where the stack is given."""
        return self.document.position(self._placed(tuple(path)), key=True)

    def diagnostic(self, path: tuple[str | int, ...], message: str, hint: str = "", severity: str = "error") -> Diagnostic:
        return Diagnostic(str(self.path), *self.document.position(self._placed(path), key=True), message, hint, severity)

    def _placed(self, path: tuple[str | int, ...]) -> tuple[str | int, ...]:
        if len(path) >= 2 and path[0] == "Resources" and isinstance(path[1], str) and path[1] in self.made:
            return self._placed(self.made[path[1]])
        if len(path) >= 2 and path[0] == "Resources" and isinstance(path[1], str) and path[1] in self.origins:
            return ("Resources", self.origins[path[1]])
        return path


def is_template(data: object) -> bool:
    """True for a template: a mapping with `Resources`, `AWSTemplateFormatVersion` or `Transform`, and no `services`."""
    return isinstance(data, dict) and "services" not in data and bool(TEMPLATE_KEYS & set(data))


TEMPLATE_HINT = re.compile(r"""(?:^|[{,\s])["']?(?:AWSTemplateFormatVersion|Resources)["']?[ \t]*:""")
"""A template's top-level key, written anywhere (a one-line JSON template has it mid-line)."""


def looks_like_template(path: Path) -> bool:
    """A cheap look at the beginning of a regular file: could it be a template? Used only to pick JSON and
    `.template` files out of a folder (a `package.json` is no template); the parsed content decides what a
    file is. Nothing but a regular file is opened."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return False
        with path.open("rb") as handle:
            head = handle.read(65536).decode("utf-8", errors="replace")
    except OSError:
        return False
    return bool(TEMPLATE_HINT.search(head))


def read(path: str | Path, nested: bool = True) -> Source:
    """Read and parse one template; raises CaseError with the file, line and what is wrong. `nested`: follow
    its local nested stacks (see `source`)."""
    path = Path(path)
    text = read_text(path, TOO_BIG, "MAX_TEMPLATE_BYTES")
    return source(path, parse(text, str(path)), nested=nested)


def source(path: Path, document: Document, size: int | None = None, nested: bool = True) -> Source:
    """A parsed document as a template: checked, its loops expanded, its local `AWS::Include` snippets put in and
    (when `nested`) its local nested stacks' resources put in place of them (importer/nested.py), what cannot
    be read left out with notes."""
    name = str(path)
    if size is not None and size > limits.size_limit("MAX_TEMPLATE_BYTES"):
        cap = limits.size_limit("MAX_TEMPLATE_BYTES")
        raise CaseError([Diagnostic(name, 1, 1, f"template is larger than {limits.megabytes(cap)} ({size} bytes; the "
                                    "MAX_TEMPLATE_BYTES limit)", f"{TOO_BIG} Or raise the limit for one run with "
                                    "ARCHCASE_MAX_TEMPLATE_BYTES=<bytes>")])
    if document.data is None:
        raise CaseError([Diagnostic(name, 1, 1, "not a CloudFormation template: it is an empty file",
                                    "import a CloudFormation or SAM template (YAML or JSON)")])
    if not is_template(document.data):
        raise CaseError([Diagnostic(name, 1, 1, "not a CloudFormation template: it has no `Resources`",
                                    "import a CloudFormation or SAM template (YAML or JSON)")])
    result = Source(path, document)
    resources = result.data.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise CaseError([result.diagnostic(("Resources",), "the template's `Resources` is empty or not a mapping",
                                           "a template declares at least one resource under `Resources`")])
    from .shapes import prepare

    def note(where: tuple[str | int, ...], message: str, hint: str = "") -> None:
        result.notes.append(result.diagnostic(where, message, hint, "note"))

    for key, line, column, first in document.duplicates:
        result.notes.append(Diagnostic(name, line, column, f"duplicate key '{key[:80]}' (first given at line "
                                       f"{first}): CloudFormation keeps this, the last value, and so does the import",
                                       "remove one of the two entries", "warning"))

    include(result.data, path.parent, note, _snippet)
    prepare(result.data, document, note, lambda where, message, hint: result.diagnostic(where, message, hint))
    if nested:
        nest(result.data, path.parent, note, lambda file: read(file, nested=False).data, result.origins, seen=frozenset({path.resolve()}))
    return result


def _snippet(path: Path) -> Any:
    """A file `AWS::Include` names, parsed (CaseError, located in it, when it cannot be)."""
    return parse(read_text(path, TOO_BIG, "MAX_TEMPLATE_BYTES"), str(path)).data


def parse(text: str, name: str) -> Document:
    """YAML (short-form intrinsics read as their long form), or JSON that YAML's reader refuses (tabs before
    tokens, for one); CaseError with the position of what is wrong."""
    try:
        with bulk():
            return load(text, intrinsics=True, duplicates=True)
    except YamlError as exc:
        if not text.lstrip().startswith("{"):
            raise CaseError([Diagnostic(name, exc.line, exc.column, exc.message, exc.hint)]) from None
        yaml_error = exc
    try:
        return read_json(text)
    except YamlError as exc:
        raise CaseError([Diagnostic(name, exc.line, exc.column, exc.message, exc.hint)]) from None
    except _NotJson:
        raise CaseError([Diagnostic(name, yaml_error.line, yaml_error.column, yaml_error.message, yaml_error.hint)]) from None


class _NotJson(Exception):
    pass


_JSON_TOKEN = re.compile(r'"(?:[^"\\\n]++|\\.)*+"|[{}\[\],:]|[^\s{}\[\],:"]++|\S')


def read_json(text: str) -> Document:
    """JSON with the position of every value and key, the limits of `models.limits` checked first (depth,
    string and number length, duplicate keys), in one pass over the tokens; then parsed by `json`."""
    document = Document(data=None)
    values, keys = document.values, document.keys
    stack: list[list[Any]] = []  # [is mapping, path, key or next index, expecting a key, keys seen]
    line, line_start, last = 1, 0, 0
    for match in _JSON_TOKEN.finditer(text):
        start = match.start()
        breaks = text.count("\n", last, start)
        if breaks:
            line += breaks
            line_start = text.rfind("\n", last, start) + 1
        last = start
        at = (line, start - line_start + 1)
        token = match.group()
        first = token[0]
        top = stack[-1] if stack else None
        if first in "{[":
            if len(stack) >= limits.MAX_DEPTH:
                raise YamlError(f"nesting deeper than {limits.MAX_DEPTH} levels of objects and arrays (the MAX_DEPTH limit)", *at,
                                hint="flatten the structure: no template needs more than a few dozen levels")
            path = _json_place(top)
            if path is None:
                raise _NotJson
            values.setdefault(path, at)
            stack.append([first == "{", path, 0 if first == "[" else None, first == "{", set()])
        elif first in "}]":
            if not stack:
                raise _NotJson
            stack.pop()
            if stack:
                _json_next(stack[-1])
        elif first == ":":
            continue
        elif first == ",":
            if top is not None and top[0]:
                top[3] = True
        else:
            if first == '"':
                if len(token) - 2 > limits.MAX_STRING_CHARS:
                    raise YamlError(f"a string of {len(token) - 2} characters is longer than {limits.MAX_STRING_CHARS} "
                                    "(the MAX_STRING_CHARS limit)", *at, hint="shorten it")
            elif len(token) > limits.MAX_NUMBER_CHARS:
                raise YamlError(f"a number of {len(token)} characters is longer than {limits.MAX_NUMBER_CHARS} "
                                "(the MAX_NUMBER_CHARS limit)", *at, hint="write a shorter number, or quote it")
            elif token in ("NaN", "Infinity", "-Infinity"):
                raise YamlError(f"'{token}' is not a JSON value", *at, hint="write a number, or quote it")
            if top is not None and top[0] and top[3]:
                try:
                    key = json.loads(token) if first == '"' else token
                except ValueError:
                    raise _NotJson from None
                if key in top[4]:  # json keeps the last value, as CloudFormation does
                    document.duplicates.append((str(key), *at, keys[(*top[1], key)][0]))
                top[4].add(key)
                top[2] = key
                top[3] = False
                keys[(*top[1], key)] = at
                continue
            path = _json_place(top)
            if path is None:
                raise _NotJson
            values.setdefault(path, at)
            if top is not None:
                _json_next(top)
    try:
        with bulk():
            document.data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise YamlError(f"malformed JSON: {exc.msg}", exc.lineno, exc.colno, hint="check the brackets, commas and quotes there") from None
    except (ValueError, RecursionError):
        raise _NotJson from None
    return document


def _json_place(top: list[Any] | None) -> tuple[Any, ...] | None:
    if top is None:
        return ()
    if top[0]:
        return None if top[3] or top[2] is None else (*top[1], top[2])
    return (*top[1], top[2])


def _json_next(top: list[Any]) -> None:
    if not top[0]:
        top[2] += 1
