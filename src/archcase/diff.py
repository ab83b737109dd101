"""The architecture diff (issue 17): what changed between two versions of the same cases, as data.

Cases are matched by `name`; within a case, services by `id`, flows by `key`, requirements by `id`, suppressions by
(rule, target) and findings by (rule id, target). A case only on one side is wholly added or removed (diffed against
nothing). Every list is sorted, so the same two versions give the same diff.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .checks.engine import CaseReport, Finding
from .checks.rule import Severity, severity_rank
from .models import Architecture, CaseError, SourcedCase
from .models.base import Service
from .models.flows import Flow

MISSING = None
"""How a setting one side does not have is shown (`old` or `new`): JSON null."""


@dataclass(frozen=True)
class Setting:
    """One setting that changed: its path in the service or flow (`signed_urls.mode`; a list is one value), and its
    value before and after (None when that side has no such setting)."""

    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Element:
    """A service or a flow on one side of the diff, or on both with the settings that changed."""

    id: str
    kind: str
    label: str
    source: str | None = None
    """A flow's `from` (None for a service)."""
    target: str | None = None
    """A flow's `to` (None for a service)."""
    settings: tuple[Setting, ...] = ()
    """For a changed element, what changed, by path."""


@dataclass(frozen=True)
class Elements:
    """The services (or flows) added, removed and changed, each list sorted by id."""

    added: tuple[Element, ...] = ()
    removed: tuple[Element, ...] = ()
    changed: tuple[Element, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)


@dataclass(frozen=True)
class RequirementChange:
    """A requirement whose status differs: `before` and `after` are whether it is met (None: not on that side)."""

    id: str
    question: str
    before: bool | None
    after: bool | None
    reasons: tuple[str, ...] = ()
    """Why it is not met after (empty when it is met, or gone)."""

    @property
    def flipped(self) -> bool:
        """On both sides, met on one only."""
        return self.before is not None and self.after is not None


@dataclass(frozen=True)
class FindingChange:
    """A finding on one side or both: its rule, severity, what it is on and what it says (the head's words when it is
    on both)."""

    rule_id: str
    severity: Severity
    status: str
    """`fail`, or `unknown` when the rule could not decide."""
    target: str
    target_type: str
    title: str
    message: str

    @classmethod
    def of(cls, finding: Finding) -> FindingChange:
        return cls(finding.rule_id, finding.severity, finding.status, finding.target, finding.target_type, finding.title,
                   finding.message)

    def blocks(self, threshold: Severity) -> bool:
        """Whether this finding, new, fails a run whose `--fail-on` is `threshold`."""
        return self.status == "fail" and severity_rank(self.severity) >= severity_rank(threshold)


@dataclass(frozen=True)
class Findings:
    """Findings not suppressed, matched by (rule id, target): `new` in the head only, `fixed` in the base only,
    `unchanged` in both, `suppressed` open in the base and suppressed in the head."""

    new: tuple[FindingChange, ...] = ()
    fixed: tuple[FindingChange, ...] = ()
    unchanged: tuple[FindingChange, ...] = ()
    suppressed: tuple[FindingChange, ...] = ()


@dataclass(frozen=True)
class SuppressionChange:
    """A suppression added, removed or with a new reason (`old_reason` and `reason`: None when not on that side)."""

    rule: str
    target: str
    old_reason: str | None
    reason: str | None


@dataclass(frozen=True)
class Suppressions:
    added: tuple[SuppressionChange, ...] = ()
    removed: tuple[SuppressionChange, ...] = ()
    changed: tuple[SuppressionChange, ...] = ()


@dataclass(frozen=True)
class CaseDiff:
    """What changed in one case. `status`: `added` or `removed` (the case is on one side only), `changed`, or
    `unchanged` (nothing listed here differs; findings unchanged are still listed)."""

    name: str
    title: str
    status: str
    services: Elements = field(default_factory=Elements)
    flows: Elements = field(default_factory=Elements)
    requirements: tuple[RequirementChange, ...] = ()
    findings: Findings = field(default_factory=Findings)
    suppressions: Suppressions = field(default_factory=Suppressions)


@dataclass(frozen=True)
class Diff:
    """What changed between two versions of a set of cases, case by case (sorted by name)."""

    cases: tuple[CaseDiff, ...]
    base: str = "base"
    """What the base is, in words (`main:cases/`, a path)."""
    head: str = "head"

    def blocking(self, threshold: Severity) -> list[FindingChange]:
        """The new findings at or above `threshold` (`--fail-on`)."""
        return [f for case in self.cases for f in case.findings.new if f.blocks(threshold)]


def diff(base: Sequence[SourcedCase], head: Sequence[SourcedCase], pack: str = "default",
         names: tuple[str, str] = ("base", "head")) -> Diff:
    """The diff of the cases `head` against those of `base`, each side checked with the rules of `pack`."""
    from .api import checked

    return diff_reports(_by_name(base, checked(base, pack)), _by_name(head, checked(head, pack)), names)


def _by_name(cases: Sequence[SourcedCase], reports: Sequence[CaseReport]) -> dict[str, tuple[Architecture, CaseReport]]:
    return {case.architecture.name: (case.architecture, report) for case, report in zip(cases, reports, strict=True)}


def diff_reports(base: Mapping[str, tuple[Architecture, CaseReport | None]],
                 head: Mapping[str, tuple[Architecture, CaseReport | None]], names: tuple[str, str] = ("base", "head")) -> Diff:
    """The diff of checked architectures by case name (a report None: no findings nor requirement statuses)."""
    cases = []
    for name in sorted(set(base) | set(head)):
        old, old_report = base.get(name, (None, None))
        new, new_report = head.get(name, (None, None))
        cases.append(case_diff(name, old, new, old_report, new_report))
    return Diff(tuple(cases), *names)


def case_diff(name: str, old: Architecture | None, new: Architecture | None, old_report: CaseReport | None = None,
              new_report: CaseReport | None = None) -> CaseDiff:
    """The diff of one case; `old` or `new` None when the case is on one side only."""
    services = _elements(_services(old), _services(new))
    flows = _elements(_flows(old), _flows(new))
    requirements = _requirements(old_report, new_report, old, new)
    findings = _findings(old_report.findings if old_report else [], new_report.findings if new_report else [])
    suppressions = _suppressions(old, new)
    if old is None or new is None:
        status = "added" if old is None else "removed"
    elif (services or flows or requirements or findings.new or findings.fixed or findings.suppressed
          or suppressions.added or suppressions.removed or suppressions.changed or _case_settings(old) != _case_settings(new)):
        status = "changed"
    else:
        status = "unchanged"
    shown = new or old
    assert shown is not None
    return CaseDiff(name, shown.title, status, services, flows, requirements, findings, suppressions)


def _case_settings(architecture: Architecture) -> dict[str, Any]:
    return architecture.model_dump(mode="json", by_alias=True, exclude={"services", "flows", "requirements", "suppressions"})


def _services(architecture: Architecture | None) -> dict[str, tuple[Element, dict[str, Any]]]:
    if architecture is None:
        return {}
    return {s.id: (_service(s), s.model_dump(mode="json", by_alias=True)) for s in architecture.services}


def _service(service: Service) -> Element:
    return Element(service.id, str(getattr(service, "kind", type(service).__name__)), service.label or service.id)


def _flows(architecture: Architecture | None) -> dict[str, tuple[Element, dict[str, Any]]]:
    if architecture is None:
        return {}
    return {f.key: (_flow(f), f.model_dump(mode="json", by_alias=True)) for f in architecture.flows}


def _flow(flow: Flow) -> Element:
    kind = str(getattr(flow, "kind", type(flow).__name__))
    return Element(flow.key, kind, flow.label or f"{flow.source} {kind} {flow.target}", flow.source, flow.target)


def _elements(old: Mapping[str, tuple[Element, dict[str, Any]]], new: Mapping[str, tuple[Element, dict[str, Any]]]) -> Elements:
    added = tuple(new[key][0] for key in sorted(set(new) - set(old)))
    removed = tuple(old[key][0] for key in sorted(set(old) - set(new)))
    changed = []
    for key in sorted(set(old) & set(new)):
        settings = tuple(settings_changed(old[key][1], new[key][1]))
        if settings:
            element = new[key][0]
            changed.append(Element(element.id, element.kind, element.label, element.source, element.target, settings))
    return Elements(added, removed, tuple(changed))


def settings_changed(old: Mapping[str, Any], new: Mapping[str, Any], prefix: str = "") -> Iterable[Setting]:
    """The settings that differ between two dumps of a model, by dotted path in key order (a nested model is entered,
    a list is one value)."""
    for key in sorted(set(old) | set(new)):
        path = f"{prefix}{key}"
        before, after = old.get(key, MISSING), new.get(key, MISSING)
        if isinstance(before, dict) and isinstance(after, dict):
            yield from settings_changed(before, after, f"{path}.")
        elif before != after:
            yield Setting(path, before, after)


def _requirements(old_report: CaseReport | None, new_report: CaseReport | None, old: Architecture | None,
                  new: Architecture | None) -> tuple[RequirementChange, ...]:
    """Requirements met on one side only, added or removed. Without a report, the requirements of the architecture
    are compared by presence alone."""
    before = {r.id: (r.question, r.met, r.reasons) for r in (old_report.requirements if old_report else ())}
    after = {r.id: (r.question, r.met, r.reasons) for r in (new_report.requirements if new_report else ())}
    if old_report is None and old is not None:
        before = {r.id: (r.question, True, ()) for r in old.requirements}
    if new_report is None and new is not None:
        after = {r.id: (r.question, True, ()) for r in new.requirements}
    changes = []
    for rid in sorted(set(before) | set(after)):
        was = before.get(rid)
        now = after.get(rid)
        if was and now and was[1] == now[1]:
            continue
        question = (now or was or ("", False, ()))[0]
        changes.append(RequirementChange(rid, question, was[1] if was else None, now[1] if now else None,
                                         now[2] if now and not now[1] else ()))
    return tuple(changes)


def _order(finding: FindingChange) -> tuple[str, str, str]:
    return (finding.rule_id, finding.target, finding.message)


def _findings(old: Sequence[Finding], new: Sequence[Finding]) -> Findings:
    """Findings matched by (rule id, target); when one rule has several findings on one target (unused
    suppressions), by message first, then in order."""
    before: dict[tuple[str, str], list[Finding]] = {}
    after: dict[tuple[str, str], list[Finding]] = {}
    for finding in old:
        if not finding.suppressed:
            before.setdefault((finding.rule_id, finding.target), []).append(finding)
    for finding in new:
        after.setdefault((finding.rule_id, finding.target), []).append(finding)
    new_open: list[FindingChange] = []
    fixed: list[FindingChange] = []
    unchanged: list[FindingChange] = []
    suppressed: list[FindingChange] = []
    for key in sorted(set(before) | set(after)):
        was = list(before.get(key, []))
        now = list(after.get(key, []))
        said = {w.message for w in was}
        for finding in sorted(now, key=lambda f, said=said: (f.suppressed, f.message not in said)):  # type: ignore[misc]
            match = next((w for w in was if w.message == finding.message), was[0] if was else None)
            if match is not None:
                was.remove(match)
                (suppressed if finding.suppressed else unchanged).append(FindingChange.of(finding))
            elif not finding.suppressed:
                new_open.append(FindingChange.of(finding))
        fixed += (FindingChange.of(w) for w in was)
    return Findings(*(tuple(sorted(group, key=_order)) for group in (new_open, fixed, unchanged, suppressed)))


def _suppressions(old: Architecture | None, new: Architecture | None) -> Suppressions:
    before = {(s.rule, s.target): s.reason for s in (old.suppressions if old else ())}
    after = {(s.rule, s.target): s.reason for s in (new.suppressions if new else ())}
    added = tuple(SuppressionChange(*key, None, after[key]) for key in sorted(set(after) - set(before)))
    removed = tuple(SuppressionChange(*key, before[key], None) for key in sorted(set(before) - set(after)))
    changed = tuple(SuppressionChange(*key, before[key], after[key]) for key in sorted(set(before) & set(after))
                    if before[key] != after[key])
    return Suppressions(added, removed, changed)


@dataclass(frozen=True)
class Compared:
    """A diff with the cases of each side it was made from (the diff diagram draws them)."""

    diff: Diff
    base: dict[str, Architecture]
    head: dict[str, Architecture]


def compare(base: Sequence[str | Path], head: Sequence[str | Path], pack: str = "default", group_by: str | None = None,
            revision: str | None = None) -> Compared:
    """Load and check both sides and diff them. Each side is case files, templates or folders; with `revision`, the
    base is the paths `base` as they are at that git revision of the current repository (`revision.extract`). Raises
    CaseError for bad input on either side (a file of the revision named `REV:path`)."""
    from .api import load_cases
    from .revision import extract

    names = (f"{revision}:{' '.join(map(str, base))}" if revision else " ".join(map(str, base)), " ".join(map(str, head)))
    if revision is None:
        old = load_cases(base, group_by)
    else:
        with tempfile.TemporaryDirectory(prefix="archcase-diff-") as folder:
            copies = extract(base, revision, Path(folder))
            try:
                old = load_cases(copies, group_by)
            except CaseError as exc:
                raise CaseError([replace(d, file=d.file.replace(str(Path(folder)) + os.sep, f"{revision}:"))
                                 for d in exc.diagnostics]) from None
    new = load_cases(head, group_by)
    return Compared(diff(old, new, pack, names), {c.architecture.name: c.architecture for c in old},
                    {c.architecture.name: c.architecture for c in new})
