"""Shared fixtures: paths, the seed document, and a way to run the CLI in-process."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from archcase.cli import main

REPO = Path(__file__).resolve().parents[1]
CASES = REPO / "cases"
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "serverless-architectures.md"


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under `folder`: its size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="session", autouse=True)
def users_out_folder_untouched() -> Iterator[None]:
    """`out/` is the user's (`make run` builds there): the suite writes to temporary folders, and screenshots
    go to pytest's cache folder (tests/render/test_browser.py), so a run leaves `out/` as it found it."""
    before = _files(REPO / "out")
    yield
    changed = sorted(name for name, stat in _files(REPO / "out").items() if before.get(name) != stat)
    assert not changed, f"the tests wrote into the user's out/ folder: {', '.join(changed[:10])}"


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run `archcase ARGS...` in-process and return its exit code and output."""

    def run(*args: str) -> Run:
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def write_case(tmp_path: Path):
    """Write dedented YAML text to a case file in a temporary folder and return its path."""

    def write(text: str, name: str = "case.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED.is_file():
        pytest.skip(f"the seed document is not at {SEED} (../shared is absent in a user's clone)")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _no_configuration_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's ARCHCASE_CONFIG must not change what the tests see (tests/test_config.py sets it itself)."""
    monkeypatch.delenv("ARCHCASE_CONFIG", raising=False)
