"""The diff diagram (issue 17): both versions of a case in one picture, drawn by the diagram and Mermaid renderers.

The picture is the union of the two architectures: every service and flow of the head, and those of the base the
head no longer has. Added ones are green, removed ones red and dashed, changed ones amber; the new findings are
numbered as on any picture with findings (`overlay.Overlay`), with their legend. A service whose kind differs
between the two is drawn as the head has it.
"""

from __future__ import annotations

from ..diff import CaseDiff
from ..models import Architecture
from . import diagram, mermaid
from .diff_report import numbered
from .overlay import Mark
from .view import Detail

ADDED = Mark("#2E7D32")
REMOVED = Mark("#C62828", dashed=True)
CHANGED = Mark("#EF6C00")
KEY = "green: added, red dashed: removed, amber: changed"
"""What the colours mean, under the picture's title."""
def union(base: Architecture | None, head: Architecture | None) -> Architecture:
    """Both versions as one architecture to draw (not validated: a flow of the base may join services the head has
    with other kinds). The head's title, with what the colours mean."""
    first = head or base
    assert first is not None, "a case on neither side"
    services = list(head.services if head else ())
    flows = list(head.flows if head else ())
    if base is not None:
        ids = {s.id for s in services}
        keys = {f.key for f in flows}
        services += [s for s in base.services if s.id not in ids]
        flows += [f for f in base.flows if f.key not in keys]
    return Architecture.model_construct(name=first.name, title=f"{first.title}\n({KEY})", summary=first.summary,
                                        services=services, flows=flows, requirements=[], suppressions=[])


def marks(case: CaseDiff) -> dict[str, Mark]:
    """The mark of every service and flow added, removed or changed."""
    found: dict[str, Mark] = {}
    for elements in (case.services, case.flows):
        found.update({e.id: ADDED for e in elements.added})
        found.update({e.id: REMOVED for e in elements.removed})
        found.update({e.id: CHANGED for e in elements.changed})
    return found


def dot(case: CaseDiff, base: Architecture | None, head: Architecture | None, detail: Detail = "default") -> str:
    """DOT text of the diff diagram of one case."""
    return diagram.dot_source(union(base, head), numbered(case.findings.new), detail, marks=marks(case))


def mermaid_text(case: CaseDiff, base: Architecture | None, head: Architecture | None, detail: Detail = "default") -> str:
    """Mermaid text of the diff diagram of one case (`style` and `linkStyle` in the same colours)."""
    return mermaid.render(union(base, head), numbered(case.findings.new), detail, marks=marks(case))
