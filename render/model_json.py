"""The normalised model: a case with every default filled in, as canonical JSON."""

from __future__ import annotations

import json

from ..models import Architecture


def render(architecture: Architecture) -> str:
    """Canonical JSON of the validated model: defaults filled, keys sorted, trailing newline."""
    data = architecture.model_dump(mode="json", by_alias=True)
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
