"""The DOT and Mermaid of every bundled case match reviewed golden files, compared as parsed data."""

from __future__ import annotations

import pytest

from archcase.api import bundled_cases, load_cases
from archcase.render import diagram, mermaid

from .golden import GOLDEN, compare, parse_dot, parse_mermaid

CASES = {case.architecture.name: case.architecture for case in load_cases(bundled_cases())}


@pytest.mark.parametrize("name", sorted(CASES))
def test_dot_matches_golden(name):
    compare(f"{name}.dot", diagram.dot_source(CASES[name]), parse_dot)


@pytest.mark.parametrize("name", sorted(CASES))
def test_mermaid_matches_golden(name):
    compare(f"{name}.mmd", mermaid.render(CASES[name]), parse_mermaid)


def test_golden_comparison_notices_a_changed_label_but_not_layout_whitespace():
    golden = parse_dot((GOLDEN / "myblog.dot").read_text())
    text = diagram.dot_source(CASES["myblog"])
    assert parse_dot(text.replace('"Blog readers"', '"Blog visitors"')) != golden
    assert parse_dot(text.replace("\t", "    ")) == golden
