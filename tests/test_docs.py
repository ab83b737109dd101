"""Docs that are generated from code stay current, and the README opens with the two commands."""

import importlib.util

from .conftest import REPO


def test_reference_is_generated_from_the_registries():
    spec = importlib.util.spec_from_file_location("gen_reference", REPO / "tools" / "gen_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (REPO / "docs" / "reference.md").read_text() == module.reference(), "run: python tools/gen_reference.py"


def test_readme_opens_with_the_two_commands():
    lines = (REPO / "README.md").read_text().splitlines()
    block = lines[lines.index("```sh") + 1:lines.index("```sh") + 3]
    assert [line.split("#")[0].strip() for line in block] == ["make run", "make test"]
    assert lines.index("```sh") < 4


def test_ci_runs_make_test_and_nothing_else():
    commands = [line for line in (REPO / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))]
    assert commands == ["make test"]
