"""What a rule is: a small pure function over one service or flow, with its metadata on a decorator beside it."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import UnionType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin, get_type_hints

from ..models.base import Service
from ..models.flows import Flow
from ..models.graph import Graph
from ..models.registry import FLOW_CLASSES, SERVICE_CLASSES, kind_of

Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITIES: tuple[Severity, ...] = ("info", "low", "medium", "high", "critical")
"""Severities from least to most severe."""

Status = Literal["pass", "fail", "unknown", "n/a"]


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass(frozen=True)
class Outcome:
    """What a rule says of one service or flow: it passes, fails, cannot decide, or does not apply."""

    status: Status
    message: str = ""


PASS = Outcome("pass")
NOT_APPLICABLE = Outcome("n/a")


def fail(message: str) -> Outcome:
    return Outcome("fail", message)


def unknown(message: str) -> Outcome:
    """The rule cannot decide (information missing from the case); distinct from failing."""
    return Outcome("unknown", message)


def passes_if(condition: bool, message: str) -> Outcome:
    """PASS when `condition` holds, else a failure with `message`."""
    return PASS if condition else fail(message)


@dataclass(frozen=True)
class Rule:
    """A best-practice rule and everything a reader needs to act on its findings."""

    id: str
    severity: Severity
    title: str
    rationale: str
    remediation: str
    docs_url: str
    on: Literal["service", "flow"]
    kinds: tuple[str, ...]
    """Kind tags of the services (or flows) the rule looks at, in the order of `targets`."""
    targets: tuple[type[Service], ...] | tuple[type[Flow], ...]
    """The service classes (or flow classes) the rule looks at: its check function's first parameter's annotation."""
    check: Callable[[Any, Graph], Outcome] = field(repr=False, compare=False)
    equivalents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Ids of the same check in other tools: cdk-nag, checkov, cfn-lint."""
    outside: str = ""
    """What a failure of this rule rests on that a template cannot state (the apps that use a grant, who signs
    URLs, who calls a function from elsewhere): on a case read from a template it is undecided for that reason."""

    def metadata(self) -> dict[str, Any]:
        """The rule as plain data (for `archcase rules`, SARIF and docs)."""
        return {
            "id": self.id, "severity": self.severity, "title": self.title, "rationale": self.rationale,
            "remediation": self.remediation, "docs_url": self.docs_url, "on": self.on, "kinds": list(self.kinds),
            "equivalents": {tool: list(ids) for tool, ids in sorted(self.equivalents.items())},
            "undecided_on_templates": self.outside,
        }


C = TypeVar("C", bound=Callable[[Any, Graph], Outcome])
"""A rule's check function: (service or flow, graph) -> Outcome, its first parameter annotated with the
classes it looks at."""

_ATTRIBUTE = "rule"
"""Where `@rule` keeps a check function's Rule (read it with `rule_of`)."""


def rule(
    id: str,
    *,
    severity: Severity,
    title: str,
    rationale: str,
    remediation: str,
    docs: str,
    cdk_nag: tuple[str, ...] = (),
    checkov: tuple[str, ...] = (),
    cfn_lint: tuple[str, ...] = (),
    outside: str = "",
) -> Callable[[C], C]:
    """Attach a Rule to the decorated function (read it back with `rule_of`); nothing is registered globally.

    What the rule looks at is the annotation of the function's first parameter: a service class, a flow class,
    or a union of either (`def multi_az(service: Alb | Clb | AutoScalingGroup, g: Graph) -> Outcome`)."""

    def attach(check: C) -> C:
        targets = _targets(id, check)
        equivalents = {k: v for k, v in (("cdk-nag", cdk_nag), ("checkov", checkov), ("cfn-lint", cfn_lint)) if v}
        setattr(check, _ATTRIBUTE, Rule(
            id=id, severity=severity, title=title, rationale=" ".join(rationale.split()),
            remediation=" ".join(remediation.split()), docs_url=docs,
            on="service" if issubclass(targets[0], Service) else "flow",
            kinds=tuple(kind_of(cls) for cls in targets), targets=targets, check=check, equivalents=equivalents,
            outside=outside,
        ))
        return check

    return attach


def rule_of(check: object) -> Rule:
    """The Rule that `@rule` attached to a check function (TypeError if it has none)."""
    found = find_rule(check)
    if found is None:
        raise TypeError(f"{getattr(check, '__qualname__', check)!r} is not a rule: it has no @rule decorator")
    return found


def find_rule(value: object) -> Rule | None:
    """The Rule attached to a value, or None for anything that is not a rule's check function."""
    found = getattr(value, _ATTRIBUTE, None)
    return found if isinstance(found, Rule) else None


def _targets(id: str, check: Callable[..., Outcome]) -> tuple[type[Service], ...] | tuple[type[Flow], ...]:
    """The service or flow classes named by the annotation of a check function's first parameter, in the
    order written (ValueError, naming the rule and its function, for anything else)."""
    name = f"{id} ({getattr(check, '__qualname__', repr(check))})"
    parameters = list(inspect.signature(check).parameters.values())
    expected = "a service class, a flow class, or a union of either (archcase's model classes)"
    if not parameters:
        raise ValueError(f"rule {name} takes no parameter: its first parameter must be annotated with {expected}")
    first = parameters[0].name
    try:
        hint = get_type_hints(check).get(first)
    except NameError as error:
        raise ValueError(f"rule {name}: cannot resolve its annotations ({error})") from error
    if hint is None:
        raise ValueError(f"rule {name}: first parameter '{first}' has no annotation; annotate it with {expected}")
    members = get_args(hint) if get_origin(hint) in (Union, UnionType) else (hint,)
    services = tuple(m for m in members if m in SERVICE_CLASSES)
    flows = tuple(m for m in members if m in FLOW_CLASSES)
    if services and flows:
        raise ValueError(f"rule {name}: first parameter '{first}' mixes services and flows "
                         f"({_names(members)}); a rule looks at services or at flows")
    if len(services) + len(flows) != len(members):
        strays = [m for m in members if m not in services and m not in flows]
        raise ValueError(f"rule {name}: first parameter '{first}' is annotated with {_names(strays)}; "
                         f"annotate it with {expected}")
    return services or flows


def _names(types: Iterable[object]) -> str:
    return " | ".join(getattr(t, "__name__", repr(t)) for t in types)
