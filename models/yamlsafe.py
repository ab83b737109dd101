"""Safe YAML loading that remembers where every value came from.

Only plain data is built (mappings, sequences, strings, numbers, booleans, null): no Python object tags,
no custom tags, no duplicate keys, and a bound on alias expansion so a small file cannot expand into a
huge document ("billion laughs").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path_ = tuple[str | int, ...]

MAX_NODES = 200_000
"""Most values a document may expand to, counting every use of an alias."""

_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}


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

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at `path`, or of its key when `key` is set; falls back to
        the closest enclosing value that has a position."""
        table = self.keys if key and path in self.keys else self.values
        while path and path not in table:
            path = path[:-1]
            table = self.values
        return table.get(path, (1, 1))


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


INTRINSIC_TAGS = frozenset({
    "Ref", "Condition", "GetAtt", "Sub", "Join", "If", "Select", "Split", "FindInMap", "ImportValue", "Base64",
    "Cidr", "GetAZs", "Equals", "And", "Or", "Not", "Transform", "ToJsonString", "Length", "ForEach",
})
"""CloudFormation's short-form tags (`!Ref`, `!GetAtt`, `!Sub`, ...), read as their long form."""


class _Builder:
    def __init__(self, loader: Any, intrinsics: bool = False) -> None:
        self.loader = loader
        self.intrinsics = intrinsics
        self.doc = Document(data=None)
        self.count = 0

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise YamlError(
                f"document expands to more than {MAX_NODES} values (aliases used too many times)",
                *_mark(node),
                hint="write the data out instead of nesting aliases",
            )
        self.doc.values.setdefault(path, _mark(node))
        if self.intrinsics and node.tag.startswith("!"):
            return self._intrinsic(node, path)
        if node.tag not in _PLAIN_TAGS:
            raise YamlError(
                f"tag '{node.tag}' is not allowed in a case file",
                *_mark(node),
                hint="remove the tag: case files hold plain data only",
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if node.tag.endswith(":timestamp"):
            return node.value  # dates stay text: the models decide what they mean
        return self.loader.construct_object(node, deep=True)

    def _intrinsic(self, node: yaml.Node, path: Path_) -> dict[str, Any]:
        """A short-form intrinsic function (`!GetAtt Table.Arn`) as its long form (`{"Fn::GetAtt": [...]}`)."""
        name = node.tag[1:]
        if name not in INTRINSIC_TAGS:
            raise YamlError(f"unknown tag '{node.tag}'", *_mark(node),
                            hint=f"CloudFormation's tags are {', '.join('!' + t for t in sorted(INTRINSIC_TAGS))}")
        key = name if name in ("Ref", "Condition") else f"Fn::{name}"
        if isinstance(node, yaml.ScalarNode):
            value: Any = node.value
            if name == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = [self.build(item, (*path, key, i)) for i, item in enumerate(node.value)]
        else:
            value = self._mapping(node, (*path, key))
        return {key: value}

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        own = {id(key_node) for key_node, _ in node.value}
        self.loader.flatten_mapping(node)  # resolves `<<` merge keys; merged entries come first
        result: dict[str, Any] = {}
        merged: set[str] = set()
        for key_node, value_node in node.value:
            key = self.build(key_node, (*path, "<key>"))
            if not isinstance(key, str):
                key = str(key)
            if id(key_node) not in own:
                merged.add(key)
            elif key in merged:
                merged.discard(key)  # an explicit key overrides a merged one, as YAML intends
            elif key in result:
                line, column = self.doc.keys[(*path, key)]
                raise YamlError(
                    f"duplicate key '{key}' (first given at line {line})",
                    *_mark(key_node),
                    hint="remove one of the two entries",
                )
            self.doc.keys[(*path, key)] = _mark(key_node)
            result[key] = self.build(value_node, (*path, key))
        self.doc.values.pop((*path, "<key>"), None)
        return result


Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it (several times faster), else the pure-Python one."""


def load(text: str, intrinsics: bool = False) -> Document:
    """Parse YAML text into plain data with positions; raises YamlError. With `intrinsics`, CloudFormation's
    short-form tags are read as the intrinsic functions they stand for; any other tag is still refused."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        builder = _Builder(loader, intrinsics)
        builder.doc.data = None if node is None else builder.build(node, ())
        return builder.doc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = ": ".join(str(part) for part in (exc.context, exc.problem) if part)
        hint = "check indentation and quoting there (quote values that hold ': ' or '#', or start with a symbol)"
        raise YamlError(f"malformed YAML: {problem}", line, column, hint=hint) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"malformed YAML: {exc}", 1, 1, hint="fix the YAML syntax") from None
    finally:
        loader.dispose()
