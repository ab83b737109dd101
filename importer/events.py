"""EventBridge rules imported: `AWS::Events::Rule` and the rules SAM creates for a function's or state machine's
`Schedule`, `CloudWatchEvent` and `EventBridgeRule` events (importer/template.py puts them in place, with the
event's schedule or pattern, state, bus, dead-letter queue and retry policy), their settings and the flows to
their targets."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from ..models.services import EventRule, Firehose, KinesisStream, LambdaFunction, SnsTopic, SqsQueue, StateMachine
from .flows import Flows
from .marks import reads, reads_flows
from .template import Resource, Template
from .values import as_list, dig, number

RETRIES, EVENT_AGE_S = 185, 86400
"""EventBridge's retry policy for a target that states none: 185 retries over at most 24 hours."""

TARGET_FLOWS: dict[type[object], str] = {
    LambdaFunction: "invokes", SqsQueue: "enqueues", SnsTopic: "publishes", StateMachine: "starts",
    KinesisStream: "puts-records", Firehose: "puts-records",
}
"""The flow a rule has to a target of each class."""


def _pattern(t: Template, value: Any) -> Any:
    """The event pattern as data (a template may give it as JSON text)."""
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return json.loads(value)
        return None
    return value


def _targets(r: Resource) -> list[Any]:
    """A rule's `Targets`, or an EventBridge Scheduler schedule's one `Target`."""
    return as_list(r.properties.get("Target" if r.type == "AWS::Scheduler::Schedule" else "Targets"))


@reads(EventRule, "AWS::Events::Rule", "AWS::Scheduler::Schedule")
def event_rule(t: Template, r: Resource) -> dict[str, Any]:
    """What AWS applies where the template says nothing: enabled, on the default bus, each target retried 185 times
    over 24 hours. Of targets with different retry policies, the fewest retries and the shortest age are read (the
    weakest target decides whether events are lost). An EventBridge Scheduler schedule is read as a rule on a
    schedule with one target (its defaults are the same)."""
    p = r.properties
    schedule = t.text(p.get("ScheduleExpression")) if p.get("ScheduleExpression") is not None else None
    sources = [] if schedule is not None else dig(_pattern(t, p.get("EventPattern")), "source")
    bus = p.get("EventBusName")
    targets = [x for x in _targets(r) if isinstance(x, dict)]
    retries = [number(dig(x, "RetryPolicy", "MaximumRetryAttempts"), t.parameters) for x in targets]
    ages = [number(dig(x, "RetryPolicy", "MaximumEventAgeInSeconds"), t.parameters) for x in targets]
    return {"schedule": schedule,
            "event_sources": [s for s in as_list(sources) if isinstance(s, str)],
            "enabled": (t.text(p.get("State")) or "ENABLED") != "DISABLED",
            "custom_bus": bus is not None and t.text(bus) != "default",
            "max_retry_attempts": min([RETRIES, *[n for n in retries if n is not None]]),
            "max_event_age_s": min([EVENT_AGE_S, *[n for n in ages if n is not None]])}


@reads_flows("AWS::Events::Rule", "AWS::Scheduler::Schedule")
def _rule(flows: Flows, r: Resource) -> None:
    """A flow to each target of the template (by its `Arn`), and a dead-letter flow to each target's dead-letter
    queue."""
    for target in _targets(r):
        for found, _ in flows.t.references(dig(target, "Arn")):
            kind = TARGET_FLOWS.get(flows.class_of(found) or object)
            if kind:
                flows.add(r.logical_id, found, kind, r.logical_id)
        flows.add(r.logical_id, flows.first(dig(target, "DeadLetterConfig", "Arn"), SqsQueue), "dead-letter", r.logical_id)
