"""What the Deny statements of a principal's policies refuse, read only where that is certain.

IAM evaluates an explicit Deny over any Allow: an action a role's policies allow on a resource is refused when an
unconditional Deny statement of the same role covers that action on that resource. archcase subtracts a Deny only
when it surely applies, so that a refused flow or a broad permission (AC805) never disappears on a guess:

- a Deny with a `Condition` may not hold when the request is made: it refuses nothing here;
- actions match with IAM's wildcards (`*`, `?`) and without regard to case; resources match with the wildcards and
  by case, each written as the template gives it (`${Orders.Arn}` for `Fn::GetAtt`, `${Data}` for `Ref`, the text
  of an `Fn::Sub`). A resource known only by another spelling (a literal ARN for a table of the template, an
  `Fn::Join`) is not known to be covered;
- `NotAction` refuses the actions surely outside every pattern it lists, `NotResource` the resources surely
  outside every one it lists; a value archcase cannot read in either makes the statement refuse nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .template import Template
from .values import as_list, dig

WILDCARDS = re.compile(r"[*?]")


@dataclass(frozen=True)
class Denial:
    """One unconditional Deny statement, its actions (lower case) and resources as written."""

    actions: tuple[str, ...]
    """The action patterns it names (`Action`), or those it leaves out (`NotAction`)."""
    except_actions: bool
    """Whether `actions` came from `NotAction`: the statement refuses every action but those."""
    resources: tuple[str, ...]
    """The resource patterns it names (`Resource`), or those it leaves out (`NotResource`)."""
    except_resources: bool
    """Whether `resources` came from `NotResource`: the statement refuses on every resource but those."""
    template_ids: frozenset[str] = frozenset()
    """The logical ids of the template's resources: `${Name...}` of two of them are two different resources."""

    def covers(self, action: str, resource: str | None) -> bool:
        """Whether the statement refuses every action the pattern `action` names on every resource the pattern
        `resource` names (None: a resource archcase cannot spell, which no statement is known to cover)."""
        action = action.lower()
        if self.except_actions:
            acts = all(disjoint(action, other) for other in self.actions)
        else:
            acts = any(includes(pattern, action) for pattern in self.actions)
        if not acts or resource is None:
            return False
        if self.except_resources:
            return all(_apart(resource, other, self.template_ids) for other in self.resources)
        return any(includes(pattern, resource) for pattern in self.resources)


@dataclass(frozen=True)
class Denials:
    """The unconditional Deny statements of one principal (a role), which refuse what its Allows grant."""

    statements: tuple[Denial, ...] = ()

    def covers(self, action: str, resource: str | None) -> bool:
        """Whether one of the statements refuses the action pattern on the resource pattern (see `Denial.covers`)."""
        return any(d.covers(action, resource) for d in self.statements)

    def __bool__(self) -> bool:
        return bool(self.statements)


NO_DENIALS = Denials()


def denials(t: Template, documents: Iterable[Any]) -> Denials:
    """The unconditional Deny statements of the documents: those with a `Condition` are left out (it may not hold),
    and so are those with an action or a resource archcase cannot read where that would widen what they refuse."""
    found = []
    for document in documents:
        for s in as_list(dig(document, "Statement")):
            if not isinstance(s, dict) or s.get("Effect") != "Deny" or s.get("Condition"):
                continue
            except_actions, except_resources = "NotAction" in s, "NotResource" in s
            actions = [t.text(x) for x in as_list(s.get("NotAction" if except_actions else "Action"))]
            resources = [resource_text(t, x) for x in as_list(s.get("NotResource" if except_resources else "Resource"))]
            if (except_actions and None in actions) or (except_resources and None in resources):
                continue  # an exception archcase cannot read could exempt anything
            known_actions = tuple(a.lower() for a in actions if a)
            known_resources = tuple(r for r in resources if r)
            if (known_actions or except_actions) and (known_resources or except_resources):
                found.append(Denial(known_actions, except_actions, known_resources, except_resources, frozenset(t.resources)))
    return Denials(tuple(found))


def resource_text(t: Template, value: Any) -> str | None:
    """A policy's resource as text: its value when known, `${Name}` for a `Ref` and `${Name.Attribute}` for an
    `Fn::GetAtt` (as `Fn::Sub` writes them), None when neither."""
    known = t.text(value)
    if known is not None:
        return known
    if isinstance(value, dict) and set(value) == {"Ref"} and isinstance(value["Ref"], str):
        return "${" + value["Ref"] + "}"
    if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
        target = value["Fn::GetAtt"]
        parts = target.split(".", 1) if isinstance(target, str) else target
        if isinstance(parts, list) and len(parts) == 2 and all(isinstance(p, str) for p in parts):
            return "${" + ".".join(parts) + "}"
    return None


@lru_cache(maxsize=4096)
def _pattern(pattern: str) -> re.Pattern[str]:
    """An IAM pattern as a regular expression over other patterns: its `*` stands for any text (wildcards
    included), its `?` for one character that is not a `*` (one character of the other pattern, never a run)."""
    parts = [".*" if p == "*" else "[^*]" if p == "?" else re.escape(p) for p in re.split(r"([*?])", pattern)]
    return re.compile("".join(parts), re.DOTALL)


def includes(pattern: str, other: str) -> bool:
    """Whether every name the pattern `other` matches is one `pattern` matches (`s3:*` includes `s3:Get*`;
    `s3:Get?` does not include `s3:Get*`). Exact, or false when unsure."""
    return _pattern(pattern).fullmatch(other) is not None


def disjoint(a: str, b: str) -> bool:
    """Whether no name matches both patterns: certain when one has no wildcard and the other does not match it,
    or when their texts before the first wildcard (or after the last) differ where both have them."""
    if not WILDCARDS.search(a):
        return not includes(b, a)
    if not WILDCARDS.search(b):
        return not includes(a, b)
    head_a, head_b = WILDCARDS.split(a, 1)[0], WILDCARDS.split(b, 1)[0]
    tail_a, tail_b = WILDCARDS.split(a)[-1], WILDCARDS.split(b)[-1]
    return not (head_a.startswith(head_b) or head_b.startswith(head_a)) or not (tail_a.endswith(tail_b) or tail_b.endswith(tail_a))


PLACEHOLDER = re.compile(r"\$\{([^{}.!]+)[.}]")


def _apart(resource: str, other: str, template_ids: frozenset[str]) -> bool:
    """Whether two resources as written are surely different ones: different resources of the template
    (`${Orders.Arn}`, `${Other.Arn}`; a parameter's `${Name}` may name either), or texts without placeholders
    that `disjoint` tells apart. A placeholder could stand for any text, so a text holding one is otherwise not
    known to differ from another."""
    if "${" in resource or "${" in other:
        first, second = PLACEHOLDER.match(resource), PLACEHOLDER.match(other)
        return bool(first and second and first.group(1) != second.group(1) and {first.group(1), second.group(1)} <= template_ids)
    return disjoint(resource, other)
