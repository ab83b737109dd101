"""Messaging: SQS queues, SNS topics and SES email."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .base import Service


class SqsQueue(Service):
    """An SQS queue."""

    kind: Literal["sqs"] = "sqs"

    fifo: bool = False
    """First-in-first-out queue with exactly-once processing."""
    visibility_timeout_s: Annotated[int, Field(ge=0, le=43200)] = 60
    """How long a received message stays hidden from other consumers, in seconds."""
    retention_s: Annotated[int, Field(ge=60, le=1209600)] = 345600
    """How long unconsumed messages are kept, in seconds."""
    max_receive_count: Annotated[int, Field(ge=1, le=1000)] = 5
    """Receives before a message moves to the dead-letter queue (when one is set by a `dead-letter` flow)."""
    encryption: Literal["sqs-managed", "kms", "none"] = "sqs-managed"
    """Server-side encryption: SQS-managed keys, a KMS key, or none."""


Endpoint = Literal["email", "email-json", "http", "https", "sms", "application", "firehose"]
"""An SNS subscription protocol whose subscriber is not a service of the case."""


class SnsTopic(Service):
    """An SNS topic."""

    kind: Literal["sns"] = "sns"

    fifo: bool = False
    """FIFO topic."""
    encryption: bool = True
    """Encrypt messages at rest with KMS."""
    endpoints: list[Endpoint] = []
    """Kinds of subscriber outside the case: email addresses, HTTP(S) URLs, phone numbers (`sms`), mobile app
    endpoints (`application`), delivery streams (`firehose`). Queues and functions subscribe by `subscribes` flows."""
    published_from_outside: bool = False
    """Something that is not a service of the case publishes to the topic: a CloudWatch alarm's actions, an Auto
    Scaling group's notifications or lifecycle hook (read from imported templates)."""

    @field_validator("endpoints")
    @classmethod
    def _endpoints_once(cls, endpoints: list[str]) -> list[str]:
        return sorted(set(endpoints))


class Ses(Service):
    """Amazon SES sending email from a verified identity."""

    kind: Literal["ses"] = "ses"

    identity: Annotated[str, Field(min_length=3)]
    """Verified sending identity: a domain (`example.com`) or an address (`hello@example.com`)."""
    dkim: bool = True
    """Sign outgoing mail with DKIM (domain identities)."""
    configuration_set: Annotated[str, Field(pattern=r"^[a-zA-Z0-9_-]{1,64}$")] | None = None
    """Configuration set for bounce and complaint tracking."""

    @model_validator(mode="after")
    def _dkim_is_a_domain_setting(self) -> Ses:
        if not self.dkim and "@" in self.identity:
            raise ValueError(f"dkim: false on the address {self.identity!r}: DKIM is set on a domain identity, and an "
                             "address signs as its domain does; remove dkim, or set it on the domain's identity")
        return self
