"""Rule packs as data: a YAML file naming a pack, the built-in pack it extends, the rules it keeps and the
severities it changes (`--pack-file FILE` or the configuration's `pack-file`; docs/custom-rules.md).

    name: acme
    description: ACME's pack: archcase's default rules and ours, the TLS ones made critical.
    extends: default        # a built-in pack (default, seed, strict)
    select: [AC208, ACME101] # optional: only these rules (default: every rule of `extends` and the custom rules)
    ignore: [AC403]          # optional: not these
    severity: {AC208: critical}

Read strictly: an unknown key, pack, rule id or severity is bad input at its line, with the nearest valid name."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..models import CaseError, Diagnostic, yamlsafe
from ..models.base import did_you_mean
from .packs import PACKS, Pack, tailored, with_custom
from .rule import SEVERITIES, Rule, Severity


class PackFile(BaseModel):
    """What a pack file may say; `name` required, every other key optional, none other accepted."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
    """The pack's name, as reports show it (lower case, digits and hyphens)."""
    description: str = ""
    """What the pack is for, in a sentence."""
    extends: str = "default"
    """The built-in pack it starts from (`archcase rules` names them: default, seed, strict)."""
    select: list[str] | None = None
    """Only these rules (archcase's or custom ones); default: every rule of `extends` and every custom rule loaded."""
    ignore: list[str] = []
    """Not these rules."""
    severity: dict[str, Severity] = {}
    """A rule's severity over the one `extends` gives it."""


KEYS = tuple(PackFile.model_fields)


def load(path: Path, custom: Mapping[str, Rule] | None = None) -> Pack:
    """The pack a pack file describes, with the `custom` rules loaded for the run. CaseError, at the file's line,
    for anything that is not a valid pack."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError([Diagnostic(name, 1, 1, f"cannot read the pack file: {exc}", "give a readable UTF-8 YAML file")]) from None
    try:
        doc = yamlsafe.load(text)
    except yamlsafe.YamlError as exc:
        raise CaseError([Diagnostic(name, exc.line, exc.column, exc.message, exc.hint)]) from None
    if not isinstance(doc.data, dict):
        raise CaseError([Diagnostic(name, 1, 1, "a pack file is a mapping", f"write `name: ...` and any of {', '.join(KEYS[1:])}")])
    try:
        spec = PackFile.model_validate(doc.data)
    except ValidationError as exc:
        raise CaseError([_diagnostic(error, name, doc) for error in exc.errors()]) from None
    if spec.extends not in PACKS:
        raise CaseError([Diagnostic(name, *doc.position(("extends",)), f"unknown pack '{spec.extends}' in 'extends'",
                                    did_you_mean(spec.extends, PACKS) or f"give one of {', '.join(sorted(PACKS))}")])
    base = with_custom(PACKS[spec.extends], custom or {})
    known = base.known()
    named: list[tuple[tuple[str | int, ...], str, bool]] = [(("select", i), r, False) for i, r in enumerate(spec.select or [])]
    named += [(("ignore", i), r, False) for i, r in enumerate(spec.ignore)]
    named += [(("severity", r), r, True) for r in spec.severity]
    problems = [Diagnostic(name, *doc.position(loc, key=key), f"unknown rule id '{rule_id[:40]}' in '{loc[0]}'",
                           f"{did_you_mean(rule_id[:20], known)} no rule loaded has it: is its module in `rule-modules` or "
                           "--rules? (`archcase rules` lists the catalogue)".strip())
                for loc, rule_id, key in named if rule_id not in known]
    if problems:
        raise CaseError(problems)
    pack = tailored(base, spec.select, spec.ignore, spec.severity)
    return Pack(spec.name, spec.description or f"{spec.extends}, tailored by {path.name}", pack.rule_ids, pack.overrides, pack.custom)


def _diagnostic(error: Any, name: str, doc: yamlsafe.Document) -> Diagnostic:
    loc = tuple(error["loc"])
    where = ".".join(str(part) for part in loc)
    if error["type"] == "extra_forbidden":
        hint = (did_you_mean(str(loc[-1]), KEYS) if len(loc) == 1 else "") or f"the keys are {', '.join(KEYS)}"
        return Diagnostic(name, *doc.position(loc, key=True), f"unknown key '{where}' in the pack file", hint)
    if error["type"] == "literal_error":
        return Diagnostic(name, *doc.position(loc), f"'{where}' is {str(error.get('input'))[:40]!r}, not a severity",
                          f"give one of {', '.join(reversed(SEVERITIES))}")
    return Diagnostic(name, *doc.position(loc), f"'{where}': {error['msg']}", _HINTS.get(str(loc[0]), ""))


_HINTS = {
    "name": "give the pack a name of lower-case letters, digits and hyphens, such as acme",
    "select": "give a list of rule ids, such as [AC208, ACME101]",
    "ignore": "give a list of rule ids, such as [AC403]",
}

