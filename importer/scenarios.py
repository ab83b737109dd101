"""The ways a template deploys: the values its parameters may take, and how its conditions come out for each.

A template's `Conditions` decide which branch of each `Fn::If` deploys and which resources with a `Condition`
exist. archcase does not guess them. It reads the template once as drawn (`drawn`: parameters at their
defaults; a condition they decide, decided; one they cannot, read so that the setting under it is seen), and
once per scenario (`scenarios`): parameter values chosen so that every condition is seen each way the
parameters allow. A parameter's candidate values are its `AllowedValues`, else its default, the values the
conditions compare it with, and one value equal to none of them. A condition no value decides (it compares
a value of another stack, say) is taken both ways.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .values import text

LIMIT = 8
"""At most this many scenarios per template (chosen so that each condition is seen each way it can be)."""
OTHER = "archcase-other-value"
SSM_TYPE = "AWS::SSM::Parameter::Value<"
"""The type of a parameter whose value is read from Systems Manager (its default is the parameter's name)."""
"""A parameter value that equals none of the values a template compares with."""


@dataclass(frozen=True)
class Scenario:
    """Parameter values, and the truth of each condition they decide (a condition not in `truth` is read so
    that the setting under it is seen). `deployed`: resources whose condition is false are left out (a drawn
    reading keeps them)."""

    values: Mapping[str, str] = field(default_factory=dict)
    truth: Mapping[str, bool] = field(default_factory=dict)
    deployed: bool = False

    def parameters(self, declared: Mapping[str, Any]) -> dict[str, Any]:
        """The template's `Parameters` with each default replaced by this scenario's value (and dropped where
        the scenario leaves the value unknown)."""
        result: dict[str, Any] = {}
        for name, spec in declared.items():
            spec = dict(spec) if isinstance(spec, dict) else {}
            spec.pop("Default", None)
            if name in self.values:
                spec["Default"] = self.values[name]
            result[name] = spec
        return result

    def exists(self, resource: Mapping[str, Any]) -> bool:
        """Whether a resource (its template body) is deployed in this scenario."""
        condition = resource.get("Condition")
        return not self.deployed or not isinstance(condition, str) or self.truth.get(condition, True)


def drawn(data: Mapping[str, Any], decide: bool = True) -> Scenario:
    """The template as drawn: parameters at their defaults, every resource kept; the conditions the defaults
    decide decided (unless not `decide`: then every `Fn::If` is read so that its setting is seen)."""
    values = {name: value for name, value in _defaults(data).items() if value is not None}
    return Scenario(values, _truths(data, values) if decide else {})


def scenarios(data: Mapping[str, Any]) -> list[Scenario]:
    """The scenarios to read a template in besides its drawn reading (none when no condition or parameter
    leaves anything open)."""
    given, resources = data.get("Conditions"), repr(data.get("Resources"))
    used = "Fn::If" in resources or "'Condition':" in resources  # conditions only outputs use decide nothing here
    conditions: dict[str, Any] = given if isinstance(given, dict) and used else {}
    defaults = _defaults(data)
    open_ = sorted(name for name in _referenced(data.get("Resources")) if _allowed(data, name) and defaults.get(name) is None)
    if not conditions and not open_:
        return []
    varied = sorted(_referenced(conditions) | set(open_))
    candidates = {name: _candidates(data, name) for name in varied}
    if _product(len(c) for c in candidates.values()) <= 4 * LIMIT:
        assignments: Iterator[dict[str, str | None]] = (dict(zip(varied, combo, strict=True))
                                                        for combo in itertools.product(*candidates.values()))
    else:  # every parameter turned at once through its candidates, then one parameter at a time from the defaults
        base = {n: defaults.get(n) or candidates[n][0] for n in varied}
        widest = max(len(c) for c in candidates.values())
        turned = [{n: c[(i + step) % len(c)] for n, c in candidates.items()} for i in range(widest) for step in (0, 1)]
        assignments = itertools.chain(turned, ({**base, name: value} for name in varied for value in candidates[name]))
    found: dict[tuple[tuple[str, object], ...], Scenario] = {}
    for assignment in assignments:
        values = {**{k: v for k, v in defaults.items() if v is not None}, **{k: v for k, v in assignment.items() if v is not None}}
        truth = _truths(data, values)
        undecided = [name for name in conditions if name not in truth]
        for way in ((True, False) if undecided else (True,)):
            full = {**truth, **dict.fromkeys(undecided, way)}
            found.setdefault(tuple(sorted(full.items())) + tuple((name, values[name]) for name in open_ if name in values),
                             Scenario(values, full, deployed=True))
    return _covering(list(found.values()), open_)


def _covering(found: list[Scenario], open_: list[str]) -> list[Scenario]:
    """Up to LIMIT scenarios: each next the one that shows the most (condition, truth) pairs, and values of the
    open parameters, not yet shown (the first such in order), until everything any scenario shows is shown;
    then the rest in order."""
    def shown(scenario: Scenario) -> set[tuple[str, object]]:
        return set(scenario.truth.items()) | {(f"parameter {name}", scenario.values.get(name)) for name in open_}

    chosen: list[Scenario] = []
    wanted = {item for s in found for item in shown(s)}
    while wanted and len(chosen) < LIMIT:
        best = max(found, key=lambda s: len(wanted & shown(s)))
        chosen.append(best)
        wanted -= shown(best)
    chosen += [s for s in found if s not in chosen][:LIMIT - len(chosen)]
    return chosen


def _product(numbers: Iterator[int]) -> int:
    result = 1
    for n in numbers:
        result *= n
        if result > 10**6:
            break
    return result


def _defaults(data: Mapping[str, Any]) -> dict[str, str | None]:
    declared = data.get("Parameters")
    result: dict[str, str | None] = {}
    for name, spec in declared.items() if isinstance(declared, dict) else ():
        default = spec.get("Default") if isinstance(spec, dict) else None
        if isinstance(spec, dict) and str(spec.get("Type", "")).startswith(SSM_TYPE):
            default = None  # it names a parameter in Systems Manager, whose value is known when the stack deploys
        result[name] = text(default) if default is not None and not isinstance(default, dict | list) else None
    return result


def _referenced(value: Any) -> set[str]:
    """The parameters (and pseudo parameters) a value refers to by `Ref`."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            return {value["Ref"]}
        return set().union(*(_referenced(item) for item in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_referenced(item) for item in value)) if value else set()
    return set()


def _allowed(data: Mapping[str, Any], name: str) -> list[str | None]:
    """A parameter's `AllowedValues` as text (empty when it has none, or they are not plain values)."""
    declared = data.get("Parameters")
    spec = declared.get(name) if isinstance(declared, dict) else None
    allowed = spec.get("AllowedValues") if isinstance(spec, dict) else None
    if isinstance(allowed, list) and allowed and all(isinstance(v, str | int | float | bool) for v in allowed):
        return list(dict.fromkeys(text(v) for v in allowed))
    return []


def _candidates(data: Mapping[str, Any], name: str) -> list[str | None]:
    allowed = _allowed(data, name)
    if allowed:
        return allowed
    compared = [text(other) for pair in _comparisons(data.get("Conditions")) for side, other in (pair, pair[::-1])
                if side == {"Ref": name} and isinstance(other, str | int | float | bool)]
    default = _defaults(data).get(name)
    return list(dict.fromkeys([*([default] if default is not None else []), *compared, OTHER]))


def _comparisons(value: Any) -> Iterator[tuple[Any, Any]]:
    """The pairs of every `Fn::Equals` in a value."""
    if isinstance(value, dict):
        pair = value.get("Fn::Equals")
        if isinstance(pair, list) and len(pair) == 2:
            yield pair[0], pair[1]
        for item in value.values():
            yield from _comparisons(item)
    elif isinstance(value, list):
        for item in value:
            yield from _comparisons(item)


def _truths(data: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, bool]:
    """The truth of every condition the values decide."""
    conditions = data.get("Conditions")
    if not isinstance(conditions, dict):
        return {}
    parameters = {name: {"Default": value} for name, value in values.items()}
    truth: dict[str, bool] = {}
    for name in conditions:
        known = _evaluate({"Condition": name}, conditions, parameters, 0)
        if known is not None:
            truth[name] = known
    return truth


def _evaluate(value: Any, conditions: Mapping[str, Any], parameters: Mapping[str, Any], depth: int) -> bool | None:
    """A condition's truth, or None when it cannot be known (three-valued: `Fn::And` is false as soon as one
    part is, whatever the others)."""
    if depth > 50 or not isinstance(value, dict) or len(value) != 1:
        return value if isinstance(value, bool) else None
    (function, argument), = value.items()
    parts = argument if isinstance(argument, list) else [argument]
    if function == "Condition" and isinstance(argument, str):
        return _evaluate(conditions.get(argument), conditions, parameters, depth + 1)
    if function == "Fn::Equals" and len(parts) == 2:
        left, right = (_known(part, parameters) for part in parts)
        return None if left is None or right is None else left == right
    found = [_evaluate(part, conditions, parameters, depth + 1) for part in parts]
    if function == "Fn::Not" and len(found) == 1:
        return None if found[0] is None else not found[0]
    if function == "Fn::And":
        return False if False in found else None if None in found else True
    if function == "Fn::Or":
        return True if True in found else None if None in found else False
    return None


def _known(value: Any, parameters: Mapping[str, Any]) -> str | None:
    known = text(value, parameters)
    return None if known is None or "${" in known else known
