"""Write docs/reference.md (the case file's own fields, its requirements, suppressions and settings, service kinds,
their settings, flow kinds and the pairs they allow, and the values nested in settings) from the models and their
registries, so the reference never drifts from the code. Run: python tools/gen_reference.py"""

from __future__ import annotations

import json
import sys
import typing
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import to_jsonable_python

from archcase.models import FLOW_KINDS, SERVICE_KINDS, Architecture, Flow, Model, Requirement, Settings, Suppression, document

TARGET = Path(__file__).resolve().parents[1] / "docs" / "reference.md"


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "each field's default"
    return f"`{json.dumps(to_jsonable_python(value))}`"


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def _table(cls: type[BaseModel], skip: frozenset[str] = frozenset()) -> list[str]:
    """A class's fields as a Markdown table: field, default, meaning."""
    lines = ["| field | default | meaning |", "|---|---|---|"]
    for name, field in cls.model_fields.items():
        if name not in skip:
            lines.append(f"| `{field.alias or name}` | {_cell(_default(field))} | {_cell(field.description)} |")
    return [*lines, ""]


def _nested(annotation: object) -> Iterator[type[Model]]:
    """The model classes a field's type holds (a `Stage` in `list[Stage]`, a `Key` in `Key | None`)."""
    if isinstance(annotation, type) and issubclass(annotation, Model):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _nested(argument)


def _nested_values() -> dict[type[Model], list[str]]:
    """Every model class nested in a service's or a flow's settings (or in such a class), with the fields that hold it."""
    held: dict[type[Model], list[str]] = defaultdict(list)
    kinds = [*sorted(SERVICE_KINDS.items()), *sorted(FLOW_KINDS.items())]
    todo: list[tuple[str, type[Model]]] = [(f"`{kind}`", cls) for kind, cls in kinds]
    while todo:
        owner, cls = todo.pop(0)
        for name, field in cls.model_fields.items():
            for nested in _nested(field.annotation):
                if nested not in held:
                    todo.append((nested.__name__, nested))
                held[nested].append(f"`{field.alias or name}` of {owner}")
    return held


CASE_PARTS = {"requirements": Requirement, "suppressions": Suppression, "settings": Settings}
"""Case fields whose values are documented in a section of their own (services and flows: by kind)."""


def reference() -> str:
    document(Model)
    lines = ["# Case file reference", "",
             "Generated from the models and their registries by `python tools/gen_reference.py`; do not edit by hand.",
             "For a walk through a first case, see [first-case.md](first-case.md).", "",
             "## The case file", "", _cell(Architecture.__doc__), "", *_table(Architecture),
             "`services` items: see [Service kinds](#service-kinds); `flows` items: see [Flow kinds](#flow-kinds).", ""]
    for name, part in CASE_PARTS.items():
        shape = "A mapping of these fields, each optional." if name == "settings" else "A list; each item has these fields."
        lines += [f"### `{name}`", "", _cell(part.__doc__), shape, "", *_table(part)]
    lines += ["## Service kinds", "",
              "Every service has `id` and `kind`, and optionally `label`, `description` and `group`.", ""]
    for kind, cls in sorted(SERVICE_KINDS.items()):
        lines += [f"### `{kind}`", "", _cell(cls.__doc__), "", *_table(cls, frozenset({"kind"}))]
    lines += ["## Flow kinds", "", "Every flow has a `kind` and these fields; a kind below may add fields of its own.", "",
              *_table(Flow, frozenset({"kind"}))]
    for kind, cls in sorted(FLOW_KINDS.items()):
        by_source: dict[str, list[str]] = defaultdict(list)
        for source, target in sorted(cls.allowed):
            by_source[source].append(target)
        lines += [f"### `{kind}`", "", _cell(cls.__doc__), "", "Allowed: " + "; ".join(
            f"{source} → {', '.join(targets)}" for source, targets in sorted(by_source.items())) + ".", ""]
        extra = [(n, f) for n, f in cls.model_fields.items() if n not in {"kind", "id", "source", "target", "label"}]
        if extra:
            lines += ["| field | default | meaning |", "|---|---|---|"]
            for name, field in extra:
                lines.append(f"| `{name}` | {_cell(_default(field))} | {_cell(field.description)} |")
            lines.append("")
    lines += ["## Nested values", "", "Values of the fields above that have fields of their own.", ""]
    for nested, holders in sorted(_nested_values().items(), key=lambda item: item[0].__name__):
        lines += [f"### {nested.__name__}", "", _cell(nested.__doc__), "", f"In {', '.join(holders)}.", "", *_table(nested)]
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    TARGET.write_text(reference(), encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET}\n")
