"""Suppressions written where the finding lives: `Metadata.archcase.suppress` of a template resource.

```yaml
Photos:
  Type: AWS::S3::Bucket
  Metadata:
    archcase:
      suppress:
        - rule: AC404
          reason: Access logs of this bucket would only log the log shipper itself.
          expires: 2027-03-31
```

Each entry becomes a suppression of the imported case on the service the resource became, or, for a resource
that configures another (a bucket policy, an ECS task definition, ...), on the service it belongs to. On a rule
that looks at flows, it covers the flows from and to that service. An entry on a resource that becomes no service
and belongs to none (account-wide settings, a resource not deployed) suppresses nothing and is reported as unused
(AC001) at its own line, never dropped in silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..models import Diagnostic
from ..models.architecture import Suppression
from ..models.contract import METADATA_KEY
from ..models.load import short
from .source import Source
from .template import Template

SUPPRESS = "suppress"
"""The key of `Metadata.archcase` of a resource that holds its suppressions."""
FIELDS = ("rule", "reason", "expires")
"""What a suppression on a resource gives (its target is the resource)."""
Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Placed:
    """The suppressions of the imported case, each with where it is written in the template."""

    entries: list[dict[str, Any]]
    where: list[Path]
    stray: list[Diagnostic]
    """Those that cover no service: unused, at their own line."""


@cache
def _adapter() -> TypeAdapter[Suppression]:
    return TypeAdapter(Suppression)


def written(source: Source) -> dict[str, Any]:
    """Each resource's `Metadata.archcase.suppress` as written, by logical id."""
    resources = source.data.get("Resources")
    found: dict[str, Any] = {}
    for lid, body in resources.items() if isinstance(resources, dict) else ():
        metadata = body.get("Metadata") if isinstance(body, dict) else None
        archcase = metadata.get(METADATA_KEY) if isinstance(metadata, dict) else None
        if isinstance(archcase, dict) and SUPPRESS in archcase:
            found[lid] = archcase[SUPPRESS]
    return found


def place(source: Source, t: Template, ids: dict[str, str]) -> tuple[Placed, list[Diagnostic]]:
    """The suppressions on the template's resources as suppressions of the case (`ids`: service id by logical id),
    and the problems of those written wrong, each at its line with a fix."""
    entries: list[dict[str, Any]] = []
    where: list[Path] = []
    stray: list[Diagnostic] = []
    problems: list[Diagnostic] = []
    for lid, given in written(source).items():
        at: Path = ("Resources", lid, "Metadata", METADATA_KEY, SUPPRESS)
        if not isinstance(given, list):
            problems.append(source.diagnostic(at, f"`Metadata.archcase.suppress` of '{lid}' is {short(given)}, not a list",
                                              "write a list of suppressions: `- {rule: AC404, reason: ..., expires: 2027-03-31}`"))
            continue
        owner = t.service_of(lid) if lid in t.resources else None
        sid = ids.get(owner) if owner else None
        for j, entry in enumerate(given):
            path = (*at, j)
            problem = _problem(source, lid, path, entry)
            if problem:
                problems.append(problem)
                continue
            if sid is None:
                stray.append(source.diagnostic(
                    path, f"suppression of {entry['rule']} on '{lid}' matches no finding: '{lid}' is no service and belongs "
                    "to none, so no finding is ever on it", "put the suppression on the resource the finding is on, or remove it",
                    "note"))
                continue
            entries.append({"rule": entry["rule"], "target": sid, "reason": entry["reason"],
                            **({"expires": entry["expires"]} if "expires" in entry else {})})
            where.append(path)
    return Placed(entries, where, stray), problems


def _problem(source: Source, lid: str, path: Path, entry: Any) -> Diagnostic | None:
    """What is wrong with one suppression on a resource, at its line (None when nothing is)."""
    if not isinstance(entry, dict):
        return source.diagnostic(path, f"a suppression on '{lid}' is {short(entry)}, not a mapping",
                                 "write `- rule: AC404` with `reason:` (and, if it should lapse, `expires:`) under it")
    if "target" in entry:
        return source.diagnostic((*path, "target"), f"a suppression on '{lid}' names a `target`: it covers '{lid}' itself",
                                 "remove `target`, or write the suppression under the case's `Metadata.archcase.suppressions`")
    extra = [key for key in entry if key not in FIELDS]
    if extra:
        return source.diagnostic((*path, str(extra[0])), f"unknown field {short(extra[0])} in a suppression on '{lid}'",
                                 f"a suppression on a resource gives {', '.join(f'`{f}`' for f in FIELDS)}")
    try:
        _adapter().validate_python({**entry, "target": "resource"})
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        if error["type"] == "missing":
            return source.diagnostic(path, f"a suppression on '{lid}' has no `{field}`", HINTS.get(field, f"add `{field}:`"))
        value = entry.get(field) if field else entry
        message = str((error.get("ctx") or {}).get("error") or error["msg"])
        return source.diagnostic((*path, field) if field else path,
                                 f"`{field or 'suppression'}` of a suppression on '{lid}' is {short(value)}: {message}",
                                 HINTS.get(field, "see `archcase schema` for what a suppression gives"))
    return None


HINTS = {
    "rule": "add `rule:` with the id of the rule it suppresses (see `archcase rules`)",
    "reason": "add `reason:`: why the finding is accepted, at least a sentence, for the reviewers who come after you",
    "expires": "give the last day it holds as an ISO date, such as 2027-03-31",
}
