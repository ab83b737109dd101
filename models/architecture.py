"""An architecture: services, typed flows between them, and the requirements it must meet."""

from __future__ import annotations

import datetime
import fnmatch
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, field_validator, model_validator

from . import catalogue
from .base import Id, Model, Service, did_you_mean
from .compute import AutoScalingGroup, Ec2Instance, LambdaFunction
from .edge import ApiGateway
from .events import EventRule
from .flows import (
    S3_EVENTS,
    S3_TRIGGER_EVENTS,
    STREAM_RECORD_EVENTS,
    STREAM_SOURCES,
    Authorizes,
    DeadLetter,
    Delivers,
    Grants,
    Invokes,
    Mounts,
    Notifies,
    Origin,
    Publishes,
    Reads,
    Resolves,
    Triggers,
    Writes,
)
from .identity import Secret
from .messaging import Ses, SqsQueue
from .registry import FLOW_KINDS, AnyFlow, AnyService, FlowModel, kind_of

if TYPE_CHECKING:
    import networkx as nx

Loc = tuple[str | int, ...]


class Problem(ValueError):
    """A problem found at a location of the case document (a path of keys and list indexes)."""

    def __init__(self, loc: Loc, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message
        self.hint = hint


class GraphError(ValueError):
    """Several problems with references between services and flows; raised by `Architecture`."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class Requirement(Model):
    """Something the seed asks of this case, with the seed's answer."""

    id: Id
    """Stable identifier of the requirement within the case."""
    source: Literal["question", "statement"]
    """`question`: a question the seed asks (quoted verbatim); `statement`: a design statement the seed
    makes about the case (quoted verbatim)."""
    question: Annotated[str, Field(min_length=3)]
    """The seed's words."""
    answer: Annotated[str, Field(min_length=3)]
    """The seed's answer: how the architecture meets it."""
    rules: list[str] = []
    """Ids of the check rules whose passing proves the requirement is met."""


class Suppression(Model):
    """An accepted finding: the rule does not apply to this service or flow, for the reason given."""

    rule: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{1,9}-?[0-9]{1,4}$")]
    """Id of the rule to suppress (see `archcase rules`): archcase's (`AC205`) or a custom rule's (`ACME101`)."""
    target: Id
    """Id of the service or flow the suppression covers. On a rule that looks at flows, a service id covers the
    flows from and to that service."""
    reason: Annotated[str, Field(min_length=20)]
    """Why the finding is accepted: at least a full sentence, for the reviewers who come after you."""
    expires: datetime.date | None = None
    """Last day the suppression holds (an ISO date, `2027-03-31`); after it, the finding is reported again and
    so is the expired suppression (AC002). Without it, the suppression holds until removed."""

    @field_validator("rule")
    @classmethod
    def _archcase_ids_have_three_digits(cls, value: str) -> str:
        if re.match(r"^AC-?[0-9]", value) and not re.fullmatch(r"AC[0-9]{3}", value):
            raise ValueError(f"'{value}' is no rule id: archcase's are AC and three digits (AC205); a custom rule's, a prefix of its own")
        return value

    @model_validator(mode="after")
    def _reason_is_a_sentence(self) -> Suppression:
        if len(self.reason.split()) < 4:
            raise ValueError("a suppression's reason must be at least a sentence (four words or more)")
        return self


class Settings(Model):
    """Thresholds the checks use; the defaults are documented with each rule."""

    read_heavy_ratio: Annotated[float, Field(gt=1)] = 5.0
    """A table or API is read-heavy when its expected reads per second are at least this many times its writes."""
    read_heavy_min_reads_per_s: Annotated[float, Field(ge=0)] = 100.0
    """...and its expected reads are at least this many per second (below that, caching is not worth it)."""
    sqs_visibility_factor: Annotated[float, Field(ge=1)] = 6.0
    """A queue's visibility timeout must be at least this many times its consumer's timeout (AWS advises 6)."""
    signed_url_max_expiry_s: Annotated[int, Field(ge=1)] = 3600
    """Longest lifetime accepted for a signed URL, in seconds."""


class Architecture(Model):
    """A case: an architecture declared as a typed graph of AWS services."""

    name: Id
    """Short name; output goes to `out/<name>/`."""
    title: Annotated[str, Field(min_length=1)]
    """One-line title."""
    summary: str = ""
    """What the architecture does and for whom."""
    seed_section: str | None = None
    """Heading of the seed document section this case comes from."""
    services: Annotated[list[AnyService], Field(min_length=1)]
    """The services, each with a unique id and a `kind`."""
    flows: list[AnyFlow] = []
    """Typed flows between services (`from`, `to`, `kind`)."""
    requirements: list[Requirement] = []
    """What the seed asks of this case, and its answers."""
    suppressions: list[Suppression] = []
    """Accepted findings, each with its reason; reported as suppressed, never dropped."""
    settings: Settings = Settings()
    """Thresholds used by the checks."""

    @model_validator(mode="after")
    def _references_are_sound(self) -> Architecture:
        problems = list(self._reference_problems())
        if problems:
            raise GraphError(problems)
        self._resolve_defaults()
        return self

    def _resolve_defaults(self) -> None:
        """Fill the defaults that depend on other elements of the case, once, here: every reader (checks,
        labels, emitters, `model.json`) sees the resolved value and none derives it again.

        - an `origin` flow to an S3 bucket with `access` unset gets `oac`;
        - a `triggers` flow from an S3 bucket with no `events` gets `s3:ObjectCreated:*`."""
        kinds = {service.id: service.kind for service in self.services}
        resolved = [_resolved(flow, kinds) for flow in self.flows]
        if any(new is not old for new, old in zip(resolved, self.flows, strict=True)):
            object.__setattr__(self, "flows", resolved)  # frozen: set once, while validating

    def _reference_problems(self) -> Iterator[Problem]:
        kinds: dict[str, str] = {}
        by_id = {service.id: service for service in self.services}
        for i, service in enumerate(self.services):
            if service.id in kinds:
                yield Problem(
                    ("services", i, "id"),
                    f"duplicate service id '{service.id}'",
                    "give every service a unique id",
                )
            kinds.setdefault(service.id, service.kind)
        ids = sorted(kinds)
        seen_flows: set[str] = set()
        mounted: dict[str, str] = {}
        rotators: dict[str, str] = {}
        for i, flow in enumerate(self.flows):
            if flow.key in seen_flows:
                yield Problem(
                    ("flows", i, "id"),
                    f"duplicate flow id '{flow.key}'",
                    "merge the two flows, or give each an explicit, unique `id`",
                )
            seen_flows.add(flow.key)
            ends = {"from": flow.source, "to": flow.target}
            missing = [end for end, sid in ends.items() if sid not in kinds]
            for end in missing:
                sid = ends[end]
                yield Problem(
                    ("flows", i, end),
                    f"flow {end} '{sid}', but there is no service with that id",
                    did_you_mean(sid, ids, n=3) or f"declare it under `services`; known ids: {', '.join(ids)}",
                )
            if missing:
                continue
            if flow.source == flow.target:
                yield Problem(("flows", i, "to"), f"flow from '{flow.source}' to itself", "a flow joins two services")
                continue
            yield from _pair_problems(i, flow, kinds[flow.source], kinds[flow.target])
            if isinstance(flow, Grants) and (kinds[flow.source], kinds[flow.target]) in flow.allowed:
                yield from _grant_problems(i, flow, kinds[flow.target])
            yield from _event_problems(i, flow, kinds[flow.source])
            yield from _trigger_problems(i, flow, kinds[flow.source])
            if isinstance(flow, (Reads, Writes)) and flow.prefix is not None and kinds[flow.target] != "s3":
                yield Problem(("flows", i, "prefix"), f"a prefix limits the keys read or written in an S3 bucket, and "
                              f"'{flow.target}' is a {kinds[flow.target]}", "remove `prefix` from this flow")
            target = by_id[flow.target]
            source = by_id[flow.source]
            yield from _mount_problems(i, flow, source, mounted)
            yield from _secret_problems(i, flow, source, target, rotators)
            if (isinstance(flow, Triggers) and isinstance(source, SqsQueue) and isinstance(target, LambdaFunction)
                    and source.visibility_timeout_s < target.timeout_s):
                yield Problem(("flows", i, "from"), f"'{flow.source}' hides a message for {source.visibility_timeout_s} s and "
                              f"'{flow.target}' may run for {target.timeout_s} s: Lambda refuses a queue trigger whose "
                              "visibility timeout is shorter than the function's timeout",
                              f"set `visibility_timeout_s` of '{flow.source}' to at least {target.timeout_s} "
                              f"(AWS advises six times: {6 * target.timeout_s})")
            if isinstance(flow, Publishes) and isinstance(target, EventRule):
                yield from _put_event_problems(i, flow, target)
            if isinstance(flow, Origin) and isinstance(target, ApiGateway) and target.endpoint_type == "private":
                yield Problem(("flows", i, "to"), f"CloudFront cannot reach private API '{flow.target}' (a private "
                              "API answers only inside a VPC, through an interface endpoint)",
                              f"set `endpoint_type: regional` on '{flow.target}', or remove this origin flow")
        yield from self._dead_letter_problems(kinds)
        yield from self._route_problems(kinds)
        yield from self._path_pattern_problems()
        sources: dict[str, str] = {}
        for i, flow in enumerate(self.flows):
            if isinstance(flow, Delivers) and kinds.get(flow.target) == "firehose" and flow.target in kinds:
                if flow.target in sources:
                    yield Problem(("flows", i, "from"), f"'{flow.target}' already reads the stream '{sources[flow.target]}' "
                                  "(a delivery stream has one source stream)",
                                  "deliver each stream through its own delivery stream")
                sources.setdefault(flow.target, flow.source)
        identities: dict[str, str] = {}
        for i, service in enumerate(self.services):
            if isinstance(service, Ses):
                if service.identity in identities:
                    yield Problem(("services", i, "identity"), f"'{service.id}' sends from {service.identity!r}, as "
                                  f"'{identities[service.identity]}' does (SES verifies an identity once)",
                                  "keep one SES service per identity, and let every sender flow to it")
                identities.setdefault(service.identity, service.id)
        targets = set(kinds) | seen_flows
        for i, suppression in enumerate(self.suppressions):
            if suppression.target not in targets:
                yield Problem(("suppressions", i, "target"),
                              f"suppression target '{suppression.target}' is neither a service nor a flow id",
                              did_you_mean(suppression.target, sorted(targets)) or "name a service id or a flow id")
        seen_reqs: set[str] = set()
        for i, requirement in enumerate(self.requirements):
            if requirement.id in seen_reqs:
                yield Problem(("requirements", i, "id"), f"duplicate requirement id '{requirement.id}'",
                              "give every requirement a unique id")
            seen_reqs.add(requirement.id)

    def _dead_letter_problems(self, kinds: Mapping[str, str]) -> Iterator[Problem]:
        """Each service sends its failures to one place (a redrive policy or a function's dead-letter config
        has one target), and no chain of dead-letter flows comes back to where it started (the template would
        have circular dependencies)."""
        first: dict[str, int] = {}
        services = {service.id: service for service in self.services}
        for i, flow in enumerate(self.flows):
            if not isinstance(flow, DeadLetter) or flow.source not in kinds or flow.target not in kinds:
                continue
            yield from _dead_letter_type_problems(i, flow, services[flow.source], services[flow.target])
            if flow.source in first:
                yield Problem(("flows", i, "to"),
                              f"'{flow.source}' already sends its failures to '{self.flows[first[flow.source]].target}': "
                              f"a second `dead-letter` flow (to '{flow.target}') would be ignored",
                              "keep one dead-letter flow per service")
            else:
                first[flow.source] = i
        target = {source: self.flows[i].target for source, i in first.items()}
        reported: set[str] = set()
        for source in first:
            chain = [source]
            while (step := target.get(chain[-1])) is not None and step not in chain:
                chain.append(step)
            if step is None or step != source or reported & set(chain):
                continue
            reported |= set(chain)
            at = min(first[member] for member in chain)
            loop = " -> ".join([*chain, source])
            yield Problem(("flows", at, "to"), f"dead-letter flows go round in a circle: {loop}",
                          "end the chain at a queue that has no dead-letter flow of its own")

    def _route_problems(self, kinds: Mapping[str, str]) -> Iterator[Problem]:
        """An API serves each route with one function, and an HTTP API has one authorizer (a route names one)."""
        served: dict[tuple[str, str], str] = {}
        authorized: dict[str, str] = {}
        for i, flow in enumerate(self.flows):
            if isinstance(flow, Invokes):
                for j, route in enumerate(flow.routes):
                    other = served.setdefault((flow.source, route), flow.target)
                    if other != flow.target:
                        yield Problem(("flows", i, "routes", j), f"'{flow.source}' already serves '{route}' with '{other}'",
                                      "give each route of an API one `invokes` flow")
            elif isinstance(flow, Authorizes) and kinds.get(flow.source) == "http-api":
                first = authorized.setdefault(flow.source, flow.target)
                if first != flow.target:
                    yield Problem(("flows", i, "to"), f"'{flow.source}' already authorizes with '{first}': an HTTP API "
                                  "route takes one authorizer", "keep one `authorizes` flow per HTTP API")

    def _path_pattern_problems(self) -> Iterator[Problem]:
        """A distribution routes each path pattern to one origin (a cache behaviour per pattern)."""
        first: dict[tuple[str, str], str] = {}
        for i, flow in enumerate(self.flows):
            if not isinstance(flow, Origin):
                continue
            key = (flow.source, flow.path_pattern)
            if key in first:
                yield Problem(("flows", i, "path_pattern"),
                              f"'{flow.source}' already routes path pattern '{flow.path_pattern}' to '{first[key]}'",
                              "give each origin flow of a distribution its own `path_pattern`")
            else:
                first[key] = flow.target
        distributions = {source for source, _ in first}
        for source in sorted(distributions - {source for source, pattern in first if pattern == "*"}):
            i = next(i for i, flow in enumerate(self.flows) if isinstance(flow, Origin) and flow.source == source)
            yield Problem(("flows", i, "path_pattern"),
                          f"no origin of '{source}' serves the default path pattern '*' (every distribution has a "
                          "default behaviour, for the paths no other pattern matches)",
                          "give one origin flow `path_pattern: '*'` (the default when unset)")

    def service(self, service_id: str) -> Service:
        """The service with this id (KeyError if none)."""
        for service in self.services:
            if service.id == service_id:
                return service
        raise KeyError(service_id)

    def to_graph(self) -> nx.MultiDiGraph:
        """The architecture as a directed multigraph: one node per service (attribute `service`) and
        one edge per flow, keyed by flow id (attribute `flow`), in declaration order."""
        import networkx as nx  # imported here: the check path does not need it

        graph = nx.MultiDiGraph(name=self.name)
        for service in self.services:
            graph.add_node(service.id, service=service, kind=service.kind)
        for flow in self.flows:
            graph.add_edge(flow.source, flow.target, key=flow.key, flow=flow, kind=flow.kind)
        return graph


GRANTED_SERVICES = {"s3": "s3", "dynamodb": "dynamodb", "kinesis-stream": "kinesis", "firehose": "firehose",
                    "lambda": "lambda", "api-gateway": "execute-api"}
"""The IAM service prefix of the actions a grant on each kind of target may hold."""


def _grant_problems(i: int, flow: Grants, target_kind: str) -> Iterator[Problem]:
    """Each granted action must be an action of the target's service that IAM knows (wildcards must match one)."""
    prefix = GRANTED_SERVICES[target_kind]
    known = catalogue.iam_actions(prefix)
    for j, action in enumerate(flow.actions):
        service, _, name = action.partition(":")
        if service != prefix:
            yield Problem(("flows", i, "actions", j), f"a grant on a {target_kind} holds '{action}', an action of "
                          f"another service", f"grant {prefix}:... actions, e.g. {prefix}:{sorted(known)[0] if known else '*'}")
        elif known and not fnmatch.filter(known, name.lower()):
            yield Problem(("flows", i, "actions", j), f"'{action}' is not an action IAM knows for {prefix}",
                          did_you_mean(f"{prefix}:{name.lower()}", (f"{prefix}:{k}" for k in known))
                          or f"see the IAM actions of {prefix}")


def _dead_letter_type_problems(i: int, flow: DeadLetter, source: Service, target: Service) -> Iterator[Problem]:
    """A FIFO queue or topic sends failures to a FIFO queue and a standard one to a standard queue; a
    function's asynchronous failures go to a standard queue or topic."""
    fifo = getattr(target, "fifo", False)
    if isinstance(source, EventRule) and fifo:
        yield Problem(("flows", i, "to"), f"'{flow.target}' is FIFO, and an EventBridge rule's dead-letter queue is a "
                      "standard queue", f"send '{flow.source}' failures to a standard queue")
    elif isinstance(source, LambdaFunction) and fifo:
        yield Problem(("flows", i, "to"), f"'{flow.target}' is FIFO, and a function's failed asynchronous events "
                      "go only to a standard queue or topic", f"send '{flow.source}' failures to a standard queue")
    elif not isinstance(source, LambdaFunction) and getattr(source, "fifo", False) != fifo:
        kinds = ("FIFO", "standard") if fifo else ("standard", "FIFO")
        yield Problem(("flows", i, "to"), f"'{flow.target}' is a {kinds[0]} queue and '{flow.source}' is "
                      f"{kinds[1]}: failures go to a queue of the same type",
                      f"set `fifo: {str(not fifo).lower()}` on '{flow.target}', or send failures to a {kinds[1]} queue")


def _put_event_problems(i: int, flow: Publishes, rule: EventRule) -> Iterator[Problem]:
    """Events put on a rule's bus are ones it can match: a scheduled rule matches none, and only AWS services put
    events whose source starts with `aws.`."""
    if rule.schedule is not None:
        yield Problem(("flows", i, "to"), f"'{rule.id}' runs on a schedule and matches no events: nothing put on a bus "
                      "reaches it", f"remove the schedule of '{rule.id}' (give its event_sources), or remove this flow")
    elif rule.event_sources and all(source.startswith("aws.") for source in rule.event_sources):
        yield Problem(("flows", i, "to"), f"'{rule.id}' matches only events of AWS services ({', '.join(rule.event_sources)}), "
                      f"and EventBridge refuses events put with a source starting with `aws.`",
                      f"add the source '{flow.source}' puts its events with to event_sources of '{rule.id}', or remove this flow")


def _event_problems(i: int, flow: FlowModel, source_kind: str) -> Iterator[Problem]:
    """The events a bucket notifies or a trigger fires on are ones its source has, each named once."""
    if not isinstance(flow, (Notifies, Triggers)) or not flow.events:
        return
    known = S3_EVENTS if source_kind == "s3" else STREAM_RECORD_EVENTS if source_kind == "dynamodb" else frozenset()
    if not known:
        yield Problem(("flows", i, "events"), f"a {source_kind} source has no events to choose from",
                      "remove `events` (they apply to S3 buckets and DynamoDB streams)")
        return
    for j, event in enumerate(flow.events):
        if event not in known:
            yield Problem(("flows", i, "events", j), f"{event!r} is not an event of a {source_kind} source",
                          did_you_mean(event, sorted(known)) or f"use one of: {', '.join(sorted(known))}")
        elif event in flow.events[:j]:
            yield Problem(("flows", i, "events", j), f"the event {event!r} is listed twice", "list each event once")


def _trigger_problems(i: int, flow: FlowModel, source_kind: str) -> Iterator[Problem]:
    """A trigger's settings are ones its source has: S3 invokes the function once per event (no batches) and
    filters keys; queues and streams are polled in batches, and only a stream's batch can be split in two."""
    if not isinstance(flow, Triggers):
        return
    if source_kind == "s3":
        batch = {"batch_size": flow.batch_size is not None, "report_batch_item_failures": not flow.report_batch_item_failures}
        for name in (name for name, given in batch.items() if given):
            yield Problem(("flows", i, name), f"S3 invokes '{flow.target}' once per event, so `{name}` does not apply",
                          f"remove `{name}` (it applies to queues and streams)")
    else:
        for name in (name for name in ("prefix", "suffix") if getattr(flow, name) is not None):
            yield Problem(("flows", i, name), f"`{name}` filters the keys of an S3 bucket, and '{flow.source}' is a {source_kind}",
                          f"remove `{name}` from this flow")
    if source_kind not in {cls.model_fields["kind"].default for cls in STREAM_SOURCES} and not flow.bisect_on_error:
        yield Problem(("flows", i, "bisect_on_error"), f"only a stream's batches are split on an error, and '{flow.source}' "
                      f"is a {source_kind}", "remove `bisect_on_error` (it applies to Kinesis and DynamoDB streams)")


def _mount_problems(i: int, flow: FlowModel, source: Service, mounted: dict[str, str]) -> Iterator[Problem]:
    """A function mounts one file system, through an access point, from the VPC; instances mount the file system
    itself (`mounted`: the file system each function mounts, filled in as flows are seen)."""
    if not isinstance(flow, Mounts) or (kind_of(type(source)), "efs") not in flow.allowed:
        return
    if isinstance(source, LambdaFunction):
        if flow.access_point is None:
            yield Problem(("flows", i, "access_point"), f"Lambda mounts a file system only through an access point, and "
                          f"'{flow.source}' names none", "set `access_point: {root_directory: /data}` (or another directory)")
        if not source.in_vpc:
            yield Problem(("flows", i, "from"), f"'{flow.source}' mounts '{flow.target}' but runs outside the VPC, where "
                          "no mount target is reachable", f"set `in_vpc: true` on '{flow.source}'")
        if mounted.setdefault(flow.source, flow.target) != flow.target:
            yield Problem(("flows", i, "to"), f"'{flow.source}' already mounts '{mounted[flow.source]}' (a function mounts "
                          "one file system)", "keep one `mounts` flow per function")
    elif flow.access_point is not None:
        yield Problem(("flows", i, "access_point"), f"archcase mounts access points in functions only, and '{flow.source}' "
                      f"is a {kind_of(type(source))}", "remove `access_point` (its instances or tasks mount the whole file system)")


def _secret_problems(i: int, flow: FlowModel, source: Service, target: Service, rotators: dict[str, str]) -> Iterator[Problem]:
    """A secret invokes one function, its rotation function, and only when it is rotated, synchronously; the value lands
    in environment variables only of functions, in user data only of instances (`rotators`: the function each secret
    invokes, filled in as flows are seen)."""
    if isinstance(flow, Invokes) and isinstance(source, Secret) and isinstance(target, LambdaFunction):
        if not source.rotation:
            yield Problem(("flows", i, "from"), f"'{flow.source}' invokes '{flow.target}' to rotate it, and is not rotated",
                          f"set `rotation: true` on '{flow.source}', or remove this flow")
        if flow.mode != "sync":
            yield Problem(("flows", i, "mode"), "Secrets Manager invokes a rotation function synchronously",
                          "remove `mode` from this flow")
        if rotators.setdefault(flow.source, flow.target) != flow.target:
            yield Problem(("flows", i, "to"), f"'{flow.source}' is already rotated by '{rotators[flow.source]}' (a secret has "
                          "one rotation function)", "keep one `invokes` flow per secret")
    if isinstance(flow, Resolves) and isinstance(target, Secret):
        where = {"environment": (LambdaFunction,), "user-data": (Ec2Instance, AutoScalingGroup)}.get(flow.into)
        if where and not isinstance(source, where):
            yield Problem(("flows", i, "into"), f"'{flow.source}' is a {kind_of(type(source))}, which has no "
                          f"{flow.into.replace('-', ' ')}", "set `into: settings`, or leave it out")


def _resolved(flow: FlowModel, kinds: Mapping[str, str]) -> FlowModel:
    """The flow with its case-dependent defaults filled in (the flow itself when it has none to fill)."""
    if isinstance(flow, Origin) and flow.access is None and kinds.get(flow.target) == "s3":
        return flow.model_copy(update={"access": "oac"})
    if isinstance(flow, Triggers) and not flow.events and kinds.get(flow.source) == "s3":
        return flow.model_copy(update={"events": list(S3_TRIGGER_EVENTS)})
    return flow


def _pair_problems(i: int, flow: FlowModel, source_kind: str, target_kind: str) -> Iterator[Problem]:
    flow_kind: str = flow.kind
    if (source_kind, target_kind) not in flow.allowed:
        targets = sorted(t for s, t in flow.allowed if s == source_kind)
        fitting = sorted(k for k, cls in FLOW_KINDS.items() if (source_kind, target_kind) in cls.allowed)
        hint = (
            f"'{flow_kind}' flows from a {source_kind} may go only to: {', '.join(targets)}"
            if targets
            else f"a {source_kind} cannot be the source of a '{flow_kind}' flow"
        )
        if fitting:
            hint += f"; from {source_kind} to {target_kind} use kind: {' or '.join(fitting)}"
        yield Problem(
            ("flows", i, "kind"),
            f"a '{flow_kind}' flow cannot go from {source_kind} '{flow.source}' to {target_kind} '{flow.target}'",
            hint,
        )
    elif isinstance(flow, Invokes) and flow.routes and source_kind not in ("api-gateway", "http-api"):
        yield Problem(("flows", i, "routes"), f"routes are the paths of an API, and '{flow.source}' is a {source_kind}",
                      "remove `routes` from this flow")
    elif isinstance(flow, Origin) and target_kind == "api-gateway" and flow.protocol == "http":
        yield Problem(("flows", i, "protocol"), f"API Gateway '{flow.target}' answers over HTTPS only",
                      "remove `protocol` from this flow (https is the default)")
    elif isinstance(flow, Origin) and flow.access is not None and target_kind != "s3":
        yield Problem(
            ("flows", i, "access"),
            f"origin access '{flow.access}' applies to S3 origins only, not to {target_kind} '{flow.target}'",
            "remove `access` from this flow: CloudFront reaches other origins over HTTP(S) (`protocol`)",
        )
