"""Mermaid flowchart text that GitHub and GitLab render inside Markdown (```mermaid blocks)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..models import Architecture, Service
from ..models.services import (
    Alb,
    ApiGateway,
    Athena,
    AutoScalingGroup,
    Browser,
    Clb,
    CloudFront,
    CognitoIdentityPool,
    CognitoUserPool,
    DaxCluster,
    DynamoDbTable,
    Ec2Instance,
    EcsService,
    EfsFileSystem,
    ElastiCache,
    EventRule,
    Firehose,
    Generic,
    HttpApi,
    IotDevice,
    KinesisStream,
    LambdaFunction,
    MobileApp,
    QuickSight,
    RdsDatabase,
    Redshift,
    S3Bucket,
    Secret,
    Ses,
    SnsTopic,
    SqsQueue,
    StateMachine,
    Sts,
)
from ..models.text import flat, picture
from .labels import flow_label, service_label
from .overlay import LEGEND_CHARS, Mark, Overlay
from .view import Detail, View, view

MAX_EDGES = 500
"""Most flows Mermaid draws with its default configuration (`maxEdges`, Mermaid 11; GitHub and GitLab use the
defaults): a bigger case still gets its `diagram.mmd`, with a warning."""

MAX_TEXT_SIZE = 50_000
"""Longest Mermaid text drawn with the default configuration (`maxTextSize`), in characters."""

SHAPES: dict[type[Service], tuple[str, str]] = {
    MobileApp: ("([", "])"),
    Browser: ("([", "])"),
    IotDevice: ("([", "])"),
    CloudFront: ("{{", "}}"),
    ApiGateway: ("[/", "\\]"),
    HttpApi: ("[/", "\\]"),
    Alb: ("[/", "\\]"),
    Clb: ("[/", "\\]"),
    CognitoUserPool: ("[[", "]]"),
    CognitoIdentityPool: ("[[", "]]"),
    Secret: ("{{", "}}"),
    Sts: ("[[", "]]"),
    LambdaFunction: ("(", ")"),
    AutoScalingGroup: ("[", "]"),
    Ec2Instance: ("[", "]"),
    EcsService: ("[", "]"),
    StateMachine: ("[[", "]]"),
    EventRule: ("[\\", "\\]"),
    DynamoDbTable: ("[(", ")]"),
    DaxCluster: ("[(", ")]"),
    RdsDatabase: ("[(", ")]"),
    ElastiCache: ("[(", ")]"),
    EfsFileSystem: ("[(", ")]"),
    S3Bucket: ("[(", ")]"),
    SqsQueue: (">", "]"),
    SnsTopic: (">", "]"),
    Ses: (">", "]"),
    KinesisStream: ("[\\", "\\]"),
    Firehose: ("[\\", "\\]"),
    Athena: ("{", "}"),
    QuickSight: ("[/", "/]"),
    Redshift: ("[(", ")]"),
    Generic: ("[", "]"),
}
"""The Mermaid node shape (opening, closing) of every service class: clients are stadiums, stores cylinders,
queues flags, ...; `generic` services plain boxes."""

_RESERVED = frozenset({"end", "graph", "subgraph", "flowchart", "style", "class", "classdef", "click", "default",
                       "direction", "linkstyle"})
_ENTITIES = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "&": "#amp;"}
_SYNTAX = re.compile(r"[#\"<>&%|`\\]")
"""Characters of Mermaid's syntax in a label: the string's quote, its entity codes (`#...;`), comments and
directives (`%%`, `%%{init}%%`, which Mermaid looks for anywhere in the text), markdown strings (a backquote),
edge-label bars, markup, backslashes; each is written as an entity code, so that a label can never end its
string or its statement. Brackets and braces are plain text inside a quoted label."""


def node_id(service_id: str) -> str:
    """Mermaid id of a service: its id with `_` for `-` (ids never hold `_`), kept clear of keywords."""
    name = service_id.replace("-", "_")
    return f"n_{name}" if name in _RESERVED else name


def _encode(value: str) -> str:
    return _SYNTAX.sub(lambda m: _ENTITIES.get(m.group()) or f"#{ord(m.group())};", value)


def text(value: str) -> str:
    """A quoted Mermaid label of text made by `picture`: line breaks as `<br/>`, the characters Mermaid would
    parse as entity codes (and the control characters `picture` leaves out of any text, in case)."""
    return '"' + "<br/>".join(_encode(flat(line)) for line in value.split("\n")) + '"'


def comment(value: str) -> str:
    """Text for a `%%` comment line: one line (every kind of line break a space, control characters shown as
    escapes) with `%` written `#37;`, so that it can neither end the comment nor open a directive
    (`%%{init: ...}%%`, which Mermaid looks for anywhere in the text)."""
    return flat(picture(value)).replace("%", "#37;")


def warnings(architecture: Architecture, source: str) -> list[str]:
    """Why GitHub or GitLab would not draw `source`, the Mermaid of this case: more flows or text than
    Mermaid's default configuration draws."""
    found = []
    if len(architecture.flows) > MAX_EDGES:
        found.append(f"diagram.mmd has {len(architecture.flows)} flows; Mermaid draws at most {MAX_EDGES} with its "
                     "default configuration (maxEdges), so GitHub and GitLab will not draw it")
    if len(source) > MAX_TEXT_SIZE:
        found.append(f"diagram.mmd has {len(source)} characters; Mermaid draws at most {MAX_TEXT_SIZE} with its "
                     "default configuration (maxTextSize), so GitHub and GitLab will not draw it")
    return found


def render(architecture: Architecture, overlay: Overlay | None = None, detail: Detail = "default",
           marks: Mapping[str, Mark] | None = None) -> str:
    """Mermaid `flowchart LR` of what the diagram shows at `detail` (`view.view`): a subgraph per group and VPC box,
    an arrow per edge (dotted beside the main path or against it); with `overlay`, findings marked; `marks` sets
    services and flows apart by id, as `diagram.dot_source` does."""
    overlay = overlay or Overlay()
    marks = marks or {}
    shown = view(architecture, detail)
    kinds = {s.id: s.kind for s in architecture.services}
    lines = [f"%% {comment(architecture.title)}", "%% Generated by archcase from the case file; edit the case, not this file."]
    if shown.hidden:
        lines.append(f"%% {shown.hidden} networking and plumbing resources are not drawn: `--detail full` draws them.")
    lines.append("flowchart LR")
    lines += _members(shown, None, overlay, "  ")
    styles: list[str] = []
    for index, edge in enumerate(shown.edges):
        arrow = "-.->" if edge.key in shown.feedback or edge.key in shown.side else "-->"
        numbers = dict.fromkeys(n for flow in edge.flows for n in overlay.numbers(flow.key))
        label = text(picture(", ".join(dict.fromkeys(flow_label(f, kinds) for f in edge.flows)))
                     + ("\n" + " ".join(numbers) if numbers else ""))
        lines.append(f"  {node_id(edge.source)} {arrow}|{label}| {node_id(edge.target)}")
        marked = overlay.worst(flow.key for flow in edge.flows)
        mark = next((marks[flow.key] for flow in edge.flows if flow.key in marks), None)
        if mark:
            styles.append(f"  linkStyle {index} {_style(mark)}")
        elif marked:
            styles.append(f"  linkStyle {index} stroke:{marked},stroke-width:3px")
    for service in shown.services:
        marked_service = overlay.mark(service.id)
        if service.id in marks:
            styles.append(f"  style {node_id(service.id)} {_style(marks[service.id])}")
        elif marked_service:
            styles.append(f"  style {node_id(service.id)} stroke:{marked_service[0]},stroke-width:3px")
    if overlay.legend:
        rows = "\n".join(picture(f"#{e.number} {e.severity} {e.rule_id} {e.text(LEGEND_CHARS)}", lines=1)
                         for e in overlay.legend)
        lines += ["  subgraph grp_findings[\"Findings\"]", f"    findings_legend[{text(rows)}]", "  end"]
    return "\n".join(lines + styles) + "\n"



def _style(mark: Mark) -> str:
    return f"stroke:{mark.color},stroke-width:3px" + (",stroke-dasharray:5 5" if mark.dashed else "")


def _members(shown: View, parent: str | None, overlay: Overlay, indent: str) -> list[str]:
    """The nodes drawn directly in box `parent` (None: outside every box), then each box inside it as a subgraph."""
    lines = []
    for service in shown.services:
        box = shown.box_of(service.id)
        if (box.key if box else None) == parent:
            opening, closing = SHAPES[type(service)]
            name = "\n".join((service_label(service), *shown.notes.get(service.id, ())))
            lines.append(f"{indent}{node_id(service.id)}{opening}{text(overlay.labelled(picture(name), service.id))}{closing}")
    for box in shown.boxes:
        if box.parent == parent:
            lines.append(f"{indent}subgraph box_{box.key.replace('-', '_')}[{text(picture(box.title))}]")
            lines += _members(shown, box.key, overlay, indent + "  ")
            lines.append(f"{indent}end")
    return lines
