"""Reading intrinsic functions: what a value refers to, and what it is when it can be known without deploying.

`Fn::If` stands for the branch its condition's truth takes (importer/scenarios.py says which), and where that is
not known, for its first branch (its second when the first is `AWS::NoValue`), so that the setting is seen.
Parameters stand for their `Default`, when they have one.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

NO_VALUE = {"Ref": "AWS::NoValue"}
_PLACEHOLDER = re.compile(r"\$\{([^!{}][^{}]*)\}")
"""`${Name}` or `${Resource.Attribute}` in `Fn::Sub` text (`${!Literal}` is not one). A name holds no brace, so
a scan never runs past the next `{`: linear in the text, however many `${` it holds."""


def conditions(value: Any, truth: Mapping[str, bool] | None = None) -> Any:
    """The value with every `Fn::If` replaced by the branch CloudFormation deploys when the conditions are as
    `truth` says (a property whose branch is `AWS::NoValue` left out); for a condition `truth` does not decide,
    the first branch, or the second where the first is `AWS::NoValue`, so that the setting is seen."""
    truth = truth or {}
    if isinstance(value, dict):
        if set(value) == {"Fn::If"} and isinstance(value["Fn::If"], list) and len(value["Fn::If"]) == 3:
            name, first, second = value["Fn::If"]
            taken = truth.get(name) if isinstance(name, str) else None
            return conditions(second if taken is False or (taken is None and first == NO_VALUE) else first, truth)
        result = {}
        for key, item in value.items():
            item = conditions(item, truth)
            if item != NO_VALUE:
                result[key] = item
        return result
    if isinstance(value, list):
        return [item for item in (conditions(item, truth) for item in value) if item != NO_VALUE]
    return value


def references(value: Any) -> Iterator[tuple[str, str | None]]:
    """(logical id, attribute or None) for every `Ref`, `Fn::GetAtt` and `${...}` of `Fn::Sub` in the value,
    pseudo parameters (`AWS::Region`, ...) left out."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            if not value["Ref"].startswith("AWS::"):
                yield value["Ref"], None
            return
        if set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            if isinstance(target, str):
                target = target.split(".", 1)
            if isinstance(target, list) and target and isinstance(target[0], str):
                attribute = target[1] if len(target) > 1 and isinstance(target[1], str) else None
                yield target[0], attribute
            return
        if set(value) == {"Fn::Sub"}:
            body = value["Fn::Sub"]
            text, variables = (body[0], body[1]) if isinstance(body, list) and len(body) == 2 else (body, {})
            if isinstance(text, str):
                for name in _PLACEHOLDER.findall(text):
                    logical_id, _, attribute = name.partition(".")
                    if isinstance(variables, dict) and logical_id in variables or logical_id.startswith("AWS::"):
                        continue
                    yield logical_id, attribute or None
            if isinstance(variables, dict):
                for item in variables.values():
                    yield from references(item)
            return
        for item in value.values():
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def text(value: Any, parameters: Mapping[str, Any] | None = None) -> str | None:
    """The value as text when it can be known: literals, parameters with a default, `Fn::Sub` (placeholders
    of what cannot be known are kept as `${...}`), `Fn::Join` of knowable parts. None otherwise."""
    parameters = parameters or {}
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str | int | float):
        return str(value)
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (function, argument), = value.items()
    if function == "Ref" and isinstance(argument, str):
        default = parameters.get(argument, {}).get("Default") if isinstance(parameters.get(argument), dict) else None
        return text(default) if default is not None else None
    if function == "Fn::Sub":
        body, variables = (argument[0], argument[1]) if isinstance(argument, list) and len(argument) == 2 else (argument, {})
        if not isinstance(body, str):
            return None

        def resolve(match: re.Match[str]) -> str:
            name = match.group(1)
            if isinstance(variables, dict) and name in variables:
                known = text(variables[name], parameters)
                return known if known is not None else match.group(0)
            known = text({"Ref": name}, parameters) if "." not in name else None
            return known if known is not None else match.group(0)

        return _PLACEHOLDER.sub(resolve, body).replace("${!", "${")
    if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2 and isinstance(argument[1], list):
        parts = [text(part, parameters) for part in argument[1]]
        known = [part for part in parts if part is not None]
        return argument[0].join(known) if len(known) == len(parts) and isinstance(argument[0], str) else None
    return None


def number(value: Any, parameters: Mapping[str, Any] | None = None) -> int | None:
    """The value as a whole number when it can be known (numbers are often written as text in templates)."""
    known = text(value, parameters)
    if known is None or len(known) > 100:
        return None
    try:
        number = float(known)
    except ValueError:
        return None
    return int(number) if math.isfinite(number) else None


def flag(value: Any, parameters: Mapping[str, Any] | None = None) -> bool | None:
    """The value as a boolean when it can be known (`true`, `"true"`, `"Enabled"`, ...)."""
    if isinstance(value, bool):
        return value
    known = text(value, parameters)
    if known is None:
        return None
    lowered = known.lower()
    if lowered in ("true", "enabled", "yes", "1", "active", "on"):
        return True
    if lowered in ("false", "disabled", "no", "0", "inactive", "off", "suspended"):
        return False
    return None


def condition_entries(condition: Any) -> Iterator[tuple[str, Any]]:
    """(key, value) of every test of an IAM statement's `Condition`, whatever its operator (`StringEquals`,
    `ForAnyValue:StringLike`, ...)."""
    for block in condition.values() if isinstance(condition, dict) else ():
        if isinstance(block, dict):
            yield from ((str(key), value) for key, value in block.items())


def condition_values(condition: Any, key: str) -> list[Any]:
    """The values an IAM statement's `Condition` tests a key against (keys are case-insensitive), one list."""
    return [v for name, value in condition_entries(condition) if name.lower() == key.lower() for v in as_list(value)]


def as_list(value: Any) -> list[Any]:
    """A property that may be one item or a list of them, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def dig(value: Any, *path: str | int) -> Any:
    """The value at a path of keys and indexes, or None where the path does not exist."""
    for part in path:
        if isinstance(part, int) and isinstance(value, list) and -len(value) <= part < len(value):
            value = value[part]
        elif isinstance(part, str) and isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


DOCUMENT_KEYS = frozenset({"PolicyDocument", "AssumeRolePolicyDocument", "KeyPolicy", "ResourcePolicy"})
"""Properties that hold an IAM policy document, which CloudFormation also takes as JSON text."""


def documents_parsed(value: Any) -> Any:
    """The value with every policy document given as JSON text (a string, or `Fn::Sub` of one) read as the mapping
    it stands for; each string of a `Fn::Sub` document that holds a `${...}` stays a `Fn::Sub` of it, so that what
    it names is still seen. Text that is not JSON is kept as it is."""
    if isinstance(value, dict):
        return {key: _document(item) if key in DOCUMENT_KEYS else documents_parsed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [documents_parsed(item) for item in value]
    return value


def _document(value: Any) -> Any:
    sub = value.get("Fn::Sub") if isinstance(value, dict) and len(value) == 1 else None
    body, variables = (sub[0], sub[1]) if isinstance(sub, list) and len(sub) == 2 else (sub, None)
    text = value if isinstance(value, str) else body if isinstance(body, str) else None
    if text is None or not text.lstrip().startswith("{"):
        return documents_parsed(value)
    try:
        parsed = json.loads(text)
    except ValueError:
        return value
    return _subbed(parsed, variables) if sub is not None else parsed


def _subbed(value: Any, variables: Any) -> Any:
    if isinstance(value, dict):
        return {key: _subbed(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [_subbed(item, variables) for item in value]
    if isinstance(value, str) and "${" in value:
        return {"Fn::Sub": [value, variables] if variables is not None else value}
    return value

