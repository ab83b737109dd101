"""Architecture diagrams: Graphviz DOT built with the `diagrams` package, drawn by Graphviz as PNG or SVG.

Node ids are the service ids and icon paths are relative to the `diagrams` package's resources, so the same
case gives the same DOT on every machine; Graphviz is pointed at the icons with `imagepath` when drawing.
SVG output has its icons embedded as data URIs, so the file displays wherever it is copied.
"""

from __future__ import annotations

from html import escape
from itertools import pairwise
from pathlib import Path

import diagrams
from diagrams import Cluster, Diagram, Node, setcluster, setdiagram
from diagrams.aws import analytics, compute, database, engagement, general, integration, iot, network, security, storage
from graphviz import nohtml

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
from ..models.text import picture
from . import graphviz
from .labels import GROUPS, flow_label, group_of, service_label
from .overlay import Overlay

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

_GRAPH = {"splines": "spline", "pad": "0.5", "nodesep": "0.5", "ranksep": "1.1", "newrank": "true",
          "fontsize": "20", "labelloc": "t"}
_EDGE = {"fontname": "Sans-Serif", "fontsize": "11", "fontcolor": "#2D3436"}


def icon_path(cls: type[Service]) -> str:
    """Path of a service class's icon, relative to `ICON_BASE`."""
    node = ICONS[cls]
    return f"{node._icon_dir}/{node._icon}"


ICON_PATHS = frozenset(icon_path(cls) for cls in ICONS)
"""Every image a picture may show: archcase's icons, as the DOT names them. No other file is ever embedded."""


def dot_source(architecture: Architecture, overlay: Overlay | None = None) -> str:
    """DOT text of the architecture, grouped and read left to right; with `overlay`, findings are marked."""
    overlay = overlay or Overlay()
    kinds = {s.id: s.kind for s in architecture.services}
    # the graph is named after the case (an id: letters, digits, hyphens), never after its free-text title
    diagram = Diagram(nohtml(architecture.name), filename=architecture.name, show=False, direction="LR",
                      graph_attr={**_GRAPH, "label": _title(architecture, overlay)}, edge_attr=_EDGE)
    columns = {group: [s for s in architecture.services if group_of(s) == group] for group in GROUPS}
    columns = {group: members for group, members in columns.items() if members}
    order = {service.id: list(columns).index(group_of(service)) for service in architecture.services}
    setdiagram(diagram)
    try:
        for group, members in columns.items():
            with Cluster(GROUPS[group], graph_attr={"fontsize": "14"}) as cluster:
                for service in members:
                    ICONS[type(service)](
                        _plain(overlay.labelled(picture(service_label(service)), service.id)), nodeid=service.id,
                        image=icon_path(type(service)), **_outline(overlay, service.id))
                # one column per group: ids need no escaping (letters, digits, hyphens), but are quoted so that
                # an id such as `node` or `graph` is not read as a keyword
                cluster.dot.body.append("\t{rank=same; " + " ".join(f'"{s.id}"' for s in members) + "}\n")
        firsts = [members[0].id for members in columns.values()]
        for left, right in pairwise(firsts):
            diagram.dot.edge(left, right, style="invis")
        for flow in architecture.flows:
            attrs = {"label": _plain(overlay.labelled(picture(flow_label(flow, kinds)), flow.key)), "id": flow.key}
            if order[flow.source] >= order[flow.target]:  # against the reading order: do not pull the layout
                attrs["constraint"] = "false"
            if isinstance(flow, DeadLetter):
                attrs["style"] = "dashed"
            marked = overlay.mark(flow.key)
            if marked:
                attrs.update(color=marked[0], fontcolor=marked[0], penwidth="2.5")
            diagram.dot.edge(flow.source, flow.target, **attrs)
    finally:
        setcluster(None)
        setdiagram(None)
    source: str = diagram.dot.source  # the graphviz package is untyped
    return source


def _plain(text: str) -> str:
    """Text made by `picture` as a DOT string: a backslash is a backslash, not a Graphviz escape such as `\\l`,
    a line break is Graphviz's `\\n`, and text that looks like `<markup>` is a string, not an HTML-like label.
    The `graphviz` package then quotes it and escapes its double quotes (an even run of backslashes before a
    quote cannot end the string)."""
    plain: str = nohtml(text.replace("\\", "\\\\").replace("\n", "\\n"))  # a str the untyped graphviz package does not escape
    return plain


def _outline(overlay: Overlay, element_id: str) -> dict[str, str]:
    marked = overlay.mark(element_id)
    if not marked:
        return {}
    return {"shape": "box", "style": "rounded,bold", "color": marked[0], "fontcolor": marked[0], "penwidth": "3"}


def _title(architecture: Architecture, overlay: Overlay) -> str:
    """The graph label: the case title, and under it the findings legend when there is one (an HTML label)."""
    title = picture(architecture.title)
    if not overlay.legend:
        return _plain(title)
    rows = "".join(
        f'<TR><TD ALIGN="RIGHT"><FONT COLOR="{e.color}"><B>#{e.number}</B></FONT></TD>'
        f'<TD ALIGN="LEFT"><FONT COLOR="{e.color}">{e.severity}</FONT></TD>'
        f'<TD ALIGN="LEFT">{e.rule_id}</TD><TD ALIGN="LEFT">{escape(e.title)}</TD></TR>'
        for e in overlay.legend
    )
    return (f'<<FONT POINT-SIZE="14"><TABLE BORDER="0" CELLSPACING="2"><TR><TD COLSPAN="4">'
            f'<FONT POINT-SIZE="20">{_html(title)}</FONT></TD></TR>'
            f'<TR><TD COLSPAN="4" ALIGN="LEFT"><B>Findings</B></TD></TR>{rows}</TABLE></FONT>>')


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
