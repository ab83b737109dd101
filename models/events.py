"""Events: Amazon EventBridge rules (on the default event bus or a custom bus of their own)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .base import Service

CRON_FIELD = r"[0-9A-Za-z*?,/#-]{1,20}"
"""One field of a cron expression: numbers, names (`MON`, `JAN`), ranges, lists, steps, `L`, `W`, `#`, `*` and `?`."""
RATE = r"rate\((1 (minute|hour|day)|([2-9]|[1-9][0-9]{1,5}) (minutes|hours|days))\)"
SCHEDULE_PATTERN = rf"^({RATE}|cron\({CRON_FIELD}( {CRON_FIELD}){{5}}\))$"
"""A schedule expression as EventBridge takes it: `rate(5 minutes)` (singular unit for 1) or `cron(0 12 * * ? *)` (six
fields: minutes, hours, day of month, month, day of week, year)."""
EVENT_SOURCE = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$"
"""An event source name (`aws.s3`, `com.example.orders`)."""


class EventRule(Service):
    """An Amazon EventBridge rule: runs on a schedule, or matches the events put on its bus, and sends each to its
    targets, its outgoing flows: `invokes` a function, `enqueues` to a queue, `publishes` to a topic, `starts` a state
    machine, `puts-records` into a stream. Its `dead-letter` flow (a queue) receives the events no target took once
    the retry policy is spent."""

    kind: Literal["eventbridge-rule"] = "eventbridge-rule"

    schedule: Annotated[str, Field(pattern=SCHEDULE_PATTERN)] | None = None
    """The schedule expression the rule runs on (`rate(5 minutes)`, `cron(0 12 * * ? *)`); none for a rule that
    matches events by a pattern."""
    event_sources: list[Annotated[str, Field(pattern=EVENT_SOURCE)]] = []
    """For a rule matching events: the event sources its pattern names (`aws.s3`, `com.example.orders`); none for a
    pattern that names no source (a set: kept sorted)."""
    enabled: bool = True
    """The rule is enabled (a disabled rule sends nothing to its targets)."""
    custom_bus: bool = False
    """The rule is on a custom event bus, the bus producers put their events on; otherwise on the account's default
    bus, which receives the events of AWS services. A scheduled rule is on the default bus."""
    max_retry_attempts: Annotated[int, Field(ge=0, le=185)] = 185
    """How many times EventBridge retries delivering an event to a target that fails (EventBridge's default: 185)."""
    max_event_age_s: Annotated[int, Field(ge=60, le=86400)] = 86400
    """How long EventBridge keeps retrying an event, in seconds (default: 24 hours); then the event goes to the
    dead-letter queue, or is dropped without one."""

    @field_validator("event_sources")
    @classmethod
    def _sources_once(cls, sources: list[str]) -> list[str]:
        return sorted(set(sources))

    @model_validator(mode="after")
    def _schedule_or_pattern(self) -> EventRule:
        if self.schedule is not None and self.event_sources:
            raise ValueError(f"rule '{self.id}' has a schedule and event_sources: a rule runs on a schedule or matches "
                             "events, not both; remove event_sources, or make a second rule")
        if self.schedule is not None and self.schedule.startswith("cron(") and "?" not in self.schedule.split()[2::2]:
            raise ValueError(f"rule '{self.id}': schedule {self.schedule!r} gives both a day of month and a day of week; "
                             "EventBridge takes one of them, with `?` in the other (`cron(0 12 * * ? *)`)")
        if self.schedule is not None and self.custom_bus:
            raise ValueError(f"rule '{self.id}' has a schedule on a custom bus: EventBridge runs scheduled rules on the "
                             "default bus only; remove custom_bus")
        return self
