"""The root folders install under the one import name `archcase` (src/archcase links to each of them); none is
forgotten, and tools that read the source tree (mypy, editors) see the same package the interpreter imports."""

from __future__ import annotations

import os

from setuptools import find_packages

import archcase.cases
import archcase.models

from .conftest import REPO

REQUIRED = ["models", "cases", "render", "checks", "handlers", "out", "tests"]
UMBRELLA = REPO / "src" / "archcase"


def test_required_top_level_folders_exist():
    assert [name for name in REQUIRED if not (REPO / name).is_dir()] == []


def test_every_python_package_folder_at_the_root_is_linked_into_the_package():
    on_disk = {p.parent.name for p in REPO.glob("*/__init__.py")} - {"tests"}
    linked = {p.name for p in UMBRELLA.iterdir() if p.is_symlink()}
    assert on_disk == linked


def test_links_are_relative_and_point_at_the_root_folder_of_the_same_name():
    for link in (p for p in UMBRELLA.iterdir() if p.is_symlink()):
        assert os.readlink(link) == f"../../{link.name}", link
        assert link.resolve() == REPO / link.name


def test_setuptools_finds_every_package_and_subpackage():
    expected = {"archcase"} | {
        ".".join(["archcase", *init.parent.relative_to(REPO).parts])
        for name in (p.name for p in UMBRELLA.iterdir() if p.is_symlink())
        for init in (REPO / name).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert set(find_packages(str(REPO / "src"))) == expected


def test_no_root_level_archcase_folder_shadows_the_package():
    assert not (REPO / "archcase").exists()


def test_installed_packages_come_from_the_root_folders():
    assert os.path.realpath(archcase.models.__file__) == str(REPO / "models" / "__init__.py")
    assert archcase.cases.BUNDLED == REPO / "cases"
