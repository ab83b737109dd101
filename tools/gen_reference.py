"""Write docs/reference.md (service kinds, their settings, flow kinds and the pairs they allow) from the
model registries, so the reference never drifts from the code. Run: python tools/gen_reference.py"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from pydantic.fields import FieldInfo
from pydantic_core import to_jsonable_python

from archcase.models import FLOW_KINDS, SERVICE_KINDS, Model, document

TARGET = Path(__file__).resolve().parents[1] / "docs" / "reference.md"


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    return f"`{json.dumps(to_jsonable_python(field.get_default(call_default_factory=True)))}`"


def _cell(text: str | None) -> str:
    return " ".join((text or "").split()).replace("|", "\\|")


def reference() -> str:
    document(Model)
    lines = ["# Case file reference", "",
             "Generated from the model registries by `python tools/gen_reference.py`; do not edit by hand.", "",
             "## Service kinds", ""]
    for kind, cls in sorted(SERVICE_KINDS.items()):
        lines += [f"### `{kind}`", "", _cell(cls.__doc__), "", "| field | default | meaning |", "|---|---|---|"]
        for name, field in cls.model_fields.items():
            if name == "kind":
                continue
            lines.append(f"| `{field.alias or name}` | {_cell(_default(field))} | {_cell(field.description)} |")
        lines.append("")
    lines += ["## Flow kinds", "", "Every flow has `from`, `to`, `kind`, and optionally `id` and `label`.", ""]
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
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    TARGET.write_text(reference(), encoding="utf-8")
    sys.stdout.write(f"wrote {TARGET}\n")
