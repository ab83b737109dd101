"""Suppressions in a case file: `expires` (today injected), AC001 and AC002 at the suppression's own line, and a
service id covering a flow rule's flows from and to it."""

from __future__ import annotations

import datetime

import yaml

from archcase import api
from archcase.checks.catalogue import EXPIRED_SUPPRESSION, UNUSED_SUPPRESSION

from ..conftest import CASES

SUPPRESSION_LINE = 66
"""Line of `- rule: AC108` in cases/software-updates.yaml."""


def software_updates(tmp_path, **changes):
    """cases/software-updates.yaml with its one suppression (of AC108 on updates-cdn) changed, at the same line (or,
    with `waf`, its finding fixed and the suppression a line further down)."""
    text = (CASES / "software-updates.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert text.splitlines()[SUPPRESSION_LINE - 1] == "  - rule: AC108"
    extra = "".join(f"    {key}: {value}\n" for key, value in changes.items() if key != "waf")
    text = text.replace("    target: updates-cdn\n", "    target: updates-cdn\n" + extra)
    if changes.get("waf"):
        text = text.replace("  - id: updates-cdn\n", "  - id: updates-cdn\n    waf: true\n")
    path = tmp_path / "software-updates.yaml"
    path.write_text(text, encoding="utf-8")
    assert data["suppressions"][0]["rule"] == "AC108"
    return path


def findings(path, today: datetime.date | None = None):
    (report,) = api.checked(api.load_cases([path]), "default", today)
    return report.findings


def test_an_unused_suppression_points_at_its_own_line(tmp_path):
    (unused,) = [f for f in findings(software_updates(tmp_path, waf=True)) if not f.suppressed]
    assert (unused.rule_id, unused.line, unused.column) == (UNUSED_SUPPRESSION, SUPPRESSION_LINE + 1, 5)


def test_a_suppression_holds_through_its_expiry_day(tmp_path):
    path = software_updates(tmp_path, expires="2027-03-31")
    for day in (datetime.date(2026, 1, 1), datetime.date(2027, 3, 31)):
        (ac108,) = [f for f in findings(path, day) if f.rule_id == "AC108"]
        assert ac108.suppressed
        assert EXPIRED_SUPPRESSION not in {f.rule_id for f in findings(path, day)}


def test_an_expired_suppression_stops_suppressing_and_is_reported_at_its_line(tmp_path):
    path = software_updates(tmp_path, expires="2027-03-31")
    found = findings(path, datetime.date(2027, 4, 1))
    (ac108,) = [f for f in found if f.rule_id == "AC108"]
    assert not ac108.suppressed
    (expired,) = [f for f in found if f.rule_id == EXPIRED_SUPPRESSION]
    assert expired.line == SUPPRESSION_LINE and "2027-03-31" in expired.message
    assert UNUSED_SUPPRESSION not in {f.rule_id for f in found}  # expired, not unused as well


def test_today_comes_from_archcase_today(tmp_path, cli, monkeypatch):
    path = software_updates(tmp_path, expires="2027-03-31")
    monkeypatch.setenv("ARCHCASE_TODAY", "2027-04-01")
    result = cli("check", str(path))
    assert "AC002" in result.out and f"software-updates.yaml:{SUPPRESSION_LINE}:" in result.out
    monkeypatch.setenv("ARCHCASE_TODAY", "2027-03-31")
    assert "AC002" not in cli("check", str(path)).out
    monkeypatch.setenv("ARCHCASE_TODAY", "next tuesday")
    result = cli("check", str(path))
    assert result.code == 2 and "ARCHCASE_TODAY" in result.err


def test_expires_must_be_a_date(tmp_path, cli):
    result = cli("check", str(software_updates(tmp_path, expires="soon")))
    assert result.code == 2 and f"software-updates.yaml:{SUPPRESSION_LINE + 2}:14:" in result.err


def test_a_service_id_covers_a_flow_rules_flows_from_and_to_it():
    from archcase.checks.engine import check

    from .mutations import case_data, variant

    def plain_http(data):
        next(f for f in data["flows"] if f["kind"] == "calls")["protocol"] = "http"

    (finding,) = [f for f in check(variant("mytodolist", plain_http)).findings if f.rule_id == "AC208"]
    assert finding.target_type == "flow"
    flow = next(f for f in case_data("mytodolist")["flows"] if f["kind"] == "calls")
    for end in (flow["from"], flow["to"]):
        def suppressed(data, end=end):
            data["suppressions"] = [{"rule": "AC208", "target": end, "reason": "The API is reached through a private link only."}]

        report = check(variant("mytodolist", plain_http, suppressed))
        (found,) = [f for f in report.findings if f.rule_id == "AC208"]
        assert found.suppressed and UNUSED_SUPPRESSION not in {f.rule_id for f in report.findings}
