"""EventBridge rules as emitted: a template cfn-lint reports nothing on, one target per flow with the rule's retry
policy and dead-letter queue, and access limited to the rule: a Lambda permission per invoked function, queue and
topic policies for events.amazonaws.com on the rule's ARN, a role allowed exactly what its other targets need."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archcase.models import Architecture
from archcase.render.cloudformation import lint
from archcase.render.cloudformation.emit import template, template_text
from archcase.render.cloudformation.template import EmitError

from .conftest import write_handlers

HANDLER = "billing.app.handler"
RULE_ARN = {"Fn::GetAtt": ["Nightly", "Arn"]}


def case(rule: dict[str, Any] | None = None, flows: list[dict[str, Any]] | None = None,
         topic: dict[str, Any] | None = None, queue: dict[str, Any] | None = None) -> Architecture:
    """A rule `nightly` beside a function, a queue, a dead-letter queue, a topic, a state machine and a stream."""
    return Architecture.model_validate({"name": "orders", "title": "Orders", "services": [
        {"id": "nightly", "kind": "eventbridge-rule", **(rule or {"schedule": "rate(1 day)"})},
        {"id": "report", "kind": "lambda", "handler": HANDLER},
        {"id": "jobs", "kind": "sqs", **(queue or {})},
        {"id": "failed", "kind": "sqs", "retention_s": 1209600},
        {"id": "alerts", "kind": "sns", "encryption": False, **(topic or {})},
        {"id": "flow", "kind": "step-functions"},
        {"id": "clicks", "kind": "kinesis-stream"},
    ], "flows": flows or []})


ALL = [{"from": "nightly", "to": "report", "kind": "invokes"}, {"from": "nightly", "to": "jobs", "kind": "enqueues"},
       {"from": "nightly", "to": "alerts", "kind": "publishes"}, {"from": "nightly", "to": "flow", "kind": "starts"},
       {"from": "nightly", "to": "clicks", "kind": "puts-records"}, {"from": "nightly", "to": "failed", "kind": "dead-letter"}]


@pytest.fixture(scope="module")
def handlers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_handlers(tmp_path_factory.mktemp("handlers"), [case()])


def rule_of(document: dict) -> dict:
    return document["Resources"]["Nightly"]["Properties"]


def test_a_rule_with_every_kind_of_target_is_clean_for_cfn_lint(handlers):
    assert [str(p) for p in lint.problems(template_text(case(flows=ALL), handlers))] == []


def test_a_pattern_rule_on_a_custom_bus_is_clean_for_cfn_lint(handlers):
    rule = {"event_sources": ["com.example.orders"], "custom_bus": True, "enabled": False}
    assert [str(p) for p in lint.problems(template_text(case(rule, ALL[:1]), handlers))] == []


def test_each_target_has_the_retry_policy_and_the_dead_letter_queue(handlers):
    rule = {"schedule": "cron(0 3 * * ? *)", "max_retry_attempts": 4, "max_event_age_s": 3600}
    targets = rule_of(template(case(rule, ALL), handlers))["Targets"]
    assert [t["Id"] for t in targets] == ["Report", "Jobs", "Alerts", "Flow", "Clicks"]
    assert {str(t["RetryPolicy"]) for t in targets} == {"{'MaximumRetryAttempts': 4, 'MaximumEventAgeInSeconds': 3600}"}
    assert [t["DeadLetterConfig"] for t in targets] == [{"Arn": {"Fn::GetAtt": ["Failed", "Arn"]}}] * 5
    role = {"Fn::GetAtt": ["NightlyRole", "Arn"]}
    assert [t.get("RoleArn") for t in targets] == [None, None, None, role, role]


def test_schedule_pattern_state_and_bus(handlers):
    scheduled = rule_of(template(case(flows=ALL[:1]), handlers))
    assert (scheduled["ScheduleExpression"], scheduled["State"], "EventPattern" in scheduled) == ("rate(1 day)", "ENABLED", False)
    rule = {"event_sources": ["aws.s3", "com.example.orders"], "custom_bus": True, "enabled": False}
    document = template(case(rule, ALL[:1]), handlers)
    matched = rule_of(document)
    assert matched["EventPattern"] == {"source": ["aws.s3", "com.example.orders"]}
    assert matched["State"] == "DISABLED"
    assert matched["EventBusName"] == {"Ref": "NightlyBus"}
    assert document["Resources"]["NightlyBus"]["Type"] == "AWS::Events::EventBus"


def test_an_invoked_function_lets_exactly_this_rule_invoke_it(handlers):
    permission = template(case(flows=ALL[:1]), handlers)["Resources"]["ReportNightlyPermission"]["Properties"]
    assert permission == {"Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": ["Report", "Arn"]},
                          "Principal": "events.amazonaws.com", "SourceArn": RULE_ARN}


def test_queues_and_topics_let_events_send_on_the_rule_s_arn_only(handlers):
    resources = template(case(flows=ALL), handlers)["Resources"]
    for policy, key, action, resource in (("JobsPolicy", "Queues", "sqs:SendMessage", {"Fn::GetAtt": ["Jobs", "Arn"]}),
                                          ("FailedPolicy", "Queues", "sqs:SendMessage", {"Fn::GetAtt": ["Failed", "Arn"]}),
                                          ("AlertsPolicy", "Topics", "sns:Publish", {"Ref": "Alerts"})):
        assert len(resources[policy]["Properties"][key]) == 1
        statements = [s for s in resources[policy]["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
        assert statements == [{"Sid": "FromNightly", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                               "Action": action, "Resource": resource, "Condition": {"ArnEquals": {"aws:SourceArn": RULE_ARN}}}]


def test_the_role_may_start_exactly_the_machine_and_put_to_exactly_the_stream(handlers):
    resources = template(case(flows=ALL), handlers)["Resources"]
    statements = resources["NightlyRolePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert sorted((a, str(s["Resource"])) for s in statements for a in s["Action"]) == [
        ("kinesis:PutRecord", "{'Fn::GetAtt': ['Clicks', 'Arn']}"), ("kinesis:PutRecords", "{'Fn::GetAtt': ['Clicks', 'Arn']}"),
        ("states:StartExecution", "{'Ref': 'Flow'}")]
    trust = resources["NightlyRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "events.amazonaws.com"}]


def test_a_rule_to_functions_queues_and_topics_only_has_no_role(handlers):
    resources = template(case(flows=ALL[:3]), handlers)["Resources"]
    assert "NightlyRole" not in resources
    assert all("RoleArn" not in t for t in rule_of({"Resources": resources})["Targets"])


@pytest.mark.parametrize(("flows", "services", "message", "at"), [
    ([ALL[2]], {"topic": {"encryption": True}}, "topic 'alerts' is encrypted with the AWS managed key aws/sns",
     "nightly-publishes-alerts"),
    ([ALL[1]], {"queue": {"encryption": "kms"}}, "queue 'jobs' is encrypted with the AWS managed key aws/sqs",
     "nightly-enqueues-jobs"),
    ([ALL[2]], {"topic": {"encryption": False, "fifo": True}}, "topic 'alerts' is a FIFO topic", "nightly-publishes-alerts"),
])
def test_targets_eventbridge_cannot_deliver_to_are_refused_at_the_flow(handlers, flows, services, message, at):
    with pytest.raises(EmitError, match=message) as refused:
        template(case(flows=flows, **services), handlers)
    assert refused.value.service == at


def test_more_than_five_targets_are_refused_at_the_rule(handlers):
    extra = [{"id": f"more{i}", "kind": "sqs"} for i in range(5)]
    architecture = Architecture.model_validate({**case().model_dump(mode="json", by_alias=True, exclude_defaults=True),
                                                "services": [*case().model_dump(mode="json", by_alias=True)["services"], *extra],
                                                "flows": [{"from": "nightly", "to": f"more{i}", "kind": "enqueues"} for i in range(5)]
                                                + [ALL[0]]})
    with pytest.raises(EmitError, match="6 targets: EventBridge sends a rule's events to at most 5") as refused:
        template(architecture, handlers)
    assert refused.value.service == "nightly"


def test_the_model_refuses_a_fifo_dead_letter_queue_for_a_rule():
    with pytest.raises(ValueError, match="'jobs' is FIFO, and an EventBridge rule's dead-letter queue is a standard queue"):
        case(flows=[ALL[0], {"from": "nightly", "to": "jobs", "kind": "dead-letter"}], queue={"fifo": True})


def test_a_fifo_queue_target_gets_a_message_group(handlers):
    targets = rule_of(template(case(flows=ALL[1:2], queue={"fifo": True}), handlers))["Targets"]
    assert targets[0]["SqsParameters"] == {"MessageGroupId": "nightly"}


def test_a_retry_policy_on_a_rule_without_targets_is_refused_at_the_rule(handlers):
    with pytest.raises(EmitError, match="a retry policy is set on each target, and the rule has none") as refused:
        template(case({"schedule": "rate(1 day)", "max_event_age_s": 60}), handlers)
    assert refused.value.service == "nightly"
