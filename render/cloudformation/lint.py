"""cfn-lint over every template archcase writes, before it is written: a template cfn-lint reports anything on
(an error or a warning) is an archcase defect, not the user's, so it stops the run with the rule and where.

cfn-lint is imported only here, and only when a template is emitted (importing it takes about half a second)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ...models import Architecture
from .context import pascal

REGIONS = ("us-east-1", "eu-west-1")
"""Regions the templates are checked for (resource types and properties that exist in one region only)."""


@dataclass(frozen=True)
class Problem:
    """One thing cfn-lint reports on a template."""

    rule: str
    message: str
    path: tuple[str, ...]
    line: int

    def __str__(self) -> str:
        where = "/".join(self.path) or f"line {self.line}"
        return f"{self.rule} at {where}: {self.message}"


@cache
def _config() -> Any:
    from cfnlint.api import ManualArgs

    return ManualArgs(regions=list(REGIONS))


def problems(text: str) -> list[Problem]:
    """What cfn-lint reports on a template (YAML or JSON text), errors and warnings alike, in its order."""
    from cfnlint.api import lint

    return [Problem(match.rule.id, match.message, tuple(str(part) for part in getattr(match, "path", None) or ()),
                    match.linenumber) for match in lint(text, config=_config())]


def service_of(problem: Problem, architecture: Architecture) -> str | None:
    """The service a reported resource belongs to: the one whose logical id is the longest prefix of the
    resource's (`TodoApiStage` belongs to `todo-api`), or None for template-wide problems."""
    if len(problem.path) < 2 or problem.path[0] != "Resources":
        return None
    resource = problem.path[1]
    owners = [s.id for s in architecture.services if resource.startswith(pascal(s.id))]
    return max(owners, key=len, default=None)
