"""Custom rules: loaded from `--rules`, the configuration's `rule-modules` or an entry point, per run (nothing
registered globally), refused with a message naming the module and rule, and reported in every format."""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from archcase.checks import custom
from archcase.checks.catalogue import RULES
from archcase.models import CaseError

from ..conftest import REPO

RULE = '''
from archcase.checks.rule import Outcome, passes_if, rule
from archcase.models.graph import Graph
from archcase.models.services import LambdaFunction


@rule("{id}", severity="medium", title="Function is small", rationale="Small functions are cheap.",
      remediation="Lower `memory_mb`.", docs="https://wiki.example.com/{id}")
def small(function: LambdaFunction, g: Graph) -> Outcome:
    return passes_if(function.memory_mb <= 1024, f"'{{function.id}}' has {{function.memory_mb}} MB")
'''


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Write a rule module into the working directory (a temporary folder); forgotten by Python afterwards."""
    monkeypatch.chdir(tmp_path)
    written: list[str] = []

    def write(name: str, text: str) -> str:
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(text), encoding="utf-8")
        written.append(name)
        return name

    yield write
    for name in written:
        sys.modules.pop(name, None)


def test_loading_returns_the_rules_and_registers_nothing(module):
    name = module("team_rules", RULE.format(id="TEAM-1"))
    loaded = custom.load([name], entry_points=False, search=[Path(".")])
    assert list(loaded) == ["TEAM-1"] and loaded["TEAM-1"].kinds == ("lambda",)
    assert "TEAM-1" not in RULES and "TEAM-1" in custom.catalogue(loaded)


@pytest.mark.parametrize(("text", "expected"), [
    (RULE.format(id="AC777"), r"rule AC777 \(.*small\): ids of AC and a number are archcase's own"),
    (RULE.format(id="team1"), r"rule id 'team1' \(.*small\) is not a custom rule id"),
    ("import nowhere_to_be_found\n", r"importing it failed: ModuleNotFoundError: No module named 'nowhere_to_be_found'"),
    ("raise RuntimeError('boom')\n", r"importing it failed: RuntimeError: boom"),
    (RULE.format(id="TEAM2").replace("(function: LambdaFunction, g: Graph)", "(function: LambdaFunction, g: Graph, extra: int)"),
     r"rule TEAM2 \(.*small\) cannot be called as check\(service, graph\)"),
    (RULE.format(id="TEAM3").replace("function: LambdaFunction", "function: int"),
     r"importing it failed: ValueError: rule TEAM3 .* annotated with int"),
    ("from archcase.checks.rules.compute import *\n", r"it is archcase's own rule"),
])
def test_a_bad_rule_module_is_refused_naming_module_and_rule(module, text, expected):
    name = module("bad_rules", text)
    with pytest.raises(CaseError, match=expected) as caught:
        custom.load([name], entry_points=False)
    assert caught.value.diagnostics[0].file == "rule module 'bad_rules'"


def test_a_missing_module_and_an_id_used_twice_are_refused(module):
    with pytest.raises(CaseError, match="no such module can be imported"):
        custom.load(["no_such_rules"], entry_points=False)
    first, second = module("first_rules", RULE.format(id="TEAM9")), module("second_rules", RULE.format(id="TEAM9"))
    with pytest.raises(CaseError, match=r"rule TEAM9 \(second_rules.small\) has the id of a rule of rule module 'first_rules'"):
        custom.load([first, second], entry_points=False)


def test_check_reports_a_custom_rule_in_every_format(cli, module, big_case):
    name = module("size_rules", RULE.format(id="SIZE-1"))
    text = cli("check", "--no-config", "--rules", name, str(big_case), "--fail-on", "medium")
    assert text.code == 1 and "SIZE-1" in text.out and "'todo-function' has 3008 MB" in text.out
    found = json.loads(cli("check", "--no-config", "--rules", name, str(big_case), "--format", "json").out)
    (finding,) = [f for f in found["cases"][0]["findings"] if f["rule_id"] == "SIZE-1"]
    assert (finding["docs_url"], finding["remediation"]) == ("https://wiki.example.com/SIZE-1", "Lower `memory_mb`.")
    sarif = json.loads(cli("check", "--no-config", "--rules", name, str(big_case), "--format", "sarif").out)
    run = sarif["runs"][0]
    (descriptor,) = [r for r in run["tool"]["driver"]["rules"] if r["id"] == "SIZE-1"]
    assert (descriptor["helpUri"], descriptor["shortDescription"]["text"]) == ("https://wiki.example.com/SIZE-1", "Function is small")
    (result,) = [r for r in run["results"] if r["ruleId"] == "SIZE-1"]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "SIZE-1"
    junit = cli("check", "--no-config", "--rules", name, str(big_case), "--format", "junit").out
    assert 'name="SIZE-1 Function is small"' in junit


def test_build_reports_a_custom_rule_with_its_remediation(cli, module, big_case, tmp_path):
    name = module("build_rules", RULE.format(id="BUILD-1"))
    out = tmp_path / "out"
    result = cli("build", "--no-config", "--no-lint", "--rules", name, str(big_case), "--handlers", str(REPO / "handlers"),
                 "--out", str(out))
    assert result.code == 0, result.err
    page = (out / "mytodolist" / "report.html").read_text()
    assert "BUILD-1" in page and "Lower <code>memory_mb</code>" in page and "https://wiki.example.com/BUILD-1" in page


def test_render_marks_a_custom_rules_findings(cli, module, big_case, tmp_path):
    name = module("render_rules", RULE.format(id="DRAW-1"))
    result = cli("render", "--rules", name, str(big_case), "--format", "mermaid", "--findings", "--out", str(tmp_path / "out"))
    assert result.code == 0, result.err
    assert "DRAW-1" in (tmp_path / "out" / "mytodolist" / "diagram.mmd").read_text()


def test_the_configuration_loads_rule_modules_and_may_select_them(cli, module, big_case, tmp_path):
    name = module("config_rules", RULE.format(id="CFG-1"))
    (tmp_path / ".archcase.yaml").write_text(f"rule-modules: [{name}]\nselect: [CFG-1]\n")
    result = cli("check", str(big_case), "--format", "json")
    assert result.code == 0, result.err
    assert {f["rule_id"] for f in json.loads(result.out)["cases"][0]["findings"]} == {"CFG-1"}
    assert "CFG-1  medium    Function is small" in cli("rules").out


def test_a_case_may_name_a_custom_rule_in_a_suppression(cli, module, big_case):
    name = module("quiet_rules", RULE.format(id="QUIET-1"))
    data = yaml.safe_load(big_case.read_text())
    data["suppressions"] = [{"rule": "QUIET-1", "target": "todo-function", "reason": "signed off by the platform team"}]
    big_case.write_text(yaml.safe_dump(data, sort_keys=False))
    result = cli("check", "--no-config", "--rules", name, str(big_case), "--fail-on", "medium")
    assert result.code == 0 and "suppressed  QUIET-1" in result.out


def test_loading_errors_exit_2_with_the_message_and_no_traceback(cli, module, big_case):
    name = module("broken_rules", "raise RuntimeError('boom')\n")
    for command in (("check", "--no-config", "--rules", name, str(big_case)), ("rules", "--no-config", "--rules", name)):
        result = cli(*command)
        assert (result.code, result.out) == (2, "")
        assert "rule module 'broken_rules':1:1: error: importing it failed: RuntimeError: boom" in result.err
        assert "Traceback" not in result.err


def test_selecting_an_id_no_loaded_rule_has_is_bad_input(cli, module, big_case):
    result = cli("check", "--no-config", "--select", "NOPE-1", str(big_case))
    assert result.code == 2 and "command line:1:1: error: unknown rule id 'NOPE-1' in 'select'" in result.err


def test_a_pack_file_selects_rules_and_changes_severities(cli, module, big_case, tmp_path):
    name = module("pack_rules", RULE.format(id="PACK-1"))
    (tmp_path / "acme.yaml").write_text("name: acme\nextends: seed\nselect: [PACK-1, AC208]\nseverity: {PACK-1: critical}\n")
    result = cli("check", "--no-config", "--rules", name, "--pack-file", "acme.yaml", str(big_case), "--format", "json")
    assert result.code == 1, result.err
    report = json.loads(result.out)["cases"][0]
    assert (report["pack"], report["rules_run"]) == ("acme", 2)
    assert [(f["rule_id"], f["severity"]) for f in report["findings"]] == [("PACK-1", "critical")]


def test_the_configuration_names_a_pack_file_relative_to_itself(cli, module, big_case, tmp_path):
    name = module("config_pack_rules", RULE.format(id="CPACK-1"))
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "team.yaml").write_text("name: team\nselect: [CPACK-1]\n")
    (tmp_path / ".archcase.yaml").write_text(f"rule-modules: [{name}]\npack-file: packs/team.yaml\n")
    report = json.loads(cli("check", str(big_case), "--format", "json", "--fail-on", "critical").out)["cases"][0]
    assert (report["pack"], [f["rule_id"] for f in report["findings"]]) == ("team", ["CPACK-1"])
    assert json.loads(cli("check", str(big_case), "--format", "json", "--pack", "seed").out)["cases"][0]["pack"] == "seed"


@pytest.mark.parametrize(("text", "expected"), [
    ("name: acme\nselects: [AC208]\n", "acme.yaml:2:1: error: unknown key 'selects' in the pack file\n    fix: did you mean 'select'?"),
    ("name: acme\nextends: strictest\n", "acme.yaml:2:10: error: unknown pack 'strictest' in 'extends'\n    fix: did you mean 'strict'?"),
    ("name: acme\nignore: [AC208, AC2O8]\n", "acme.yaml:2:17: error: unknown rule id 'AC2O8' in 'ignore'"),
    ("name: acme\nseverity: {AC208: urgent}\n", "acme.yaml:2:19: error: 'severity.AC208' is 'urgent', not a severity"),
    ("name: Acme Pack\n", "acme.yaml:1:7: error: 'name': String should match pattern"),
    ("- AC208\n", "acme.yaml:1:1: error: a pack file is a mapping"),
])
def test_a_bad_pack_file_is_bad_input_at_its_line(cli, big_case, tmp_path, monkeypatch, text, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "acme.yaml").write_text(text)
    result = cli("check", "--no-config", "--pack-file", "acme.yaml", str(big_case))
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(expected), result.err


def test_a_rule_imported_by_a_second_module_is_loaded_once(module):
    first = module("own_rules", RULE.format(id="ONCE-1"))
    second = module("more_rules", "from own_rules import small\n")
    assert list(custom.load([first, second], entry_points=False)) == ["ONCE-1"]


def test_a_configurations_custom_id_no_loaded_rule_has_is_bad_input_at_its_line(cli, module, big_case, tmp_path):
    name = module("line_rules", RULE.format(id="LINE-1"))
    (tmp_path / ".archcase.yaml").write_text(f"rule-modules: [{name}]\nselect: [LINE-1, LINE-2]\nseverity:\n  LINE-3: high\n")
    result = cli("check", str(big_case))
    assert result.code == 2
    assert ".archcase.yaml:2:18: error: unknown rule id 'LINE-2' in 'select'" in result.err
    assert ".archcase.yaml:4:3: error: unknown rule id 'LINE-3' in 'severity'" in result.err
