"""The root folders install under the one import name `archcase`; none is forgotten."""

from __future__ import annotations

import tomllib

import archcase.cases
import archcase.models

from .conftest import REPO

REQUIRED = ["models", "cases", "render", "checks", "handlers", "out", "tests"]


def mapping() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    return project["tool"]["setuptools"]["package-dir"]


def test_required_top_level_folders_exist():
    assert [name for name in REQUIRED if not (REPO / name).is_dir()] == []


def test_every_python_package_folder_at_the_root_is_mapped():
    on_disk = {p.parent.name for p in REPO.glob("*/__init__.py")} - {"tests"}
    mapped = {folder for folder in mapping().values() if "/" not in folder}
    assert on_disk == mapped


def test_every_package_and_subpackage_is_listed_for_installation():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    expected = {
        ".".join([package, *init.parent.relative_to(REPO / folder).parts])
        for package, folder in mapping().items()
        for init in (REPO / folder).rglob("__init__.py")
    }
    assert sorted(project["tool"]["setuptools"]["packages"]) == sorted(expected)


def test_no_root_level_archcase_folder_shadows_the_mapping():
    assert not (REPO / "archcase").exists()


def test_installed_packages_come_from_the_root_folders():
    assert archcase.models.__file__ == str(REPO / "models" / "__init__.py")
    assert archcase.cases.BUNDLED == REPO / "cases"
