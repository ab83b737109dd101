"""EventBridge rules: the rule (on the default bus, or on a custom bus of its own), one target per flow with the
rule's retry policy and dead-letter queue, and exactly the access each target needs: a Lambda permission per invoked
function and a role allowed exactly what its state machine, stream and delivery stream targets need, both limited to
the rule. Queues and topics let the rule send under their own policies (messaging.py), also limited to the rule."""

from __future__ import annotations

from ...models.analytics import Firehose, KinesisStream
from ...models.compute import LambdaFunction
from ...models.events import EventRule
from ...models.flows import DeadLetter, Enqueues, Flow, Invokes, Publishes, PutsRecords, Starts
from ...models.messaging import SnsTopic, SqsQueue
from ...models.registry import kind_of
from ...models.text import cfn_text
from ...models.workflows import StateMachine
from . import iam
from .compute import permission_id
from .context import Context, Fragment, att_of, lid, pascal, ref_of
from .marks import arn_of, emits
from .policy import Statement
from .template import EmitError, Json, get_att, ref, sub

RETRIES, EVENT_AGE_S = 185, 86400
"""EventBridge's retry policy for a target that states none."""
MAX_TARGETS = 5
"""EventBridge sends a rule's events to at most five targets."""
TARGETS: tuple[tuple[type[Flow], tuple[type[object], ...]], ...] = (
    (Invokes, (LambdaFunction,)), (Enqueues, (SqsQueue,)), (Publishes, (SnsTopic,)), (Starts, (StateMachine,)),
    (PutsRecords, (KinesisStream, Firehose)),
)
"""The flows of a rule that are its targets."""


def targets(out: Fragment, rule: EventRule) -> list[Flow]:
    """The rule's target flows, in the case's order."""
    return [f for f in out.ctx.graph.outgoing(rule.id)
            if any(isinstance(f, flow) and isinstance(out.ctx.service(f.target), to) for flow, to in TARGETS)]


def _refuse(flow: Flow, message: str, hint: str) -> EmitError:
    return EmitError(f"`{kind_of(type(flow))}` flow '{flow.key}': {message}", flow.key, hint)


def _check(out: Fragment, flow: Flow) -> None:
    """Targets EventBridge cannot deliver to: a queue or topic encrypted with its AWS managed key (whose key policy
    EventBridge cannot be granted) and a FIFO topic (the model refuses a FIFO dead-letter queue)."""
    target = out.ctx.service(flow.target)
    if isinstance(target, SqsQueue) and target.encryption == "kms":
        raise _refuse(flow, f"queue '{target.id}' is encrypted with the AWS managed key aws/sqs, whose key policy does not "
                            f"let EventBridge use it: events sent to it are lost",
                      f"set `encryption: sqs-managed` on '{target.id}'")
    if isinstance(target, SnsTopic) and target.encryption:
        raise _refuse(flow, f"topic '{target.id}' is encrypted with the AWS managed key aws/sns, whose key policy does not "
                            f"let EventBridge use it: events published to it are lost",
                      f"set `encryption: false` on '{target.id}' (a customer managed key is not emitted yet)")
    if isinstance(target, SnsTopic) and target.fifo:
        raise _refuse(flow, f"topic '{target.id}' is a FIFO topic, which archcase does not emit as a rule's target",
                      f"set `fifo: false` on '{target.id}'")


@emits(EventRule)
def emit_event_rule(rule: EventRule, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    rule_id = lid(rule)
    flows = targets(out, rule)
    if len(flows) > MAX_TARGETS:
        raise ctx.fail(rule, f"{len(flows)} targets: EventBridge sends a rule's events to at most {MAX_TARGETS}")
    if not flows and (rule.max_retry_attempts, rule.max_event_age_s) != (RETRIES, EVENT_AGE_S):
        raise ctx.fail(rule, "a retry policy is set on each target, and the rule has none (an `invokes`, `enqueues`, "
                             "`publishes`, `starts` or `puts-records` flow from it)")
    dead_letters = ctx.graph.outgoing(rule.id, DeadLetter)
    if dead_letters and not flows:
        raise ctx.fail(rule, "a dead-letter queue is set on each target, and the rule has none (an `invokes`, `enqueues`, "
                             "`publishes`, `starts` or `puts-records` flow from it): add a target, or remove the dead-letter flow")
    for flow in [*flows, *dead_letters[:1]]:
        _check(out, flow)
    matched = "events of " + (", ".join(rule.event_sources) if rule.event_sources else "any source")
    properties: Json = {"Description": cfn_text(f"{rule.id}: {rule.schedule or matched}", 512),
                        "State": "ENABLED" if rule.enabled else "DISABLED"}
    if rule.schedule is not None:
        properties["ScheduleExpression"] = rule.schedule
    else:
        properties["EventPattern"] = {"source": list(rule.event_sources) or [{"exists": True}]}
    if rule.custom_bus:
        bus = out.resource(lid(rule, "Bus"), "AWS::Events::EventBus", {"Name": sub(f"${{AWS::StackName}}-{rule.id}")})
        properties["EventBusName"] = ref(bus)
    statements: list[Statement] = []
    entries: list[Json] = []
    for flow in flows:
        target = ctx.service(flow.target)
        entry: Json = {"Id": lid(target), "Arn": out.arn(target),
                       "RetryPolicy": {"MaximumRetryAttempts": rule.max_retry_attempts,
                                       "MaximumEventAgeInSeconds": rule.max_event_age_s}}
        if dead_letters:
            entry["DeadLetterConfig"] = {"Arn": att_of(dead_letters[0].target, "Arn")}
        if isinstance(target, SqsQueue) and target.fifo:
            entry["SqsParameters"] = {"MessageGroupId": rule.id}
        if isinstance(target, (StateMachine, KinesisStream, Firehose)):
            statements += out.permissions(flow)
            entry["RoleArn"] = get_att(lid(rule, "Role"), "Arn")
        if isinstance(target, LambdaFunction):
            out.resource(permission_id(target, rule), "AWS::Lambda::Permission", {
                "Action": "lambda:InvokeFunction", "FunctionName": att_of(target, "Arn"),
                "Principal": "events.amazonaws.com", "SourceArn": get_att(rule_id, "Arn")})
        entries.append(entry)
    if entries:
        properties["Targets"] = entries
    attributes: Json = {}
    if statements:
        iam.role(out, lid(rule, "Role"), "events.amazonaws.com", statements,
                 f"Lets the {rule.id} rule deliver to its targets: only what they need.",
                 condition={"StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")}})
        attributes["DependsOn"] = [f"{lid(rule, 'Role')}Policy"]
    out.resource(rule_id, "AWS::Events::Rule", properties, **attributes)
    out.output(lid(rule, "Arn"), get_att(rule_id, "Arn"), f"ARN of the {rule.id} rule")
    if rule.custom_bus:
        out.output(lid(rule, "BusName"), ref(lid(rule, "Bus")), f"Name of the event bus of the {rule.id} rule")
    return out


def sends(out: Fragment, service: SqsQueue | SnsTopic) -> list[Json]:
    """The statements of a queue's or topic's policy that let the rules sending to it (as a target, or as its
    dead-letter queue) send, each limited to its rule."""
    action, arn = ("sqs:SendMessage", out.arn(service)) if isinstance(service, SqsQueue) else ("sns:Publish", ref_of(service))
    rules = [f.source for f in out.ctx.graph.incoming(service.id) if isinstance(out.ctx.service(f.source), EventRule)
             and isinstance(f, (Enqueues, Publishes, DeadLetter))]
    return [{"Sid": f"From{pascal(rule)}", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
             "Action": action, "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": att_of(rule, "Arn")}}}
            for rule in dict.fromkeys(rules)]


@arn_of(EventRule)
def _rule(out: Fragment, rule: EventRule) -> Json:
    return att_of(rule, "Arn")
