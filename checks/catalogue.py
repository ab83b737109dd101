"""The rule catalogue: every rule of the rule modules, listed explicitly (no registration side effects)."""

from __future__ import annotations

from types import ModuleType

from .rule import Rule, find_rule
from .rules import (
    analytics,
    api,
    caches,
    compute,
    containers,
    data,
    databases,
    edge,
    files,
    http_api,
    iam,
    identity,
    messaging,
    secrets,
    workflows,
)

RULE_MODULES: tuple[ModuleType, ...] = (edge, api, http_api, compute, containers, data, databases, caches, files, identity, secrets,
                                        messaging, analytics, workflows, iam)

UNUSED_SUPPRESSION = "AC001"
"""Id under which a suppression that matches no finding is reported."""
EXPIRED_SUPPRESSION = "AC002"
"""Id under which a suppression past its `expires` date is reported (it no longer suppresses)."""
SUPPRESSION_RULES = {UNUSED_SUPPRESSION: "Suppression matches no finding", EXPIRED_SUPPRESSION: "Suppression has expired"}
"""The findings on suppressions themselves (no rule of the catalogue), with their titles."""


def _collect() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for module in RULE_MODULES:
        for value in vars(module).values():
            found = find_rule(value)
            if found is not None:
                if found.id in rules:
                    raise RuntimeError(f"rule id {found.id} is used twice")
                rules[found.id] = found
    return dict(sorted(rules.items()))


RULES: dict[str, Rule] = _collect()
"""Every rule, by id, in id order."""
