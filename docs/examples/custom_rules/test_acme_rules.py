"""ACME101, compliant and not, with archcase's own rule-test helpers (archcase.testing)."""

from __future__ import annotations

from acme_rules import modest_memory

from archcase.testing import applies, messages, svc, variant


def test_a_function_of_the_default_size_passes():
    case = variant("mytodolist")
    assert applies(modest_memory, case)
    assert messages(modest_memory, case) == []


def test_a_big_function_is_reported():
    case = variant("mytodolist", svc("todo-function", memory_mb=3008))
    assert messages(modest_memory, case) == [
        "Lambda function 'todo-function' has 3008 MB of memory, more than ACME's 1024 MB"]
