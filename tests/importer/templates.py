"""Small templates of the tests' own, imported: the helpers the importer tests share."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archcase.importer import import_template
from archcase.models import Architecture


def imported(tmp_path: Path, resources: dict[str, Any], **extra: Any) -> Architecture:
    """The case a template of these resources (and other top-level sections) imports as."""
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": resources, **extra}), encoding="utf-8")
    return import_template(path).architecture


def flows(case: Architecture) -> list[tuple[str, str, str]]:
    """(from, kind, to) of every flow, sorted."""
    return sorted((f.source, f.kind, f.target) for f in case.flows)
