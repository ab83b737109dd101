"""Templates of the bundled cases, emitted once per session against a folder of minimal handler modules (the
emitter needs only the modules to exist; their code is tested in tests/handlers)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archcase.api import bundled_cases, load_cases
from archcase.models import Architecture
from archcase.render.cloudformation.emit import template

CASES: dict[str, Architecture] = {c.architecture.name: c.architecture for c in load_cases(bundled_cases())}


def write_handlers(folder: Path, architectures: list[Architecture]) -> Path:
    for architecture in architectures:
        for service in architecture.services:
            if service.kind == "lambda":
                *modules, function = service.handler.split(".")
                path = folder.joinpath(*modules).with_suffix(".py")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(f"def {function}(event, context):\n    return None\n")
    return folder


@pytest.fixture(scope="session")
def handlers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_handlers(tmp_path_factory.mktemp("handlers"), list(CASES.values()))


@pytest.fixture(scope="session")
def templates(handlers: Path) -> dict[str, dict]:
    return {name: template(architecture, handlers) for name, architecture in CASES.items()}


def resources_of(document: dict, type_: str) -> dict[str, dict]:
    return {lid: r for lid, r in document["Resources"].items() if r["Type"] == type_}
