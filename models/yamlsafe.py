"""Safe YAML loading that remembers where every value came from.

Only plain data is built (mappings, sequences, strings, numbers, booleans, null): no Python object tags,
no custom tags, no duplicate keys, and the limits of `models.limits` checked while the text is read: nesting
depth, string and number length, and how much aliases may expand a document ("billion laughs").

The document is built from libyaml's events with an explicit stack, so no depth of nesting can exhaust
Python's recursion. Plain block YAML with one-line scalars and flow collections, which is what case files
are, is read by a faster line-by-line reader (`models.fastyaml`) that gives the same data and positions and
hands anything else to the full reader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from . import limits

Path_ = tuple[str | int, ...]

_YAML = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, TIMESTAMP, MERGE, MAP, SEQ = (
    _YAML + name for name in ("str", "int", "float", "bool", "null", "timestamp", "merge", "map", "seq"))
_AS_TEXT = {STR, TIMESTAMP, _YAML + "value", _YAML + "yaml"}
"""Scalar types kept as text: dates stay text (the models decide what they mean); `=` and `!` are strings."""


class YamlError(ValueError):
    """The text is not acceptable YAML; `line` and `column` are 1-based."""

    def __init__(self, message: str, line: int, column: int, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint


@dataclass
class Document:
    """Loaded data plus the position of every value (and of every mapping key) in the text."""

    data: Any
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    tag: tuple[str, int, int] | None = None
    """The first CloudFormation short-form tag (`!Ref`, ...) read as an intrinsic function, and where: a case
    file read this way is refused with it."""
    duplicates: list[tuple[str, int, int, int]] = field(default_factory=list)
    """Keys given twice in one mapping, where duplicates are allowed (templates: CloudFormation keeps the last):
    (key, line, column, line of the first)."""
    text: str | None = field(default=None, repr=False)
    """Set when only the positions of short paths were recorded (by the fast reader): the text, read again
    for the positions of longer ones the first time one is asked for."""

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at `path`, or of its key when `key` is set; falls back to
        the closest enclosing value that has a position."""
        if self.text is not None and len(path) > 2:
            self.complete()
        table = self.keys if key and path in self.keys else self.values
        while path and path not in table:
            path = path[:-1]
            table = self.values
        return table.get(path, (1, 1))

    def complete(self) -> None:
        """Every position, from the full reader (which reads the same data and places it the same way); done
        once, the first time a position deeper than the fast reader records is asked for."""
        if self.text is None:
            return
        text, self.text = self.text, None
        loader = Loader(text)
        try:
            full = _Builder(loader, intrinsics=False).run()
        except (yaml.YAMLError, YamlError):
            return
        finally:
            loader.dispose()
        self.values, self.keys = full.values, full.keys


INTRINSIC_TAGS = frozenset({
    "Ref", "Condition", "GetAtt", "Sub", "Join", "If", "Select", "Split", "FindInMap", "ImportValue", "Base64",
    "Cidr", "GetAZs", "Equals", "And", "Or", "Not", "Transform", "ToJsonString", "Length", "ForEach",
})
"""CloudFormation's short-form tags (`!Ref`, `!GetAtt`, `!Sub`, ...), read as their long form."""

_RESOLVERS: dict[str, tuple[tuple[str, Any], ...]] = {
    first: tuple(pairs) for first, pairs in Resolver.yaml_implicit_resolvers.items() if first is not None}
_CONSTRUCTOR = SafeConstructor()


def resolve(value: str) -> str:
    """The type YAML 1.1 gives a plain (unquoted) scalar, as PyYAML's safe loader decides it."""
    for tag, pattern in _RESOLVERS.get(value[:1], ()):
        if pattern.match(value):
            return tag
    return STR


def too_deep(line: int, column: int) -> YamlError:
    return YamlError(f"nesting deeper than {limits.MAX_DEPTH} levels of mappings and lists (the MAX_DEPTH limit)", line, column,
                     hint="flatten the structure: no case or template needs more than a few dozen levels")


def scalar(value: str, tag: str, line: int, column: int) -> Any:
    """A scalar of a known plain type as data; YamlError for a string or number over the limits, and for a
    value its explicit tag does not fit (`!!int abc`)."""
    if len(value) > limits.MAX_STRING_CHARS:
        raise YamlError(f"a string of {len(value)} characters is longer than {limits.MAX_STRING_CHARS} (the MAX_STRING_CHARS limit)",
                        line, column, hint="shorten it: no value of a case or of a template CloudFormation accepts is that long")
    if tag in _AS_TEXT:
        return value
    if tag == NULL:
        return None
    if tag == BOOL:
        known = SafeConstructor.bool_values.get(value.lower())
        if known is None:
            raise YamlError(f"'{value[:40]}' is not a boolean", line, column, hint="write true or false")
        return known
    if tag in (INT, FLOAT):
        if len(value) > limits.MAX_NUMBER_CHARS:
            raise YamlError(f"a number of {len(value)} characters is longer than {limits.MAX_NUMBER_CHARS} (the MAX_NUMBER_CHARS limit)",
                            line, column, hint="write a shorter number, or quote it to keep it as text")
        node = yaml.ScalarNode(tag, value)
        try:
            number = _CONSTRUCTOR.construct_yaml_int(node) if tag == INT else _CONSTRUCTOR.construct_yaml_float(node)
        except (ValueError, ArithmeticError):
            number = None
        if number is None or isinstance(number, float) and math.isinf(number) and "inf" not in value.lower():
            raise YamlError(f"'{value[:40]}' is not a number archcase can read (it is out of range or malformed)", line, column,
                            hint="write a number within ±1.7e308, or quote it to keep it as text")
        return number
    raise YamlError(f"tag '{tag}' is not allowed in a case file", line, column, hint="remove the tag: case files hold plain data only")


class _Frame:
    """A mapping or list being built: its data, its path, and (for mappings) the key awaiting its value."""

    __slots__ = ("data", "path", "is_map", "key", "merges", "size", "anchor", "wrap", "line", "column")

    def __init__(self, data: Any, path: Path_, anchor: str | None, wrap: str | None, line: int, column: int) -> None:
        self.data = data
        self.path = path
        self.is_map = isinstance(data, dict)
        self.key: Any = _NO_KEY
        self.merges: list[tuple[Any, int, int]] = []
        self.size = 1
        self.anchor = anchor
        self.wrap = wrap
        self.line = line
        self.column = column


_NO_KEY = object()
_MERGE_KEY = object()


class _Builder:
    """Data from libyaml's events, with positions; the limits checked as the events arrive."""

    def __init__(self, loader: Any, intrinsics: bool, duplicates: bool = False) -> None:
        self.get = loader.get_event
        self.intrinsics = intrinsics
        self.duplicates = duplicates
        self.doc = Document(data=None)
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open: set[str] = set()
        self.expanded = 0
        self.stack: list[_Frame] = []
        self.done = False

    def run(self) -> Document:
        get = self.get
        get()  # stream start
        event = get()
        if type(event) is yaml.StreamEndEvent:
            return self.doc
        while not self.done:
            event = get()
            kind = type(event)
            mark = event.start_mark
            line, column = mark.line + 1, mark.column + 1
            if kind is yaml.ScalarEvent:
                self.scalar_event(event, line, column)
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self.start(event, kind is yaml.MappingStartEvent, line, column)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                self.end()
            elif kind is yaml.AliasEvent:
                self.alias(event.anchor, line, column)
        get()  # document end
        event = get()
        if type(event) is not yaml.StreamEndEvent:
            mark = event.start_mark
            raise YamlError("malformed YAML: expected a single document in the stream, but found another",
                            mark.line + 1, mark.column + 1, hint="remove the `---` and what follows, or split the file in two")
        return self.doc

    def place(self) -> Path_ | None:
        """The path of the next node, or None when it is a mapping key."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if top.is_map:
            if top.key is _NO_KEY:
                return None
            return (*top.path, "<<") if top.key is _MERGE_KEY else (*top.path, top.key)
        return (*top.path, len(top.data))

    def scalar_event(self, event: Any, line: int, column: int) -> None:
        tag, value = event.tag, event.value
        path = self.place()
        if tag is not None and tag != "!" and tag[0] == "!" and self.intrinsics:
            self.attach(self.intrinsic(tag, value, line, column, path), 1, line, column, path)
        else:
            if tag is None or tag == "!":
                tag = resolve(value) if tag is None and event.implicit[0] else STR
            if path is None and tag == MERGE:
                self.stack[-1].key = _MERGE_KEY
                return
            self.attach(scalar(value, tag, line, column), 1, line, column, path)
        if event.anchor is not None:
            self.anchors[event.anchor] = (self.last, 1)

    def intrinsic(self, tag: str, value: Any, line: int, column: int, path: Path_ | None) -> Any:
        """The start of a short-form intrinsic function (`!GetAtt Table.Arn`): its long-form key, or (for a
        scalar) the whole function."""
        name = tag[1:]
        if name not in INTRINSIC_TAGS:
            raise YamlError(f"unknown tag '{tag}'", line, column,
                            hint=f"CloudFormation's tags are {', '.join('!' + t for t in sorted(INTRINSIC_TAGS))}")
        if self.doc.tag is None:
            self.doc.tag = (tag, line, column)
        key = name if name in ("Ref", "Condition") else f"Fn::{name}"
        if value is None:
            return key
        if len(value) > limits.MAX_STRING_CHARS:
            scalar(value, STR, line, column)
        return {key: value.split(".", 1) if name == "GetAtt" else value}

    def start(self, event: Any, is_map: bool, line: int, column: int) -> None:
        path = self.place()
        if path is None:
            raise YamlError("a mapping or list is used as a mapping key", line, column,
                            hint="keys are plain names: write `name: value`")
        if len(self.stack) >= limits.MAX_DEPTH:
            raise too_deep(line, column)
        tag, wrap = event.tag, None
        if tag is not None and tag != "!" and tag != (MAP if is_map else SEQ):
            if not (self.intrinsics and tag[0] == "!"):
                raise YamlError(f"tag '{tag}' is not allowed in a case file", line, column,
                                hint="remove the tag: case files hold plain data only")
            wrap = self.intrinsic(tag, None, line, column, path)
        self.doc.values.setdefault(path, (line, column))
        if event.anchor is not None:
            self.open.add(event.anchor)
        inner = (*path, wrap) if wrap else path
        self.stack.append(_Frame({} if is_map else [], inner, event.anchor, wrap, line, column))

    def end(self) -> None:
        frame = self.stack.pop()
        data = frame.data
        if frame.merges:
            data = self.merged(frame)
        if frame.wrap:
            data = {frame.wrap: data}
        path = frame.path[:-1] if frame.wrap else frame.path
        self.attach(data, frame.size, frame.line, frame.column, path)
        if frame.anchor is not None:
            self.open.discard(frame.anchor)
            self.anchors[frame.anchor] = (data, frame.size)

    def merged(self, frame: _Frame) -> dict[str, Any]:
        """`<<: *base` (or `<<: [*a, *b]`): the named mappings' entries first, the mapping's own winning, and
        of several merged mappings the first named winning, as PyYAML merges them."""
        result: dict[str, Any] = {}
        for value, _line, _column in frame.merges:
            for mapping in ([value] if isinstance(value, dict) else reversed(value)):
                result.update(mapping)
        keys = self.doc.keys
        for key in result:
            if key not in frame.data:
                keys[(*frame.path, key)] = frame.merges[0][1:]
                self.doc.values.setdefault((*frame.path, key), frame.merges[0][1:])
        result.update(frame.data)
        return result

    def alias(self, anchor: str, line: int, column: int) -> None:
        if anchor in self.open:
            raise YamlError(f"alias '*{anchor}' is used inside the value it names", line, column,
                            hint="a value cannot contain itself: write the data out")
        if anchor not in self.anchors:
            raise YamlError(f"found undefined alias '*{anchor}'", line, column, hint=f"define `&{anchor}` before using it")
        value, size = self.anchors[anchor]
        self.expanded += size
        if self.expanded > limits.MAX_ALIAS_EXPANSION:
            raise YamlError(f"document expands to more than {limits.MAX_ALIAS_EXPANSION} values through aliases "
                            "(the MAX_ALIAS_EXPANSION limit)", line, column,
                            hint="write the data out instead of repeating large anchors through aliases")
        path = self.place()
        if path is None and isinstance(value, dict | list):
            raise YamlError("a mapping or list is used as a mapping key", line, column, hint="keys are plain names: write `name: value`")
        self.attach(value, size, line, column, path)

    def attach(self, value: Any, size: int, line: int, column: int, path: Path_ | None) -> None:
        self.last = value
        if not self.stack:
            self.doc.data = value
            self.doc.values.setdefault((), (line, column))
            self.done = True
            return
        top = self.stack[-1]
        top.size += size
        if path is None:  # a key
            key = value if isinstance(value, str) else str(value)
            if key in top.data and self.duplicates:  # the value that follows replaces the first one
                self.doc.duplicates.append((key, line, column, self.doc.keys[(*top.path, key)][0]))
            elif key in top.data:
                first = self.doc.keys[(*top.path, key)]
                raise YamlError(f"duplicate key '{key[:80]}' (first given at line {first[0]})", line, column,
                                hint="remove one of the two entries")
            top.key = key
            self.doc.keys[(*top.path, key)] = (line, column)
            return
        self.doc.values.setdefault(path, (line, column))
        if not top.is_map:
            top.data.append(value)
            return
        if top.key is _MERGE_KEY:
            if not (isinstance(value, dict) or isinstance(value, list) and value and all(isinstance(v, dict) for v in value)):
                raise YamlError("the merge key `<<` needs a mapping or a list of mappings", line, column,
                                hint="write `<<: *name` where `&name` marks a mapping")
            top.merges.append((value, line, column))
        else:
            top.data[top.key] = value
        top.key = _NO_KEY


Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (several times faster), else the pure-Python one."""


def load(text: str, intrinsics: bool = False, duplicates: bool = False) -> Document:
    """Parse YAML text into plain data with positions; raises YamlError. With `intrinsics`, CloudFormation's
    short-form tags are read as the intrinsic functions they stand for; any other tag is still refused. With
    `duplicates`, a key given twice in a mapping takes the last value and is listed in `Document.duplicates`
    (as CloudFormation reads templates); without, it is an error (case files)."""
    from .fastyaml import Unsupported, read

    try:
        return read(text)
    except Unsupported:
        pass
    loader = Loader(text)
    try:
        return _Builder(loader, intrinsics, duplicates).run()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = ": ".join(str(part) for part in (exc.context, exc.problem) if part)
        if "maximum nesting depth" in problem:  # libyaml's own bound (1,000 levels), met before ours when scanning ahead
            raise too_deep(line, column) from None
        hint = "check indentation and quoting there (quote values that hold ': ' or '#', or start with a symbol)"
        raise YamlError(f"malformed YAML: {problem}", line, column, hint=hint) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"malformed YAML: {exc}", 1, 1, hint="fix the YAML syntax") from None
    finally:
        loader.dispose()
