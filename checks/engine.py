"""Run a pack of rules over an architecture: findings, suppressions and requirement traceability."""

from __future__ import annotations

import datetime
import gc
import os
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from ..models import Architecture, Diagnostic, Flow, Requirement, Service
from ..models.graph import Graph
from .catalogue import EXPIRED_SUPPRESSION, SUPPRESSION_RULES, UNUSED_SUPPRESSION
from .packs import PACKS, Pack
from .rule import Outcome, Rule, Severity, severity_rank

if TYPE_CHECKING:
    from .baseline import Entry

Locate = Callable[[str], tuple[int, int]]
"""Where the service or flow with an id is written: (line, column)."""
Place = Callable[[int], tuple[int, int]]
"""Where the case's suppression with an index is written: (line, column)."""
TODAY = "ARCHCASE_TODAY"
"""Environment variable giving the date suppressions expire against (an ISO date), for tests and reproducible runs."""


@dataclass(frozen=True)
class Finding:
    """A rule's verdict on one service or flow that is not a pass."""

    rule_id: str
    severity: Severity
    title: str
    status: str
    """`fail`, or `unknown` when the rule could not decide."""
    target: str
    """Id of the service or flow (or the case name, for case-level findings)."""
    target_type: str
    message: str
    line: int = 1
    column: int = 1
    suppressed: bool = False
    suppression_reason: str | None = None
    baseline: Literal["new", "unchanged"] | None = None
    """Held against a baseline (checks/baseline.py): `unchanged` when it records this finding, else `new`; None
    when no baseline was given."""

    def blocks(self, threshold: Severity) -> bool:
        """Whether this finding fails a run whose `--fail-on` is `threshold` (a finding the baseline records does not)."""
        return (self.status == "fail" and not self.suppressed and self.baseline != "unchanged"
                and severity_rank(self.severity) >= severity_rank(threshold))


@dataclass(frozen=True)
class RequirementResult:
    id: str
    question: str
    answer: str
    rules: tuple[str, ...]
    met: bool
    reasons: tuple[str, ...]


@dataclass
class CaseReport:
    """Everything `archcase check` knows about one case."""

    case: str
    title: str
    path: str
    pack: str
    rules: list[Rule]
    findings: list[Finding] = field(default_factory=list)
    applicable: Counter[str] = field(default_factory=Counter)
    """How many services or flows each rule looked at (passes included)."""
    applied: set[tuple[str, str]] = field(default_factory=set)
    """(rule id, target) of each service or flow a rule applied to (passes included)."""
    requirements: list[RequirementResult] = field(default_factory=list)
    gone: list[Entry] = field(default_factory=list)
    """Held against a baseline: its entries of this case that no longer occur (fixed, or changed beyond recognition)."""

    def blocking(self, threshold: Severity) -> list[Finding]:
        return [f for f in self.findings if f.blocks(threshold)]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a run allocates many containers and no reference cycles, and on a
    large architecture the collector's passes over every model made checking grow faster than linearly."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check(architecture: Architecture, pack: Pack | None = None, locate: Locate | None = None, path: str = "",
          partial: bool = False, today: datetime.date | None = None, place: Place | None = None) -> CaseReport:
    """Hold an architecture against every rule of a pack (the default pack when none is given). `partial`: the
    architecture was read from a template, which cannot state what is outside it (client apps, callers in other
    stacks): a failure of a rule that rests on such things (`Rule.outside`) is undecided. `today`: the date
    suppressions' `expires` is compared with (default: `current_date()`); `place`: where suppression i is written (its
    findings AC001 and AC002 point there; default: at its target)."""
    with _gc_paused():
        return _check(architecture, pack, locate, path, partial, today or current_date(), place)


def current_date() -> datetime.date:
    """The date suppressions expire against: `ARCHCASE_TODAY` (an ISO date, for tests and reproducible runs), else
    the local date. ValueError when `ARCHCASE_TODAY` is not a date."""
    given = os.environ.get(TODAY)
    if not given:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(given)
    except ValueError:
        raise ValueError(f"{TODAY}={given!r} is not an ISO date such as 2027-03-31") from None


def _check(architecture: Architecture, pack: Pack | None, locate: Locate | None, path: str, partial: bool,
           day: datetime.date, place: Place | None) -> CaseReport:
    pack = pack or PACKS["default"]
    where = locate or (lambda _id: (1, 1))
    graph = Graph(architecture)
    live: dict[tuple[str, str], list[int]] = {}
    expired: list[int] = []
    for i, s in enumerate(architecture.suppressions):
        if s.expires is not None and s.expires < day:
            expired.append(i)
        else:
            live.setdefault((s.rule, s.target), []).append(i)
    used: set[int] = set()
    report = CaseReport(architecture.name, architecture.title, path, pack.name, pack.rules())
    for rule in report.rules:
        severity = pack.severity(rule)
        for target, element in _targets(rule, graph):
            outcome = rule.check(element, graph)
            if outcome.status == "n/a":
                continue
            if partial and rule.outside and outcome.status == "fail":
                outcome = Outcome("unknown", f"{outcome.message} (undecided: a template cannot state {rule.outside})")
            report.applicable[rule.id] += 1
            report.applied.add((rule.id, target))
            if outcome.status == "pass":
                continue
            ends = (element.source, element.target) if isinstance(element, Flow) else ()
            matching = [i for key in (target, *ends) for i in live.get((rule.id, key), ())]
            used.update(matching)
            suppression = architecture.suppressions[matching[0]] if matching else None
            report.findings.append(Finding(
                rule.id, severity, rule.title, outcome.status, target, rule.on, outcome.message,
                *where(target), suppressed=suppression is not None,
                suppression_reason=suppression.reason if suppression else None,
            ))
    run = {rule.id for rule in report.rules}
    at = place or (lambda i: where(architecture.suppressions[i].target))
    for i, suppression in enumerate(architecture.suppressions):
        if i in expired:
            report.findings.append(Finding(
                EXPIRED_SUPPRESSION, "low", SUPPRESSION_RULES[EXPIRED_SUPPRESSION], "fail", suppression.target, "suppression",
                f"suppression of {suppression.rule} on '{suppression.target}' held until {suppression.expires}: it has expired and "
                "no longer suppresses; fix what it hid, or renew `expires` with a reason that still holds", *at(i)))
        elif i not in used and suppression.rule in run:
            report.findings.append(Finding(
                UNUSED_SUPPRESSION, "low", SUPPRESSION_RULES[UNUSED_SUPPRESSION], "fail", suppression.target, "suppression",
                f"suppression of {suppression.rule} on '{suppression.target}' matches no finding: remove it", *at(i)))
    report.requirements = [_requirement(r, report) for r in architecture.requirements]
    return report


def unused(target: str, stray: Diagnostic) -> Finding:
    """A suppression that can match no finding (one on a template resource that is no service) as an AC001 finding
    at its line."""
    return Finding(UNUSED_SUPPRESSION, "low", SUPPRESSION_RULES[UNUSED_SUPPRESSION], "fail", target, "suppression",
                   stray.message, stray.line, stray.column)


def _targets(rule: Rule, graph: Graph) -> list[tuple[str, Service | Flow]]:
    """The services or flows a rule looks at, with their ids: those of the rule's classes, class by class,
    each in the case's order."""
    found: list[tuple[str, Service | Flow]] = []
    for cls in rule.targets:
        if issubclass(cls, Service):
            found += ((service.id, service) for service in graph.of_type(cls))
        else:
            found += ((flow.key, flow) for flow in graph.flows_of(cls))
    return found


def _requirement(requirement: Requirement, report: CaseReport) -> RequirementResult:
    run = {rule.id: rule for rule in report.rules}
    reasons = []
    if not requirement.rules:
        reasons.append("no rule proves it")
    for rule_id in requirement.rules:
        findings = [f for f in report.findings if f.rule_id == rule_id]
        if rule_id not in run:
            reasons.append(f"{rule_id} is not in pack '{report.pack}'")
        elif not report.applicable[rule_id]:
            reasons.append(f"{rule_id} ({run[rule_id].title}) applies to nothing in this case")
        elif findings:
            reasons.extend(f"{f.rule_id} on '{f.target}': {f.message}" + (" (suppressed)" if f.suppressed else "")
                           for f in findings)
    return RequirementResult(requirement.id, requirement.question, requirement.answer, tuple(requirement.rules),
                             not reasons, tuple(reasons))


UNDECIDED = "undecided: the template's conditions decide"
UNKNOWN = "undecided: it turns on a value the template does not give"


@dataclass(frozen=True)
class Reading:
    """The report of one way a template deploys (a scenario of its conditions), with what each rule applied to
    in it and the truth of each condition in it."""

    report: CaseReport
    applied: frozenset[tuple[str, str]]
    """(rule id, target) of each service or flow a rule applied to in this way of deploying."""
    conditions: Mapping[str, bool]
    unknown: tuple[tuple[str, str], ...] = ()
    """Values the template does not give, as this way takes them: (service id, or "" for all, what in words)."""


def reading(report: CaseReport, conditions: Mapping[str, bool], unknown: tuple[tuple[str, str], ...] = ()) -> Reading:
    return Reading(report, frozenset(report.applied), conditions, unknown)


def undecided(report: CaseReport, others: list[Reading]) -> CaseReport:
    """The report of a case as drawn, held to the reports of each way it deploys: a finding that every way in
    which its rule applies to its service or flow gives stands (a way that does not deploy the service, or
    where the rule does not apply, says nothing); one that only some give is `unknown`, with the conditions that
    decide it, and so is one the drawn reading does not give; one that none gives is dropped (the drawing read a
    condition it could not decide so that the setting is seen). A way that gives values the template does not
    (importer/unknowns.py) can make a finding undecided, naming those values, but gives none of its own."""
    failing = [{(f.rule_id, f.target) for f in other.report.findings if f.status == "fail"} for other in others]

    def verdict(finding: Finding) -> Finding | None:
        if finding.target_type == "suppression":
            return finding  # a finding on the case's own suppressions: no way of deploying decides it
        key = (finding.rule_id, finding.target)
        where = [i for i, other in enumerate(others) if key in other.applied]
        fails = [i for i in where if key in failing[i]]
        if where and len(fails) == len(where):
            return finding
        if where and not fails:
            return None  # drawn with a setting no way of deploying gives
        passes = [i for i in where if key not in failing[i]]
        given = _given(finding.target, [item for i in passes for item in others[i].unknown])
        why = f"{UNKNOWN}: {given}" if given else f"{UNDECIDED}: {_when(others, fails, passes)}"
        return replace(finding, status="unknown", message=f"{finding.message} ({why})")

    found = [verdict(f) if f.status == "fail" else f for f in report.findings]
    seen = {(f.rule_id, f.target) for f in report.findings if f.status == "fail"}
    for other in others:
        if other.unknown:
            continue  # a value chosen for what the template does not give is no finding of its own: not a guess worth acting on
        for finding in other.report.findings:
            if finding.status == "fail" and finding.target_type != "suppression" and (finding.rule_id, finding.target) not in seen:
                seen.add((finding.rule_id, finding.target))
                found.append(verdict(finding))
    return replace(report, findings=[f for f in found if f is not None])


def _given(target: str, unknown: list[tuple[str, str]]) -> str:
    """The values the template does not give that a finding on `target` turns on, in words: those of its own
    service (or of a flow's ends) first, else any."""
    own = [what for service, what in unknown if service and (service == target or target.startswith(f"{service}-")
                                                                or target.endswith(f"-{service}"))]
    named = list(dict.fromkeys(own or [what for _, what in unknown]))
    return "; ".join(named[:2]) + (" ..." if len(named) > 2 else "")


def _when(others: list[Reading], fails: list[int], passes: list[int]) -> str:
    """Which way of the conditions gives the finding, in words."""
    if not fails and not passes:
        return "no way they allow deploys it"  # or its id differs in every way: not dropped on that
    deciding = []
    for name in sorted({name for i in fails for name in others[i].conditions}):
        values = {others[i].conditions.get(name) for i in fails}
        if values in ({True}, {False}) and all(others[i].conditions.get(name) not in values for i in passes):
            deciding.append(f"'{name}' is {str(values == {True}).lower()}")
    if len(deciding) == 1:
        return f"it holds when condition {deciding[0]}, not otherwise"
    if deciding:  # conditions that go together in every way read: which of them decides cannot be told apart
        return f"it holds in the ways where condition {' and '.join(deciding[:4])}{' ...' if len(deciding) > 4 else ''}, not in the others"
    return f"it holds in {len(fails)} of the {len(fails) + len(passes)} ways they allow"


def conditional(report: CaseReport, absent: Mapping[str, tuple[str, str]]) -> CaseReport:
    """A failing finding on a service the template's parameters' defaults do not deploy, or on a flow to or from one
    (`absent`: target id -> that service and the condition that deploys it), is undecided, naming the condition:
    whether anyone deploys the template that way is not known."""
    if not absent:
        return report

    def verdict(finding: Finding) -> Finding:
        if finding.status != "fail" or finding.target not in absent or finding.target_type == "suppression":
            return finding
        service, condition = absent[finding.target]
        why = f"'{service}' is deployed only when condition '{condition}' is true, which the parameters' defaults make false"
        return replace(finding, status="unknown", message=f"{finding.message} (undecided: {why})")

    return replace(report, findings=[verdict(f) for f in report.findings])

