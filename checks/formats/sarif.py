"""Check reports as SARIF 2.1.0, the format GitHub code scanning reads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from ...models.about import version
from ...models.load import Diagnostic
from ...models.text import json_dumps
from ..baseline import as_data
from ..catalogue import EXPIRED_SUPPRESSION, UNUSED_SUPPRESSION
from ..engine import CaseReport, Finding
from ..rule import Rule, Severity

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _rule(rule: Rule) -> dict[str, Any]:
    equivalents = "; ".join(f"{tool}: {', '.join(ids)}" for tool, ids in sorted(rule.equivalents.items()))
    markdown = f"**{rule.title}**\n\n{rule.rationale}\n\n**Fix:** {rule.remediation}\n\n[Documentation]({rule.docs_url})"
    return {
        "id": rule.id,
        "name": "".join(word.capitalize() for word in rule.title.split() if word.isalnum()) or rule.id,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.rationale},
        "help": {"text": f"{rule.rationale} Fix: {rule.remediation}", "markdown": markdown},
        "helpUri": rule.docs_url,
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": ["security", "architecture", *(f"{tool}:{i}" for tool, ids in rule.equivalents.items() for i in ids)],
            "security-severity": SECURITY_SEVERITY[rule.severity],
            "precision": "high",
            **({"equivalents": equivalents} if equivalents else {}),
        },
    }


def _uri(path: str) -> str:
    """The case file as a SARIF `artifactLocation.uri`: a URI reference, so characters a path may hold but a
    URI may not (spaces, `%`, `#`, `?`, control characters, non-ASCII) are percent-encoded."""
    return quote(PurePath(path).as_posix(), safe="/@!$&'()*+,;=-._~", errors="surrogatepass") if path else "case.yaml"


def _result(finding: Finding, report: CaseReport, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "level": LEVELS[finding.severity] if finding.status == "fail" else "note",
        "kind": "fail" if finding.status == "fail" else "review",
        "message": {"text": f"[{report.case}] {finding.message}"},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(report.path)},
                "region": {"startLine": finding.line, "startColumn": finding.column},
            },
            "logicalLocations": [{"name": finding.target, "kind": finding.target_type,
                                  "fullyQualifiedName": f"{report.case}/{finding.target}"}],
        }],
        "partialFingerprints": {"archcase/v1": f"{report.case}/{finding.rule_id}/{finding.target}"},
        "properties": {"severity": finding.severity},
    }
    if finding.rule_id in index:
        result["ruleIndex"] = index[finding.rule_id]
    if finding.suppressed:
        result["suppressions"] = [{"kind": "inSource", "justification": finding.suppression_reason or ""}]
    if finding.baseline:
        result["baselineState"] = finding.baseline
    return result


def _notification(problem: Diagnostic) -> dict[str, Any]:
    """An input that could not be read or is not valid, as a tool execution notification at its file and line."""
    text = f"{problem.message} (fix: {problem.hint})" if problem.hint else problem.message
    return {
        "level": "error" if problem.severity == "error" else "note",
        "message": {"text": text},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": _uri(problem.file)},
            "region": {"startLine": max(problem.line, 1), "startColumn": max(problem.column, 1)},
        }}],
    }


def render(reports: list[CaseReport], fail_on: Severity, color: bool = False, problems: Sequence[Diagnostic] = ()) -> str:
    """The SARIF log of `reports`. `problems`, the inputs that could not be checked, are the invocation's tool execution
    notifications and make it unsuccessful, so a log is written (and an upload step finds it) even when some or all
    inputs are bad."""
    rules = {rule.id: rule for report in reports for rule in report.rules}
    ordered = [rules[rule_id] for rule_id in sorted(rules)]
    descriptors = [_rule(rule) for rule in ordered]
    descriptors.append({
        "id": UNUSED_SUPPRESSION, "name": "UnusedSuppression",
        "shortDescription": {"text": "Suppression matches no finding"},
        "help": {"text": "A suppression (in the case file, or on a template resource) matches no finding of the rules run: remove it."},
        "defaultConfiguration": {"level": "note"},
    })
    descriptors.append({
        "id": EXPIRED_SUPPRESSION, "name": "ExpiredSuppression",
        "shortDescription": {"text": "Suppression has expired"},
        "help": {"text": "A suppression is past its `expires` date and no longer suppresses: fix what it hid, or renew it."},
        "defaultConfiguration": {"level": "note"},
    })
    index = {d["id"]: i for i, d in enumerate(descriptors)}
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "archcase",
                "version": version(),
                "informationUri": "https://github.com/archcase/archcase",
                "rules": descriptors,
            }},
            "invocations": [{
                "executionSuccessful": not any(p.severity == "error" for p in problems),
                **({"toolExecutionNotifications": [_notification(p) for p in problems]} if problems else {}),
            }],
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, report, index) for report in reports for f in report.findings],
            **({"properties": {"baselineGone": as_data([e for r in reports for e in r.gone])}} if any(r.gone for r in reports) else {}),
        }],
    }
    return json_dumps(document, indent=2) + "\n"
