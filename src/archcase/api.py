"""The library API behind the command line: every function returns data and raises CaseError on bad input."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import models
from .cases import BUNDLED
from .models import Architecture, CaseError, Diagnostic, SourcedCase, read_case
from .models.base import did_you_mean
from .output import write_atomic
from .render import model_json

if TYPE_CHECKING:
    from .checks.engine import CaseReport

CASE_SUFFIXES = (".yaml", ".yml")
SCHEMA_ID = "https://archcase.dev/schema/case.schema.json"


def case_files(paths: Iterable[str | Path]) -> list[Path]:
    """The case files named by `paths`: files as given, folders expanded to their YAML files, sorted."""
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in CASE_SUFFIXES and p.is_file())
            if not found:
                problems.append(Diagnostic(str(path), 1, 1, "folder holds no case files (*.yaml, *.yml)",
                                           "point at a folder of case files, or at a file"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Diagnostic(str(path), 1, 1, "no such file or folder", "check the path"))
    if problems:
        raise CaseError(problems)
    return files


def load_cases(paths: Iterable[str | Path]) -> list[SourcedCase]:
    """Load and validate every case named by `paths`; all problems of all files are raised together."""
    loaded: list[SourcedCase] = []
    problems: list[Diagnostic] = []
    names: dict[str, Path] = {}
    for path in case_files(paths):
        try:
            case = read_case(path)
        except CaseError as exc:
            problems.extend(exc.diagnostics)
            continue
        architecture = case.architecture
        if architecture.name in names:
            problems.append(Diagnostic(str(path), 1, 1,
                                       f"case name '{architecture.name}' is also used by {names[architecture.name]}",
                                       "give every case a unique `name`: it names the output folder"))
        names.setdefault(architecture.name, path)
        loaded.append(case)
    if problems:
        raise CaseError(problems)
    return loaded


def bundled_cases() -> list[Path]:
    """The case files shipped with archcase."""
    return case_files([BUNDLED])


def build(paths: Sequence[str | Path] = (), out: str | Path = "out") -> list[Path]:
    """Validate the cases (the bundled ones when `paths` is empty), then write each one's outputs to
    `out/<name>/`. Nothing is written unless every case is valid. Returns the files written."""
    cases = load_cases(paths or bundled_cases())
    written: list[Path] = []
    for case in cases:
        folder = Path(out) / case.architecture.name
        target = folder / "model.json"
        write_atomic(target, model_json.render(case.architecture))
        written.append(target)
    return written


def check(paths: Sequence[str | Path], pack: str = "default") -> list[CaseReport]:
    """Load the cases and hold each against the rules of a pack."""
    from .checks.catalogue import RULES
    from .checks.engine import check as run_checks
    from .checks.packs import PACKS

    cases = load_cases(paths)
    problems = [problem for case in cases for problem in _unknown_rule_ids(case, RULES)]
    if problems:
        raise CaseError(problems)
    return [run_checks(case.architecture, PACKS[pack], case.element_position, str(case.path)) for case in cases]


def _unknown_rule_ids(case: SourcedCase, known: Mapping[str, object]) -> Iterable[Diagnostic]:
    arch = case.architecture
    named = [(("requirements", i, "rules", j), rule_id)
             for i, r in enumerate(arch.requirements) for j, rule_id in enumerate(r.rules)]
    named += [(("suppressions", i, "rule"), s.rule) for i, s in enumerate(arch.suppressions)]
    for loc, rule_id in named:
        if rule_id not in known:
            hint = f"{did_you_mean(rule_id, known)} see `archcase rules` for the catalogue".strip()
            yield case.diagnostic(loc, f"unknown rule id '{rule_id}'", hint)


def schema() -> dict[str, Any]:
    """JSON Schema of case files, for editors (yaml-language-server) and other tools."""
    models.document(models.Model)
    document = Architecture.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **document}


def schema_text() -> str:
    """The case JSON Schema as canonical text."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
