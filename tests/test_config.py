"""The configuration file: found upward like ruff's, flags over the file over the defaults, strict keys and values,
and `select`, `ignore` and `severity` changing what `check` and `build` report and how they exit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from archcase import config
from archcase.checks.catalogue import RULES
from archcase.checks.packs import PACKS, tailored
from archcase.models import CaseError

from .conftest import CASES, REPO


@pytest.fixture(autouse=True)
def no_env(monkeypatch):
    monkeypatch.delenv(config.ENV, raising=False)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """mytodolist with its API over plain HTTP (AC208, high) and no S3 versioning (AC403, low)."""
    data = yaml.safe_load((CASES / "mytodolist.yaml").read_text())
    next(f for f in data["flows"] if f["kind"] == "calls")["protocol"] = "http"
    next(s for s in data["services"] if s["id"] == "user-files")["versioning"] = False
    path = tmp_path / "stacks" / "broken.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def pyproject(folder: Path, table: str) -> Path:
    path = folder / "pyproject.toml"
    path.write_text(f"[project]\nname = \"x\"\n\n[tool.archcase]\n{table}\n", encoding="utf-8")
    return path


# discovery of the file

def test_nearest_file_wins_and_a_pyproject_without_the_table_is_passed_over(tmp_path, monkeypatch):
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    top = pyproject(tmp_path, 'pack = "seed"')
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'y'\n[tool.ruff]\nline-length = 100\n")
    monkeypatch.chdir(deep)
    assert config.find() == top.absolute()
    nearer = tmp_path / "a" / ".archcase.yaml"
    nearer.write_text("pack: strict\n")
    assert config.find() == nearer.absolute()
    assert config.load().config.pack == "strict"


def test_the_dedicated_file_wins_over_pyproject_in_one_folder(tmp_path, monkeypatch):
    pyproject(tmp_path, 'pack = "seed"')
    (tmp_path / ".archcase.yaml").write_text("pack: strict\n")
    monkeypatch.chdir(tmp_path)
    assert config.find() == (tmp_path / ".archcase.yaml").absolute()


def test_no_file_means_the_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loaded = config.load(start=tmp_path)
    assert loaded.path is None or not str(loaded.path).startswith(str(tmp_path))
    settings_ = config.settings(config.load(enabled=False))
    assert (settings_.pack, settings_.format, settings_.select, settings_.ignore) == ("default", "text", None, ())
    assert set(settings_.sources.values()) == {config.DEFAULT}


def test_config_option_env_var_and_no_config(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".archcase.yaml").write_text("pack: strict\n")
    other = tmp_path / "ci.yaml"
    other.write_text("pack: seed\n")
    assert '"strict"' in cli("config").out
    assert '"seed"' in cli("config", "--config", str(other)).out
    monkeypatch.setenv(config.ENV, str(other))
    assert '"seed"' in cli("config").out
    assert '"default"  # default' in cli("config", "--no-config").out
    missing = cli("config", "--config", "nope.yaml")
    assert missing.code == 2 and "nope.yaml:1:1: error: configuration file not found" in missing.err


# strict keys and values

@pytest.mark.parametrize(("name", "text", "where", "message", "fix"), [
    (".archcase.yaml", "pack: seed\nfail_on: high\n", ":2:1:", "unknown key 'fail_on'", "did you mean 'fail-on'?"),
    (".archcase.yaml", "selct: [AC101]\n", ":1:1:", "unknown key 'selct'", "did you mean 'select'?"),
    (".archcase.yaml", "pack: strikt\n", ":1:7:", "unknown pack 'strikt'", "did you mean 'strict'?"),
    (".archcase.yaml", "ignore: [AC101, AC9999]\n", ":1:17:", "unknown rule id 'AC9999' in 'ignore'", "`archcase rules`"),
    (".archcase.yaml", "severity:\n  AC101: hgh\n", ":2:10:", "'severity.AC101' is 'hgh', not a severity", "critical, high"),
    (".archcase.yaml", "severity:\n  ac101: high\n", ":2:3:", "unknown rule id 'ac101' in 'severity'", "did you mean 'AC101'?"),
    (".archcase.yaml", "fail-on: severe\n", ":1:10:", "'fail-on' is 'severe', not a severity", "give one of critical"),
    (".archcase.yaml", "format: sarif2\n", ":1:9:", "unknown report format 'sarif2'", "did you mean 'sarif'?"),
    (".archcase.yaml", "rule-modules: [my-rules]\n", ":1:", "'rule-modules.0'", "dotted Python module names"),
    (".archcase.yaml", "paths: stacks\n", ":1:8:", "'paths'", "list of files"),
    (".archcase.yaml", "- pack\n", ":1:1:", "not a mapping of settings", "key: value"),
    (".archcase.yaml", "pack: [\n", ":", "error", ""),
    ("pyproject.toml", '[tool.archcase]\npack = "seed"\nfail_on = "high"\n', ":3:1:", "unknown key 'fail_on'", "'fail-on'"),
    ("pyproject.toml", '[tool.archcase]\nselect = ["AC101"]\n\n[tool.archcase.severity]\nAC101 = "hgh"\n', ":5:1:",
     "not a severity", "critical"),
    ("pyproject.toml", '[tool.archcase]\npack = \n', ":2:", "not valid TOML", "toml.io"),
    ("pyproject.toml", '[tool.archcase]\npack = "seed"\n\n[tool.archcase.rules]\nenable = ["AC101"]\n', ":4:1:",
     "unknown key 'rules'", "the keys are paths, exclude"),
    ("pyproject.toml", '[tool.archcase]\nseverity = {AC101 = "high", AC9999 = "low"}\n', ":2:1:", "unknown rule id 'AC9999'", ""),
])
def test_bad_configuration_is_located_bad_input(cli, tmp_path, monkeypatch, name, text, where, message, fix):
    (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "case.yaml").write_text((CASES / "myblog.yaml").read_text())
    monkeypatch.chdir(tmp_path)
    for command in (("config",), ("check", "case.yaml")):
        result = cli(*command)
        assert result.code == 2, result.err
        assert result.err.startswith(f"{name}{where}")  # named as found: relative to the working directory
        assert message in result.err and fix in result.err
        assert "Traceback" not in result.err


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_", min_size=1, max_size=12))
def test_every_key_but_the_known_ones_is_refused(key):
    if key in config.KEYS:
        return
    with pytest.raises(CaseError) as caught:
        config._validated({key: 1}, Path("c.yaml"), lambda loc, is_key: (1, 1))
    assert f"unknown key '{key}'" in caught.value.diagnostics[0].message


# precedence and sources

def test_flag_over_file_over_default_with_sources(cli, tmp_path, monkeypatch):
    (tmp_path / ".archcase.yaml").write_text("pack: strict\nfail-on: low\npaths: [stacks]\n")
    (tmp_path / "stacks").mkdir()
    monkeypatch.chdir(tmp_path)
    loaded = config.load()
    merged = config.settings(loaded, {"pack": "seed", "fail_on": None, "format": None}, {"fail_on": "high"})
    assert (merged.pack, merged.sources["pack"]) == ("seed", config.COMMAND_LINE)
    assert (merged.fail_on, merged.sources["fail_on"]) == ("low", str(loaded.path))
    assert (merged.format, merged.sources["format"]) == ("text", config.DEFAULT)
    assert merged.paths == ("stacks",)
    shown = json.loads(cli("config", "--format", "json").out)
    assert shown["file"] == str(loaded.path)
    assert shown["settings"]["pack"] == {"value": "strict", "source": str(loaded.path)}
    assert shown["settings"]["select"] == {"value": None, "source": "default"}
    text = cli("config").out
    assert text == cli("config").out  # deterministic
    assert f'fail-on = "low"  # {loaded.path}' in text and 'format = "text"  # default' in text


def test_paths_and_output_of_the_file_are_relative_to_its_folder(cli, tmp_path, monkeypatch, broken):
    (tmp_path / ".archcase.yaml").write_text("paths: [stacks]\noutput: reports/check.json\nformat: json\nfail-on: critical\n")
    (tmp_path / "reports").mkdir()
    sub = tmp_path / "docs"
    sub.mkdir()
    monkeypatch.chdir(sub)
    result = cli("check")
    assert result.code == 0, result.err
    report = json.loads((tmp_path / "reports" / "check.json").read_text())
    assert report["fail_on"] == "critical" and [c["case"] for c in report["cases"]] == ["mytodolist"]
    assert cli("check", "--fail-on", "high").code == 1  # the flag wins


# rules: select, ignore, severity

def test_ignored_rule_findings_are_not_reported(cli, tmp_path, monkeypatch, broken):
    monkeypatch.chdir(tmp_path)
    assert cli("check", str(broken)).code == 1
    (tmp_path / ".archcase.yaml").write_text("ignore: [AC208]\n")
    result = cli("check", str(broken))
    assert result.code == 0 and "AC208" not in result.out.split("requirement")[0] and "AC403" in result.out


def test_select_runs_only_the_rules_named(cli, tmp_path, monkeypatch, broken):
    monkeypatch.chdir(tmp_path)
    pyproject(tmp_path, 'select = ["AC403"]')
    result = cli("check", str(broken), "--format", "json")
    findings = {f["rule_id"] for case in json.loads(result.out)["cases"] for f in case["findings"]}
    assert findings == {"AC403"} and result.code == 0


def test_a_severity_override_changes_the_exit_code_and_the_report(cli, tmp_path, monkeypatch, broken):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".archcase.yaml").write_text("severity:\n  AC208: low\n")
    assert cli("check", str(broken)).code == 0
    (tmp_path / ".archcase.yaml").write_text("ignore: [AC208]\nseverity:\n  AC403: critical\n")
    result = cli("check", str(broken), "--format", "json", "--fail-on", "critical")
    assert result.code == 1
    (finding,) = [f for case in json.loads(result.out)["cases"] for f in case["findings"] if f["rule_id"] == "AC403"]
    assert finding["severity"] == "critical"


def test_build_fails_on_findings_only_when_asked(cli, tmp_path, monkeypatch, broken):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    opts = ("--out", str(out), "--handlers", str(REPO / "handlers"), "--no-lint")
    assert cli("build", str(broken), *opts).code == 0  # today's default: never fail
    result = cli("build", str(broken), *opts, "--fail-on", "high")
    assert result.code == 1 and (out / "mytodolist" / "report.html").is_file()
    assert "1 unsuppressed finding(s) at or above high" in result.err
    (tmp_path / ".archcase.yaml").write_text("fail-on: low\n")
    assert cli("build", str(broken), *opts).code == 1
    assert cli("build", str(broken), *opts, "--fail-on", "never").code == 0
    (tmp_path / ".archcase.yaml").write_text("fail-on: low\nignore: [AC208, AC403]\n")
    assert cli("build", str(broken), *opts).code == 0


@settings(max_examples=30, deadline=None)
@given(pack=st.sampled_from(sorted(PACKS)), select=st.none() | st.lists(st.sampled_from(sorted(RULES)), max_size=5),
       ignore=st.lists(st.sampled_from(sorted(RULES)), max_size=5),
       severity=st.dictionaries(st.sampled_from(sorted(RULES)), st.sampled_from(["info", "low", "medium", "high", "critical"]),
                                max_size=3))
def test_a_tailored_pack_runs_what_select_and_ignore_say_at_the_severities_given(pack, select, ignore, severity):
    base = PACKS[pack]
    made = tailored(base, select, ignore, severity)
    expected = set(base.rule_ids if select is None else select) - set(ignore)
    assert set(made.rule_ids) == expected and made.name == base.name
    for rule in made.rules():
        assert made.severity(rule) == severity.get(rule.id, base.severity(rule))


def test_the_readme_examples_are_valid_configurations(tmp_path):
    text = (REPO / "README.md").read_text(encoding="utf-8").split("## Configuration", 1)[1]
    toml = text.split("```toml\n", 1)[1].split("```", 1)[0]
    yaml_text = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "pyproject.toml").write_text(toml, encoding="utf-8")
    (tmp_path / ".archcase.yaml").write_text(yaml_text, encoding="utf-8")
    from_toml = config.load(tmp_path / "pyproject.toml").config
    assert from_toml.pack == "strict" and from_toml.severity == {"AC205": "high"}
    assert config.load(tmp_path / ".archcase.yaml").config.severity == from_toml.severity


def test_every_problem_of_a_file_is_told_at_once_in_line_order(cli, tmp_path, monkeypatch):
    (tmp_path / ".archcase.yaml").write_text("pack: strikt\nfail_on: high\nignore: [AC9999]\n")
    monkeypatch.chdir(tmp_path)
    result = cli("config")
    assert result.code == 2
    assert [line.split(": error: ")[1] for line in result.err.splitlines() if ": error: " in line] == [
        "unknown pack 'strikt'", "unknown key 'fail_on' in the archcase configuration", "unknown rule id 'AC9999' in 'ignore'"]


def test_select_ignore_and_exclude_flags_override_the_file(cli, tmp_path, monkeypatch, broken):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".archcase.yaml").write_text("ignore: [AC208]\nexclude: [stacks]\n")
    assert "holds no case files" in cli("check", ".").err  # the file's exclude
    assert cli("check", ".", "--exclude", "other", "--ignore", "AC403").code == 1  # flags replace the file's lists
    result = cli("check", ".", "--exclude", "none", "--select", "AC403,AC208", "--select", "AC101", "--format", "json")
    found = {f["rule_id"] for case in json.loads(result.out)["cases"] for f in case["findings"]}
    assert found == {"AC403"} and result.code == 0  # the file's ignore still holds; select runs only what is named
    wrong = cli("check", ".", "--ignore", "AC2O8")
    assert wrong.code == 2 and "argument --ignore: unknown rule id 'AC2O8'" in wrong.err and "`archcase rules`" in wrong.err
