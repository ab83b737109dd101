"""The command line as a user runs it: exit codes, outputs, determinism, no half-written files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from archcase import api

from .conftest import CASES

SIX = {"big-data-ingestion", "microservices", "myblog", "mytodolist", "paid-content", "software-updates"}


def test_validate_bundled_cases_exits_0(cli):
    result = cli("validate", str(CASES))
    assert result.code == 0
    assert result.out.count("ok: ") == 6
    assert result.err == ""


def test_build_writes_a_normalised_model_per_case(cli, tmp_path):
    result = cli("build", "--out", str(tmp_path))
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("building the 6 bundled cases (big-data-ingestion, microservices, myblog, ")
    assert lines[-1] == f"built 6 case(s): 0 finding(s); requirements met 30/30; open {tmp_path / 'index.html'}"
    assert {p.name for p in tmp_path.iterdir() if p.is_dir()} == SIX
    model = json.loads((tmp_path / "mytodolist" / "model.json").read_text())
    function = next(s for s in model["services"] if s["kind"] == "lambda")
    assert function["memory_mb"] == 256  # defaults are filled in
    assert model["flows"][0]["from"] == "mobile-app"  # aliases kept, as in the case file


def test_build_with_a_bad_case_writes_nothing(cli, write_case, tmp_path):
    good = CASES / "myblog.yaml"
    bad = write_case("name: t\ntitle: T\nservices:\n  - {id: a, kind: lamda}\n")
    out = tmp_path / "out"
    result = cli("build", str(good), str(bad), "--out", str(out))
    assert result.code == 2
    assert not out.exists()


def test_build_refuses_two_cases_with_one_name(cli, write_case, tmp_path):
    text = "name: same\ntitle: T\nservices:\n  - {id: q, kind: sqs}\n"
    first, second = write_case(text, "a.yaml"), write_case(text, "b.yaml")
    result = cli("build", str(first), str(second), "--out", str(tmp_path / "out"))
    assert result.code == 2
    assert "case name 'same' is also used by" in result.err


def test_schema_command_prints_a_valid_json_schema(cli, tmp_path):
    result = cli("schema")
    assert result.code == 0
    document = json.loads(result.out)
    jsonschema.Draft202012Validator.check_schema(document)
    assert document == api.schema()
    assert cli("schema", "--out", str(tmp_path / "s.json")).code == 0
    assert json.loads((tmp_path / "s.json").read_text()) == document


def test_empty_folder_is_bad_input(cli, tmp_path):
    result = cli("validate", str(tmp_path))
    assert result.code == 2
    assert "holds no case files" in result.err


def test_python_dash_m_and_console_script_run(tmp_path):
    module = subprocess.run([sys.executable, "-m", "archcase", "validate", str(CASES)],
                            capture_output=True, text=True, cwd=tmp_path, check=False)
    assert module.returncode == 0, module.stderr
    script = subprocess.run([str(Path(sys.executable).parent / "archcase"), "--version"],
                            capture_output=True, text=True, check=False)
    assert script.returncode == 0
    assert script.stdout.startswith("archcase ")


def test_bad_input_from_a_subprocess_has_no_traceback(write_case):
    bad = write_case("name: t\ntitle: T\nservices:\n  - {id: a, kind: lamda}\n")
    run = subprocess.run([sys.executable, "-m", "archcase", "validate", str(bad)],
                         capture_output=True, text=True, check=False)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert f"{bad}:4:" in run.stderr


@pytest.mark.parametrize("command", ["render", "build", "check", "import"])
@pytest.mark.parametrize(("value", "message"), [("foo", "'foo' is not a grouping: give tag:KEY"), ("tag:", "'tag:' names no tag key")])
def test_a_bad_group_by_is_bad_input_named_before_anything_is_read(cli, tmp_path, command, value, message):
    result = cli(command, str(tmp_path / "missing.yaml"), "--group-by", value)
    assert result.code == 2
    assert f"argument --group-by: {message}" in result.err
    assert "missing.yaml" not in result.err  # the option is refused first


def test_group_by_groups_an_imported_templates_services_and_leaves_case_files_as_written(cli, write_case, tmp_path):
    template = tmp_path / "template.json"
    template.write_text(json.dumps({"Resources": {"Jobs": {"Type": "AWS::SQS::Queue", "Properties": {
        "Tags": [{"Key": "Team", "Value": "orders"}]}}}}), encoding="utf-8")
    result = cli("import", str(template), "--group-by", "tag:Team")
    assert result.code == 0
    (service,) = yaml.safe_load(result.out)["services"]
    assert (service["id"], service["group"]) == ("jobs", "orders")
    case = write_case("name: t\ntitle: T\nservices:\n  - {id: q, kind: sqs}\n")
    out = tmp_path / "out"
    assert cli("render", str(case), str(template), "--format", "mermaid", "--out", str(out), "--group-by", "tag:Team").code == 0
    assert {p.name for p in out.iterdir()} == {"t", "template"}
    assert "case file" in cli("render", "--help").out.replace("\n", " ")


def test_build_quiet_prints_only_its_last_line(cli, tmp_path):
    result = cli("build", str(CASES / "mytodolist.yaml"), "--out", str(tmp_path), "--quiet")
    assert result.code == 0
    assert result.out.splitlines() == [f"built 1 case(s): 0 finding(s); requirements met 4/4; open {tmp_path / 'index.html'}"]
