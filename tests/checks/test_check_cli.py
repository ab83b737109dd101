"""`archcase check` as CI uses it: exit codes, SARIF, JUnit, JSON and text."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import jsonschema
import pytest
import yaml

from ..conftest import CASES, SHARED

SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture
def broken_case(tmp_path):
    """mytodolist with its API over plain HTTP (high) and no S3 versioning (low)."""
    data = yaml.safe_load((CASES / "mytodolist.yaml").read_text())
    next(f for f in data["flows"] if f["kind"] == "calls")["protocol"] = "http"
    next(s for s in data["services"] if s["id"] == "user-files")["versioning"] = False
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_bundled_cases_pass_and_every_requirement_is_met(cli):
    result = cli("check", str(CASES))
    assert result.code == 0
    lines = [line for line in result.out.splitlines() if "requirement " in line]
    assert len(lines) == 30 and all(": met" in line for line in lines)
    assert "requirements met 30/30" in result.out


def test_bundled_cases_have_no_unsuppressed_finding_at_medium_or_above(cli):
    assert cli("check", str(CASES), "--fail-on", "medium").code == 0


def test_suppressed_finding_is_reported_with_its_reason(cli):
    result = cli("check", str(CASES / "software-updates.yaml"))
    assert "suppressed  AC108" in result.out
    assert "reason: The update files are public" in result.out


def test_findings_at_or_above_fail_on_exit_1(cli, broken_case):
    result = cli("check", str(broken_case))
    assert result.code == 1
    assert "AC208" in result.out and "NOT MET" in result.out
    assert cli("check", str(broken_case), "--fail-on", "critical").code == 0


def test_low_findings_fail_only_a_low_threshold(cli, broken_case, tmp_path):
    data = yaml.safe_load(broken_case.read_text())
    next(f for f in data["flows"] if f["kind"] == "calls")["protocol"] = "https"
    broken_case.write_text(yaml.safe_dump(data))
    assert cli("check", str(broken_case)).code == 0
    assert cli("check", str(broken_case), "--fail-on", "low").code == 1


def test_strict_pack_raises_low_rules_to_medium(cli, broken_case):
    data = yaml.safe_load(broken_case.read_text())
    next(f for f in data["flows"] if f["kind"] == "calls")["protocol"] = "https"
    broken_case.write_text(yaml.safe_dump(data))
    assert cli("check", str(broken_case), "--fail-on", "medium").code == 0
    assert cli("check", str(broken_case), "--fail-on", "medium", "--pack", "strict").code == 1


def test_unknown_rule_id_in_a_case_is_bad_input(cli, write_case):
    text = (CASES / "software-updates.yaml").read_text().replace("rule: AC108", "rule: AC180")
    result = cli("check", str(write_case(text)))
    assert result.code == 2
    assert "unknown rule id 'AC180'" in result.err and "`archcase rules`" in result.err
    assert ":66:11: error" in result.err  # points at the suppression's rule


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_bad_input_before_checking_prints_nothing_on_standard_output(cli, write_case, tmp_path, fmt):
    """Exit 2 with nothing checked: a path that does not exist, a case that is not valid. Standard output stays
    empty (a pipe into a SARIF uploader gets no empty report), the problems go to standard error."""
    invalid = write_case("name: t\ntitle: T\nservices:\n  - {id: a, kind: lamda}\n")
    for path in (tmp_path / "missing.yaml", invalid):
        result = cli("check", str(path), "--format", fmt)
        assert (result.code, result.out) == (2, "")
        assert f"{path}:" in result.err


def test_sarif_validates_against_the_schema(cli, broken_case, tmp_path):
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the SARIF schema is not at {SARIF_SCHEMA} (../shared is absent in a user's clone)")
    out = tmp_path / "report.sarif"
    result = cli("check", str(broken_case), str(CASES / "software-updates.yaml"), "--format", "sarif", "--output", str(out))
    assert result.code == 1 and result.out == ""
    document = json.loads(out.read_text())
    jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = {r["ruleId"]: r for r in run["results"]}
    http = results["AC208"]
    assert rules[http["ruleIndex"]]["id"] == "AC208"
    assert http["level"] == "error"
    region = http["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] > 1
    assert results["AC108"]["suppressions"][0]["justification"].startswith("The update files")


def test_junit_parses_with_a_test_case_per_rule_and_requirement(cli, broken_case):
    from archcase.checks.catalogue import RULES

    result = cli("check", str(broken_case), "--format", "junit")
    root = ET.fromstring(result.out)
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == len(RULES) + 4
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert any(name.startswith("AC208 ") for name in failed)
    assert "requirement rest-api-https" in failed
    assert int(suite.get("failures")) == len(failed)


def test_json_report_is_machine_readable(cli, broken_case):
    document = json.loads(cli("check", str(broken_case), "--format", "json").out)
    (case,) = document["cases"]
    assert case["passed"] is False
    assert {f["rule_id"] for f in case["findings"]} == {"AC208", "AC403"}


def test_json_findings_carry_the_remediation_and_docs_url_sarif_gives(cli, broken_case, write_case):
    document = json.loads(cli("check", str(broken_case), "--format", "json").out)
    sarif = json.loads(cli("check", str(broken_case), "--format", "sarif").out)
    helps = {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    (case,) = document["cases"]
    for finding in case["findings"]:
        rule = helps[finding["rule_id"]]
        assert finding["docs_url"] == rule["helpUri"] and finding["docs_url"].startswith("https://")
        assert finding["remediation"] and f"Fix: {finding['remediation']}" in rule["help"]["text"]
    text = (CASES / "software-updates.yaml").read_text().replace("rule: AC108", "rule: AC107")
    (unused, *_) = [f for f in json.loads(cli("check", str(write_case(text)), "--format", "json").out)["cases"][0]["findings"]
                    if f["rule_id"] == "AC001"]
    assert unused["remediation"].startswith("Remove the suppression") and unused["docs_url"] is None


def test_reports_are_byte_identical_across_runs(cli):
    for fmt in ("text", "json", "sarif", "junit"):
        assert cli("check", str(CASES), "--format", fmt).out == cli("check", str(CASES), "--format", fmt).out


def _sarif_schema() -> dict:
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"the SARIF schema is not at {SARIF_SCHEMA} (../shared is absent in a user's clone)")
    return json.loads(SARIF_SCHEMA.read_text())


def test_sarif_is_written_with_an_invalid_input_as_a_located_notification(cli, broken_case, write_case, tmp_path):
    """An upload step after `check` must find its file: the readable case is reported, the invalid one is a tool
    execution notification at its line, the run is unsuccessful, and the exit status stays 2."""
    schema = _sarif_schema()
    invalid = write_case("name: t\ntitle: T\nservices:\n  - {id: a, kind: lamda}\n", "invalid.yaml")
    out = tmp_path / "report.sarif"
    result = cli("check", str(broken_case), str(invalid), "--format", "sarif", "--output", str(out))
    assert result.code == 2 and result.out == "" and f"{invalid}:" in result.err
    document = json.loads(out.read_text())
    jsonschema.validate(document, schema)
    run = document["runs"][0]
    assert "AC208" in {r["ruleId"] for r in run["results"]}
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    (note, *_) = invocation["toolExecutionNotifications"]
    location = note["locations"][0]["physicalLocation"]
    assert note["level"] == "error" and "lamda" in note["message"]["text"]
    assert location["artifactLocation"]["uri"].endswith("/invalid.yaml") and location["region"]["startLine"] == 4


def test_sarif_is_written_when_every_input_is_invalid(cli, write_case, tmp_path):
    schema = _sarif_schema()
    invalid = write_case("name: t\ntitle: T\nservices:\n  - {id: a, kind: lamda}\n")
    out = tmp_path / "report.sarif"
    result = cli("check", str(invalid), str(tmp_path / "missing.yaml"), "--format", "sarif", "--output", str(out))
    assert (result.code, result.out) == (2, "")
    document = json.loads(out.read_text())
    jsonschema.validate(document, schema)
    (invocation,) = document["runs"][0]["invocations"]
    uris = {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in invocation["toolExecutionNotifications"]}
    assert document["runs"][0]["results"] == [] and invocation["executionSuccessful"] is False
    assert {uri.rsplit("/", 1)[-1] for uri in uris} == {"case.yaml", "missing.yaml"}


def test_sarif_names_a_malformed_baseline_too(cli, broken_case, tmp_path):
    schema = _sarif_schema()
    bad = tmp_path / "baseline.json"
    bad.write_text("{not json\n")
    out = tmp_path / "report.sarif"
    result = cli("check", str(broken_case), "--baseline", str(bad), "--format", "sarif", "--output", str(out))
    assert result.code == 2
    document = json.loads(out.read_text())
    jsonschema.validate(document, schema)
    (note,) = document["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("baseline.json")


@pytest.mark.parametrize("fmt", ["text", "json", "junit"])
def test_other_formats_write_nothing_when_an_input_is_invalid(cli, broken_case, write_case, tmp_path, fmt):
    invalid = write_case("name: t\ntitle: T\nservices:\n  - {id: a, kind: lamda}\n", "invalid.yaml")
    out = tmp_path / "report.out"
    assert cli("check", str(broken_case), str(invalid), "--format", fmt, "--output", str(out)).code == 2
    assert not out.exists()


def test_a_clean_sarif_run_is_successful(cli, tmp_path):
    document = json.loads(cli("check", str(CASES / "software-updates.yaml"), "--format", "sarif").out)
    assert document["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_quiet_prints_only_the_last_line_and_a_written_report_stays_whole(cli, broken_case, tmp_path):
    whole = cli("check", str(broken_case))
    quiet = cli("check", str(broken_case), "--quiet")
    assert quiet.code == whole.code == 1
    assert quiet.out.splitlines() == whole.out.splitlines()[-1:] and "1 at or above high" in quiet.out
    out = tmp_path / "report.txt"
    assert cli("check", str(broken_case), "-q", "--output", str(out)).out == ""
    assert out.read_text() == whole.out


def test_summary_counts_unsuppressed_findings_by_rule_instead_of_listing_them(cli, broken_case):
    result = cli("check", str(broken_case), "--summary")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == "by rule (2 unsuppressed finding(s), 2 rule(s)):"
    assert lines[1].split()[:3] == ["high", "AC208", "1"] and lines[2].split()[:3] == ["low", "AC403", "1"]
    assert len(lines) == 4 and str(broken_case) not in result.out


def test_a_long_report_ends_with_the_count_by_rule(broken_case):
    """More than SUMMARY_OVER unsuppressed findings: every one is listed, then counted by rule before the last line."""
    import dataclasses

    from archcase import api
    from archcase.checks.formats import text

    (report,) = api.checked(api.load_each([broken_case])[0], "default")
    many = [dataclasses.replace(report, findings=report.findings * 30)]
    lines = text.render(many, "high").splitlines()
    assert lines[-4] == "by rule (60 unsuppressed finding(s), 2 rule(s)):"
    assert lines[-3].split()[:3] == ["high", "AC208", "30"]
    assert sum(line.split()[:2] == ["high", "AC208"] for line in lines) == 31
    assert "by rule" not in text.render([report], "high")
