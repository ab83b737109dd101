"""Workflows: Step Functions state machines."""

from __future__ import annotations

from typing import Literal

from .base import Service

LoggingLevel = Literal["ALL", "ERROR", "FATAL", "OFF"]
"""What a state machine writes to CloudWatch Logs: every event, errors (and fatal errors), fatal errors only, or
nothing."""


class StateMachine(Service):
    """An AWS Step Functions state machine. The functions its tasks call are its `invokes` flows; the queues,
    topics and tables its tasks reach are `enqueues`, `publishes`, `reads` and `writes` flows; what starts its
    executions are `starts` flows to it."""

    kind: Literal["step-functions"] = "step-functions"

    workflow_type: Literal["STANDARD", "EXPRESS"] = "STANDARD"
    """`STANDARD`: long-running, exactly-once, execution history kept by Step Functions for 90 days;
    `EXPRESS`: high-volume, at-least-once, at most five minutes, with no history outside its logs."""
    logging_level: LoggingLevel = "ERROR"
    """Execution events written to CloudWatch Logs (`OFF` for none)."""
    include_execution_data: bool = False
    """Log the input, output and state data of executions as well as the events (it may hold personal data)."""
    tracing: bool = True
    """Trace executions with AWS X-Ray."""
