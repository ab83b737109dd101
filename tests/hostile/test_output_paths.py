"""Every output path problem, through every command that writes: exit 2, a located message with a fix, and the
file system exactly as it was (no traceback, no half-written output, no temporary file left behind)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ..conftest import CASES

CASE = CASES / "myblog.yaml"
TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Photos:
    Type: AWS::S3::Bucket
"""

# each command with where its output goes: a folder (`--out DIR`, case folders inside) or one file
FOLDER_COMMANDS: dict[str, list[str]] = {
    "build": ["build", str(CASE)],
    "render": ["render", str(CASE), "--format", "mermaid,dot"],
    "emit": ["emit", str(CASE)],
}
FILE_COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "check --output": lambda target, _: ["check", str(CASE), "--output", str(target)],
    "schema --out": lambda target, _: ["schema", "--out", str(target)],
    "import --out": lambda target, template: ["import", str(template), "--out", str(target)],
}


def snapshot(root: Path) -> dict[str, str]:
    """Every entry under `root`: its kind and, for files, a hash of its bytes."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            relative = str(path.relative_to(root))
            if path.is_symlink():
                found[relative] = f"link:{os.readlink(path)}"
            elif path.is_dir():
                found[relative] = "dir"
            else:
                found[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def assert_refused(result, path_fragment: str) -> None:
    assert result.code == 2, result.err
    assert "Traceback" not in result.err and "failed unexpectedly" not in result.err, result.err
    lines = result.err.splitlines()
    errors = [line for line in lines if re.match(r"^.+:\d+:\d+: error: ", line)]
    assert errors and path_fragment in errors[0], result.err
    assert any(line.startswith("    fix: ") for line in lines), result.err


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody can write in: by permissions, or (as root, whom permissions do not stop) immutable."""
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "kept.txt").write_text("kept\n")
    immutable = False
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        immutable = bool(chattr) and subprocess.run([chattr, "+i", str(folder)], capture_output=True).returncode == 0
        if not immutable:
            pytest.skip("running as root without `chattr +i`: no way to make a folder read-only here")
    else:
        folder.chmod(0o555)
    try:
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def _problems(tmp_path: Path) -> dict[str, Path]:
    """Output folders that cannot be written, each made in `tmp_path`."""
    (tmp_path / "a-file").write_text("not a folder\n")
    return {
        "is a file": tmp_path / "a-file",
        "has a file as parent": tmp_path / "a-file" / "out",
        "name too long": tmp_path / ("x" * 300) / "out",
    }


@pytest.mark.parametrize("problem", ["is a file", "has a file as parent", "name too long"])
@pytest.mark.parametrize("command", sorted(FOLDER_COMMANDS))
def test_an_output_folder_that_cannot_be_written_is_refused_and_nothing_changes(cli, tmp_path, command, problem):
    out = _problems(tmp_path)[problem]
    before = snapshot(tmp_path)
    result = cli(*FOLDER_COMMANDS[command], "--out", str(out))
    assert_refused(result, str(tmp_path))
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", sorted(FOLDER_COMMANDS))
def test_an_output_folder_without_write_permission_is_refused(cli, read_only, command):
    before = snapshot(read_only.parent)
    result = cli(*FOLDER_COMMANDS[command], "--out", str(read_only / "out"))
    assert_refused(result, str(read_only))
    assert snapshot(read_only.parent) == before


@pytest.mark.parametrize("occupant", ["file", "link to a folder", "broken link"])
@pytest.mark.parametrize("command", sorted(FOLDER_COMMANDS))
def test_a_case_folder_that_is_not_a_folder_is_refused(cli, tmp_path, command, occupant):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "elsewhere").mkdir()
    case_folder = out / "myblog"
    if occupant == "file":
        case_folder.write_text("in the way\n")
    elif occupant == "link to a folder":
        case_folder.symlink_to(tmp_path / "elsewhere")
    else:
        case_folder.symlink_to(tmp_path / "missing")
    before = snapshot(tmp_path)
    result = cli(*FOLDER_COMMANDS[command], "--out", str(out))
    assert_refused(result, str(case_folder))
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("problem", ["is a folder", "has a file as parent", "name too long", "read-only folder"])
@pytest.mark.parametrize("command", sorted(FILE_COMMANDS))
def test_an_output_file_that_cannot_be_written_is_refused_and_nothing_changes(cli, tmp_path, request, command, problem):
    work = tmp_path / "work"
    work.mkdir()
    template = tmp_path / "template.yaml"
    template.write_text(TEMPLATE)
    if problem == "is a folder":
        target = work / "report"
        target.mkdir()
    elif problem == "has a file as parent":
        (work / "a-file").write_text("not a folder\n")
        target = work / "a-file" / "report"
    elif problem == "name too long":
        target = work / ("x" * 300)
    else:
        work = request.getfixturevalue("read_only")
        target = work / "report"
    before = snapshot(work)
    result = cli(*FILE_COMMANDS[command](target, template))
    assert_refused(result, str(work))
    assert snapshot(work) == before


def test_render_keeps_what_other_commands_wrote_in_the_case_folder(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("emit", str(CASE), "--out", str(out)).code == 0
    template = (out / "myblog" / "template.yaml").read_bytes()
    assert cli("render", str(CASE), "--format", "dot", "--out", str(out)).code == 0
    assert sorted(p.name for p in (out / "myblog").iterdir()) == ["diagram.dot", "openapi.yaml", "template.yaml"]
    assert (out / "myblog" / "template.yaml").read_bytes() == template


def test_build_replaces_the_case_folder_whole(cli, tmp_path):
    out = tmp_path / "out"
    (out / "myblog").mkdir(parents=True)
    (out / "myblog" / "stale.txt").write_text("from an older build\n")
    (out / "notes.md").write_text("the user's own file\n")
    assert cli("build", str(CASE), "--out", str(out)).code == 0
    assert not (out / "myblog" / "stale.txt").exists()
    assert (out / "notes.md").read_text() == "the user's own file\n"
    assert not [p for p in out.rglob("*") if p.name.startswith(".archcase-")]


def test_leftovers_of_a_killed_run_are_removed_by_the_next_one(cli, tmp_path):
    out = tmp_path / "out"
    dead = _dead_pid()
    stale = [out / f".archcase-stage-{dead}-0a1b2c3d" / "myblog" / "model.json",
             out / f".archcase-tmp-{dead}-index.html", out / "myblog" / f".archcase-tmp-{dead}-diagram.dot"]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("half")
    live = out / f".archcase-tmp-{os.getppid()}-index.html"  # a process that is still running keeps its files
    live.write_text("in progress")
    assert cli("render", str(CASE), "--format", "dot", "--out", str(out)).code == 0
    assert not any(path.exists() for path in stale)
    assert not (out / f".archcase-stage-{dead}-0a1b2c3d").exists()
    assert live.exists()


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid
