"""Check reports as text for people: grouped by case, coloured on a terminal, with a summary line.

Text from the case (its title and path, finding messages, suppression reasons, requirement reasons) is written
with every control character shown as an escape (`\\x1b`), so a report printed on a terminal holds no escape
sequence but archcase's own colours."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from ...models.text import one_line
from ..engine import CaseReport, Finding
from ..rule import SEVERITIES, Severity, severity_rank

COLORS = {"critical": "\033[1;31m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m", "info": "\033[2m"}
GREEN, RED, DIM, RESET = "\033[32m", "\033[31m", "\033[2m", "\033[0m"
GONE = f"{'gone':>10}"
SUMMARY_OVER = 50
"""A report with more unsuppressed findings than this ends with them counted by rule (before its last line), so a long
CI log can be read from its end."""
View = Literal["full", "summary", "quiet"]
"""full: every finding, then the count by rule when there are more than SUMMARY_OVER; summary: the count by rule and
the last line; quiet: the last line only."""


def by_rule(findings: list[Finding], paint: Callable[[str, str], str]) -> list[str]:
    """Unsuppressed findings counted by rule, worst first: rule id, worst severity, count and title."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.rule_id, []).append(finding)
    rows = sorted(((max(severity_rank(f.severity) for f in group), len(group), rule, group[0].title)
                   for rule, group in groups.items()), key=lambda row: (-row[0], -row[1], row[2]))
    lines = [f"by rule ({len(findings)} unsuppressed finding(s), {len(rows)} rule(s)):" if rows else "by rule: no unsuppressed finding"]
    for rank, count, rule, title in rows:
        severity = SEVERITIES[rank]
        lines.append(f"  {paint(COLORS[severity], f'{severity:>10}')}  {rule}  {count:>5}  {one_line(title)}")
    return lines


def render(reports: list[CaseReport], fail_on: Severity, color: bool = False, view: View = "full") -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    lines: list[str] = []
    totals = {"fail": 0, "suppressed": 0, "unknown": 0, "met": 0, "requirements": 0}
    baselined = any(f.baseline for r in reports for f in r.findings) or any(r.gone for r in reports)
    for report in reports:
        lines.append(f"{report.case} ({one_line(report.path or report.title)})")
        for f in sorted(report.findings, key=lambda f: (f.suppressed, f.baseline == "unchanged", -severity_rank(f.severity),
                                                        f.rule_id, f.target)):
            old = f.baseline == "unchanged"
            state = "suppressed" if f.suppressed else "baselined" if old else ("undecided" if f.status == "unknown" else f.severity)
            tag = paint(DIM if f.suppressed or old else COLORS[f.severity], f"{state:>10}")
            lines.append(f"  {tag}  {f.rule_id}  {one_line(report.path)}:{f.line}:{f.column}  {one_line(f.message)}")
            if f.suppressed:
                lines.append(f"              reason: {one_line(f.suppression_reason or '')}")
            key = "suppressed" if f.suppressed else ("unknown" if f.status == "unknown" else "fail")
            totals[key] += 1
        for r in report.requirements:
            totals["requirements"] += 1
            totals["met"] += r.met
            mark = paint(GREEN, "met") if r.met else paint(RED, "NOT MET")
            lines.append(f"  requirement {r.id}: {mark}  ({one_line(', '.join(r.rules)) or 'no rules'})")
            lines.extend(f"      - {one_line(reason)}" for reason in r.reasons)
        if not report.findings and not report.requirements:
            lines.append("  no findings")
        lines.extend(f"  {paint(GREEN, GONE)}  {e.rule}  on '{one_line(e.target)}': {one_line(e.message)} (in the baseline, "
                     "no longer found)" for e in report.gone)
    blocking = sum(len(r.blocking(fail_on)) for r in reports)
    summary = (f"{len(reports)} case(s), {totals['fail']} finding(s), {totals['unknown']} undecided, "
               f"{totals['suppressed']} suppressed; requirements met {totals['met']}/{totals['requirements']}; "
               f"{blocking} at or above {fail_on}")
    if baselined:
        unchanged = sum(f.baseline == "unchanged" for r in reports for f in r.findings)
        new = sum(f.baseline == "new" for r in reports for f in r.findings)
        summary += f"; baseline: {unchanged} unchanged, {new} new, {sum(len(r.gone) for r in reports)} gone"
    unsuppressed = [f for r in reports for f in r.findings if not f.suppressed]
    shown = lines if view == "full" else []
    if view == "summary" or (view == "full" and len(unsuppressed) > SUMMARY_OVER):
        shown.extend(by_rule(unsuppressed, paint))
    shown.append(paint(RED if blocking else GREEN, summary))
    return "\n".join(shown) + "\n"

