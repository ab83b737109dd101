"""Shared by the hostile-input tests: running the command line in-process, and the contract every run must
keep whatever the input: exit 0 or 1, or exit 2 with every problem as `file:line:col: error: ...` and its
`    fix: ...`; never a traceback, never Python's own words, never a hang."""

from __future__ import annotations

import contextlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, settings

from archcase.cli import main

HOSTILE = settings(max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "40")), deadline=None, derandomize=True, database=None,
                   print_blob=False,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                          HealthCheck.data_too_large, HealthCheck.large_base_example])
"""Modest and repeatable: the same examples on every run (derandomized, no example database), no deadline
(a loaded CI machine is slow, not wrong); the speed targets are measured by tools/benchmark.py instead.
HOSTILE_EXAMPLES=N runs more examples, for a search by hand."""

LOCATED = re.compile(r"^.+:\d+:\d+: (error|note): \S")
SUMMARY = re.compile(r"^note: .+: imported from a template, ")
FIX = re.compile(r"^    fix: ")
INTERNAL = re.compile(r"Traceback|failed unexpectedly|\b(Attribute|Type|Key|Index|Value|Recursion|Overflow|Name|Runtime|Assertion|Lookup|"
                      r"ZeroDivision|UnicodeDecode|UnicodeEncode|OS|Memory)Error\b|object has no attribute|NoneType|"
                      r"not subscriptable|unhashable type|object is not iterable|takes \d+ positional|"
                      r"unexpected keyword argument|invalid literal for int|could not convert string to float")


@dataclass
class Run:
    code: int
    out: str
    err: str


def run(*args: str | Path) -> Run:
    """`archcase ARGS...` in-process, with its exit status and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse's usage errors
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())


def assert_contract(result: Run, allowed: tuple[int, ...] = (0, 1, 2)) -> None:
    """The contract of every command on any input (see the module's docstring)."""
    assert result.code in allowed, (result.code, result.err[-2000:])
    for text in (result.out, result.err):
        assert not INTERNAL.search(text), text[-3000:]
    lines = result.err.splitlines()
    for line in lines:
        assert LOCATED.match(line) or SUMMARY.match(line) or FIX.match(line), f"not a located message: {line!r}\n{result.err[-3000:]}"
    if result.code == 2:
        errors = [line for line in lines if LOCATED.match(line) and ": error: " in line]
        assert errors, f"exit 2 without a located error:\n{result.err[-3000:]}"


def errors(result: Run) -> list[str]:
    return [line for line in result.err.splitlines() if LOCATED.match(line) and ": error: " in line]
