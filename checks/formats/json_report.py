"""Check reports as JSON for machines: findings, requirement results and a summary per case."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ...models.text import json_dumps
from .. import baseline
from ..engine import CaseReport
from ..rule import Severity


def as_data(report: CaseReport, fail_on: Severity) -> dict[str, Any]:
    return {
        "case": report.case,
        "title": report.title,
        "path": report.path,
        "pack": report.pack,
        "passed": not report.blocking(fail_on),
        "findings": [asdict(f) for f in report.findings],
        "requirements": [asdict(r) for r in report.requirements],
        "rules_run": len(report.rules),
        "applicable": dict(sorted(report.applicable.items())),
        "baseline_gone": baseline.as_data(report.gone),
    }


def render(reports: list[CaseReport], fail_on: Severity, color: bool = False) -> str:
    document = {"fail_on": fail_on, "cases": [as_data(r, fail_on) for r in reports]}
    return json_dumps(document, indent=2, sort_keys=True) + "\n"
