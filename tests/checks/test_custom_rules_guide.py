"""docs/custom-rules.md: its example is the files under docs/examples/custom_rules, its test passes, and its package,
installed into a fresh virtual environment, is picked up through its `archcase.rules` entry point."""

from __future__ import annotations

import base64
import hashlib
import importlib
import os
import re
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

import archcase

from ..conftest import REPO

EXAMPLE = REPO / "docs" / "examples" / "custom_rules"
GUIDE = REPO / "docs" / "custom-rules.md"


def test_the_guide_shows_the_example_files_as_they_are():
    blocks = re.findall(r"```(?:python|toml)\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    for name in ("acme_rules.py", "test_acme_rules.py", "pyproject.toml"):
        assert (EXAMPLE / name).read_text(encoding="utf-8") in blocks, f"docs/custom-rules.md does not show {name} as it is"


def test_the_guides_rule_passes_its_own_test(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.syspath_prepend(str(EXAMPLE))
    try:
        tests = importlib.import_module("test_acme_rules")
        found = [value for name, value in vars(tests).items() if name.startswith("test_")]
        assert len(found) == 2
        for test in found:
            test()
    finally:
        sys.modules.pop("test_acme_rules", None)
        sys.modules.pop("acme_rules", None)


def wheel(project: Path, folder: Path) -> Path:
    """The example project as a wheel, made by hand from its pyproject.toml (name, version, entry points, modules):
    pip installs a wheel with no build backend, so the test needs neither the network nor `wheel` beside setuptools."""
    meta = tomllib.loads((project / "pyproject.toml").read_text())
    name, version = meta["project"]["name"].replace("-", "_"), meta["project"]["version"]
    info = f"{name}-{version}.dist-info"
    groups = meta["project"]["entry-points"]
    files = {f"{module}.py": (project / f"{module}.py").read_bytes() for module in meta["tool"]["setuptools"]["py-modules"]}
    files[f"{info}/METADATA"] = f"Metadata-Version: 2.1\nName: {meta['project']['name']}\nVersion: {version}\n".encode()
    files[f"{info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: archcase-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{info}/entry_points.txt"] = "".join(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in points.items())
                                                for group, points in groups.items()).encode()
    record = [f"{path},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},{len(data)}"
              for path, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    path = folder / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return path


def test_an_installed_rule_package_is_picked_up_by_its_entry_point(tmp_path: Path, big_case: Path):
    """The guide's package, installed with pip (as a wheel: see `wheel`) into a new virtual environment that sees this
    archcase and its dependencies (a .pth file naming them: no network), is loaded by `archcase check` and listed by
    `archcase rules` with no flag. About 10 s."""
    venv = tmp_path / "venv"
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=120)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if made.returncode or not python.exists():
        pytest.skip(f"cannot create a virtual environment here: {made.stderr.strip()[-300:]}")
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    ours = [str(Path(archcase.__file__).resolve().parent.parent), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    (Path(site) / "archcase_under_test.pth").write_text("\n".join(dict.fromkeys(ours)) + "\n")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "ARCHCASE_CONFIG", "PIP_REQUIRE_VIRTUALENV")}
    installed = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                                "--disable-pip-version-check", str(wheel(EXAMPLE, tmp_path))],
                               capture_output=True, text=True, env=env, cwd=tmp_path, timeout=180)
    if installed.returncode and "No module named pip" in installed.stderr:
        pytest.skip("the virtual environment has no pip")
    assert installed.returncode == 0, installed.stderr
    run = subprocess.run([str(python), "-m", "archcase", "check", "--no-config", str(big_case), "--fail-on", "medium"],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert run.returncode == 1, run.stderr
    assert "ACME101" in run.stdout and "'todo-function' has 3008 MB of memory" in run.stdout
    listed = subprocess.run([str(python), "-m", "archcase", "rules", "--no-config"], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=120)
    assert "ACME101  medium    Lambda function has at most 1024 MB of memory" in listed.stdout
