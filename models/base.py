"""Shared base classes for every model: frozen, strict about unknown fields, documented."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[a-z][a-z0-9-]{0,62}$"

BroadPermission = Annotated[str, Field(pattern=r"^(?:every action but )?\S{1,200} on (?:every resource but )?\S{1,1000}$")]
"""An IAM permission a role holds beyond what its flows need, as `ACTION on RESOURCE`: a wildcard action
(`dynamodb:* on Orders`), or an action that can name a resource allowed on every one (`s3:GetObject on *`).
A policy's `NotAction` reads `every action but iam:*,sts:*`, its `NotResource` `every resource but ARN,...`."""

Rate = Annotated[float, Field(ge=0, le=1e9)]
"""Requests per second: at most a billion, far above any real table or API, so that capacity and throttling
derived from a rate are numbers CloudFormation and every reader of the template take."""
Id = Annotated[str, Field(pattern=ID_PATTERN)]
"""A stable identifier: lower-case letters, digits and hyphens, starting with a letter."""


class Model(BaseModel):
    """Base of all archcase models: immutable, unknown fields rejected. The docstring under each field is
    its description (applied by `models.docs.document` where descriptions are shown)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        defer_build=True,  # build validators once, inside Architecture's, not per class at import
        allow_inf_nan=False,  # every number is finite: a template cannot carry .inf or .nan
    )


class Service(Model):
    """One AWS service (or external party) in an architecture."""

    external: ClassVar[bool] = False
    """True for parties outside the AWS account (users' devices, third-party consumers)."""

    id: Id
    """Identifier that flows, suppressions and emitted logical ids refer to."""
    label: str | None = None
    """Human-readable name for diagrams and reports; defaults to the id."""
    description: str | None = None
    """What this service does in the architecture."""
    group: str | None = Field(default=None, min_length=1, max_length=100)
    """Which services belong together (one microservice's API, function, table and queue): diagrams draw each
    group as a titled box, and views split by group. Free text, the box's title; services without one are
    drawn outside any group."""


def did_you_mean(word: str, options: Iterable[str], n: int = 1) -> str:
    """`did you mean 'x'?` (or `'x' or 'y'`) for the options closest to a mistyped word; empty if none is close."""
    matches = difflib.get_close_matches(word, list(options), n=n, cutoff=0.6)
    return f"did you mean {' or '.join(repr(m) for m in matches)}?" if matches else ""
