"""Findings drawn on a picture: which services and flows have findings, their colour, and a numbered legend."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..checks.engine import Finding
from ..checks.rule import severity_rank

COLORS = {
    "critical": "#8E0000",
    "high": "#D32F2F",
    "medium": "#EF6C00",
    "low": "#B8860B",
    "info": "#1565C0",
    "undecided": "#6D6D6D",
}
"""Outline colour per severity; `undecided` is for rules that could not decide."""


@dataclass(frozen=True)
class LegendEntry:
    number: int
    rule_id: str
    title: str
    severity: str
    """A severity, or `undecided`."""

    @property
    def color(self) -> str:
        return COLORS[self.severity]


@dataclass
class Overlay:
    """Numbered findings per service or flow id. Suppressed findings are left off the picture."""

    legend: list[LegendEntry] = field(default_factory=list)
    marks: dict[str, list[LegendEntry]] = field(default_factory=dict)

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Overlay:
        shown = [f for f in findings if not f.suppressed and f.target_type in ("service", "flow")]
        shown.sort(key=lambda f: (f.status != "fail", -severity_rank(f.severity), f.rule_id, f.target))
        overlay = cls()
        numbers: dict[tuple[str, str], LegendEntry] = {}
        for finding in shown:
            severity = finding.severity if finding.status == "fail" else "undecided"
            entry = numbers.get((finding.rule_id, severity))
            if entry is None:
                entry = LegendEntry(len(numbers) + 1, finding.rule_id, finding.title, severity)
                numbers[(finding.rule_id, severity)] = entry
                overlay.legend.append(entry)
            marks = overlay.marks.setdefault(finding.target, [])
            if entry not in marks:
                marks.append(entry)
        return overlay

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
