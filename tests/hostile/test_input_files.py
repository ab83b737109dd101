"""Odd files and folders: named pipes, broken and looping links, folders named like case files, unreadable
files and folders, files that are not UTF-8, empty files. Each is named as a located problem, nothing hangs,
and `check` still reports the readable files beside them."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ..conftest import CASES
from .input_checks import HOSTILE, assert_contract, errors, run

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
COMMANDS = ["validate", "check", "import", "render", "emit"]


def odd(folder: Path, kind: str) -> Path:
    """A file system entry of one odd kind, named like a case file."""
    path = folder / f"{kind}.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "broken-link":
        path.symlink_to(folder / "nowhere.yaml")
    elif kind == "link-loop":
        path.symlink_to(folder / "other-loop.yaml")
        (folder / "other-loop.yaml").symlink_to(path)
    elif kind == "self-link":
        path.symlink_to(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "not-utf8":
        path.write_bytes(b"name: t\ntitle: \xff\xfe caf\xe9\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "nul-bytes":
        path.write_bytes(b"name: t\x00\x00\n")
    elif kind == "utf16":
        path.write_text("name: t\ntitle: T\n", encoding="utf-16")
    return path


KINDS = ["fifo", "broken-link", "link-loop", "self-link", "folder", "not-utf8", "empty", "nul-bytes", "utf16"]
MESSAGES = {"fifo": "named pipe", "broken-link": "broken symbolic link", "link-loop": "symbolic link loop",
            "self-link": "symbolic link loop", "not-utf8": "not UTF-8", "empty": "empty file", "nul-bytes": "malformed YAML",
            "utf16": "not UTF-8"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", COMMANDS)
def test_an_odd_file_given_by_name_is_a_located_problem(tmp_path, kind, command):
    path = odd(tmp_path, kind)
    result = run(command, path, *(["--out", tmp_path / "out"] if command in ("render", "emit") else []))
    assert_contract(result, (2,))
    expected = MESSAGES.get(kind, "folder")
    assert any(line.startswith(f"{path}:") and expected in line for line in errors(result)), result.err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "folder"])
def test_check_over_a_folder_names_each_odd_entry_and_reports_the_others(tmp_path, kind):
    shutil.copy(CASES / "myblog.yaml", tmp_path / "myblog.yaml")
    path = odd(tmp_path, kind)
    result = run("check", tmp_path)
    assert_contract(result, (2,))
    assert "myblog" in result.out  # the readable case is reported before the exit status says bad input
    assert any(line.startswith(f"{path}:1:") or line.startswith(f"{path}:") for line in errors(result)), result.err


def test_a_folder_named_like_a_case_file_is_not_searched_inside_a_folder(tmp_path):
    shutil.copy(CASES / "myblog.yaml", tmp_path / "myblog.yaml")
    (tmp_path / "nested.yaml").mkdir()
    (tmp_path / "nested.yaml" / "bad.yaml").write_text("not: [a case")
    result = run("validate", tmp_path)
    assert_contract(result, (0,))
    assert result.out.count("ok: ") == 1


def test_a_folder_named_like_a_case_file_given_by_name_is_read_as_a_folder(tmp_path):
    folder = tmp_path / "cases.yaml"
    folder.mkdir()
    shutil.copy(CASES / "myblog.yaml", folder / "myblog.yaml")
    assert_contract(run("validate", folder), (0,))


@pytest.mark.skipif(ROOT, reason="tests run as root here, and chmod does not stop root from reading")
def test_an_unreadable_file_and_folder_are_located_problems(tmp_path):
    path = tmp_path / "secret.yaml"
    shutil.copy(CASES / "myblog.yaml", path)
    path.chmod(0)
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0)
    try:
        for target in (path, folder):
            result = run("check", target)
            assert_contract(result, (2,))
            assert any(line.startswith(f"{target}:1:1: error:") for line in errors(result)), result.err
    finally:
        folder.chmod(stat.S_IRWXU)


def test_a_named_pipe_is_never_opened(tmp_path):
    """Opening a named pipe for reading blocks until a writer comes: if any reader opened it, this test would
    hang (and the suite's timeout would say so); each command must answer at once."""
    path = odd(tmp_path, "fifo")
    json_pipe = tmp_path / "pipe.json"
    os.mkfifo(json_pipe)
    template_pipe = tmp_path / "pipe.template"
    os.mkfifo(template_pipe)
    for command in ("validate", "check", "import"):
        assert_contract(run(command, path), (2,))
    result = run("check", tmp_path)
    assert_contract(result, (2,))
    assert str(json_pipe) in result.err and str(template_pipe) in result.err


def test_a_device_is_refused_without_reading_it(tmp_path):
    for device in ("/dev/zero", "/dev/urandom"):
        if not Path(device).exists():
            pytest.skip(f"{device} is absent here")
        result = run("import", device)
        assert_contract(result, (2,))
        assert "character device" in result.err


def test_a_not_utf8_file_is_located_at_the_bad_byte(tmp_path):
    path = odd(tmp_path, "not-utf8")
    (line,) = errors(run("validate", path))
    assert line.startswith(f"{path}:2:8: error: file is not UTF-8")


@HOSTILE
@given(entries=st.lists(st.sampled_from(KINDS + ["case", "template", "package.json", "one-line-json"]), min_size=1, max_size=6),
       command=st.sampled_from(["validate", "check"]))
def test_any_mix_of_entries_in_a_folder_keeps_the_contract(tmp_path_factory, entries, command):
    folder = tmp_path_factory.mktemp("mix")
    for i, entry in enumerate(entries):
        sub = folder / f"e{i}"
        sub.mkdir()
        if entry == "case":
            shutil.copy(CASES / "paid-content.yaml", folder / f"case{i}.yaml")
            (folder / f"case{i}.yaml").write_text((CASES / "paid-content.yaml").read_text().replace(
                "name: paid-content", f"name: paid-content-{i}"))
        elif entry == "template":
            (folder / f"t{i}.template").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
        elif entry == "package.json":
            (folder / "package.json").write_text('{"name": "x", "dependencies": {}}')
        elif entry == "one-line-json":
            (folder / f"t{i}.json").write_text('{"AWSTemplateFormatVersion": "2010-09-09", '
                                               '"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}')
        else:
            target = odd(sub, entry)
            link = folder / f"{entry}{i}.yaml"
            if entry in ("folder",):
                continue
            os.rename(target, link) if not target.is_symlink() else link.symlink_to(os.readlink(target))
    result = run(command, folder)
    assert_contract(result)
    if any(e in entries for e in ("fifo", "broken-link", "link-loop", "self-link", "not-utf8", "empty", "nul-bytes", "utf16")):
        assert result.code == 2
