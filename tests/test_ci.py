"""CI plumbing: the pre-commit hooks, run by pre-commit itself, and the GitHub Action's shape."""

from __future__ import annotations

import importlib.util
import json
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
    assert {"mode", "paths", "fail-on", "sarif-file", "upload-sarif", "python-version", "version", "github-token"} <= set(inputs)
    assert inputs["mode"]["default"] == "check" and inputs["github-token"]["default"] == "${{ github.token }}"
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
    by_id = {step["id"]: step for step in steps if "id" in step}
    assert by_id["check"]["if"] == "${{ inputs.mode != 'diff' }}" and by_id["diff"]["if"] == "${{ inputs.mode == 'diff' }}"
    assert by_id["diff"]["env"]["GH_TOKEN"] == "${{ inputs.github-token }}" and "<!-- archcase-diff -->" in by_id["diff"]["run"]


def test_action_refuses_an_unknown_mode(tmp_path):
    """A misspelt mode stops the action before anything is installed, rather than quietly checking."""
    if shutil.which("bash") is None:
        pytest.skip("needs bash")
    (step,) = [s for s in _action()["runs"]["steps"] if s.get("name") == "Install archcase"]
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=tmp_path,
                            env={**os.environ, "MODE": "Diff", "ARCHCASE_VERSION": ""}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "::error title=archcase::mode 'Diff': give check or diff" in result.stdout


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
            if ours["with"].get("mode") == "diff":  # comments on pull requests: it needs one, and the right to write
                assert "pull_request" in block[True]  # `on:` reads as YAML 1.1's true
                assert block["permissions"]["pull-requests"] == "write"
                assert ours["with"]["paths"], "archcase diff reads no configuration: paths are required"
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


FAKE_GH = """\
import json, os, sys
args = sys.argv[1:]
record = {"args": args}
if "--input" in args:
    with open(args[args.index("--input") + 1], encoding="utf-8") as payload:
        record["input"] = json.load(payload)
with open(os.environ["FAKE_GH_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(record) + "\\n")
if os.environ.get("FAKE_GH_READ_ONLY"):
    sys.exit("gh: Resource not accessible by integration (HTTP 403)")
if "--method" not in args:
    sys.stdout.write(os.environ["FAKE_GH_COMMENTS"])
else:
    sys.stdout.write('{"id": 1}')
"""
"""A stand-in for the GitHub CLI: it logs each call (its arguments and the JSON body it was given) and answers a
listing of comments with FAKE_GH_COMMENTS (two pages, as --paginate prints them), anything else with a comment."""


@pytest.mark.parametrize(("existing", "inputs", "code"), [
    ([], "high", 1),
    ([{"id": 5, "body": "looks fine"}, {"id": 42, "body": "<!-- archcase-diff -->\n### old report"}], "high", 1),
    ([], "critical shallow", 0),
    ([{"id": 42, "body": "<!-- archcase-diff -->\nold"}], "high missing-path", 2),
    ([], "high read-only", 1),
])
def test_action_diff_step_comments_once_and_keeps_the_exit_status(tmp_path, existing, inputs, code):
    """The `diff` step's script as Actions runs it, on a pull request that drops an origin access identity: the
    base is fetched from `origin`, the report is posted as a comment starting with the marker (or the comment
    that has the marker is updated), and the step ends with archcase diff's exit status."""
    if shutil.which("bash") is None or shutil.which("git") is None:
        pytest.skip("needs bash and git")
    (step,) = [s for s in _action()["runs"]["steps"] if s.get("id") == "diff"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, script in [("archcase", f'#!/bin/sh\nexec "{sys.executable}" -m archcase "$@"\n'),
                         ("python", f'#!/bin/sh\nexec "{sys.executable}" "$@"\n'),
                         ("gh", f"#!{sys.executable}\n{FAKE_GH}")]:
        (bin_dir / name).write_text(script)
        (bin_dir / name).chmod(0o755)
    origin, seed, work = tmp_path / "origin.git", tmp_path / "seed", tmp_path / "work"
    _git("init", "-q", "--bare", "-b", "main", str(origin), cwd=tmp_path)
    _git("clone", "-q", str(origin), str(seed), cwd=tmp_path)
    (seed / "cases").mkdir()
    case = (CASES / "paid-content.yaml").read_text()
    (seed / "cases" / "paid-content.yaml").write_text(case)
    (seed / "README").write_text("two commits, so that a shallow clone has one\n")
    for name in ("README", "cases"):
        _git("add", name, cwd=seed)
        _git("commit", "-q", "-m", name, cwd=seed)
    _git("push", "-q", "origin", "HEAD:main", cwd=seed)
    # As actions/checkout leaves it: one commit deep by default (or whole), and no origin/main to compare with yet.
    _git("clone", "-q", *(["--depth=1"] if "shallow" in inputs else []), f"file://{origin}", str(work), cwd=tmp_path)
    _git("update-ref", "-d", "refs/remotes/origin/main", cwd=work)
    assert "access: oai" in case
    (work / "cases" / "paid-content.yaml").write_text(case.replace("access: oai", "access: none"))
    _git("commit", "-q", "-am", "pull request", cwd=work)
    log, output, summary = tmp_path / "gh.log", tmp_path / "github-output", tmp_path / "summary.md"
    pages = json.dumps(existing[:1]) + "\n" + json.dumps(existing[1:]) + "\n"
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PATHS": "cases" + " nothing-here" * ("missing" in inputs),
           "FAIL_ON": inputs.split()[0], "ARGS": "", "BASE_REF": "main", "PR_NUMBER": "7", "GH_TOKEN": "t", "GITHUB_REPOSITORY": "o/r",
           "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary), "FAKE_GH_LOG": str(log), "FAKE_GH_COMMENTS": pages,
           "FAKE_GH_READ_ONLY": "1" * ("read-only" in inputs)}
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], cwd=work, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == code, result.stdout + result.stderr
    assert output.read_text() == f"exit-code={code}\n"
    assert _git("rev-parse", "--is-shallow-repository", cwd=work).strip() == str("shallow" in inputs).lower()  # a full clone stays full
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert calls[0]["args"] == ["api", "repos/o/r/issues/7/comments", "--paginate"]
    if "read-only" in inputs:  # a pull request from a fork: a warning, the report in the summary, the same exit status
        assert len(calls) == 1 and "::warning title=archcase diff::could not post the comment" in result.stdout
        assert "**1 new finding at high or above.**" in summary.read_text()
        return
    (posted,) = calls[1:]
    if existing:
        assert posted["args"][:4] == ["api", "--method", "PATCH", "repos/o/r/issues/comments/42"]
    else:
        assert posted["args"][:4] == ["api", "--method", "POST", "repos/o/r/issues/7/comments"]
    body = posted["input"]["body"]
    assert body.startswith("<!-- archcase-diff -->\n### Architecture diff")
    assert body.removeprefix("<!-- archcase-diff -->\n") == summary.read_text()
    if code == 2:
        assert "could not compare (exit status 2)" in body and "nothing-here" in body
    else:
        assert "| paid-content | +0 −0 ~0 | +0 −0 ~1 | 1 no longer met | 1 new, 0 fixed |" in body
        assert ("**1 new finding at high or above.**" in body) is (code == 1)


def test_action_diff_comment_is_cut_below_githubs_limit(tmp_path):
    """A report longer than a comment may be (65,536 characters) is cut at a line end with a note; the comments'
    pages are read one after the other, and the first comment with the marker is the one updated."""
    (step,) = [s for s in _action()["runs"]["steps"] if s.get("id") == "diff"]
    script = re.search(r"<<'PY'\n(.*?)\nPY\n", step["run"], flags=re.S)
    assert script is not None
    lines = [f"| changed | flow-{n} | origin | → · {n} |" for n in range(3000)]
    (tmp_path / "body.md").write_text("### Architecture diff\n\n" + "\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "comments.json").write_text('[{"id": 1, "body": "hi"}]\n[]\n[{"id": 9, "body": "<!-- archcase-diff -->\\nold"}]\n'
                                            '[{"id": 10, "body": "<!-- archcase-diff -->\\nolder"}]')
    found = subprocess.run([sys.executable, "-c", script.group(1), str(tmp_path)], capture_output=True, text=True, check=True, timeout=60)
    assert found.stdout == "9\n"
    body = json.loads((tmp_path / "payload.json").read_text(encoding="utf-8"))["body"]
    assert len(body) <= 65536 < len((tmp_path / "body.md").read_text(encoding="utf-8"))
    assert body.startswith("<!-- archcase-diff -->\n### Architecture diff\n")
    assert body.endswith("\n\n**The report is cut here: it is longer than a comment may be.** The job summary has all of it.\n")
    assert body.split("\n\n**The report")[0].splitlines()[-1] in lines  # cut at a line end
