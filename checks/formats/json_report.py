"""Check reports as JSON for machines: findings (each with its rule's remediation and documentation URL, as SARIF
gives them), requirement results and a summary per case."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ...models.text import json_dumps
from .. import baseline
from ..catalogue import EXPIRED_SUPPRESSION, UNUSED_SUPPRESSION
from ..engine import CaseReport, Finding
from ..rule import Rule, Severity

SUPPRESSION_REMEDIATION = {
    UNUSED_SUPPRESSION: "Remove the suppression: it matches no finding of the rules run.",
    EXPIRED_SUPPRESSION: "Fix what the suppression hid, or give it a later `expires` with a reason that still holds.",
}


def _finding(finding: Finding, rules: dict[str, Rule]) -> dict[str, Any]:
    """A finding as data, with what to do about it: its rule's remediation (Markdown) and documentation URL."""
    rule = rules.get(finding.rule_id)
    remediation: str | None = rule.remediation if rule else SUPPRESSION_REMEDIATION.get(finding.rule_id)
    docs_url: str | None = rule.docs_url if rule else None
    return {**asdict(finding), "remediation": remediation, "docs_url": docs_url}


def as_data(report: CaseReport, fail_on: Severity) -> dict[str, Any]:
    rules = {rule.id: rule for rule in report.rules}
    return {
        "case": report.case,
        "title": report.title,
        "path": report.path,
        "pack": report.pack,
        "passed": not report.blocking(fail_on),
        "findings": [_finding(f, rules) for f in report.findings],
        "requirements": [asdict(r) for r in report.requirements],
        "rules_run": len(report.rules),
        "applicable": dict(sorted(report.applicable.items())),
        "baseline_gone": baseline.as_data(report.gone),
    }


def render(reports: list[CaseReport], fail_on: Severity, color: bool = False) -> str:
    document = {"fail_on": fail_on, "cases": [as_data(r, fail_on) for r in reports]}
    return json_dumps(document, indent=2, sort_keys=True) + "\n"
