"""Findings drawn on a picture: which services and flows have findings, their colour, and a numbered legend."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from ..checks.engine import Finding
from ..checks.rule import severity_rank
from ..models import Architecture
from ..models.text import flat, shorten
from .view import Detail, view

COLORS = {
    "critical": "#8E0000",
    "high": "#D32F2F",
    "medium": "#EF6C00",
    "low": "#B8860B",
    "info": "#1565C0",
    "undecided": "#6D6D6D",
}
"""Outline colour per severity; `undecided` is for rules that could not decide."""

LEGEND_CHARS = 180
"""Longest text of one legend line on a picture (`LegendEntry.text`, cut with an ellipsis); the report has it whole."""


@dataclass(frozen=True)
class LegendEntry:
    """One numbered line of the legend: the findings of one rule at one severity (or undecided), wherever
    they are on the picture."""

    number: int
    rule_id: str
    title: str
    """The rule's title: what it asks for, not what is wrong (a red "S3 versioning is on" reads as a pass)."""
    severity: str
    """A severity, or `undecided`."""
    message: str
    """The message of the entry's first finding (its findings in the order of their targets' ids)."""
    more: int = 0
    """How many other findings the entry holds when their messages differ from `message`; 0 when every finding
    of the entry says the same."""

    @property
    def color(self) -> str:
        return COLORS[self.severity]

    def text(self, limit: int | None = None) -> str:
        """What is wrong, in the findings' own words, on one line: the message they share, or the first one and
        how many more (`... (and 2 more)`). With `limit`, the message is cut (with an ellipsis) so that the whole
        is at most `limit` characters and the count stays."""
        more = f" (and {self.more} more)" if self.more else ""
        message = flat(self.message)
        if limit is not None:
            message = shorten(message, max(limit - len(more), 1))
        return message + more


@dataclass(frozen=True)
class Mark:
    """How an element is set apart on a picture whatever its findings (the diff's added, removed, changed): an
    outline or line of `color`, dashed or not. It wins over a finding's colour; the finding's numbers stay."""

    color: str
    dashed: bool = False


def drawn_ids(architecture: Architecture, detail: Detail = "default") -> set[str]:
    """The ids of everything a picture of `architecture` at `detail` marks findings on: the services and flows it
    draws (`view.view`: at the default detail, networking and plumbing are not drawn)."""
    shown = view(architecture, detail)
    return {s.id for s in shown.services} | {f.key for f in shown.flows}


def _severity(finding: Finding) -> str:
    """The severity a finding is drawn with: its own when it fails, `undecided` when its rule could not decide."""
    return finding.severity if finding.status == "fail" else "undecided"


@dataclass
class Overlay:
    """Numbered findings per service or flow id. Suppressed findings are left off the picture.

    Each legend number stands for one rule at one severity (or undecided), numbered most severe first (failures
    before undecided findings), then by rule id: the same findings give the same numbers."""

    legend: list[LegendEntry] = field(default_factory=list)
    marks: dict[str, list[LegendEntry]] = field(default_factory=dict)

    @classmethod
    def of(cls, findings: Iterable[Finding], drawn: Collection[str] | None = None) -> Overlay:
        """The overlay of `findings` on services and flows; with `drawn` (the ids of the services and flows the
        picture shows), findings on anything else are left off too."""
        shown = [f for f in findings if not f.suppressed and f.target_type in ("service", "flow")
                 and (drawn is None or f.target in drawn)]
        shown.sort(key=lambda f: (f.status != "fail", -severity_rank(f.severity), f.rule_id, f.target))
        groups: dict[tuple[str, str], list[Finding]] = {}
        for finding in shown:
            groups.setdefault((finding.rule_id, _severity(finding)), []).append(finding)
        overlay = cls()
        for number, ((rule_id, severity), members) in enumerate(groups.items(), start=1):
            messages = [f.message for f in members]
            more = 0 if len(set(messages)) == 1 else len(messages) - 1
            entry = LegendEntry(number, rule_id, members[0].title, severity, messages[0], more)
            overlay.legend.append(entry)
            for finding in members:
                marks = overlay.marks.setdefault(finding.target, [])
                if entry not in marks:
                    marks.append(entry)
        return overlay

    def entry(self, finding: Finding) -> LegendEntry | None:
        """The legend entry a finding is drawn under (its number is the one on the picture), or None when the
        finding is not on the picture (suppressed, on the case as a whole, or on something not drawn)."""
        if finding.suppressed or finding.target_type not in ("service", "flow"):
            return None
        for entry in self.marks.get(finding.target, []):
            if entry.rule_id == finding.rule_id and entry.severity == _severity(finding):
                return entry
        return None

    def mark(self, element_id: str) -> tuple[str, str] | None:
        """(colour of the worst finding, "#1 #3") for an element with findings, else None."""
        entries = self.marks.get(element_id)
        if not entries:
            return None
        return entries[0].color, " ".join(f"#{e.number}" for e in sorted(entries, key=lambda e: e.number))

    def numbers(self, element_id: str) -> list[str]:
        """`#1`, `#3`: the numbers of an element's findings, in order."""
        return [f"#{e.number}" for e in sorted(self.marks.get(element_id, ()), key=lambda e: e.number)]

    def worst(self, element_ids: Iterable[str]) -> str | None:
        """Colour of the worst finding of any of the elements, None when none has a finding."""
        entries = [e for element_id in element_ids for e in self.marks.get(element_id, ())]
        return min(entries, key=lambda e: e.number).color if entries else None  # numbered worst first

    def labelled(self, text: str, element_id: str) -> str:
        """`text`, with the element's finding numbers on a second line when it has findings."""
        marked = self.mark(element_id)
        return f"{text}\n{marked[1]}" if marked else text
