"""The architecture diff as text: Markdown for a pull-request comment, JSON, and plain text for a terminal.

Markdown puts a summary table first (one row per case that changed), then each case's details folded in
`<details>` blocks. User text (labels, messages, requirement questions, setting values) is written on one line with
Markdown's and HTML's special characters escaped, so a name can neither break the table, open a tag, nor mention
anyone. JSON is `dataclasses.asdict` of the diff with keys sorted, and a `schema` number that changes only when
a key is renamed or removed.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..checks.engine import Finding
from ..checks.rule import Severity
from ..diff import CaseDiff, Diff, Element, Elements, FindingChange
from ..models.text import flat, json_dumps, one_line
from .overlay import Overlay

SCHEMA = 1
"""Version of the JSON document's layout."""

_MARKDOWN = re.compile(r"[\\`*_\[\]|~]")
"""What Markdown would read as markup inside a line (user text never starts a line here): code, emphasis, links,
table cells, strikethrough, and the backslash itself."""
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "@": "@&#8203;"}


def md(text: object) -> str:
    """User text as inline Markdown: one line, control characters shown as escapes, Markdown's punctuation
    backslash-escaped (so `|` cannot end a table cell nor a backquote open code; see `_MARKDOWN`), HTML's specials as entities, and
    `@` followed by a zero-width space (no mention)."""
    line = flat(str(text))
    line = _MARKDOWN.sub(lambda m: "\\" + m.group(), line)
    return "".join(_HTML.get(char, char) for char in line)


def value(setting: Any) -> str:
    """A setting's value as Markdown: JSON (`null`: not set), escaped."""
    return md(json.dumps(setting, ensure_ascii=False, sort_keys=True))


@dataclasses.dataclass(frozen=True)
class Counts:
    """What the summary says of one case."""

    services: tuple[int, int, int]
    flows: tuple[int, int, int]
    new: int
    fixed: int
    broken: int
    """Requirements met before and not after."""
    mended: int
    """Requirements not met before and met after."""

    @classmethod
    def of(cls, case: CaseDiff) -> Counts:
        def three(elements: Elements) -> tuple[int, int, int]:
            return len(elements.added), len(elements.removed), len(elements.changed)

        flips = [r for r in case.requirements if r.flipped]
        return cls(three(case.services), three(case.flows), len(case.findings.new), len(case.findings.fixed),
                   sum(1 for r in flips if r.before), sum(1 for r in flips if not r.before))


def _three(counts: tuple[int, int, int]) -> str:
    return f"+{counts[0]} −{counts[1]} ~{counts[2]}"


def finding(change: FindingChange) -> Finding:
    """A finding of the diff as the engine's finding, for the overlay."""
    return Finding(change.rule_id, change.severity, change.title, change.status, change.target, change.target_type,
                   change.message)


def numbered(findings: Iterable[FindingChange]) -> Overlay:
    """The overlay numbering new findings, as the diff diagram draws them (the same numbers in the comment)."""
    return Overlay.of(finding(f) for f in findings)


def markdown(diff: Diff, fail_on: Severity = "high") -> str:
    """The diff as a pull-request comment."""
    changed = [case for case in diff.cases if case.status != "unchanged"]
    lines = [f"### Architecture diff: {md(diff.base)} → {md(diff.head)}", ""]
    if not changed:
        lines += ["No architecture changes.", ""]
        return "\n".join(lines)
    blocking = diff.blocking(fail_on)
    new = sum(len(case.findings.new) for case in diff.cases)
    fixed = sum(len(case.findings.fixed) for case in diff.cases)
    verdict = (f"**{len(blocking)} new finding{'s' if len(blocking) != 1 else ''} at {fail_on} or above.**"
               if blocking else f"No new finding at {fail_on} or above.")
    lines += [f"{verdict} {new} new, {fixed} fixed in all.", "",
              "| case | services | flows | requirements | findings |", "|---|---|---|---|---|"]
    for case in changed:
        counts = Counts.of(case)
        requirements = ", ".join(part for part in (f"{counts.broken} no longer met" if counts.broken else "",
                                                   f"{counts.mended} now met" if counts.mended else "") if part) or "—"
        status = "" if case.status == "changed" else f" ({case.status})"
        lines.append(f"| {md(case.name)}{status} | {_three(counts.services)} | {_three(counts.flows)} | {requirements} | "
                     f"{counts.new} new, {counts.fixed} fixed |")
    for case in changed:
        lines += ["", f"#### {md(case.name)}: {md(case.title)}", ""]
        lines += _case(case)
    return "\n".join(lines).rstrip("\n") + "\n"


def _details(summary: str, rows: Sequence[str]) -> list[str]:
    return ["<details><summary>" + summary + "</summary>", "", *rows, "", "</details>", ""] if rows else []


def _case(case: CaseDiff) -> list[str]:
    lines: list[str] = []
    for what, elements in (("Services", case.services), ("Flows", case.flows)):
        rows = [f"| {change} | {md(e.id)} | {md(e.kind)} | {md(e.label)} | {_settings(e)} |"
                for change, group in (("added", elements.added), ("removed", elements.removed), ("changed", elements.changed))
                for e in group]
        if rows:
            rows = ["| | id | kind | label | settings changed (before → after) |", "|---|---|---|---|---|", *rows]
        lines += _details(f"{what}: {len(elements.added)} added, {len(elements.removed)} removed, "
                          f"{len(elements.changed)} changed", rows)
    if case.requirements:
        rows = ["| requirement | before | after | why not met |", "|---|---|---|---|"]
        rows += [f"| {md(r.id)}: {md(r.question)} | {_met(r.before)} | {_met(r.after)} | {'; '.join(md(x) for x in r.reasons)} |"
                 for r in case.requirements]
        lines += _details(f"Requirements: {len(case.requirements)} changed", rows)
    findings = case.findings
    overlay = numbered(findings.new)
    for title, group, numbers in (("New findings", findings.new, True), ("Fixed findings", findings.fixed, False),
                                  ("Findings now suppressed", findings.suppressed, False),
                                  ("Findings unchanged", findings.unchanged, False)):
        if not group:
            continue
        rows = ["| # | severity | rule | on | message |", "|---|---|---|---|---|"]
        for f in group:
            entry = overlay.entry(finding(f)) if numbers else None
            status = f.severity if f.status == "fail" else f"{f.severity} (undecided)"
            rows.append(f"| {f'#{entry.number}' if entry else ''} | {status} | {md(f.rule_id)} | {md(f.target)} | {md(f.message)} |")
        lines += _details(f"{title}: {len(group)}", rows)
    s = case.suppressions
    rows = [f"| {change} | {md(x.rule)} | {md(x.target)} | {md(x.reason if x.reason is not None else x.old_reason)} |"
            for change, group in (("added", s.added), ("removed", s.removed), ("reason changed", s.changed)) for x in group]
    if rows:
        rows = ["| | rule | on | reason |", "|---|---|---|---|", *rows]
    lines += _details(f"Suppressions: {len(s.added)} added, {len(s.removed)} removed, {len(s.changed)} changed", rows)
    return lines


def _met(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "**not met**")


def _settings(element: Element) -> str:
    return "<br>".join(f"{md(s.path)}: {value(s.old)} → {value(s.new)}" for s in element.settings)


def document(diff: Diff) -> dict[str, Any]:
    """The diff as JSON data: `schema`, `base`, `head`, and per case its status, `summary` counts and the lists of
    `diff.CaseDiff` (a flow's `source`/`target`, a setting's `old`/`new` with null for not set)."""
    cases = []
    for case in diff.cases:
        counts = Counts.of(case)
        data = dataclasses.asdict(case)
        data["summary"] = {"services": dict(zip(("added", "removed", "changed"), counts.services, strict=True)),
                           "flows": dict(zip(("added", "removed", "changed"), counts.flows, strict=True)),
                           "findings": {"new": counts.new, "fixed": counts.fixed},
                           "requirements": {"no_longer_met": counts.broken, "now_met": counts.mended}}
        for requirement, change in zip(data["requirements"], case.requirements, strict=True):
            requirement["flipped"] = change.flipped
        cases.append(data)
    return {"schema": SCHEMA, "base": diff.base, "head": diff.head, "cases": cases}


def json_text(diff: Diff) -> str:
    return json_dumps(document(diff), indent=2, sort_keys=True) + "\n"


def text(diff: Diff, fail_on: Severity = "high") -> str:
    """The diff for a terminal: one line per change."""
    lines = [f"diff {one_line(diff.base)} -> {one_line(diff.head)}"]
    changed = [case for case in diff.cases if case.status != "unchanged"]
    if not changed:
        return "\n".join([*lines, "no architecture changes"]) + "\n"
    for case in changed:
        counts = Counts.of(case)
        lines.append(f"{one_line(case.name)} ({case.status}): services {_three(counts.services)}, flows {_three(counts.flows)}, "
                     f"findings {counts.new} new {counts.fixed} fixed")
        for what, elements in (("service", case.services), ("flow", case.flows)):
            lines += [f"  + {what} {one_line(e.id)} ({e.kind})" for e in elements.added]
            lines += [f"  - {what} {one_line(e.id)} ({e.kind})" for e in elements.removed]
            for e in elements.changed:
                lines += [f"  ~ {what} {one_line(e.id)}: {one_line(s.path)}: {one_line(json.dumps(s.old))} -> "
                          f"{one_line(json.dumps(s.new))}" for s in e.settings]
        for r in case.requirements:
            lines.append(f"  requirement {one_line(r.id)}: {_word(r.before)} -> {_word(r.after)}")
        lines += [f"  new finding {f.severity} {f.rule_id} on {one_line(f.target)}: {one_line(f.message)}" for f in case.findings.new]
        lines += [f"  fixed finding {f.rule_id} on {one_line(f.target)}" for f in case.findings.fixed]
        lines += [f"  suppressed finding {f.rule_id} on {one_line(f.target)}" for f in case.findings.suppressed]
        s = case.suppressions
        lines += [f"  + suppression {one_line(x.rule)} on {one_line(x.target)}" for x in s.added]
        lines += [f"  - suppression {one_line(x.rule)} on {one_line(x.target)}" for x in s.removed]
        lines += [f"  ~ suppression {one_line(x.rule)} on {one_line(x.target)}: reason changed" for x in s.changed]
    blocking = diff.blocking(fail_on)
    lines.append(f"{len(blocking)} new finding(s) at {fail_on} or above")
    return "\n".join(lines) + "\n"


def _word(met: bool | None) -> str:
    return "absent" if met is None else ("met" if met else "not met")


FORMATS = {"markdown": markdown, "text": text}
