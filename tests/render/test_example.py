"""The bundled example of a case with findings (examples/): valid, with findings of several severities, and
built like any case (findings do not fail a build)."""

from __future__ import annotations

import json

import jsonschema

from archcase import api
from archcase.checks.rule import SEVERITIES
from archcase.models.yamlsafe import load as load_yaml

from ..conftest import REPO

EXAMPLES = REPO / "examples"
RANK = {severity: -index for index, severity in enumerate(SEVERITIES)}


def test_the_example_is_valid_against_the_committed_schema():
    (path,) = api.case_files([EXAMPLES])
    schema = load_yaml((REPO / "cases" / "case.schema.json").read_text()).data
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(load_yaml(path.read_text()).data))
    assert errors == []
    assert path.read_text().splitlines()[0] == "# yaml-language-server: $schema=../cases/case.schema.json"


def test_the_example_has_failing_findings_of_several_severities(cli):
    (report,) = api.check([EXAMPLES])
    failing = [f for f in report.findings if f.status == "fail" and not f.suppressed]
    assert {"critical", "high", "medium", "low"} <= {f.severity for f in failing}
    assert {"AC101", "AC109", "AC408"} <= {f.rule_id for f in failing}
    assert cli("check", str(EXAMPLES)).code == 1


def test_building_the_examples_folder_succeeds_despite_its_findings(cli, tmp_path):
    result = cli("build", str(EXAMPLES), "--out", str(tmp_path))
    assert result.code == 0, result.err
    assert "bundled" not in result.out  # cases named: no word about the bundled ones
    summary = json.loads((tmp_path / "flawed-course-shop" / "summary.json").read_text())
    counts = ", ".join(f"{n} {severity}" for severity, n in sorted(summary["findings"].items(), key=lambda item: RANK[item[0]]) if n)
    assert result.out.splitlines()[-1] == (f"built 1 case(s): {sum(summary['findings'].values())} finding(s) ({counts}); "
                                           f"requirements met 0/0; open {tmp_path / 'index.html'}")
    assert (tmp_path / "flawed-course-shop" / "report.html").is_file()
    assert "AC109" in (tmp_path / "flawed-course-shop" / "report.html").read_text()
