"""IAM policy statements and documents: what a role may do, merged and ordered the same way every time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .template import Json


@dataclass(frozen=True)
class Statement:
    actions: tuple[str, ...]
    resources: tuple[Json | str, ...]
    condition: Json | None = None

    def to_json(self) -> Json:
        body: Json = {"Effect": "Allow", "Action": sorted(set(self.actions)),
                      "Resource": list(self.resources) if len(self.resources) > 1 else self.resources[0]}
        if self.condition:
            body["Condition"] = self.condition
        return body


def document(statements: Iterable[Statement]) -> Json:
    """A policy document; statements with the same actions and condition are merged, duplicates dropped."""
    merged: dict[tuple[tuple[str, ...], str], list[Json | str]] = {}
    conditions: dict[tuple[tuple[str, ...], str], Json | None] = {}
    for statement in statements:
        key = (tuple(sorted(set(statement.actions))), repr(statement.condition))
        resources = merged.setdefault(key, [])
        conditions[key] = statement.condition
        resources.extend(r for r in statement.resources if r not in resources)
    return {"Version": "2012-10-17", "Statement": [
        Statement(actions, tuple(resources), conditions[(actions, cond)]).to_json()
        for (actions, cond), resources in merged.items()
    ]}
