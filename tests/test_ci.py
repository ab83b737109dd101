"""CI plumbing: the pre-commit hooks, run by pre-commit itself, and the GitHub Action's shape."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
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
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "archcase check" in failing.stdout and "AC208" in failing.stdout
    assert "package.json" not in failing.stdout
    next(f for f in data["flows"] if f["kind"] == "calls")["protocol"] = "https"
    case.write_text(yaml.safe_dump(data, sort_keys=False))
    _git("add", "-A", cwd=user)
    passing = run()
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert [line.rsplit(".", 1)[-1] for line in passing.stdout.splitlines() if line.startswith("archcase ")] == ["Passed", "Passed"]
