"""EventBridge rules imported: their settings as AWS deploys them, the flows to their targets and dead-letter queues
(and only those), the rules SAM creates for functions' events, and the round trip of an emitted rule."""

from __future__ import annotations

import json
from typing import Any

import pytest

from archcase import api
from archcase.checks.engine import check
from archcase.importer import import_template
from archcase.models import Architecture
from archcase.models.events import EventRule
from archcase.render.cloudformation import lint
from archcase.render.cloudformation.emit import template, template_text

from ..render.cloudformation.conftest import write_handlers
from .templates import flows, imported
from .test_round_trip import differences

SAM = "AWS::Serverless-2016-10-31"
FN = {"Type": "AWS::Lambda::Function", "Properties": {
    "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r",
    "Code": {"ZipFile": "def handler(event, context): pass"}}}
QUEUE = {"Type": "AWS::SQS::Queue", "Properties": {}}
TOPIC = {"Type": "AWS::SNS::Topic", "Properties": {}}
MACHINE = {"Type": "AWS::StepFunctions::StateMachine", "Properties": {
    "RoleArn": "arn:aws:iam::123456789012:role/m", "Definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}}}
STREAM = {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1}}


def rule(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::Events::Rule", "Properties": properties}




def the_rule(case: Architecture, service_id: str = "nightly") -> EventRule:
    service = case.service(service_id)
    assert isinstance(service, EventRule)
    return service


def test_a_rule_is_an_eventbridge_rule_with_aws_defaults(tmp_path):
    case = imported(tmp_path, {"Nightly": rule(ScheduleExpression="rate(1 day)")})
    assert the_rule(case).model_dump(exclude={"id", "label", "description", "group"}) == {
        "kind": "eventbridge-rule", "schedule": "rate(1 day)", "event_sources": [], "enabled": True, "custom_bus": False,
        "max_retry_attempts": 185, "max_event_age_s": 86400}


def test_pattern_state_bus_and_the_weakest_retry_policy_are_read(tmp_path):
    case = imported(tmp_path, {
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "orders"}},
        "Q1": QUEUE, "Q2": QUEUE,
        "Nightly": rule(EventPattern=json.dumps({"source": ["com.example.orders", "aws.s3"], "detail-type": ["x"]}),
                        State="DISABLED", EventBusName={"Ref": "Bus"}, Targets=[
                            {"Id": "a", "Arn": {"Fn::GetAtt": ["Q1", "Arn"]}, "RetryPolicy": {"MaximumRetryAttempts": 3}},
                            {"Id": "b", "Arn": {"Fn::GetAtt": ["Q2", "Arn"]}, "RetryPolicy": {"MaximumEventAgeInSeconds": 600}}])})
    found = the_rule(case)
    assert (found.schedule, found.event_sources, found.enabled, found.custom_bus) == (None, ["aws.s3", "com.example.orders"], False, True)
    assert (found.max_retry_attempts, found.max_event_age_s) == (3, 600)
    assert [s.id for s in case.services if s.id == "bus"] == []  # the bus belongs to its rule


def test_a_rule_on_the_default_bus_by_name_is_not_on_a_custom_bus(tmp_path):
    case = imported(tmp_path, {"Nightly": rule(EventPattern={"source": ["aws.ec2"]}, EventBusName="default")})
    assert the_rule(case).custom_bus is False


def test_each_target_is_a_flow_of_its_kind_and_the_dead_letter_queue_a_dead_letter_flow(tmp_path):
    dlq = {"DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["Failed", "Arn"]}}}
    case = imported(tmp_path, {
        "Report": FN, "Jobs": QUEUE, "Failed": QUEUE, "Alerts": TOPIC, "Flow": MACHINE, "Clicks": STREAM,
        "Nightly": rule(ScheduleExpression="rate(1 hour)", Targets=[
            {"Id": "1", "Arn": {"Fn::GetAtt": ["Report", "Arn"]}, **dlq}, {"Id": "2", "Arn": {"Fn::GetAtt": ["Jobs", "Arn"]}},
            {"Id": "3", "Arn": {"Ref": "Alerts"}}, {"Id": "4", "Arn": {"Ref": "Flow"}, "RoleArn": "arn:aws:iam::1:role/x"},
            {"Id": "5", "Arn": {"Fn::GetAtt": ["Clicks", "Arn"]}, "RoleArn": "arn:aws:iam::1:role/x"},
            {"Id": "6", "Arn": "arn:aws:lambda:us-east-1:123456789012:function:elsewhere"}])})
    assert flows(case) == [("nightly", "dead-letter", "failed"), ("nightly", "enqueues", "jobs"), ("nightly", "invokes", "report"),
                           ("nightly", "publishes", "alerts"), ("nightly", "puts-records", "clicks"), ("nightly", "starts", "flow")]


def test_sam_schedule_and_eventbridge_events_are_rules_with_their_settings(tmp_path):
    function = {"Type": "AWS::Serverless::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "app.handler", "CodeUri": ".", "Events": {
            "Tick": {"Type": "Schedule", "Properties": {"Schedule": "rate(5 minutes)", "Enabled": False,
                                                        "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["Failed", "Arn"]}},
                                                        "RetryPolicy": {"MaximumRetryAttempts": 2}}},
            "Order": {"Type": "EventBridgeRule", "Properties": {"Pattern": {"source": ["com.example.orders"]}}}}}}
    case = imported(tmp_path, {"Worker": function, "Failed": QUEUE}, Transform=SAM)
    tick, order = the_rule(case, "worker-tick"), the_rule(case, "worker-order")
    assert (tick.schedule, tick.enabled, tick.max_retry_attempts) == ("rate(5 minutes)", False, 2)
    assert (order.schedule, order.event_sources, order.enabled) == (None, ["com.example.orders"], True)
    assert flows(case) == [("worker-order", "invokes", "worker"), ("worker-tick", "dead-letter", "failed"),
                           ("worker-tick", "invokes", "worker")]


@pytest.mark.parametrize("rule_settings", [
    {"schedule": "cron(0 3 * * ? *)", "max_retry_attempts": 4, "max_event_age_s": 3600},
    {"event_sources": ["com.example.orders"], "custom_bus": True, "enabled": False},
    {},
])
def test_an_emitted_rule_is_imported_as_it_was(tmp_path, rule_settings):
    case = Architecture.model_validate({"name": "orders", "title": "Orders", "services": [
        {"id": "nightly", "kind": "eventbridge-rule", **rule_settings},
        {"id": "report", "kind": "lambda", "handler": "billing.app.handler"},
        {"id": "jobs", "kind": "sqs"}, {"id": "failed", "kind": "sqs", "retention_s": 1209600},
        {"id": "alerts", "kind": "sns", "encryption": False}, {"id": "flow", "kind": "step-functions"},
        {"id": "clicks", "kind": "kinesis-stream"},
    ], "flows": [{"from": "nightly", "to": "report", "kind": "invokes"}, {"from": "nightly", "to": "jobs", "kind": "enqueues"},
                 {"from": "nightly", "to": "alerts", "kind": "publishes"}, {"from": "nightly", "to": "flow", "kind": "starts"},
                 {"from": "nightly", "to": "clicks", "kind": "puts-records"},
                 {"from": "nightly", "to": "failed", "kind": "dead-letter"}]})
    path = tmp_path / "orders.yaml"
    path.write_text(template_text(case, write_handlers(tmp_path / "handlers", [case])), encoding="utf-8")
    assert differences(case, import_template(path).architecture) == []


def test_a_sam_rule_whose_dead_letter_queue_sam_makes_has_one(tmp_path):
    """`DeadLetterConfig: {Type: SQS}` on a SAM rule event: SAM makes the queue (`<function><event>Queue`), so the
    rule keeps undelivered events and AC609 passes."""
    nightly = {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)", "DeadLetterConfig": {"Type": "SQS"}}}
    function = {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "python3.12", "Handler": "a.b", "CodeUri": "s",
                "Events": {"Nightly": nightly}}}
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Transform": "AWS::Serverless-2016-10-31", "Resources": {"Fn": function}}), encoding="utf-8")
    case = import_template(path).architecture
    assert ("fn-nightly", "dead-letter", "fn-nightly-queue") in {(f.source, f.kind, f.target) for f in case.flows}
    assert [f.message for f in check(case).findings if f.rule_id == "AC609"] == []


def test_findings_on_what_sam_makes_for_an_event_are_placed_at_the_event(tmp_path):
    """Found by the precision review: a rule SAM makes for a function's event has no line of its own, and its
    finding was placed at the template's first resource."""
    text = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties: {KeySchema: [{AttributeName: pk, KeyType: HASH}], AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
      Events:
        Ordered:
          Type: EventBridgeRule
          Properties: {Pattern: {source: [com.example.orders]}}
        Get:
          Type: Api
          Properties: {Path: /items, Method: get}
"""
    path = tmp_path / "template.yaml"
    path.write_text(text, encoding="utf-8")
    (report,) = api.check([path])
    lines = {(f.rule_id, f.target): f.line for f in report.findings}
    assert lines[("AC609", "fn-ordered")] == 13
    assert lines[("AC204", "serverless-rest-api")] == 12  # the implicit API: at the function's events


def test_an_eventbridge_scheduler_schedule_is_a_rule_on_a_schedule_with_its_one_target(tmp_path):
    schedule = {"Type": "AWS::Scheduler::Schedule", "Properties": {
        "ScheduleExpression": "cron(0 3 * * ? *)", "FlexibleTimeWindow": {"Mode": "OFF"}, "State": "DISABLED",
        "Target": {"Arn": {"Fn::GetAtt": ["Fn", "Arn"]}, "RoleArn": "arn:aws:iam::123456789012:role/s",
                   "RetryPolicy": {"MaximumRetryAttempts": 3}, "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["Failed", "Arn"]}}}}}
    case = imported(tmp_path, {"Nightly": schedule, "Fn": FN, "Failed": QUEUE})
    nightly = the_rule(case)
    assert (nightly.schedule, nightly.enabled, nightly.max_retry_attempts) == ("cron(0 3 * * ? *)", False, 3)
    assert flows(case) == [("nightly", "dead-letter", "failed"), ("nightly", "invokes", "fn")]
    assert [f.rule_id for f in check(case).findings if f.rule_id == "AC609"] == []


def test_a_sam_schedule_v2_event_is_a_schedule_with_the_events_settings(tmp_path):
    function = {"Type": "AWS::Serverless::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "app.handler", "CodeUri": ".", "Events": {
            "Tick": {"Type": "ScheduleV2", "Properties": {"ScheduleExpression": "rate(1 hour)",
                                                          "DeadLetterConfig": {"Type": "SQS"}}}}}}
    case = imported(tmp_path, {"Worker": function}, Transform=SAM)
    assert the_rule(case, "worker-tick").schedule == "rate(1 hour)"
    assert flows(case) == [("worker-tick", "dead-letter", "worker-tick-queue"), ("worker-tick", "invokes", "worker")]


def producer(statement_resource: Any) -> dict[str, Any]:
    """A function whose role may put events on what `statement_resource` names."""
    role = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "put", "PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Action": "events:PutEvents", "Resource": statement_resource}]}}]}}
    return {"Producer": {**FN, "Properties": {**FN["Properties"], "Role": {"Fn::GetAtt": ["ProducerRole", "Arn"]}}}, "ProducerRole": role}


BUS = {"Type": "AWS::Events::EventBus", "Properties": {"Name": "orders"}}
ON_BUS = {"EventBusName": {"Ref": "Bus"}, "Targets": [{"Arn": {"Fn::GetAtt": ["Consumer", "Arn"]}, "Id": "c"}]}


@pytest.mark.parametrize("sources", [None, ["com.example.orders"], ["aws.s3", "com.example.orders"]])
def test_a_function_putting_events_on_a_bus_publishes_to_every_rule_on_it(tmp_path, sources):
    """Found reviewing the corpora: producers on a custom bus had no flow, so the picture stopped at them."""
    pattern = {"detail-type": ["Created"]} if sources is None else {"source": sources}
    resources = {**producer({"Fn::GetAtt": ["Bus", "Arn"]}), "Bus": BUS, "Consumer": FN,
                 "Created": rule(EventPattern=pattern, **ON_BUS), "Shipped": rule(EventPattern=json.dumps(pattern), **ON_BUS),
                 "Elsewhere": rule(EventPattern=pattern, Targets=ON_BUS["Targets"])}
    case = imported(tmp_path, resources)
    assert [f for f in flows(case) if f[0] == "producer"] == [("producer", "publishes", "created"), ("producer", "publishes", "shipped")]
    assert {s.id for s in case.services} == {"producer", "consumer", "created", "shipped", "elsewhere"}  # the bus is its rules'


@pytest.mark.parametrize(("rule_properties", "reached"), [
    ({"EventPattern": {"source": ["com.example.orders"]}}, True),
    ({"EventPattern": {"source": ["aws.s3"]}}, False),  # EventBridge refuses events put with an `aws.` source
    ({"ScheduleExpression": "rate(1 hour)"}, False),  # a schedule matches no events
    ({"EventPattern": {"source": ["com.example.orders"]}, "EventBusName": {"Ref": "Bus"}}, False),  # not the default bus
])
def test_a_function_putting_events_on_the_default_bus_publishes_to_the_rules_there_that_can_match_them(tmp_path, rule_properties, reached):
    default = {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"}
    resources = {**producer(default), "Consumer": FN, "Bus": BUS,
                 "Matching": rule(**rule_properties, Targets=ON_BUS["Targets"])}
    case = imported(tmp_path, resources)
    assert (("producer", "publishes", "matching") in flows(case)) is reached


def test_a_sam_put_events_policy_template_publishes_to_the_rules_on_its_bus(tmp_path):
    function = {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "python3.12", "Handler": "a.b", "CodeUri": "s",
                "Policies": [{"EventBridgePutEventsPolicy": {"EventBusName": {"Ref": "Bus"}}}]}}
    consumer = {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "python3.12", "Handler": "a.b", "CodeUri": "s", "Events": {
        "Created": {"Type": "EventBridgeRule", "Properties": {"EventBusName": {"Ref": "Bus"}, "Pattern": {"source": ["com.example"]}}}}}}
    case = imported(tmp_path, {"Producer": function, "Consumer": consumer, "Bus": BUS}, Transform=SAM)
    assert flows(case) == [("consumer-created", "invokes", "consumer"), ("producer", "publishes", "consumer-created")]


@pytest.mark.parametrize("custom_bus", [True, False])
def test_an_emitted_producer_may_put_events_on_its_rules_bus_only_and_imports_as_it_was(tmp_path, custom_bus):
    case = Architecture.model_validate({"name": "orders", "title": "Orders", "services": [
        {"id": "created", "kind": "eventbridge-rule", "event_sources": ["aws.s3", "com.example.orders"], "custom_bus": custom_bus},
        {"id": "checkout", "kind": "lambda", "handler": "billing.app.handler"},
        {"id": "ship", "kind": "lambda", "handler": "billing.app.handler"},
    ], "flows": [{"from": "checkout", "to": "created", "kind": "publishes"}, {"from": "created", "to": "ship", "kind": "invokes"}]})
    handlers = write_handlers(tmp_path / "handlers", [case])
    resources = template(case, handlers)["Resources"]
    allowed = [statement for r in resources.values() if r["Type"] == "AWS::IAM::Policy"
               for statement in r["Properties"]["PolicyDocument"]["Statement"] if "events:PutEvents" in statement["Action"]]
    assert [s["Resource"] for s in allowed] == [
        {"Fn::GetAtt": ["CreatedBus", "Arn"]} if custom_bus else
        {"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default"}]
    variables = resources["Checkout"]["Properties"]["Environment"]["Variables"]
    assert variables["CREATED_EVENT_BUS"] == ({"Ref": "CreatedBus"} if custom_bus else [s["Resource"] for s in allowed][0])
    text = template_text(case, handlers)
    assert [str(p) for p in lint.problems(text)] == []
    path = tmp_path / "orders.yaml"
    path.write_text(text, encoding="utf-8")
    assert differences(case, import_template(path).architecture) == []
