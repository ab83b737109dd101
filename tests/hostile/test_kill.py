"""A run stopped at any point leaves every case folder either as it was or as the new run makes it, never a
mix; and the next run leaves no temporary file behind.

Two ways of stopping: a simulated kill at every single file-system step of writing the outputs (each step
raises, and so does every later one, as nothing runs after a real kill), and real SIGKILLs of `archcase build`
at random moments.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archcase import output
from archcase.output import Outputs

from ..conftest import CASES, REPO
from .test_output_paths import snapshot


class Killed(BaseException):
    """Stands for SIGKILL: not an Exception, so no `except Exception` or `except OSError` stops it."""


class Kill:
    """Counts file-system steps; from step `at` on, every step raises Killed."""

    def __init__(self, at: int | None) -> None:
        self.at = at
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        if self.at is not None and self.steps > self.at:
            raise Killed


STEPS = {os: ["rename", "replace", "open", "link", "mkdir", "unlink", "rmdir", "scandir"],
         shutil: ["copy2"], output: ["_exchange"]}


@pytest.fixture
def kill_at(monkeypatch):
    def install(at: int | None) -> Kill:
        kill = Kill(at)
        for module, names in STEPS.items():
            for name in names:
                real = getattr(module, name)

                def stepped(*args, _real=real, **kwargs):
                    kill.step()
                    return _real(*args, **kwargs)

                monkeypatch.setattr(module, name, stepped)
        return kill

    return install


OLD = {"alpha/report.html": "old alpha", "alpha/diagram.dot": "old dot", "alpha/gone.txt": "only in the old run",
       "beta/report.html": "old beta", "beta/nested/code.zip": b"old zip", "index.html": "old index"}
NEW = {"alpha/report.html": "new alpha", "alpha/diagram.dot": "new dot", "alpha/added.txt": "only in the new run",
       "beta/report.html": "new beta", "gamma/report.html": "a new case", "index.html": "new index"}


def publish(root: Path, files: dict[str, str | bytes], replace: bool) -> None:
    outputs = Outputs(root, replace=replace)
    for name, content in files.items():
        outputs.add(name, content)
    outputs.publish()


def folders(root: Path) -> dict[str, dict[str, str]]:
    """Each entry of the output folder (a case folder's snapshot, or a file's), leaving out archcase's own
    temporary entries, which a killed run may leave."""
    found: dict[str, dict[str, str]] = {}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(output.PREFIX):
            continue
        found[entry.name] = snapshot(entry) if entry.is_dir() else {"": entry.read_text()}
    return found


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(output.PREFIX)]


@pytest.mark.parametrize("replace", [True, False], ids=["build (folders replaced)", "render (folders merged)"])
def test_a_run_killed_at_any_step_leaves_each_case_folder_old_or_new(tmp_path, kill_at, monkeypatch, replace):
    expected = {}
    for state, files in (("old", OLD), ("new", None)):
        root = tmp_path / f"reference-{state}"
        publish(root, OLD, replace)
        if files is None:
            publish(root, NEW, replace)
        expected[state] = folders(root)
    publish(tmp_path / "reference-count", OLD, replace)
    counting = kill_at(None)
    publish(tmp_path / "reference-count", NEW, replace)
    steps = counting.steps
    monkeypatch.undo()
    assert steps > 10, "the simulation does not see the file-system steps"

    for at in range(steps + 1):
        root = tmp_path / f"run-{at}"
        publish(root, OLD, replace)
        kill_at(at)
        with contextlib.suppress(Killed):
            publish(root, NEW, replace)
        monkeypatch.undo()
        state = folders(root)
        for name in set(expected["old"]) | set(expected["new"]):
            assert state.get(name) in (expected["old"].get(name), expected["new"].get(name)), (at, name, state.get(name))
        publish(root, NEW, replace)  # the next run
        assert folders(root) == expected["new"], at
        assert leftovers(root) == [], at


def test_build_killed_at_random_moments_leaves_old_or_new_outputs(tmp_path):
    variants = {}
    for variant in ("a", "b"):
        folder = tmp_path / variant
        folder.mkdir()
        for case in ("myblog", "software-updates"):
            text = (CASES / f"{case}.yaml").read_text()
            if variant == "b":
                text = text.replace("\ntitle: ", "\ntitle: 'Second run' # ", 1)
            (folder / f"{case}.yaml").write_text(text)
        variants[variant] = folder

    def build(variant: str, out: Path) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "archcase", "build", str(variants[variant]), "--out", str(out),
                   "--handlers", str(REPO / "handlers")]
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    expected = {}
    for variant in ("a", "b"):
        started = time.monotonic()
        process = build(variant, tmp_path / f"reference-{variant}")
        assert process.wait(timeout=300) == 0, process.stderr.read() if process.stderr else ""
        expected[variant] = folders(tmp_path / f"reference-{variant}")
        duration = time.monotonic() - started
    assert expected["a"] != expected["b"]

    out = tmp_path / "out"
    assert build("a", out).wait(timeout=300) == 0
    moments = random.Random(12).sample(range(1, 100), 6)  # fixed seed: the same moments on every run
    for i, percent in enumerate(moments):
        process = build("b" if i % 2 == 0 else "a", out)
        time.sleep(duration * percent / 100)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        state = folders(out)
        for name in set(expected["a"]) | set(expected["b"]):
            assert state.get(name) in (expected["a"].get(name), expected["b"].get(name)), (percent, name)
    assert build("b", out).wait(timeout=300) == 0
    assert folders(out) == expected["b"]
    assert leftovers(out) == []
