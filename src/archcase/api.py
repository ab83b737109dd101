"""The library API behind the command line: every function returns data and raises CaseError on bad input."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cases import BUNDLED
from .models import Architecture, CaseError, Diagnostic, load_case
from .output import write_atomic
from .render import model_json

CASE_SUFFIXES = (".yaml", ".yml")
SCHEMA_ID = "https://archcase.dev/schema/case.schema.json"


@dataclass(frozen=True)
class LoadedCase:
    """A validated case and the file it came from."""

    path: Path
    architecture: Architecture


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


def load_cases(paths: Iterable[str | Path]) -> list[LoadedCase]:
    """Load and validate every case named by `paths`; all problems of all files are raised together."""
    loaded: list[LoadedCase] = []
    problems: list[Diagnostic] = []
    names: dict[str, Path] = {}
    for path in case_files(paths):
        try:
            architecture = load_case(path)
        except CaseError as exc:
            problems.extend(exc.diagnostics)
            continue
        if architecture.name in names:
            problems.append(Diagnostic(str(path), 1, 1,
                                       f"case name '{architecture.name}' is also used by {names[architecture.name]}",
                                       "give every case a unique `name`: it names the output folder"))
        names.setdefault(architecture.name, path)
        loaded.append(LoadedCase(path, architecture))
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


def schema() -> dict[str, Any]:
    """JSON Schema of case files, for editors (yaml-language-server) and other tools."""
    document = Architecture.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **document}


def schema_text() -> str:
    """The case JSON Schema as canonical text."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
