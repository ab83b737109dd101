"""CI plumbing: the pre-commit hooks, run by pre-commit itself, and the GitHub Action's shape."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from .conftest import CASES, REPO


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout


def _hook_repository(target: Path) -> str:
    """The working tree as pre-commit would clone it from GitHub: every file git knows (committed or not, as it is
    on disk now), committed in a new repository. Returns the commit, pre-commit's `rev`."""
    listed = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=REPO).split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if not source.exists() and not source.is_symlink():
            continue  # deleted in the working tree, not yet in the index
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name, follow_symlinks=False)
    _git("init", "-q", cwd=target)
    _git("add", "-A", cwd=target)
    _git("commit", "-q", "-m", "hooks", cwd=target)
    return _git("rev-parse", "HEAD", cwd=target).strip()


OFFLINE = ("NewConnectionError", "Temporary failure in name resolution", "No matching distribution found",
           "Could not find a version that satisfies", "Network is unreachable")
"""What pip says when the package registry cannot be reached (pre-commit then fails with exit 3)."""


def test_hooks_file_names_both_hooks_over_yaml_and_json():
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"archcase-check", "archcase-validate"}
    for hook in hooks.values():
        assert hook["language"] == "python" and hook["pass_filenames"] is True
        assert hook["types_or"] == ["yaml", "json"] and hook["entry"].startswith("archcase ")


def test_pre_commit_runs_the_hooks_from_a_clone(tmp_path):
    """pre-commit clones this repository at a commit, installs archcase into its own environment (from the package
    registry: about half a minute) and runs both hooks on a temporary repository: a case with a high finding fails
    `archcase-check`, the same case fixed passes, and a JSON file outside the case folders is not handed to them."""
    if importlib.util.find_spec("pre_commit") is None:
        pytest.skip("pre-commit is not installed (it is in the dev extras: pip install -e '.[dev]')")
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout of archcase (pre-commit clones the hook repository)")
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    rev = _hook_repository(hooks)
    user = tmp_path / "user"
    (user / "cases").mkdir(parents=True)
    data = yaml.safe_load((CASES / "mytodolist.yaml").read_text())
    next(f for f in data["flows"] if f["kind"] == "calls")["protocol"] = "http"
    case = user / "cases" / "todo.yaml"
    case.write_text(yaml.safe_dump(data, sort_keys=False))
    (user / "package.json").write_text('{"name": "not-a-case"}\n')
    config = {"repos": [{"repo": str(hooks), "rev": rev, "hooks": [{"id": "archcase-check"}, {"id": "archcase-validate"}]}]}
    (user / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _git("init", "-q", cwd=user)
    _git("add", "-A", cwd=user)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1"}

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"], cwd=user, env=env,
                              capture_output=True, text=True, timeout=600)

    failing = run()
    if failing.returncode == 3 and any(sign in failing.stdout + failing.stderr for sign in OFFLINE):
        pytest.skip("pre-commit could not install archcase's dependencies: the package registry is out of reach")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "archcase check" in failing.stdout and "AC208" in failing.stdout
    assert "package.json" not in failing.stdout
    next(f for f in data["flows"] if f["kind"] == "calls")["protocol"] = "https"
    case.write_text(yaml.safe_dump(data, sort_keys=False))
    _git("add", "-A", cwd=user)
    passing = run()
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert [line.rsplit(".", 1)[-1] for line in passing.stdout.splitlines() if line.startswith("archcase ")] == ["Passed", "Passed"]


ACTION = REPO / "action.yml"


def _action() -> dict:
    return yaml.safe_load(ACTION.read_text())


def test_action_is_a_well_formed_composite_action():
    """What GitHub requires of a composite action's metadata, and what this one promises: every input named
    in a step is declared and described, every `run` step has a shell, every `uses` is pinned to a version."""
    action = _action()
    assert action["name"] and action["description"] and action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert {"paths", "fail-on", "sarif-file", "upload-sarif", "python-version", "version"} <= set(inputs)
    assert all(spec.get("description") and isinstance(spec.get("default", ""), str) for spec in inputs.values())
    steps = action["runs"]["steps"]
    ids = {step["id"] for step in steps if "id" in step}
    for step in steps:
        assert ("run" in step) != ("uses" in step), step
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], "inputs reach scripts through env:, never spliced into the script text"
        else:
            assert "@v" in step["uses"]
    text = ACTION.read_text()
    assert set(re.findall(r"inputs\.([\w-]+)", text)) <= set(inputs)
    assert set(re.findall(r"steps\.([\w-]+)\.", text)) <= ids
    assert any(step.get("uses", "").startswith("github/codeql-action/upload-sarif@") for step in steps)
    assert any(line.strip().startswith("python -m pip install") for step in steps for line in step.get("run", "").splitlines())


@pytest.mark.parametrize(("inputs", "code"), [("broken", 1), ("broken invalid", 2), ("fixed", 0)])
def test_action_check_step_writes_sarif_and_keeps_the_exit_status(tmp_path, inputs, code):
    """The `check` step's script as Actions runs it (bash -eo pipefail, inputs in env): the SARIF log is written
    whatever happens, the step itself succeeds, and the exit status waits in GITHUB_OUTPUT for the last step."""
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    (step,) = [s for s in _action()["runs"]["steps"] if s.get("id") == "check"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "archcase"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m archcase "$@"\n')
    shim.chmod(0o755)
    data = yaml.safe_load((CASES / "mytodolist.yaml").read_text())
    work = tmp_path / "work"
    (work / "cases").mkdir(parents=True)
    if "broken" in inputs:
        next(f for f in data["flows"] if f["kind"] == "calls")["protocol"] = "http"
    (work / "cases" / "todo.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    if "invalid" in inputs:
        (work / "cases" / "invalid.yaml").write_text("name: t\ntitle: T\nservices:\n  - {id: a, kind: lamda}\n")
    output = tmp_path / "github-output"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PATHS": "cases", "FAIL_ON": "high",
           "ARGS": "--pack default", "SARIF_FILE": "reports/archcase.sarif", "GITHUB_OUTPUT": str(output)}
    (work / "reports").mkdir()
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=work, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert output.read_text() == f"exit-code={code}\nsarif-written=true\n"
    document = yaml.safe_load((work / "reports" / "archcase.sarif").read_text())  # JSON is YAML
    assert document["runs"][0]["invocations"][0]["executionSuccessful"] is (code != 2)
    assert ("high  AC208" in result.stdout) is (code != 0)  # the text report is in the log


def _fenced(markdown: str, language: str) -> list[str]:
    """The text of each fenced block in `language`, also those indented in a list item."""
    return [textwrap.dedent(m.group(2)) for m in re.finditer(rf"^( *)```{language}\n(.*?)^\1```$", markdown, flags=re.M | re.S)]


@pytest.mark.parametrize("guide", ["docs/ci.md", "README.md"])
def test_ci_guide_snippets_use_real_hooks_inputs_and_options(guide):
    """The CI guide's YAML (and the README's Use in CI) parses, names only hooks and action inputs that exist, and
    every `archcase check` command in it parses with archcase's own command line."""
    import shlex

    from archcase.cli import parser

    guide = (REPO / guide).read_text()
    if guide.startswith("# archcase"):
        guide = guide[guide.index("\n## Use in CI\n"):guide.index("\n## Configuration\n")]
    blocks = [yaml.safe_load(block) for block in _fenced(guide, "yaml")]
    hooks = {hook["id"] for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    inputs = set(_action()["inputs"])
    commands = re.findall(r"archcase check[^\n\"`|]*", guide)
    seen = {"pre-commit": False, "action": False, "gitlab": False}
    for block in blocks:
        if isinstance(block, dict) and "repos" in block:
            seen["pre-commit"] = True
            assert {hook["id"] for repo in block["repos"] for hook in repo["hooks"]} <= hooks
        if isinstance(block, dict) and "jobs" in block:
            steps = [step for job in block["jobs"].values() for step in job["steps"]]
            (ours,) = [step for step in steps if step.get("uses", "").startswith("archcase/archcase@")]
            assert set(ours["with"]) <= inputs
            seen["action"] = True
        if isinstance(block, dict) and "archcase" in block and "script" in block["archcase"]:
            assert block["archcase"]["artifacts"]["reports"]["junit"] == "archcase.xml"
            commands += [line.split(" || ")[0] for line in block["archcase"]["script"] if line.startswith("archcase ")]
            seen["gitlab"] = True
    assert seen["pre-commit"] and seen["action"] and (seen["gitlab"] or "docs/ci.md#gitlab-ci" in guide), seen
    for command in commands:
        words = shlex.split(command.replace("PATHS", "cases"))
        assert words[0] == "archcase"
        parser().parse_args(words[1:])  # SystemExit on an option that does not exist
