"""Architecture diagrams: Graphviz DOT built with the `diagrams` package, drawn by Graphviz as PNG or SVG.

Node ids are the service ids and icon paths are relative to the `diagrams` package's resources, so the same
case gives the same DOT on every machine; Graphviz is pointed at the icons with `imagepath` when drawing.
SVG output has its icons embedded as data URIs, so the file displays wherever it is copied.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

import diagrams
from diagrams import Cluster, Diagram, Node, setcluster, setdiagram
from diagrams.aws import analytics, compute, database, engagement, general, integration, iot, network, security, storage
from graphviz import nohtml

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
from ..models.text import picture
from . import graphviz
from .labels import flow_label, service_label
from .overlay import LEGEND_CHARS, LegendEntry, Mark, Overlay
from .view import Detail, View, view

ICONS: dict[type[Service], type[Node]] = {
    MobileApp: general.MobileClient,
    Browser: general.Client,
    IotDevice: iot.IotGeneric,
    CloudFront: network.CloudFront,
    ApiGateway: network.APIGateway,
    HttpApi: network.APIGateway,
    Alb: network.ElbApplicationLoadBalancer,
    Clb: network.ElbClassicLoadBalancer,
    CognitoUserPool: security.Cognito,
    CognitoIdentityPool: security.Cognito,
    Secret: security.SecretsManager,
    Sts: security.IdentityAndAccessManagementIamAWSSts,
    LambdaFunction: compute.Lambda,
    AutoScalingGroup: compute.EC2AutoScaling,
    Ec2Instance: compute.EC2Instance,
    EcsService: compute.ElasticContainerServiceService,
    StateMachine: integration.StepFunctions,
    EventRule: integration.Eventbridge,
    DynamoDbTable: database.Dynamodb,
    DaxCluster: database.DynamodbDax,
    RdsDatabase: database.RDS,
    ElastiCache: database.ElastiCache,
    EfsFileSystem: storage.ElasticFileSystemEFS,
    S3Bucket: storage.SimpleStorageServiceS3,
    SqsQueue: integration.SimpleQueueServiceSqs,
    SnsTopic: integration.SimpleNotificationServiceSns,
    Ses: engagement.SimpleEmailServiceSes,
    KinesisStream: analytics.KinesisDataStreams,
    Firehose: analytics.KinesisDataFirehose,
    Athena: analytics.Athena,
    QuickSight: analytics.Quicksight,
    Redshift: analytics.Redshift,
    Generic: general.General,
}
"""The AWS icon of every service class; `generic` services (resources archcase does not model) get the general one."""

ICON_BASE = Path(diagrams.__file__).resolve().parent.parent
"""Folder the icon paths in the DOT are relative to (the `diagrams` package's install folder)."""

_GRAPH = {"splines": "spline", "pad": "0.5", "nodesep": "0.5", "ranksep": "1.1",
          "fontsize": "20", "labelloc": "t"}
_EDGE = {"fontname": "Sans-Serif", "fontsize": "11", "fontcolor": "#2D3436"}
_BOX = {"group": {"fontsize": "14", "bgcolor": "#F4F8FB", "pencolor": "#5A6B7B"},
        "vpc": {"fontsize": "12", "bgcolor": "#EEF7EA", "pencolor": "#3F8624", "style": "rounded,dashed"}}
"""How a group's box and a VPC's box are drawn (a VPC in AWS's green, dashed, as in AWS's own diagrams)."""


_NOTHING = ("This case has no services.", "Every resource here is networking or plumbing:\n`--detail full` draws them.")
"""What an empty picture says, without and with resources not drawn."""


def icon_path(cls: type[Service]) -> str:
    """Path of a service class's icon, relative to `ICON_BASE`."""
    node = ICONS[cls]
    return f"{node._icon_dir}/{node._icon}"


ICON_PATHS = frozenset(icon_path(cls) for cls in ICONS)
"""Every image a picture may show: archcase's icons, as the DOT names them. No other file is ever embedded."""


def dot_source(architecture: Architecture, overlay: Overlay | None = None, detail: Detail = "default",
               fitted: Mapping[str, str] | None = None, anchors: Sequence[tuple[str, str]] = (),
               marks: Mapping[str, Mark] | None = None) -> str:
    """DOT text of the architecture read left to right along its flows, at `detail` (`view.view`); with `overlay`,
    findings are marked; `fitted` adds graph attributes and `anchors` invisible, weightless edges that place
    unconnected parts side by side (`layout_metrics.fit`); `marks` sets services and flows apart by id (an arrow
    takes the mark of the first of its flows that has one)."""
    overlay = overlay or Overlay()
    marks = marks or {}
    shown = view(architecture, detail)
    kinds = {s.id: s.kind for s in architecture.services}
    # the graph is named after the case (an id: letters, digits, hyphens), never after its free-text title
    diagram = Diagram(nohtml(architecture.name), filename=architecture.name, show=False, direction="LR",
                      graph_attr={**_GRAPH, **(fitted or {}), "label": _title(architecture, overlay, shown)}, edge_attr=_EDGE)
    setdiagram(diagram)
    try:
        _nodes(shown, None, overlay, marks)
        if not shown.services:  # a name no service can have (ids have no underscore)
            diagram.dot.node("_nothing", label=_plain(_NOTHING[shown.hidden > 0]), shape="plaintext", fontsize="16")
        for edge in shown.edges:
            labels = dict.fromkeys(flow_label(flow, kinds) for flow in edge.flows)
            numbers = dict.fromkeys(n for flow in edge.flows for n in overlay.numbers(flow.key))
            text = picture(", ".join(labels)) + ("\n" + " ".join(numbers) if numbers else "")
            # the edge's id is its first flow's key; its class lists every flow it draws (ids are letters, digits, hyphens)
            attrs = {"label": _plain(text), "id": edge.key, "class": " ".join(flow.key for flow in edge.flows)}
            if edge.key in shown.feedback:  # closes a cycle: drawn, but does not pull the layout
                attrs.update(constraint="false", style="dashed")
            elif edge.key in shown.side:  # beside the main path: keeps its direction, weighs nothing
                attrs.update(weight="0", style="dashed")
            marked = overlay.worst(flow.key for flow in edge.flows)
            if marked:
                attrs.update(color=marked, fontcolor=marked, penwidth="2.5")
            mark = next((marks[flow.key] for flow in edge.flows if flow.key in marks), None)
            if mark:
                attrs.update(color=mark.color, fontcolor=mark.color, penwidth="2.5", **({"style": "dashed"} if mark.dashed else {}))
            diagram.dot.edge(edge.source, edge.target, **attrs)
        for tail, head in anchors:  # orders the layout only: not drawn, not measured
            diagram.dot.edge(tail, head, style="invis", weight="0")
    finally:
        setcluster(None)
        setdiagram(None)
    source: str = diagram.dot.source  # the graphviz package is untyped
    return source


LABEL_WIDTH = 24
"""Characters per line of a service's name under its icon: a longer name is wrapped (at spaces, hyphens and the `::`
of a CloudFormation type) rather than reaching past the picture's edge."""
NODE_HEIGHT_IN = 1.9
"""Height of a service's node with an icon and two lines of name (the `diagrams` package's), in inches."""
LINE_IN = 0.2
"""Height of one more line of a service's name, in inches."""


def wrapped(text: str, width: int = LABEL_WIDTH) -> str:
    """Text with each line wrapped to `width` characters, breaking at spaces, hyphens and `::`, a word longer than a
    line cut where it must."""
    lines = []
    for line in text.split("\n"):
        typed = "::" in line and ":: " not in line  # a CloudFormation type: let it break after each `::`
        pieces = textwrap.wrap(line.replace("::", ":: ") if typed else line, width) or [""]
        lines += [piece.replace(":: ", "::") for piece in pieces] if typed else pieces
    return "\n".join(lines)


def _nodes(shown: View, parent: str | None, overlay: Overlay, marks: Mapping[str, Mark]) -> None:
    """The nodes of the services drawn directly in box `parent` (None: outside every box), then each box inside it,
    as a cluster holding its own."""
    for service in shown.services:
        box = shown.box_of(service.id)
        if (box.key if box else None) == parent:
            text = overlay.labelled(wrapped(picture("\n".join((service_label(service), *shown.notes.get(service.id, ()))))),
                                    service.id)
            lines = text.count("\n") + 1  # the icon's node grows under a label of more than two lines
            tall = {"height": f"{NODE_HEIGHT_IN + LINE_IN * (lines - 2):.2f}", "imagepos": "tc"} if lines > 2 else {}
            ICONS[type(service)](_plain(text), nodeid=service.id, image=icon_path(type(service)),
                                 **tall, **_outline(overlay, service.id, marks.get(service.id)))
    for box in shown.boxes:
        if box.parent == parent:
            with Cluster(_plain(picture(box.title)), graph_attr=_BOX[box.kind]) as cluster:
                cluster.dot.name = f"cluster_{box.key}"  # unique, whatever the titles
                _nodes(shown, box.key, overlay, marks)


def _plain(text: str) -> str:
    """Text made by `picture` as a DOT string: a backslash is a backslash, not a Graphviz escape such as `\\l`,
    a line break is Graphviz's `\\n`, and text that looks like `<markup>` is a string, not an HTML-like label.
    The `graphviz` package then quotes it and escapes its double quotes (an even run of backslashes before a
    quote cannot end the string)."""
    plain: str = nohtml(text.replace("\\", "\\\\").replace("\n", "\\n"))  # a str the untyped graphviz package does not escape
    return plain


def _outline(overlay: Overlay, element_id: str, mark: Mark | None = None) -> dict[str, str]:
    """A box around a service with findings, in the worst one's colour; a `mark` sets the colour and may dash it."""
    marked = overlay.mark(element_id)
    if mark:
        style = "rounded,bold,dashed" if mark.dashed else "rounded,bold"
        return {"shape": "box", "style": style, "color": mark.color, "fontcolor": mark.color, "penwidth": "3"}
    if not marked:
        return {}
    return {"shape": "box", "style": "rounded,bold", "color": marked[0], "fontcolor": marked[0], "penwidth": "3"}


TITLE_WIDTH = 60
"""Characters per line of a picture's title: a long title is wrapped rather than widening the picture."""
LEGEND_WRAP = 100
"""Most characters per line of legend text: a longer text is drawn on lines of even length."""


def _title(architecture: Architecture, overlay: Overlay, shown: View) -> str:
    """The graph label: the case title, what is not drawn at this detail, and the findings legend when there is one
    (an HTML label). Each legend line says what is wrong in the findings' words (`LegendEntry.text`), not the rule's
    title, which says what the rule asks for."""
    lines = picture(architecture.title).split("\n")
    if shown.hidden:
        lines.append(f"({shown.hidden} networking and plumbing resource{'s' if shown.hidden > 1 else ''} not drawn: "
                     "`--detail full` draws them)")
    title = "\n".join(part for line in lines for part in (textwrap.wrap(line, TITLE_WIDTH) or [""]))
    if not overlay.legend:
        return _plain(title)
    rows = "".join(
        f'<TR><TD ALIGN="RIGHT"><FONT COLOR="{e.color}"><B>#{e.number}</B></FONT></TD>'
        f'<TD ALIGN="LEFT"><FONT COLOR="{e.color}">{e.severity}</FONT></TD>'
        f'<TD ALIGN="LEFT">{escape(e.rule_id)}</TD><TD ALIGN="LEFT" BALIGN="LEFT">{_legend_text(e)}</TD></TR>'
        for e in overlay.legend
    )
    return (f'<<FONT POINT-SIZE="14"><TABLE BORDER="0" CELLSPACING="2"><TR><TD COLSPAN="4">'
            f'<FONT POINT-SIZE="20">{_html(title)}</FONT></TD></TR>'
            f'<TR><TD COLSPAN="4" ALIGN="LEFT"><B>Findings</B></TD></TR>{rows}</TABLE></FONT>>')


def _legend_text(entry: LegendEntry) -> str:
    """A legend entry's text inside an HTML-like label: cut to `LEGEND_CHARS`, wrapped at `LEGEND_WRAP`."""
    text = picture(entry.text(LEGEND_CHARS), limit=LEGEND_CHARS, lines=1)
    count = -(-len(text) // LEGEND_WRAP)  # as few lines as the width allows, each about as long as the others
    width = -(-len(text) // max(count, 1))
    lines = textwrap.wrap(text, width)
    while len(lines) > count:
        width += 1
        lines = textwrap.wrap(text, width)
    return _html("\n".join(lines) or text)


def _html(text: str) -> str:
    """Text made by `picture` inside an HTML-like label: markup characters as entities, line breaks as `<BR/>`."""
    return "<BR/>".join(escape(line) for line in text.split("\n"))


def check_drawable(architecture: Architecture) -> None:
    """Raise graphviz.TooBigToDraw when the case has more services or flows than are drawn as PNG or SVG
    (`graphviz.MAX_DRAWN_SERVICES`, `graphviz.MAX_DRAWN_FLOWS`). Call it before `draw`: the limit is what
    keeps Graphviz from running for minutes."""
    graphviz.check_size(architecture.name, len(architecture.services), len(architecture.flows))


def draw(source: str, fmt: str) -> bytes:
    """Draw DOT text from `dot_source` as `png` or `svg` (icons embedded) with Graphviz. Raises
    graphviz.DrawError when Graphviz times out, fails or gives no valid picture, GraphvizMissing without it."""
    return graphviz.draw(source, fmt, ICON_BASE, ICON_PATHS)
