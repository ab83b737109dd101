"""Every finding archcase reports on ../shared/corpus was judged by hand, and the verdict is kept in
corpus_expectations.tsv (template, rule, target, status, verdict, one-line reason). The test fails on a
finding no one has judged yet, on a finding judged false, and on a judged finding that is no longer reported
(a correct finding lost is a finding missed). `tools/corpus_review.py` lists what needs judging."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from archcase.api import check

from .test_corpus import CORPUS, FILES

EXPECTATIONS = Path(__file__).with_name("corpus_expectations.tsv")
COLUMNS = ["template", "rule", "target", "status", "verdict", "reason"]
pytestmark = pytest.mark.skipif(not FILES, reason=f"no template corpus at {CORPUS} (it sits beside the project in CI)")

Key = tuple[str, str, str, str]
TAB = "\t"


def expectations() -> dict[Key, tuple[str, str]]:
    with EXPECTATIONS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert rows and list(rows[0]) == COLUMNS, f"{EXPECTATIONS.name}: columns must be {COLUMNS}"
    found: dict[Key, tuple[str, str]] = {}
    for number, row in enumerate(rows, start=2):
        key = (row["template"], row["rule"], row["target"], row["status"])
        assert key not in found, f"{EXPECTATIONS.name}:{number}: {key} is judged twice"
        assert row["verdict"] in ("correct", "false"), f"{EXPECTATIONS.name}:{number}: verdict must be correct or false"
        assert row["reason"].strip(), f"{EXPECTATIONS.name}:{number}: give the reason for the verdict"
        found[key] = (row["verdict"], row["reason"])
    return found


def reported() -> dict[Key, str]:
    found: dict[Key, str] = {}
    for path in FILES:
        try:
            reports = check([path])
        except Exception:  # a template that does not import has no findings; test_corpus checks its message
            continue
        for report in reports:
            for finding in report.findings:
                found[(path.name, finding.rule_id, finding.target, finding.status)] = finding.message
    return found


def test_every_finding_on_the_corpus_was_judged_correct_and_every_correct_one_is_still_found():
    judged, now = expectations(), reported()
    unjudged = [f"{TAB.join(key)}{TAB}?{TAB}{message}" for key, message in sorted(now.items()) if key not in judged]
    false = [f"{TAB.join(key)}: {judged[key][1]}" for key in sorted(now) if judged.get(key, ("",))[0] == "false"]
    lost = [f"{TAB.join(key)}: {reason}" for key, (verdict, reason) in sorted(judged.items()) if verdict == "correct" and key not in now]
    assert not unjudged, "findings no one has judged (add them to corpus_expectations.tsv):\n" + "\n".join(unjudged)
    assert not false, "findings judged false are reported:\n" + "\n".join(false)
    assert not lost, "findings judged correct are no longer reported:\n" + "\n".join(lost)
