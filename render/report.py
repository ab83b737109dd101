"""HTML reports (jinja2, autoescaped): one page per case and an index linking them. No scripts, fonts or styles
are fetched from the network, so a report opens from disk anywhere."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import jinja2
import markupsafe
import pydantic
from markdown_it import MarkdownIt

from ..checks.catalogue import UNUSED_SUPPRESSION
from ..checks.engine import CaseReport, Finding
from ..checks.rule import SEVERITIES, Rule, Severity
from ..models import Architecture
from ..models.about import version
from ..models.base import Id
from ..models.text import json_dumps, one_line, visible
from . import graphviz, interactive
from .inline_svg import UnsafeSvg
from .labels import service_label
from .overlay import COLORS, Overlay


def _finalize(value: Any) -> Any:
    """Every value written into a page (before autoescaping): control characters, separators and lone
    surrogates in text shown as escapes (`\\x1b`), line breaks and tabs kept."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return visible(value, keep="\n\t\r")
    return value


SAFE_SCHEMES = frozenset({"http", "https"})
"""Schemes a link in a report may have; relative links (the files beside a report) have none."""


def safe_url(url: str | None) -> str:
    """`url` for an `href`, or `#` when it could run or load anything (`javascript:`, `data:`, `file:`, any
    scheme but http(s); a scheme hidden by control characters or spaces counts as one)."""
    if not url:
        return "#"
    text = str(url)
    if any(ord(c) < 0x21 or 0x7F <= ord(c) <= 0x9F for c in text):
        return "#"
    scheme = urlsplit(text).scheme.lower()
    if scheme and scheme not in SAFE_SCHEMES:
        return "#"
    if not scheme and ":" in text.split("/", 1)[0]:  # `javascript&colon;...` and the like: not a plain path
        return "#"
    return text


class _Remediation(MarkdownIt):
    """CommonMark for the remediation texts of the rule catalogue (which write settings as `code`), rendered
    inline in a table cell: raw HTML is off, so markup in the text is shown as text; images are off, so a report
    fetches nothing; a link is a link only to an http(s) page, else it stays text."""

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False})
        self.disable("image")

    def validateLink(self, url: str) -> bool:
        return urlsplit(url).scheme.lower() in SAFE_SCHEMES and safe_url(url) == url


_MARKDOWN = _Remediation()


def markdown(text: str) -> markupsafe.Markup:
    """Markdown text (inline: code, emphasis, links) as HTML for a page, every character of it either markup
    that Markdown made or escaped text (control characters shown as escapes, as elsewhere in a page)."""
    return markupsafe.Markup(_MARKDOWN.renderInline(visible(text, keep="\n\t\r")))


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("archcase.render", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    finalize=_finalize,
)
_ENV.filters["url"] = safe_url
_ENV.filters["csp_hash"] = interactive.csp_hash
_ENV.filters["markdown"] = markdown

SEVERITY_ORDER = tuple(reversed(SEVERITIES))
"""Severities, most severe first."""


@dataclass(frozen=True)
class Outputs:
    """The files beside a case's report that the report links to (names relative to the report)."""

    svg: bytes | None
    """The diagram (with findings marked) as SVG, written into the page; None when Graphviz is missing."""
    mermaid: str
    links: Sequence[tuple[str, str]]
    """(file name, what it is) for every other output of the case."""
    note: str = ""
    """Why `svg` is None, when the caller knows better than `diagram_note` can tell (a Graphviz failure)."""
    overlay: Overlay | None = None
    """The findings drawn on `svg` (numbered in its legend), None when it marks none."""


@dataclass(frozen=True)
class Row:
    finding: Finding
    target: str
    remediation: str
    """Markdown."""
    docs_url: str | None
    number: int | None = None
    """The finding's number on the diagram shown in the page; None when it is not drawn there."""

    @property
    def shown_as(self) -> str:
        """The severity the page shows: the finding's own when it fails, `undecided` when its rule could not decide."""
        return self.finding.severity if self.finding.status == "fail" else "undecided"


def case_page(architecture: Architecture, report: CaseReport, outputs: Outputs) -> str:
    """The HTML report of one case."""
    labels = {s.id: service_label(s) for s in architecture.services}
    overlay = outputs.overlay if outputs.svg is not None and outputs.overlay is not None else Overlay()
    rules = {rule.id: rule for rule in report.rules}  # the run's rules: custom ones too
    rows = [_row(f, labels, overlay, rules) for f in sorted(report.findings, key=_finding_order)]
    try:
        diagram = None if outputs.svg is None else interactive.diagram_view(architecture, outputs.svg)
    except UnsafeSvg as exc:
        diagram, outputs = None, replace(outputs, note=f"The diagram is not shown here: {exc}. diagram.svg beside this report holds it.")
    too_big = _too_big(architecture)
    return _ENV.get_template("case.html").render(
        architecture=architecture, report=report, rows=rows, diagram=diagram, outputs=outputs, legend=overlay.legend,
        note=diagram_note(architecture, outputs), show_mermaid=too_big is None,
        path=display_path(report.path), counts=severity_counts(report), severities=SEVERITY_ORDER, colors=COLORS, version=version(),
    )


SUMMARY = "summary.json"
"""The file beside each case's report that the index is made from."""
SUMMARY_MAX_BYTES = 65536
"""A larger summary.json is not one archcase wrote: it is not read."""

Count = Annotated[int, pydantic.Field(ge=0)]


class Summary(pydantic.BaseModel):
    """What the index shows of one built case: written as `<case>/summary.json` beside its report, so that the
    index of an output folder lists every case built there, not only those of the last build."""

    model_config = pydantic.ConfigDict(frozen=True, extra="forbid", strict=True)

    name: Id
    """The case's name, which is its folder's."""
    title: str
    services: Count
    flows: Count
    requirements: Count
    requirements_met: Count
    findings: dict[Severity, Count]
    """Unsuppressed failing findings per severity, every severity named."""

    @classmethod
    def of(cls, architecture: Architecture, report: CaseReport) -> Summary:
        counts = severity_counts(report)
        return cls(name=architecture.name, title=architecture.title, services=len(architecture.services),
                   flows=len(architecture.flows), requirements=len(report.requirements),
                   requirements_met=sum(r.met for r in report.requirements),
                   findings={severity: counts[severity] for severity in SEVERITIES})

    def text(self) -> str:
        """The summary as JSON text: keys sorted, the same for the same case."""
        return json_dumps(self.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"


def summaries_in(root: Path, skip: Sequence[str] = (), warn: Callable[[str], None] = lambda _: None) -> list[Summary]:
    """The summaries of the cases built in the output folder `root` before, but those of the cases in `skip`
    (being built now). A folder without a report is no case and is passed over; one with a report but no
    summary (built by an archcase before summaries), or with a summary that cannot be read, is left out with a
    warning through `warn`."""
    try:
        entries = sorted(os.scandir(root), key=lambda entry: entry.name)
    except OSError:
        return []
    found = []
    for entry in entries:
        if entry.name.startswith(".") or entry.name in skip or not entry.is_dir(follow_symlinks=False):
            continue
        folder = Path(entry.path)
        if not (folder / "report.html").is_file():
            continue
        summary, problem = _read_summary(folder)
        if summary is None:
            warn(f"warning: {one_line(str(folder))} is not listed in index.html: {problem}")
        else:
            found.append(summary)
    return found


def _read_summary(folder: Path) -> tuple[Summary | None, str]:
    """The summary of a case folder, or None and why it cannot be read."""
    path = folder / SUMMARY
    if not path.is_file():
        return None, f"it has no {SUMMARY} (built by an older archcase?): build the case again"
    try:
        with path.open("rb") as handle:
            data = handle.read(SUMMARY_MAX_BYTES + 1)
        if len(data) > SUMMARY_MAX_BYTES:
            return None, f"its {SUMMARY} is larger than archcase writes"
        summary = Summary.model_validate_json(data)
    except (OSError, pydantic.ValidationError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not one archcase wrote"
        return None, f"its {SUMMARY} cannot be read ({reason}): build the case again"
    if summary.name != folder.name:
        return None, f"its {SUMMARY} is of case '{one_line(summary.name)}': build the case again"
    return summary, ""


def index_page(summaries: Sequence[Summary]) -> str:
    """The index of the cases of an output folder, by name, linking each case's report."""
    cases = sorted(summaries, key=lambda s: s.name)
    return _ENV.get_template("index.html").render(cases=cases, severities=SEVERITY_ORDER, colors=COLORS,
                                                  version=version())


def _too_big(architecture: Architecture) -> graphviz.TooBigToDraw | None:
    try:
        graphviz.check_size(architecture.name, len(architecture.services), len(architecture.flows))
    except graphviz.TooBigToDraw as exc:
        return exc
    return None


def diagram_note(architecture: Architecture, outputs: Outputs) -> str:
    """What a report says in place of a diagram that was not drawn: the case is over the drawing limits,
    Graphviz is not installed, or Graphviz failed (`outputs.note`, else a general sentence)."""
    too_big = _too_big(architecture)
    if too_big is not None:
        return (f"This case has {too_big.services} services and {too_big.flows} flows, more than archcase draws as a "
                f"picture (at most {graphviz.MAX_DRAWN_SERVICES} services and {graphviz.MAX_DRAWN_FLOWS} flows), "
                "so the diagram is not drawn here. diagram.dot and diagram.mmd beside this report hold it.")
    if outputs.note:
        return outputs.note
    try:
        graphviz.dot_program()
    except graphviz.GraphvizMissing:
        return ("Graphviz is not installed, so the diagram could not be drawn here. "
                "The Mermaid text below renders on GitHub and GitLab.")
    return ("Graphviz could not draw the diagram (the build's warnings say why). "
            "The Mermaid text below renders on GitHub and GitLab.")


def display_path(path: str) -> str:
    """A case file's path as the page shows it: relative to the working folder when under it, so that the
    same build in another clone gives the same page."""
    resolved = Path(path).resolve()
    return resolved.relative_to(Path.cwd()).as_posix() if resolved.is_relative_to(Path.cwd()) else path


def severity_counts(report: CaseReport) -> Counter[str]:
    """Unsuppressed failing findings per severity."""
    return Counter(f.severity for f in report.findings if f.status == "fail" and not f.suppressed)


def _finding_order(finding: Finding) -> tuple[bool, bool, int, str, str]:
    """Findings in the order of the diagram's legend (failures, most severe first, then undecided findings), so
    that their numbers go up down the table; suppressed findings last."""
    return (finding.suppressed, finding.status != "fail", SEVERITY_ORDER.index(finding.severity), finding.rule_id,
            finding.target)


def _row(finding: Finding, labels: dict[str, str], overlay: Overlay, rules: Mapping[str, Rule]) -> Row:
    rule = rules.get(finding.rule_id)
    if finding.rule_id == UNUSED_SUPPRESSION or rule is None:
        remediation, docs_url = "Remove the suppression from the case file.", None
    else:
        remediation, docs_url = rule.remediation, rule.docs_url
    target = labels.get(finding.target, finding.target)
    entry = overlay.entry(finding)
    return Row(finding, target, remediation, docs_url, entry.number if entry else None)
