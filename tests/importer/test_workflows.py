"""Step Functions state machines imported: their settings as AWS deploys them, the flows their task states name
(and only those), what starts them, and the round trip of an emitted one."""

from __future__ import annotations

import json
from typing import Any

import pytest

from archcase.importer import import_template
from archcase.models import Architecture
from archcase.models.workflows import StateMachine
from archcase.render.cloudformation.emit import template_text

from ..render.cloudformation.conftest import write_handlers
from .templates import flows, imported
from .test_round_trip import differences

SAM = "AWS::Serverless-2016-10-31"
FN = {"Type": "AWS::Lambda::Function", "Properties": {
    "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r",
    "Code": {"ZipFile": "def handler(event, context): pass"}}}
QUEUE = {"Type": "AWS::SQS::Queue", "Properties": {}}
TOPIC = {"Type": "AWS::SNS::Topic", "Properties": {}}
TABLE = {"Type": "AWS::DynamoDB::Table", "Properties": {
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}}
ROLE = "arn:aws:iam::123456789012:role/m"


def task(resource: str, **parameters: Any) -> dict[str, Any]:
    return {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}


def definition(*states: dict[str, Any]) -> dict[str, Any]:
    """A definition whose states run one after another."""
    body = {}
    for i, state in enumerate(states):
        following = {"Next": f"S{i + 1}"} if i + 1 < len(states) else {"End": True}
        body[f"S{i}"] = {**{k: v for k, v in state.items() if k != "End"}, **following}
    return {"StartAt": "S0", "States": body}


def machine(**properties: Any) -> dict[str, Any]:
    return {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"RoleArn": ROLE, **properties}}




def the_machine(case: Architecture, service_id: str = "machine") -> StateMachine:
    service = case.service(service_id)
    assert isinstance(service, StateMachine)
    return service


def test_a_machine_that_says_nothing_is_read_as_aws_deploys_it(tmp_path):
    case = imported(tmp_path, {"Machine": machine(Definition=definition({"Type": "Pass", "End": True}))})
    settings = the_machine(case).model_dump(include={"workflow_type", "logging_level", "include_execution_data", "tracing"})
    assert settings == {"workflow_type": "STANDARD", "logging_level": "OFF", "include_execution_data": False, "tracing": False}


def test_settings_are_read_from_cloudformation_and_sam(tmp_path):
    logging = {"Level": "ERROR", "IncludeExecutionData": True, "Destinations": []}
    cfn = machine(StateMachineType="EXPRESS", LoggingConfiguration=logging, TracingConfiguration={"Enabled": True},
                  Definition=definition({"Type": "Pass", "End": True}))
    sam = {"Type": "AWS::Serverless::StateMachine", "Properties": {"Type": "EXPRESS", "Logging": logging, "Tracing": {"Enabled": True},
                                                                    "DefinitionUri": "machine.asl.json"}}
    for resource, extra in ((cfn, {}), (sam, {"Transform": SAM})):
        found = the_machine(imported(tmp_path, {"Machine": resource}, **extra))
        assert (found.workflow_type, found.logging_level, found.include_execution_data, found.tracing) == ("EXPRESS", "ERROR", True, True)


def test_a_level_given_by_a_parameter_without_default_is_read_as_aws_default(tmp_path):
    resources = {"Machine": machine(LoggingConfiguration={"Level": {"Ref": "Level"}}, Definition=definition({"Type": "Pass", "End": True}))}
    case = imported(tmp_path, resources, Parameters={"Level": {"Type": "String"}})
    assert the_machine(case).logging_level == "OFF"


def test_task_states_give_flows_to_what_their_parameters_name(tmp_path):
    tasks = definition(
        task("arn:aws:states:::lambda:invoke", FunctionName="${Charge}", **{"Payload.$": "$"}),
        task("arn:aws:states:::lambda:invoke", FunctionName="${Notify}", InvocationType="Event"),
        task("arn:aws:states:::sqs:sendMessage.waitForTaskToken", QueueUrl="${Jobs}", MessageBody={"token.$": "$$.Task.Token"}),
        task("arn:${AWS::Partition}:states:::sns:publish", TopicArn="${Events}", Message="done"),
        task("arn:aws:states:::dynamodb:putItem", TableName="${Orders}", Item={}),
        task("arn:aws:states:::aws-sdk:dynamodb:query", TableName="${Orders}", KeyConditionExpression="pk = :p"))
    substitutions = {"Charge": {"Fn::GetAtt": ["Charge", "Arn"]}, "Notify": {"Ref": "Notify"}, "Jobs": {"Ref": "Jobs"},
                     "Events": {"Ref": "Events"}, "Orders": {"Ref": "Orders"}}
    case = imported(tmp_path, {"Machine": machine(Definition=tasks, DefinitionSubstitutions=substitutions), "Charge": FN, "Notify": FN,
                               "Jobs": QUEUE, "Events": TOPIC, "Orders": TABLE})
    assert flows(case) == [("machine", "enqueues", "jobs"), ("machine", "invokes", "charge"), ("machine", "invokes", "notify"),
                           ("machine", "publishes", "events"), ("machine", "reads", "orders"), ("machine", "writes", "orders")]
    modes = {f.target: getattr(f, "mode", None) for f in case.flows if f.kind == "invokes"}
    assert modes == {"charge": "sync", "notify": "async"}


def test_a_definition_string_names_resources_by_sub_placeholders(tmp_path):
    text = json.dumps(definition(task("arn:aws:states:::lambda:invoke", FunctionName="${Fn.Arn}"),
                                 task("arn:aws:states:::sqs:sendMessage", QueueUrl="${Url}", MessageBody="x")))
    case = imported(tmp_path, {"Machine": machine(DefinitionString={"Fn::Sub": [text, {"Url": {"Ref": "Jobs"}}]}), "Fn": FN, "Jobs": QUEUE})
    assert flows(case) == [("machine", "enqueues", "jobs"), ("machine", "invokes", "fn")]


def test_what_a_task_is_given_at_run_time_or_by_literal_arn_is_no_flow(tmp_path):
    tasks = definition(task("arn:aws:states:::lambda:invoke", **{"FunctionName.$": "$.fn"}),
                       task("arn:aws:states:::sqs:sendMessage", QueueUrl="https://sqs.us-east-1.amazonaws.com/1/q", MessageBody="x"),
                       {"Type": "Pass", "Result": {"not-called": "${Fn}"}, "End": True})
    case = imported(tmp_path, {"Machine": machine(Definition=tasks, DefinitionSubstitutions={"Fn": {"Ref": "Fn"}}),
                               "Fn": FN, "Jobs": QUEUE})
    assert [f for f in flows(case) if f[0] == "machine"] == []


def test_a_function_named_as_a_tasks_resource_is_invoked_in_branches_too(tmp_path):
    branch = {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": {"Fn::GetAtt": ["Fn", "Arn"]}, "End": True}}}
    tasks = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [branch], "End": True}}}
    case = imported(tmp_path, {"Machine": machine(Definition=tasks), "Fn": FN})
    assert flows(case) == [("machine", "invokes", "fn")]


def test_a_definition_kept_in_a_file_gives_the_functions_it_is_given(tmp_path):
    sam = {"Type": "AWS::Serverless::StateMachine", "Properties": {
        "DefinitionUri": "machine.asl.json", "DefinitionSubstitutions": {"Fn": {"Fn::GetAtt": ["Fn", "Arn"]}, "Jobs": {"Ref": "Jobs"}}}}
    case = imported(tmp_path, {"Machine": sam, "Fn": FN, "Jobs": QUEUE}, Transform=SAM)
    assert [f for f in flows(case) if f[0] == "machine" and f[1] != "uses"] == [("machine", "invokes", "fn")]


def test_a_rule_targeting_the_machine_starts_it(tmp_path):
    rule = {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "rate(1 hour)", "Targets": [
        {"Arn": {"Ref": "Machine"}, "Id": "m", "RoleArn": ROLE}]}}
    case = imported(tmp_path, {"Machine": machine(Definition=definition({"Type": "Pass", "End": True})), "Nightly": rule})
    assert flows(case) == [("nightly", "starts", "machine")]


def test_a_sam_machines_schedule_event_starts_it_and_its_policies_give_its_flows(tmp_path):
    sam = {"Type": "AWS::Serverless::StateMachine", "Properties": {
        "DefinitionUri": "machine.asl.json", "Events": {"Nightly": {"Type": "Schedule", "Properties": {"Schedule": "rate(1 day)"}}},
        "Policies": [{"LambdaInvokePolicy": {"FunctionName": {"Ref": "Fn"}}}, {"SQSSendMessagePolicy": {"QueueName": {"Ref": "Jobs"}}}]}}
    case = imported(tmp_path, {"Machine": sam, "Fn": FN, "Jobs": QUEUE}, Transform=SAM)
    assert flows(case) == [("machine", "enqueues", "jobs"), ("machine", "invokes", "fn"), ("machine-nightly", "starts", "machine")]


def test_a_function_allowed_to_start_the_machine_starts_it(tmp_path):
    role = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Action": "states:StartExecution", "Resource": {"Ref": "Machine"}}]}}]}}
    starter = {**FN, "Properties": {**FN["Properties"], "Role": {"Fn::GetAtt": ["Role", "Arn"]}}}
    case = imported(tmp_path, {"Machine": machine(Definition=definition({"Type": "Pass", "End": True})), "Fn": starter, "Role": role})
    assert flows(case) == [("fn", "starts", "machine")]


@pytest.mark.parametrize("settings", [{}, {"workflow_type": "EXPRESS", "logging_level": "ALL", "include_execution_data": True},
                                      {"logging_level": "OFF", "tracing": False}])
def test_an_emitted_machine_imports_as_its_case(tmp_path, settings):
    case = Architecture.model_validate({"name": "orders", "title": "Orders", "services": [
        {"id": "flow", "kind": "step-functions", **settings},
        {"id": "charge", "kind": "lambda", "handler": "billing.app.handler"},
        {"id": "starter", "kind": "lambda", "handler": "billing.app.handler"},
        {"id": "jobs", "kind": "sqs", "fifo": True},
        {"id": "events", "kind": "sns"},
        {"id": "orders", "kind": "dynamodb", "partition_key": {"name": "pk", "type": "S"}},
        {"id": "nightly", "kind": "generic", "resource_type": "AWS::Events::Rule"},
    ], "flows": [
        {"from": "flow", "to": "charge", "kind": "invokes", "mode": "async"}, {"from": "flow", "to": "jobs", "kind": "enqueues"},
        {"from": "flow", "to": "events", "kind": "publishes"}, {"from": "flow", "to": "orders", "kind": "reads"},
        {"from": "flow", "to": "orders", "kind": "writes"}, {"from": "starter", "to": "flow", "kind": "starts"},
        {"from": "nightly", "to": "flow", "kind": "starts"},
    ]})
    path = tmp_path / "orders.yaml"
    path.write_text(template_text(case, write_handlers(tmp_path / "handlers", [case])), encoding="utf-8")
    assert differences(case, import_template(path).architecture) == []
