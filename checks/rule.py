"""What a rule is: a small pure function over one service or flow, with its metadata on a decorator beside it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITIES: tuple[Severity, ...] = ("info", "low", "medium", "high", "critical")
"""Severities from least to most severe."""

Status = Literal["pass", "fail", "unknown", "n/a"]


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)  # type: ignore[arg-type]


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
    """Service kinds (or flow kinds) the rule looks at."""
    check: Callable[..., Outcome] = field(repr=False, compare=False)
    equivalents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Ids of the same check in other tools: cdk-nag, checkov, cfn-lint."""

    def metadata(self) -> dict[str, Any]:
        """The rule as plain data (for `archcase rules`, SARIF and docs)."""
        return {
            "id": self.id, "severity": self.severity, "title": self.title, "rationale": self.rationale,
            "remediation": self.remediation, "docs_url": self.docs_url, "on": self.on, "kinds": list(self.kinds),
            "equivalents": {tool: list(ids) for tool, ids in sorted(self.equivalents.items())},
        }


def rule(
    id: str,
    *,
    severity: Severity,
    title: str,
    rationale: str,
    remediation: str,
    docs: str,
    services: tuple[str, ...] = (),
    flows: tuple[str, ...] = (),
    cdk_nag: tuple[str, ...] = (),
    checkov: tuple[str, ...] = (),
    cfn_lint: tuple[str, ...] = (),
) -> Callable[[Callable[..., Outcome]], Callable[..., Outcome]]:
    """Attach a Rule to the decorated function (as its `rule` attribute); nothing is registered globally."""
    if bool(services) == bool(flows):
        raise ValueError(f"{id}: a rule looks at services or at flows")

    def attach(check: Callable[..., Outcome]) -> Callable[..., Outcome]:
        equivalents = {k: v for k, v in (("cdk-nag", cdk_nag), ("checkov", checkov), ("cfn-lint", cfn_lint)) if v}
        check.rule = Rule(  # type: ignore[attr-defined]
            id=id, severity=severity, title=title, rationale=" ".join(rationale.split()),
            remediation=" ".join(remediation.split()), docs_url=docs, on="service" if services else "flow",
            kinds=services or flows, check=check, equivalents=equivalents,
        )
        return check

    return attach
