"""Mermaid flowchart text that GitHub and GitLab render inside Markdown (```mermaid blocks)."""

from __future__ import annotations

import re

from ..models import Architecture, Service
from ..models.flows import DeadLetter
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
from .labels import GROUPS, flow_label, group_of, service_label
from .overlay import Overlay

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


def render(architecture: Architecture, overlay: Overlay | None = None) -> str:
    """Mermaid `flowchart LR` of the architecture, one subgraph per column; with `overlay`, findings marked."""
    overlay = overlay or Overlay()
    kinds = {s.id: s.kind for s in architecture.services}
    lines = [f"%% {comment(architecture.title)}", "%% Generated by archcase from the case file; edit the case, not this file.",
             "flowchart LR"]
    for group, title in GROUPS.items():
        members = [s for s in architecture.services if group_of(s) == group]
        if not members:
            continue
        lines.append(f"  subgraph grp_{group}[{text(title)}]")
        for service in members:
            opening, closing = SHAPES[type(service)]
            label = text(overlay.labelled(picture(service_label(service)), service.id))
            lines.append(f"    {node_id(service.id)}{opening}{label}{closing}")
        lines.append("  end")
    styles: list[str] = []
    for index, flow in enumerate(architecture.flows):
        arrow = "-.->" if isinstance(flow, DeadLetter) else "-->"
        label = text(overlay.labelled(picture(flow_label(flow, kinds)), flow.key))
        lines.append(f"  {node_id(flow.source)} {arrow}|{label}| {node_id(flow.target)}")
        marked = overlay.mark(flow.key)
        if marked:
            styles.append(f"  linkStyle {index} stroke:{marked[0]},stroke-width:3px")
    for service in architecture.services:
        marked = overlay.mark(service.id)
        if marked:
            styles.append(f"  style {node_id(service.id)} stroke:{marked[0]},stroke-width:3px")
    if overlay.legend:
        rows = "\n".join(f"#{e.number} {e.severity} {e.rule_id} {e.title}" for e in overlay.legend)
        lines += ["  subgraph grp_findings[\"Findings\"]", f"    findings_legend[{text(rows)}]", "  end"]
    return "\n".join(lines + styles) + "\n"

