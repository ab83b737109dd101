"""Custom rules: users' own `@rule` functions, in modules named by `--rules`, the configuration's `rule-modules`
or an installed package's entry point (group `archcase.rules`), joined to archcase's rules for one run.

Nothing is registered globally: `load` returns the custom rules it found, and `catalogue` the run's whole
catalogue, so two runs (or two tests) with different rule modules never see each other's rules. A module that
cannot be imported, a rule with an `AC` id, an id used twice or a check function of the wrong shape is bad input:
a CaseError naming the module and the rule, never a traceback."""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from ..models import CaseError, Diagnostic
from .catalogue import RULES
from .rule import Rule, find_rule

ENTRY_POINT_GROUP = "archcase.rules"
"""Entry-point group of installed packages' rule modules: each entry point's value names a module."""
CUSTOM_ID = re.compile(r"^[A-Z][A-Z0-9]{1,9}-?[0-9]{1,4}$")
"""What a custom rule's id looks like: a prefix of your own and a number (`ACME101`, `TEAM-7`)."""
RESERVED = re.compile(r"^AC-?[0-9]")
"""archcase's own ids: `AC` and a number (`AC101`). A custom prefix may start with AC (`ACME101`), not be it."""


def is_custom_id(rule_id: str) -> bool:
    """Whether `rule_id` is written as a custom rule's id: `CUSTOM_ID`, outside archcase's `AC` numbers."""
    return bool(CUSTOM_ID.match(rule_id)) and not RESERVED.match(rule_id)
GUIDE = "see docs/custom-rules.md"


def entry_point_modules() -> list[tuple[str, str]]:
    """(entry point name, module name) of every installed package's entry point in `archcase.rules`."""
    from importlib.metadata import entry_points

    return sorted((ep.name, ep.value.partition(":")[0].strip()) for ep in entry_points(group=ENTRY_POINT_GROUP))


def load(modules: Sequence[str] = (), entry_points: bool = True, search: Sequence[Path] = ()) -> dict[str, Rule]:
    """The custom rules of `modules` (dotted module names) and, with `entry_points`, of the installed packages'
    `archcase.rules` entry points, by id in id order. The working directory and the folders of `search` (the
    configuration file's) are put in front of the import path while importing, so a project's own rule module is
    found without being installed. Raises CaseError naming the module (and rule) for anything that is not a valid rule."""
    sources = [(f"rule module '{name}'", name) for name in dict.fromkeys(modules)]
    if entry_points:
        sources += [(f"entry point '{ep}' ({ENTRY_POINT_GROUP}) module '{name}'", name) for ep, name in entry_point_modules()
                    if name not in modules]
    found: dict[str, tuple[Rule, str]] = {}
    problems: list[Diagnostic] = []
    with _searched((Path("."), *search)):
        for source, name in sources:
            try:
                module = _imported(source, name)
                for rule in rules_of(module, source):
                    if rule.id in found and found[rule.id][0] is rule:
                        continue  # one module imports another's rule: the same rule, loaded once
                    if rule.id in found:
                        raise _error(source, f"rule {rule.id} ({_function(rule)}) has the id of a rule of {found[rule.id][1]}",
                                     "give every custom rule its own id")
                    found[rule.id] = (rule, source)
            except CaseError as exc:
                problems += exc.diagnostics
    if problems:
        raise CaseError(problems)
    return {rule_id: found[rule_id][0] for rule_id in sorted(found)}


def rules_of(module: ModuleType, source: str = "") -> list[Rule]:
    """The rules of one module: every `@rule` function it defines or imports, checked (id, shape)."""
    source = source or f"rule module '{module.__name__}'"
    rules = []
    for value in vars(module).values():
        rule = find_rule(value)
        if rule is None or rule in rules:
            continue
        if RESERVED.match(rule.id) or rule.id in RULES:
            problem = ("it is archcase's own rule: import it in a rule module and it is loaded twice" if RULES.get(rule.id) is rule
                       else "ids of AC and a number are archcase's own")
            raise _error(source, f"rule {rule.id} ({_function(rule)}): {problem}",
                         "give custom rules an id of your own prefix, such as ACME101 or TEAM-7")
        if not CUSTOM_ID.match(rule.id):
            raise _error(source, f"rule id {rule.id!r} ({_function(rule)}) is not a custom rule id",
                         "write a prefix of 2 to 10 capital letters or digits, an optional hyphen and a number "
                         "of 1 to 4 digits, such as ACME101 or TEAM-7")
        try:
            inspect.signature(rule.check).bind(None, None)
        except TypeError:
            raise _error(source, f"rule {rule.id} ({_function(rule)}) cannot be called as check(service, graph)",
                         "write `def check(service: SomeService, g: Graph) -> Outcome`") from None
        rules.append(rule)
    return rules


def catalogue(custom: Mapping[str, Rule] | None = None) -> dict[str, Rule]:
    """The catalogue of a run: archcase's rules and the custom ones, by id in id order."""
    return dict(sorted({**RULES, **(custom or {})}.items()))


def _imported(source: str, name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
            raise _error(source, "no such module can be imported",
                         "install the package that holds it, or run archcase from the folder above it "
                         f"(the working directory and the configuration file's folder are searched); {GUIDE}") from None
        raise _error(source, f"importing it failed: {type(exc).__name__}: {exc}", "fix the module (it imports something missing)") from None
    except CaseError:
        raise
    except Exception as exc:  # a user's module may raise anything as it is imported: told, not a traceback
        raise _error(source, f"importing it failed: {type(exc).__name__}: {' '.join(str(exc).split())}",
                     f"fix the module; ARCHCASE_DEBUG=1 does not apply here: import it with python -c 'import {name}'") from None


def _error(source: str, message: str, hint: str) -> CaseError:
    return CaseError([Diagnostic(source, 1, 1, message, hint)])


def _function(rule: Rule) -> str:
    return f"{getattr(rule.check, '__module__', '?')}.{getattr(rule.check, '__qualname__', '?')}"


@contextmanager
def _searched(folders: Iterable[Path]) -> Iterator[None]:
    added = [str(folder.absolute()) for folder in folders]
    added = [folder for folder in dict.fromkeys(added) if folder not in sys.path]
    sys.path[:0] = added
    importlib.invalidate_caches()  # a module written since the last import (a test's) is found
    try:
        yield
    finally:
        for folder in added:
            if folder in sys.path:
                sys.path.remove(folder)
