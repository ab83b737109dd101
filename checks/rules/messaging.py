"""Messaging and events: SQS, SNS, SES, EventBridge rules, and event-driven email."""

from __future__ import annotations

import re

from ...models.flows import DeadLetter, Invokes, Notifies, Publishes, SendsEmail, Subscribes, Triggers
from ...models.graph import Graph
from ...models.services import ApiGateway, DynamoDbTable, EventRule, LambdaFunction, Ses, SnsTopic, SqsQueue
from ..rule import NOT_APPLICABLE, Outcome, passes_if, rule

SQS = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/"
EVENTBRIDGE = "https://docs.aws.amazon.com/eventbridge/latest/userguide/"


@rule("AC601", severity="medium", title="SQS queues are encrypted",
      rationale="Messages often carry personal or business data; encrypt them at rest.",
      remediation="Set `encryption: sqs-managed` or `kms`.",
      docs=SQS + "sqs-server-side-encryption.html", cdk_nag=("AwsSolutions-SQS2",), checkov=("CKV_AWS_27",))
def sqs_encrypted(queue: SqsQueue, g: Graph) -> Outcome:
    return passes_if(queue.encryption != "none", f"queue '{queue.id}' is not encrypted")


@rule("AC602", severity="medium", title="Consumed queues have a dead-letter queue",
      rationale="A message that always fails is retried until it expires, blocking work and then vanishing.",
      remediation="Add a `dead-letter` flow from the queue to another queue (its redrive policy).",
      docs=SQS + "sqs-dead-letter-queues.html", cdk_nag=("AwsSolutions-SQS3",))
def sqs_has_dlq(queue: SqsQueue, g: Graph) -> Outcome:
    if g.incoming(queue.id, DeadLetter) or not g.outgoing(queue.id, Triggers):
        return NOT_APPLICABLE  # a dead-letter queue itself, or a queue nobody consumes here
    return passes_if(bool(g.outgoing(queue.id, DeadLetter)), f"queue '{queue.id}' has no dead-letter queue")


@rule("AC603", severity="low", title="Dead-letter queues keep messages longer than their sources",
      rationale="A message's age carries over to the dead-letter queue; with a shorter retention it can expire there at once.",
      remediation="Give the dead-letter queue a `retention_s` at least that of the queues feeding it (14 days is common).",
      docs=SQS + "sqs-dead-letter-queues.html")
def dlq_retention(queue: SqsQueue, g: Graph) -> Outcome:
    sources = [s for s in (g.source_as(f, SqsQueue) for f in g.incoming(queue.id, DeadLetter)) if s is not None]
    if not sources:
        return NOT_APPLICABLE
    short = [s.id for s in sources if s.retention_s > queue.retention_s]
    return passes_if(not short, f"dead-letter queue '{queue.id}' keeps messages for less time than {', '.join(short)}")


@rule("AC604", severity="medium", title="SNS topics are encrypted",
      rationale="Encrypt published messages at rest with KMS.",
      remediation="Set `encryption: true`.",
      docs="https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",
      cdk_nag=("AwsSolutions-SNS2",), checkov=("CKV_AWS_26",))
def sns_encrypted(topic: SnsTopic, g: Graph) -> Outcome:
    return passes_if(topic.encryption, f"topic '{topic.id}' is not encrypted")


@rule("AC605", severity="medium", title="Topics have subscribers",
      rationale="Messages published to a topic with no subscriber are dropped.",
      remediation="Add a `subscribes` flow from the topic to its consumers.",
      docs="https://docs.aws.amazon.com/sns/latest/dg/sns-create-subscribe-endpoint-to-topic.html",
      outside="subscriptions made from elsewhere (at run time, or by another stack)")
def topic_has_subscribers(topic: SnsTopic, g: Graph) -> Outcome:
    if not g.incoming(topic.id, Publishes) and not g.incoming(topic.id, Notifies):
        return NOT_APPLICABLE
    return passes_if(bool(g.outgoing(topic.id, Subscribes) or topic.endpoints), f"topic '{topic.id}' has no subscribers")


@rule("AC606", severity="medium", title="Welcome email flows from the table stream to SES",
      rationale="""New users get their welcome email from an event, not from the request path: DynamoDB Streams
      trigger a function, whose IAM role allows SES sending. The stream must carry the new item, so the
      function sees the user's address.""",
      remediation="Trigger the email function from the users table's stream with `stream: NEW_IMAGE` (or NEW_AND_OLD_IMAGES).",
      docs="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.Lambda.Tutorial.html")
def email_from_stream(fn: LambdaFunction, g: Graph) -> Outcome:
    if not g.outgoing(fn.id, SendsEmail):
        return NOT_APPLICABLE
    streams = [t for t in (g.source_as(f, DynamoDbTable) for f in g.incoming(fn.id, Triggers)) if t is not None]
    if not streams:
        return passes_if(not g.incoming(fn.id, Invokes, frm=ApiGateway),
                         f"function '{fn.id}' sends email on the request path instead of from a table stream")
    blind = [t.id for t in streams if t.stream not in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES")]
    return passes_if(not blind, f"stream of {', '.join(blind)} does not carry the new item that '{fn.id}' needs")


@rule("AC607", severity="low", title="SES identities sign mail with DKIM",
      rationale="DKIM signatures keep your mail out of spam folders and stop others sending as you.",
      remediation="Set `dkim: true`.",
      docs="https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim.html")
def ses_dkim(identity: Ses, g: Graph) -> Outcome:
    return passes_if(identity.dkim, f"SES identity '{identity.identity}' does not sign with DKIM")


@rule("AC608", severity="low", title="Queues and topics are used",
      rationale="A queue or topic no flow reaches is unused infrastructure.",
      remediation="Add the flows that use it, or remove it.",
      docs=SQS + "welcome.html",
      outside="the producers and consumers elsewhere (application code, other stacks)")
def messaging_is_used(channel: SqsQueue | SnsTopic, g: Graph) -> Outcome:
    outside = isinstance(channel, SnsTopic) and channel.published_from_outside  # an alarm's actions, a group's notifications
    return passes_if(bool(g.incoming(channel.id)) or outside, f"nothing sends to '{channel.id}'")


@rule("AC609", severity="medium", title="EventBridge rule targets have a dead-letter queue",
      rationale="""An event EventBridge cannot deliver to a target (the target is missing, throttled or refuses it) is retried
      for up to 24 hours, or as the retry policy says, and then dropped without a trace unless the target has a dead-letter
      queue to keep it for inspection and redrive. Not asked of a rule on a schedule of an hour or less: its events
      carry nothing but the time, and the next comes within the hour.""",
      remediation="Add a `dead-letter` flow from the rule to a standard SQS queue.",
      docs=EVENTBRIDGE + "eb-rule-dlq.html")
def event_rule_has_dlq(rule: EventRule, g: Graph) -> Outcome:
    if not rule.enabled or not [f for f in g.outgoing(rule.id) if not isinstance(f, DeadLetter)]:
        return NOT_APPLICABLE  # a disabled rule, or one without targets, delivers nothing
    if rule.schedule and (every := rate_s(rule.schedule)) is not None and every <= 3600:
        return NOT_APPLICABLE  # a tick lost is followed by the next within the hour: nothing to inspect or redrive
    return passes_if(bool(g.outgoing(rule.id, DeadLetter)),
                     f"rule '{rule.id}' has no dead-letter queue: events its targets do not take are dropped after "
                     f"{rule.max_retry_attempts} retries or {rule.max_event_age_s} s")


RATE = re.compile(r"rate\(\s*(\d+)\s+(minutes?|hours?|days?)\s*\)")
UNIT_S = {"minute": 60, "hour": 3600, "day": 86400}


def rate_s(schedule: str) -> int | None:
    """Seconds between the events of a `rate(...)` schedule; None for a `cron(...)` one."""
    match = RATE.fullmatch(schedule.strip())
    return int(match.group(1)) * UNIT_S[match.group(2).rstrip("s")] if match else None

