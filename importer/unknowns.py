"""Values a template does not give, and the other ways it may deploy because of them.

A property given by a parameter with no default (and no `AllowedValues`: those are importer/scenarios.py's), by
a Systems Manager parameter (`AWS::SSM::Parameter::Value<...>`: its default names the parameter, not its value),
by `Fn::ImportValue` or by an attribute of a custom resource is known only when the stack deploys. archcase
does not guess it: the drawn reading leaves it out (AWS's default shows), and `probes` gives the template once
per value the property's CloudFormation schema allows (its `enum`, both truths of a boolean, the bounds of a
number; every unknown property turned through its values at once), so that a finding that some allowed value
would not give is reported as undecided, with the property and where its value comes from.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from .scenarios import SSM_TYPE

LIMIT = 8
"""At most this many probes per template."""
SAM_AS: dict[str, str] = {
    "AWS::Serverless::Function": "AWS::Lambda::Function", "AWS::Serverless::Api": "AWS::ApiGateway::RestApi",
    "AWS::Serverless::HttpApi": "AWS::ApiGatewayV2::Api", "AWS::Serverless::StateMachine": "AWS::StepFunctions::StateMachine",
}
"""SAM resource types, and the CloudFormation type whose schema describes the properties they share."""
SAM_VALUES: dict[tuple[str, str], tuple[Any, ...]] = {
    ("AWS::Serverless::Function", "Tracing"): ("Active", "PassThrough"),
    ("AWS::Serverless::Api", "TracingEnabled"): (True, False),
    ("AWS::Serverless::StateMachine", "Tracing.Enabled"): (True, False),
}
"""Properties only SAM has, with the values the SAM specification allows."""
GLOBALS_AS = {"Function": "AWS::Serverless::Function", "Api": "AWS::Serverless::Api", "HttpApi": "AWS::Serverless::HttpApi",
              "StateMachine": "AWS::Serverless::StateMachine"}
"""The sections of SAM's `Globals`, and the resources they apply to."""


@dataclass(frozen=True)
class Leaf:
    """A property whose value the template does not give: where it is in the template's data, the resource it
    belongs to (None for `Globals`), and why it is not known."""

    path: tuple[str | int, ...]
    resource: str | None
    why: str

    @property
    def names(self) -> tuple[str | int, ...]:
        """The path within the resource's properties (or its `Globals` section), intrinsic functions left out
        (a branch of `Fn::If` is where the property is)."""
        names: list[str | int] = []
        for part in self.path[3 if self.path[0] == "Resources" else 2:]:
            if isinstance(part, str) and part.startswith("Fn::"):
                names.append(part)
            elif isinstance(part, int) and names and names[-1] == "Fn::If":
                names.pop()
            else:
                names.append(part)
        return tuple(p for p in names if not (isinstance(p, str) and p.startswith("Fn::")))

    @property
    def name(self) -> str:
        """The property, as its documentation writes it (`TracingConfig.Mode`)."""
        return ".".join(p for p in self.names if isinstance(p, str))

    def reason(self) -> str:
        where = f"of '{self.resource}'" if self.resource else "in `Globals`"
        return f"`{self.name}` {where} is {self.why}"


def unknown_parameters(data: Mapping[str, Any]) -> dict[str, str]:
    """The parameters whose value cannot be known from the template, and why (in words)."""
    declared = data.get("Parameters")
    found: dict[str, str] = {}
    for name, spec in declared.items() if isinstance(declared, dict) else ():
        if not isinstance(spec, dict):
            continue
        if str(spec.get("Type", "")).startswith(SSM_TYPE):
            found[name] = f"parameter '{name}', read from Systems Manager when the stack deploys"
        elif "Default" not in spec and "AllowedValues" not in spec:
            found[name] = f"parameter '{name}', which has no default"
    return found


def leaves(data: Mapping[str, Any]) -> list[Leaf]:
    """Every property of the template's resources (and SAM `Globals`) whose whole value is unknown."""
    unknown = unknown_parameters(data)
    resources = data.get("Resources")
    resources = resources if isinstance(resources, dict) else {}
    custom = {lid for lid, body in resources.items() if isinstance(body, dict)
              and (str(body.get("Type", "")).startswith("Custom::") or body.get("Type") == "AWS::CloudFormation::CustomResource")}
    found = []
    for lid, body in resources.items():
        if isinstance(body, dict) and isinstance(body.get("Properties"), dict):
            found += [Leaf(path, lid, why) for path, why in _walk(body["Properties"], ("Resources", lid, "Properties"), unknown, custom)]
    sections = data.get("Globals")
    for section in GLOBALS_AS:
        given = sections.get(section) if isinstance(sections, dict) else None
        if isinstance(given, dict):
            found += [Leaf(path, None, why) for path, why in _walk(given, ("Globals", section), unknown, custom)]
    return found


Path = tuple[str | int, ...]


def _walk(value: Any, path: Path, unknown: Mapping[str, str], custom: set[str]) -> Iterator[tuple[Path, str]]:
    if isinstance(value, dict):
        if len(value) == 1:
            (function, argument), = value.items()
            if function == "Ref" and isinstance(argument, str) and argument in unknown:
                yield path, unknown[argument]
                return
            if function == "Fn::ImportValue":
                yield path, "imported from another stack (`Fn::ImportValue`)"
                return
            named = argument.split(".") if isinstance(argument, str) else argument if isinstance(argument, list) else []
            if function == "Fn::GetAtt" and named and named[0] in custom:
                yield path, f"an attribute of custom resource '{named[0]}', known only when it runs"
                return
            if function in ("Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::GetAtt", "Ref", "Fn::Base64"):
                return  # text built from parts: names and ARNs, not settings with values to vary
        for key, item in value.items():
            yield from _walk(item, (*path, key), unknown, custom)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk(item, (*path, i), unknown, custom)


def values(resource_type: str, leaf: Leaf) -> tuple[Any, ...]:
    """The values the property may take, from its resource type's CloudFormation schema: its `enum`, both truths
    of a boolean, the bounds of a number. Empty for free text (names, ARNs), which no rule reads as a setting."""
    names = leaf.names
    if resource_type in SAM_AS:
        sam = SAM_VALUES.get((resource_type, leaf.name))
        if sam:
            return sam
        resource_type = SAM_AS[resource_type]
    return _schema_values(resource_type, names)


@cache
def _schema_values(resource_type: str, names: tuple[str | int, ...]) -> tuple[Any, ...]:
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER  # heavy (most of a second): only templates with unknowns need it

    try:
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
    except Exception:  # cfn-lint raises its own error for a type it does not know (Custom::, a third-party type)
        return ()
    node: Any = schema
    for name in names:
        node = _resolve(schema, node)
        if isinstance(name, int):
            node = node.get("items") if node.get("type") == "array" or "items" in node else node
        else:
            node = (node.get("properties") or {}).get(name)
        if not isinstance(node, dict):
            return ()
    node = _resolve(schema, node)
    if isinstance(node.get("enum"), list):
        return tuple(node["enum"])
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "boolean" in kinds:
        return (True, False)
    if "integer" in kinds or "number" in kinds:
        return (node.get("minimum", 0), node.get("maximum", 2**31 - 1))
    return ()


def _resolve(schema: Mapping[str, Any], node: Any) -> Any:
    """The schema node, with a `$ref` to its `definitions` followed (a few deep at most)."""
    for _ in range(8):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#/definitions/"):
            return node
        node = (schema.get("definitions") or {}).get(ref.rsplit("/", 1)[-1])
    return node


def probes(data: Mapping[str, Any]) -> list[tuple[dict[str, Any], tuple[Leaf, ...]]]:
    """The template once per value of its unknown properties that have values to take (every one turned through
    them at once), each with the properties varied in it; none when nothing is unknown."""
    resources = data.get("Resources")
    resources = resources if isinstance(resources, dict) else {}
    varied: list[tuple[Leaf, tuple[Any, ...]]] = []
    for leaf in leaves(data):
        body = resources.get(leaf.resource) if leaf.resource else None
        kind = body.get("Type") if isinstance(body, dict) else GLOBALS_AS.get(str(leaf.path[1]))
        taken = values(str(kind), leaf) if kind else ()
        if taken:
            varied.append((leaf, taken))
    if not varied:
        return []
    count = min(LIMIT, max(len(taken) for _, taken in varied))
    result = []
    for i in range(count):
        probe = copy.deepcopy(dict(data))
        for leaf, taken in varied:
            _set(probe, leaf.path, _spread(taken, i, count))
        result.append((probe, tuple(leaf for leaf, _ in varied)))
    return result


def _spread(taken: tuple[Any, ...], i: int, count: int) -> Any:
    """The i-th of `count` values chosen evenly among those a property may take (all of them when few)."""
    if len(taken) <= count:
        return taken[i % len(taken)]
    return taken[round(i * (len(taken) - 1) / (count - 1))] if count > 1 else taken[0]


def _set(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value
