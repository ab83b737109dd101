"""What a diagram shows of an architecture, and in what order (issue 16): the detail level, the boxes services are
drawn in, and which flows set the reading order.

- **Detail.** At the default detail, resources that only wire the rest together (networking, permissions, logs,
  alarms, deploy-time helpers: `plumbing`) are not drawn; each collapses into what it stands for: a VPC, its subnets,
  route tables and gateways into a box around the services that run in it, a KMS key into a line under the name of
  what it encrypts. `full` draws every resource.
- **Reading order.** Services are ranked by where they sit on the paths from the entry points (users, devices,
  sources nothing flows into), so a pipeline reads left to right in order. A flow that would close a cycle on those
  paths (a stream that triggers the function writing the table, a reply) is a feedback flow: drawn, but not let pull
  the layout. Flows to the side of the main path (dead letters, authorizers) are drawn dashed and weigh nothing.
- **Boxes.** A service's `group` is a titled box; a VPC box is drawn inside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from ..models import Architecture, Service
from ..models.compute import LambdaFunction
from ..models.flows import Authorizes, DeadLetter, Flow, Reads, Uses
from ..models.generic import Generic

Detail = Literal["default", "full"]
DETAILS: tuple[Detail, ...] = ("default", "full")

_NETWORK = re.compile(r"^AWS::EC2::(?:VPC\w*|Subnet\w*|Route\w*|\w*Gateway\w*|EIP\w*|NetworkAcl\w*|DHCPOptions|"
                      r"VPCDHCPOptionsAssociation|SecurityGroup\w*|FlowLog|NetworkInterface\w*|PrefixList|"
                      r"TransitGateway\w*|CarrierGateway|LocalGatewayRoute\w*)$")
"""EC2 networking: what a VPC is made of."""

_PLUMBING = re.compile(
    r"^AWS::(?:Logs|CloudWatch|IAM|KMS|ApplicationAutoScaling|ServiceCatalogAppRegistry|CertificateManager|Route53|"
    r"SSM|SSMQuickSetup|Backup|Config|CloudTrail)::\w+$"
    r"|^AWS::Lambda::(?:Permission|Version|Alias|EventInvokeConfig|LayerVersionPermission|Url)$"
    r"|^AWS::ApiGateway::(?!RestApi$)\w+$|^AWS::ApiGatewayV2::(?!Api$)\w+$"
    r"|^AWS::(?:S3::BucketPolicy|SQS::QueuePolicy|SNS::TopicPolicy|SNS::Subscription|Events::EventBusPolicy)$"
    r"|^AWS::Cognito::UserPool(?:Client|Domain|Group|UserToGroupAttachment|ResourceServer|IdentityProvider|RiskConfiguration\w*|UICustomization\w*)$"
    r"|^AWS::Cognito::IdentityPoolRoleAttachment$|^AWS::WAFv2::WebACLAssociation$|^AWS::IoT::Policy\w*$"
    r"|^AWS::CloudFormation::(?:WaitCondition|WaitConditionHandle)$"
    r"|^AWS::ElasticLoadBalancingV2::(?:Listener|ListenerRule|ListenerCertificate|TargetGroup)$"
    r"|^AWS::ECS::Cluster\w*$|^AWS::EFS::MountTarget$"
    r"|^AWS::\w+::(?:DB|Cache)?(?:Subnet|Parameter|ClusterParameter)Group$"
)
"""Resources that wire the rest together rather than serve: permissions, logs, alarms, dashboards, API plumbing,
subscriptions, policies, parameter and subnet groups."""

KEY = "AWS::KMS::Key"


def plumbing(service: Service) -> bool:
    """Whether a service is networking or plumbing (not drawn at the default detail): a resource archcase does not
    model of such a type (`_NETWORK`, `_PLUMBING`), or a CloudFormation custom resource (it runs at deploy time)."""
    return isinstance(service, Generic) and (
        bool(_NETWORK.match(service.resource_type) or _PLUMBING.match(service.resource_type)) or service.runs_at_deploy)


@dataclass(frozen=True)
class Box:
    """A titled box around services: a group, or a VPC inside a group (`parent`)."""

    key: str
    title: str
    members: tuple[str, ...]
    parent: str | None = None
    kind: Literal["group", "vpc"] = "group"


class Link(Protocol):
    """What orders the picture: a flow, or an edge drawn for flows."""

    @property
    def source(self) -> str: ...

    @property
    def target(self) -> str: ...

    @property
    def key(self) -> str: ...


@dataclass(frozen=True)
class Edge:
    """One arrow: the flows between two services that are drawn the same way (a function's read and write of a table
    as one arrow to the table, a read alone as an arrow from the store, the way the data moves)."""

    source: str
    """The service the arrow leaves (the store, for a read)."""
    target: str
    """The service the arrow points at."""
    flows: tuple[Flow, ...]

    @property
    def key(self) -> str:
        """The first flow's key: the drawn edge's id."""
        return self.flows[0].key


def edges(flows: Sequence[Flow]) -> tuple[Edge, ...]:
    """The arrows drawn for flows, in the order each first appears. A read of a store that something else fills
    (a bucket a stream delivers to, a table a function writes) is drawn from the store to its reader, where its data
    goes, so a pipeline reads left to right; a read of a store nothing in the picture fills (a lookup table) points
    at the store, like a call. A reader that also writes to or calls the store shares that arrow."""
    pairs = {(f.source, f.target) for f in flows if not isinstance(f, Reads)}
    filled = {f.target for f in flows if not isinstance(f, Reads)}
    drawn: dict[tuple[str, str], list[Flow]] = {}
    for flow in flows:
        ends = (flow.source, flow.target)
        if isinstance(flow, Reads) and ends not in pairs and flow.target in filled:
            ends = (flow.target, flow.source)
        drawn.setdefault(ends, []).append(flow)
    return tuple(Edge(source, target, tuple(together)) for (source, target), together in drawn.items())


@dataclass(frozen=True)
class View:
    """What is drawn of an architecture, in the order it is drawn."""

    services: tuple[Service, ...]
    flows: tuple[Flow, ...]
    edges: tuple[Edge, ...] = ()
    """The arrows drawn for `flows` (`edges`)."""
    boxes: tuple[Box, ...] = ()
    notes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Lines drawn under a service's name: what collapsed into it (`encrypted with KMS key X`)."""
    feedback: frozenset[str] = frozenset()
    """Keys of the edges that close a cycle on the paths from the entry points: drawn, not ranked by."""
    side: frozenset[str] = frozenset()
    """Keys of the edges beside the main path (only dead letters, authorizers): drawn dashed, weightless."""
    hidden: int = 0
    """Resources not drawn at this detail."""

    def box_of(self, service_id: str) -> Box | None:
        """The innermost box a service is drawn in."""
        found = [b for b in self.boxes if service_id in b.members]
        return next((b for b in found if b.kind == "vpc"), found[0] if found else None)


def view(architecture: Architecture, detail: Detail = "default") -> View:
    """What a diagram of the architecture shows at `detail`."""
    services = architecture.services
    flows = architecture.flows
    notes: dict[str, tuple[str, ...]] = {}
    vpcs: dict[str, str] = {}
    hidden_ids: set[str] = set()
    if detail == "default":
        hidden_ids = {s.id for s in services if plumbing(s)}
        vpcs = _vpcs(architecture, hidden_ids)
        notes = _keys(architecture, hidden_ids)
    shown = tuple(s for s in services if s.id not in hidden_ids)
    drawn = tuple(f for f in flows if f.source not in hidden_ids and f.target not in hidden_ids)
    arrows = edges(drawn)
    return View(services=shown, flows=drawn, edges=arrows, boxes=_boxes(shown, vpcs, architecture), notes=notes,
                feedback=feedback_flows([s.id for s in shown], arrows, entries(shown, arrows)),
                side=frozenset(e.key for e in arrows if all(isinstance(f, DeadLetter | Authorizes) for f in e.flows)),
                hidden=len(hidden_ids))


def entries(services: Sequence[Service], flows: Iterable[Link]) -> list[str]:
    """Where the paths through an architecture start: services nothing flows into, users and devices first, then
    in the case's order."""
    targets = {f.target for f in flows}
    sources = [s for s in services if s.id not in targets]
    return [s.id for s in sorted(sources, key=lambda s: not s.external)]


def feedback_flows(order: Sequence[str], flows: Iterable[Link], starts: Sequence[str]) -> frozenset[str]:
    """Keys of the flows to draw against the reading order so that every other flow points forward: few of them,
    by Eades, Lin and Smyth's greedy ordering (sinks to the end, sources to the front, else the service with the
    most more flows out than in), counting parallel flows each. Ties go to `starts` first, then to `order`."""
    listed = list(flows)
    rank = {sid: index for index, sid in enumerate(dict.fromkeys([*starts, *order]))}
    out: dict[str, list[Link]] = {sid: [] for sid in rank}
    into: dict[str, list[Link]] = {sid: [] for sid in rank}
    for flow in listed:
        if flow.source != flow.target:
            out[flow.source].append(flow)
            into[flow.target].append(flow)
    left = set(rank)
    degree_out = {sid: len(out[sid]) for sid in rank}
    degree_in = {sid: len(into[sid]) for sid in rank}
    front: list[str] = []
    back: list[str] = []

    def remove(sid: str) -> None:
        left.discard(sid)
        for flow in out[sid]:
            degree_in[flow.target] -= 1
        for flow in into[sid]:
            degree_out[flow.source] -= 1

    while left:
        sinks = sorted((sid for sid in left if degree_out[sid] == 0), key=rank.__getitem__, reverse=True)
        for sid in sinks:
            back.append(sid)
            remove(sid)
        sources = sorted((sid for sid in left if degree_in[sid] == 0), key=rank.__getitem__)
        for sid in sources:
            front.append(sid)
            remove(sid)
        if left and not sinks and not sources:
            best = min(left, key=lambda sid: (degree_in[sid] - degree_out[sid], rank[sid]))
            front.append(best)
            remove(best)
    position = {sid: index for index, sid in enumerate([*front, *reversed(back)])}
    return frozenset(f.key for f in listed if position[f.target] < position[f.source])


def _vpcs(architecture: Architecture, hidden: set[str]) -> dict[str, str]:
    """The VPC box each drawn service runs in: a service that uses a subnet, security group or VPC endpoint (or
    a function placed in a VPC) is in the VPC those lead to, titled by that VPC's label; `VPC` when the VPC is
    not a resource of the template."""
    types = {s.id: s.resource_type for s in architecture.services if isinstance(s, Generic)}
    network = {sid for sid in hidden if _NETWORK.match(types.get(sid, ""))}
    links: dict[str, set[str]] = {}
    for flow in architecture.flows:
        if isinstance(flow, Uses) and (flow.source in network or flow.target in network):
            links.setdefault(flow.source, set()).add(flow.target)
            links.setdefault(flow.target, set()).add(flow.source)
    found: dict[str, str] = {}
    for service in architecture.services:
        if service.id in hidden:
            continue
        reached = _reach(service.id, links, network)
        named = sorted(sid for sid in reached if types[sid] == "AWS::EC2::VPC")
        if named:
            found[service.id] = named[0]
        elif reached or (isinstance(service, LambdaFunction) and service.in_vpc):
            found[service.id] = ""
    return found


def _reach(start: str, links: Mapping[str, set[str]], network: set[str]) -> set[str]:
    """Networking resources reachable from a service through networking resources only."""
    seen: set[str] = set()
    todo = [n for n in links.get(start, ()) if n in network]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(n for n in links.get(node, ()) if n in network and n not in seen)
    return seen


def _keys(architecture: Architecture, hidden: set[str]) -> dict[str, tuple[str, ...]]:
    """`encrypted with KMS key X` under each drawn service that uses a key of the template."""
    by_id = {s.id: s for s in architecture.services}
    notes: dict[str, list[str]] = {}
    for flow in architecture.flows:
        key = by_id[flow.target]
        if isinstance(flow, Uses) and isinstance(key, Generic) and key.resource_type == KEY and flow.source not in hidden:
            line = f"encrypted with KMS key {key.label or key.id}"
            if line not in notes.setdefault(flow.source, []):
                notes[flow.source].append(line)
    return {sid: tuple(lines) for sid, lines in notes.items()}


def _boxes(services: Sequence[Service], vpcs: Mapping[str, str], architecture: Architecture) -> tuple[Box, ...]:
    """A box per group (in the order groups first appear), and inside each (or alone, for services without a group)
    a box per VPC."""
    labels = {s.id: s.label or s.id for s in architecture.services}
    boxes: list[Box] = []
    groups: dict[str | None, list[str]] = {}
    for service in services:
        groups.setdefault(service.group, []).append(service.id)
    for index, (group, members) in enumerate(groups.items()):
        parent = None
        if group is not None:
            parent = f"group{index}"
            boxes.append(Box(parent, group, tuple(members)))
        in_vpc: dict[str, list[str]] = {}
        for sid in members:
            if sid in vpcs:
                in_vpc.setdefault(vpcs[sid], []).append(sid)
        for number, (vpc, inside) in enumerate(sorted(in_vpc.items())):
            title = f"VPC {labels[vpc]}" if vpc else "VPC"
            boxes.append(Box(f"{parent or 'top'}-vpc{number}", title, tuple(inside), parent, "vpc"))
    return tuple(boxes)
