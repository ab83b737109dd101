"""HTML reports (jinja2, autoescaped): one page per case and an index linking them. No scripts, fonts or styles
are fetched from the network, so a report opens from disk anywhere."""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .. import __version__ as version
from ..checks.catalogue import RULES, UNUSED_SUPPRESSION
from ..checks.engine import CaseReport, Finding
from ..checks.rule import SEVERITIES
from ..models import Architecture
from .labels import service_label
from .overlay import COLORS

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("archcase.render", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

SEVERITY_ORDER = tuple(reversed(SEVERITIES))
"""Severities, most severe first."""


@dataclass(frozen=True)
class Outputs:
    """The files beside a case's report that the report links to (names relative to the report)."""

    svg: bytes | None
    """The diagram (with findings marked) as SVG, embedded in the page; None when Graphviz is missing."""
    mermaid: str
    links: Sequence[tuple[str, str]]
    """(file name, what it is) for every other output of the case."""


@dataclass(frozen=True)
class Row:
    finding: Finding
    target: str
    remediation: str
    docs_url: str | None


def case_page(architecture: Architecture, report: CaseReport, outputs: Outputs) -> str:
    """The HTML report of one case."""
    labels = {s.id: service_label(s) for s in architecture.services}
    rows = [_row(f, labels) for f in sorted(report.findings, key=_finding_order)]
    diagram = None if outputs.svg is None else "data:image/svg+xml;base64," + base64.b64encode(outputs.svg).decode()
    return _ENV.get_template("case.html").render(
        architecture=architecture, report=report, rows=rows, diagram=diagram, outputs=outputs,
        path=display_path(report.path), counts=severity_counts(report), severities=SEVERITY_ORDER, colors=COLORS, version=version,
    )


def index_page(entries: Sequence[tuple[Architecture, CaseReport]]) -> str:
    """The index of all cases built together, linking each case's report."""
    cases = [(a, r, severity_counts(r)) for a, r in entries]
    return _ENV.get_template("index.html").render(cases=cases, severities=SEVERITY_ORDER, colors=COLORS,
                                                  version=version)


def display_path(path: str) -> str:
    """A case file's path as the page shows it: relative to the working folder when under it, so that the
    same build in another clone gives the same page."""
    resolved = Path(path).resolve()
    return resolved.relative_to(Path.cwd()).as_posix() if resolved.is_relative_to(Path.cwd()) else path


def severity_counts(report: CaseReport) -> Counter[str]:
    """Unsuppressed failing findings per severity."""
    return Counter(f.severity for f in report.findings if f.status == "fail" and not f.suppressed)


def _finding_order(finding: Finding) -> tuple[int, int, str, str]:
    return (finding.suppressed, SEVERITY_ORDER.index(finding.severity), finding.rule_id, finding.target)


def _row(finding: Finding, labels: dict[str, str]) -> Row:
    rule = RULES.get(finding.rule_id)
    if finding.rule_id == UNUSED_SUPPRESSION or rule is None:
        remediation, docs_url = "Remove the suppression from the case file.", None
    else:
        remediation, docs_url = rule.remediation, rule.docs_url
    target = labels.get(finding.target, finding.target)
    return Row(finding, target, remediation, docs_url)
