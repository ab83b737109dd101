"""Rule packs: a named selection of rules, with severity overrides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .catalogue import RULES
from .rule import Rule, Severity


@dataclass(frozen=True)
class Pack:
    name: str
    description: str
    rule_ids: tuple[str, ...]
    overrides: dict[str, Severity] = field(default_factory=dict)
    custom: Mapping[str, Rule] = field(default_factory=dict, compare=False)
    """Custom rules this pack may name besides archcase's (`with_custom`, `checks.custom`)."""

    def rules(self) -> list[Rule]:
        return [self.known()[rule_id] for rule_id in self.rule_ids]

    def known(self) -> dict[str, Rule]:
        """Every rule the pack may name: archcase's and its custom ones."""
        return {**RULES, **self.custom} if self.custom else RULES

    def severity(self, rule: Rule) -> Severity:
        return self.overrides.get(rule.id, rule.severity)


SEED_PRACTICES = ("AC101", "AC102", "AC103", "AC104", "AC105", "AC106", "AC109", "AC110", "AC111", "AC112",
                  "AC114", "AC115", "AC116", "AC202", "AC205", "AC208", "AC209", "AC303", "AC304", "AC306",
                  "AC408", "AC506", "AC507", "AC508", "AC510", "AC606", "AC703", "AC704", "AC705", "AC801",
                  "AC802", "AC803")

PACKS: dict[str, Pack] = {
    pack.name: pack
    for pack in (
        Pack("default", "Every rule at its own severity.", tuple(RULES)),
        Pack("seed", "Only the practices the seed document teaches (edge, signed URLs, caching, event flows, "
             "identity, least privilege).", SEED_PRACTICES),
        Pack("strict", "Every rule; the low-severity hygiene rules raised to medium.", tuple(RULES),
             {rule_id: "medium" for rule_id, rule in RULES.items() if rule.severity == "low"}),
    )
}


def tailored(pack: Pack, select: Sequence[str] | None = None, ignore: Iterable[str] = (),
             severity: Mapping[str, Severity] | None = None) -> Pack:
    """`pack` as a configuration narrows it: only the rules of `select` (every rule of the pack when None, any
    rule of the catalogue when given), none of `ignore`, and the severities of `severity` over the pack's own.
    The name stays the pack's: reports say which pack ran; the configuration says how it was tailored."""
    chosen = pack.rule_ids if select is None else tuple(rule_id for rule_id in sorted(pack.known()) if rule_id in set(select))
    skipped = set(ignore)
    return replace(pack, rule_ids=tuple(rule_id for rule_id in chosen if rule_id not in skipped),
                   overrides={**pack.overrides, **(severity or {})})


def with_custom(pack: Pack, custom: Mapping[str, Rule]) -> Pack:
    """`pack` with custom rules (`checks.custom.load`) added: they run at their own severity in any pack (loading
    them is asking for them); `select` and `ignore` narrow them as they do archcase's."""
    if not custom:
        return pack
    added = tuple(rule_id for rule_id in custom if rule_id not in pack.rule_ids)
    return replace(pack, rule_ids=(*pack.rule_ids, *added), custom={**pack.custom, **custom})
