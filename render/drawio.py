"""draw.io diagrams (`diagram.drawio`): an uncompressed draw.io file, editable in draw.io (diagrams.net) and its
desktop and VS Code editions, with draw.io's own AWS 2019+ shapes (`mxgraph.aws4`).

One vertex per service, one edge per flow, a titled box per service group (`Service.group`) holding its
members; with findings, marked services and flows in the colour of their worst finding, numbered, with a legend.

Positions are Graphviz's when `dot` is there (the layout of the same DOT the PNG and SVG are drawn from, so the
pictures agree), else a layered layout computed here: flows run left to right, cycles broken. Either way the
same case gives the same file (cell ids come from service ids, flow keys and the groups' order; no timestamps).

Labels are plain text (no `html=1` in any style), so a label holding markup is shown as written; every text is
made by `models.text.picture` (no control characters) and written by ElementTree, which escapes it for XML.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..models import Architecture, Service
from ..models.flows import DeadLetter, Flow
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
from ..models.text import flat, picture, shorten
from . import diagram, layout_metrics
from .graphviz import DrawError, GraphvizMissing
from .labels import flow_label, service_label
from .overlay import Overlay
from .view import Detail, view

Point = tuple[float, float]
Box = tuple[float, float, float, float]
"""(left, top, right, bottom), in pixels."""

ANALYTICS, INTEGRATION, COMPUTE, DATABASE, SECURITY, STORAGE, GENERAL = (
    "#8C4FFF", "#E7157B", "#ED7100", "#C925D1", "#DD344C", "#7AA116", "#232F3D")
"""Fill colours of draw.io's AWS palettes: analytics and networking, application integration, compute and
containers, database, security (and business applications), storage and IoT, general resources."""


@dataclass(frozen=True)
class Shape:
    """A stencil of draw.io's AWS 2019+ library (`mxgraph.aws4`), as its sidebar (Sidebar-AWS4.js) draws it."""

    name: str
    """Stencil name, without the `mxgraph.aws4.` prefix."""
    fill: str
    """Colour of the stencil's palette."""
    service: bool = True
    """A service icon (the glyph in white on a square of the palette's colour, draw.io's `resourceIcon` shape);
    else a resource icon (the glyph alone, in the palette's colour)."""
    width: int = 60
    """Width drawn, in pixels: a resource icon keeps its stencil's proportions."""
    height: int = 60
    """Height drawn, in pixels."""

    @property
    def style(self) -> str:
        """The style keys that draw this shape."""
        if self.service:
            return f"shape=mxgraph.aws4.resourceIcon;resIcon=mxgraph.aws4.{self.name};fillColor={self.fill};strokeColor=#ffffff;"
        return f"shape=mxgraph.aws4.{self.name};fillColor={self.fill};strokeColor=none;"


SHAPES: dict[type[Service], Shape] = {
    MobileApp: Shape("mobile_client", GENERAL, service=False, width=32),
    Browser: Shape("client", GENERAL, service=False, height=58),
    IotDevice: Shape("generic", STORAGE, service=False),
    CloudFront: Shape("cloudfront", ANALYTICS),
    ApiGateway: Shape("api_gateway", INTEGRATION),
    HttpApi: Shape("api_gateway", INTEGRATION),
    Alb: Shape("application_load_balancer", ANALYTICS, service=False),
    Clb: Shape("classic_load_balancer", ANALYTICS, service=False),
    CognitoUserPool: Shape("cognito", SECURITY),
    CognitoIdentityPool: Shape("cognito", SECURITY),
    Secret: Shape("secrets_manager", SECURITY),
    Sts: Shape("sts", SECURITY, service=False, height=38),
    LambdaFunction: Shape("lambda", COMPUTE),
    AutoScalingGroup: Shape("auto_scaling2", COMPUTE),
    Ec2Instance: Shape("ec2", COMPUTE),
    EcsService: Shape("ecs_service", COMPUTE, service=False, width=49),
    StateMachine: Shape("step_functions", INTEGRATION),
    EventRule: Shape("eventbridge", INTEGRATION),
    DynamoDbTable: Shape("dynamodb", DATABASE),
    DaxCluster: Shape("dynamodb_dax", DATABASE, service=False, height=55),
    RdsDatabase: Shape("rds", DATABASE),
    ElastiCache: Shape("elasticache", DATABASE),
    EfsFileSystem: Shape("elastic_file_system", STORAGE),
    S3Bucket: Shape("s3", STORAGE),
    SqsQueue: Shape("sqs", INTEGRATION),
    SnsTopic: Shape("sns", INTEGRATION),
    Ses: Shape("simple_email_service", SECURITY),
    KinesisStream: Shape("kinesis_data_streams", ANALYTICS),
    Firehose: Shape("kinesis_data_firehose", ANALYTICS),
    Athena: Shape("athena", ANALYTICS),
    QuickSight: Shape("quicksight", ANALYTICS),
    Redshift: Shape("redshift", ANALYTICS),
    Generic: Shape("general", "#1E262E"),
}
"""The draw.io shape of every service class, named as draw.io's AWS sidebar names them
(src/main/webapp/js/diagramly/sidebar/Sidebar-AWS4.js in jgraph/drawio): AWS services are service icons, users'
devices and the resources the diagrams package also draws as resources (load balancers, an ECS service, DAX, STS)
resource icons; `generic` services the general one, their CloudFormation type in the label."""

_VERTEX = "verticalLabelPosition=bottom;verticalAlign=top;align=center;outlineConnect=0;aspect=fixed;fontSize=12;"
_EDGE = "endArrow=block;endFill=1;rounded=1;fontSize=11;labelBackgroundColor=#FFFFFF;"
_GROUP = ("rounded=1;arcSize=4;container=1;collapsible=0;recursiveResize=0;fillColor=none;strokeColor=#5A6C86;"
          "dashed=1;verticalAlign=top;align=left;spacingLeft=10;fontColor=#5A6C86;fontSize=13;fontStyle=1;")
_LEGEND = "text;align=left;verticalAlign=top;spacing=8;fillColor=#FFFFFF;strokeColor=#545B64;fontColor=#232F3E;fontSize=12;"

LINE_PX = 16
"""Height of a line of label text, in pixels (12 px type)."""
CHAR_PX = 7
"""Width of a character of label text, on average, in pixels."""
COLUMN_PX = 240
"""Distance between the columns of the layout computed without Graphviz."""
ROW_PX = 140
"""Distance between the rows of the layout computed without Graphviz."""
ROWS = 10
"""Services in a column of the layout computed without Graphviz, at least: a longer column is split."""
PAD_PX = 20
"""Space between a group's box and what it holds, and around the drawing."""
TITLE_PX = 28
"""Height of a group box's title."""


def render(architecture: Architecture, overlay: Overlay | None = None, detail: Detail = "default") -> str:
    """The draw.io file of what the diagram shows of the architecture at `detail` (`view.view`); with `overlay`,
    findings are marked."""
    overlay = overlay or Overlay()
    shown = view(architecture, detail)
    kinds = {s.id: s.kind for s in architecture.services}
    labels = {s.id: overlay.labelled(picture(service_label(s)), s.id) for s in shown.services}
    centres = positions(architecture, labels, detail)
    boxes = {s.id: _label_box(centres[s.id], SHAPES[type(s)], labels[s.id]) for s in shown.services}
    frames = _frames(shown.services, centres, labels)

    root = ET.Element("root")
    ET.SubElement(root, "mxCell", id="0")
    ET.SubElement(root, "mxCell", {"id": "1", "parent": "0"})
    origins: dict[str, Point] = {}
    parents: dict[str, str] = {}
    for number, (title, members) in enumerate(_groups(shown.services).items(), start=1):
        left, top, right, bottom = frames[title]
        cell = _cell(root, f"group-{number}", "1", picture(title), _GROUP, vertex=True)
        _geometry(cell, left, top, right - left, bottom - top)
        for service in members:
            origins[service.id], parents[service.id] = (left, top), f"group-{number}"
    for service in shown.services:
        shape = SHAPES[type(service)]
        (x, y), (dx, dy) = centres[service.id], origins.get(service.id, (0.0, 0.0))
        cell = _cell(root, service_cell(service.id), parents.get(service.id, "1"), labels[service.id],
                     shape.style + _VERTEX + _vertex_mark(overlay, service.id), vertex=True)
        _geometry(cell, x - shape.width / 2 - dx, y - shape.height / 2 - dy, shape.width, shape.height)
    for flow in shown.flows:
        style = _EDGE + ("dashed=1;" if isinstance(flow, DeadLetter) else "") + _edge_mark(overlay, flow.key)
        cell = _cell(root, flow_cell(flow.key), "1", overlay.labelled(picture(flow_label(flow, kinds)), flow.key), style,
                     edge=True, source=service_cell(flow.source), target=service_cell(flow.target))
        ET.SubElement(cell, "mxGeometry", {"relative": "1", "as": "geometry"})
    _, _, width, height = _around(boxes.values()) if boxes else (0.0, 0.0, 0.0, 0.0)
    if overlay.legend:
        rows = ["Findings"] + [f"#{e.number} {e.severity} {e.rule_id} {e.text(140)}" for e in overlay.legend]
        legend = _cell(root, "legend", "1", "\n".join(rows), _LEGEND, vertex=True)
        legend_width = max(len(row) for row in rows) * CHAR_PX + 2 * PAD_PX
        _geometry(legend, PAD_PX, height + 2 * PAD_PX, legend_width, len(rows) * LINE_PX + 2 * PAD_PX)
        width, height = max(width, legend_width + PAD_PX), height + 3 * PAD_PX + len(rows) * LINE_PX
    model = ET.Element("mxGraphModel", dx="0", dy="0", grid="1", gridSize="10", guides="1", tooltips="1", connect="1",
                       arrows="1", fold="1", page="1", pageScale="1", pageWidth=_number(width + PAD_PX),
                       pageHeight=_number(height + PAD_PX), math="0", shadow="0")
    model.append(root)
    document = ET.Element("mxfile", host="archcase")
    page = ET.SubElement(document, "diagram", name=shorten(flat(picture(architecture.title)), 200) or architecture.name,
                         id=architecture.name)
    page.append(model)
    ET.indent(document)
    return ET.tostring(document, encoding="unicode") + "\n"


def service_cell(service_id: str) -> str:
    """Cell id of a service's vertex."""
    return f"service-{service_id}"


def flow_cell(flow_key: str) -> str:
    """Cell id of a flow's edge."""
    return f"flow-{flow_key}"


def positions(architecture: Architecture, labels: Mapping[str, str] | None = None,
              detail: Detail = "default") -> dict[str, Point]:
    """Centre of each service drawn at `detail`, in pixels from the top left: Graphviz's layout of the diagram's
    DOT when Graphviz can lay it out here and no group's box (around its services and their `labels`) would cover
    another service or group, else `layered`."""
    shown = view(architecture, detail)
    labels = labels or {s.id: picture(service_label(s)) for s in shown.services}
    try:
        diagram.check_drawable(architecture)
        laid_out = layout_metrics.layout(diagram.dot_source(architecture, detail=detail), diagram.ICON_BASE)
    except (GraphvizMissing, DrawError):
        return layered(shown.services, shown.flows)
    found = graphviz_positions(laid_out)
    if {s.id for s in shown.services} <= set(found) and not _crowded(shown.services, found, labels):
        return found
    return layered(shown.services, shown.flows)


def graphviz_positions(laid_out: Mapping[str, Any]) -> dict[str, Point]:
    """Node centres of a `dot -Tjson` layout by node name, y turned to point down (Graphviz's points up)."""
    x0, _, _, y1 = (float(v) for v in str(laid_out.get("bb", "0,0,0,0")).split(","))
    found = {}
    for obj in laid_out.get("objects", [])[int(laid_out.get("_subgraph_cnt", 0)):]:
        if "pos" in obj:
            x, y = (float(v) for v in str(obj["pos"]).split(",")[:2])
            found[str(obj["name"])] = (x - x0 + PAD_PX, y1 - y + PAD_PX)
    return found


def layered(services: Sequence[Service], flows: Sequence[Flow]) -> dict[str, Point]:
    """A layout without Graphviz: services in columns left to right, each flow running to a later column than
    its source's where it can (flows closing a cycle are left out of the ranking, found depth first in the case's
    order). Each group's services stand in a band of rows of their own, groups in the order of their first
    service, then the services of no group; within a band and column, in the case's order. A column of a band
    longer than `ROWS` or the square root of the number of services is split in several, side by side, so that
    a big case stays roughly square."""
    order = [s.id for s in services]
    ahead: dict[str, list[str]] = {sid: [] for sid in order}
    for flow in flows:
        if flow.target not in ahead[flow.source]:
            ahead[flow.source].append(flow.target)
    kept = _acyclic(order, ahead)
    rank = dict.fromkeys(order, 0)
    for sid in _topological(order, kept):
        for target in kept[sid]:
            rank[target] = max(rank[target], rank[sid] + 1)
    bands: dict[str | None, dict[int, list[str]]] = {group: {} for group in _groups(services)}
    bands[None] = {}
    for service in services:
        bands[service.group].setdefault(rank[service.id], []).append(service.id)
    most = max(ROWS, math.isqrt(max(len(order) - 1, 0)) + 1)
    left: dict[int, float] = {}
    x = PAD_PX + COLUMN_PX / 2
    for column in sorted(set(rank.values())):
        left[column] = x
        x += COLUMN_PX * max(-(-len(band.get(column, [])) // most) for band in bands.values())
    centres: dict[str, Point] = {}
    y = PAD_PX + TITLE_PX + ROW_PX / 2
    for band in bands.values():
        if not band:
            continue
        for column, members in band.items():
            for number, sid in enumerate(members):
                centres[sid] = (left[column] + number // most * COLUMN_PX, y + number % most * ROW_PX)
        y += (max(min(len(members), most) for members in band.values()) + 1) * ROW_PX  # a row between bands
    return centres


def _acyclic(order: Sequence[str], ahead: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The edges without those that close a cycle (back edges of a depth-first search from each node in order)."""
    kept: dict[str, list[str]] = {sid: [] for sid in order}
    state = dict.fromkeys(order, 0)  # 0 not seen, 1 on the stack, 2 done
    for start in order:
        if state[start]:
            continue
        state[start] = 1
        stack = [(start, iter(ahead[start]))]
        while stack:
            node, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                state[node] = 2
                stack.pop()
            elif state[target] == 0:
                kept[node].append(target)
                state[target] = 1
                stack.append((target, iter(ahead[target])))
            elif state[target] == 2:
                kept[node].append(target)
    return kept


def _topological(order: Sequence[str], ahead: Mapping[str, list[str]]) -> list[str]:
    """The nodes of an acyclic graph, each before those it leads to (Kahn's algorithm, ties in `order`)."""
    incoming = dict.fromkeys(order, 0)
    for targets in ahead.values():
        for target in targets:
            incoming[target] += 1
    ready = deque(sid for sid in order if incoming[sid] == 0)
    done = []
    while ready:
        sid = ready.popleft()
        done.append(sid)
        for target in ahead[sid]:
            incoming[target] -= 1
            if incoming[target] == 0:
                ready.append(target)
    return done


def _groups(services: Iterable[Service]) -> dict[str, list[Service]]:
    """Members of each group, groups in the order of their first member."""
    found: dict[str, list[Service]] = {}
    for service in services:
        if service.group is not None:
            found.setdefault(service.group, []).append(service)
    return found


def _frames(services: Sequence[Service], centres: Mapping[str, Point], labels: Mapping[str, str]) -> dict[str, Box]:
    """(left, top, right, bottom) of each group's box: around its services and their labels, with its title."""
    found = {}
    for title, members in _groups(services).items():
        left, top, right, bottom = _around(_label_box(centres[s.id], SHAPES[type(s)], labels[s.id]) for s in members)
        found[title] = (left - PAD_PX, top - PAD_PX - TITLE_PX, max(right + PAD_PX, left + (len(picture(title)) + 4) * CHAR_PX),
                        bottom + PAD_PX)
    return found


def _crowded(services: Sequence[Service], centres: Mapping[str, Point], labels: Mapping[str, str]) -> bool:
    """Whether a group's box would cover a service of another group or none, or another group's box."""
    frames = _frames(services, centres, labels)
    for service in services:
        shape, (x, y) = SHAPES[type(service)], centres[service.id]
        icon = (x - shape.width / 2, y - shape.height / 2, x + shape.width / 2, y + shape.height / 2)
        if any(title != service.group and _overlap(icon, frame) for title, frame in frames.items()):
            return True
    boxes = list(frames.values())
    return any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label_box(centre: Point, shape: Shape, label: str) -> Box:
    """(left, top, right, bottom) of an icon and its label, written under it."""
    lines = label.split("\n")
    half = max(shape.width, max(len(line) for line in lines) * CHAR_PX) / 2
    x, y = centre
    return x - half, y - shape.height / 2, x + half, y + shape.height / 2 + len(lines) * LINE_PX + 4


def _around(boxes: Iterable[Box]) -> Box:
    found = list(boxes)
    return (min(b[0] for b in found), min(b[1] for b in found), max(b[2] for b in found), max(b[3] for b in found))


def _vertex_mark(overlay: Overlay, element_id: str) -> str:
    """A service's label colour: a marked service's label in its finding's colour, bold and framed (a service
    icon's stroke colour is the colour of its glyph, so the icon itself is not outlined)."""
    marked = overlay.mark(element_id)
    return f"fontColor={marked[0]};fontStyle=1;labelBorderColor={marked[0]};" if marked else "fontColor=#232F3E;"


def _edge_mark(overlay: Overlay, element_id: str) -> str:
    """A flow's colours: a marked flow's line and label in its finding's colour, thicker."""
    marked = overlay.mark(element_id)
    return f"strokeColor={marked[0]};fontColor={marked[0]};strokeWidth=3;" if marked else "strokeColor=#545B64;fontColor=#2D3436;"


def _cell(root: ET.Element, cell_id: str, parent: str, value: str, style: str, vertex: bool = False, edge: bool = False,
          source: str | None = None, target: str | None = None) -> ET.Element:
    cell = ET.SubElement(root, "mxCell", {"id": cell_id, "value": value, "style": style, "parent": parent})
    if vertex:
        cell.set("vertex", "1")
    if edge:
        cell.set("edge", "1")
        cell.set("source", source or "")
        cell.set("target", target or "")
    return cell


def _geometry(cell: ET.Element, x: float, y: float, width: float, height: float) -> None:
    ET.SubElement(cell, "mxGeometry", {"x": _number(x), "y": _number(y), "width": _number(width), "height": _number(height),
                                       "as": "geometry"})


def _number(value: float) -> str:
    """A coordinate as draw.io writes it: whole pixels."""
    return str(round(value))
