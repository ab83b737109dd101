"""Step Functions state machines as emitted: a template cfn-lint reports nothing on, a role allowed exactly what
the machine's flows reach, a definition with one task per flow, and the logging and tracing the case asks for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from archcase.models import Architecture
from archcase.render.cloudformation import lint
from archcase.render.cloudformation.emit import template, template_text

from .conftest import resources_of, write_handlers

HANDLER = "billing.app.handler"
LOG_DELIVERY = {"logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies",
                "logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery"}


def case(machine: dict[str, Any] | None = None, flows: list[dict[str, Any]] | None = None) -> Architecture:
    """A state machine `flow` beside three functions, a queue, a topic and a table; `flows` joins them."""
    return Architecture.model_validate({"name": "orders", "title": "Orders", "services": [
        {"id": "flow", "kind": "step-functions", **(machine or {})},
        {"id": "charge", "kind": "lambda", "handler": HANDLER},
        {"id": "notify", "kind": "lambda", "handler": HANDLER},
        {"id": "other", "kind": "lambda", "handler": HANDLER},
        {"id": "jobs", "kind": "sqs"},
        {"id": "events", "kind": "sns"},
        {"id": "orders", "kind": "dynamodb", "partition_key": {"name": "pk", "type": "S"}},
    ], "flows": flows or []})


@pytest.fixture(scope="module")
def handlers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_handlers(tmp_path_factory.mktemp("handlers"), [case()])


def machine(document: dict) -> dict:
    return document["Resources"]["Flow"]["Properties"]


def statements(document: dict) -> list[dict]:
    return document["Resources"]["FlowRolePolicy"]["Properties"]["PolicyDocument"]["Statement"]


def allowed(document: dict, action: str) -> list[Any]:
    """The resources the machine's role may do `action` on."""
    found: list[Any] = []
    for statement in statements(document):
        if action in statement["Action"]:
            found += statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
    return found


TASK_FLOWS = [{"from": "flow", "to": "charge", "kind": "invokes"}, {"from": "flow", "to": "notify", "kind": "invokes", "mode": "async"},
              {"from": "flow", "to": "jobs", "kind": "enqueues"}, {"from": "flow", "to": "events", "kind": "publishes"},
              {"from": "flow", "to": "orders", "kind": "reads"}, {"from": "other", "to": "flow", "kind": "starts"}]


def test_a_state_machine_with_tasks_is_clean_for_cfn_lint(handlers):
    assert [str(p) for p in lint.problems(template_text(case(flows=TASK_FLOWS), handlers))] == []


def test_the_role_may_invoke_exactly_the_functions_the_machine_invokes(handlers):
    document = template(case(flows=TASK_FLOWS), handlers)
    assert allowed(document, "lambda:InvokeFunction") == [{"Fn::GetAtt": ["Charge", "Arn"]}, {"Fn::GetAtt": ["Notify", "Arn"]}]
    assert allowed(document, "sqs:SendMessage") == [{"Fn::GetAtt": ["Jobs", "Arn"]}]
    assert allowed(document, "sns:Publish") == [{"Ref": "Events"}]
    assert allowed(document, "dynamodb:GetItem") == [{"Fn::GetAtt": ["Orders", "Arn"]}, {"Fn::Sub": "${Orders.Arn}/index/*"}]
    assert allowed(document, "dynamodb:PutItem") == []
    trust = document["Resources"]["FlowRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "states.amazonaws.com"}]


def test_the_definition_has_one_task_per_flow_in_the_case_order(handlers):
    properties = machine(template(case(flows=TASK_FLOWS), handlers))
    states = properties["Definition"]["States"]
    assert list(states) == ["InvokeCharge", "InvokeNotify", "SendToJobs", "PublishToEvents", "ReadOrders"]
    assert properties["Definition"]["StartAt"] == "InvokeCharge"
    assert [states[name].get("Next") for name in states] == ["InvokeNotify", "SendToJobs", "PublishToEvents", "ReadOrders", None]
    assert states["ReadOrders"]["End"] is True
    assert states["InvokeCharge"]["Resource"] == "arn:aws:states:::lambda:invoke"
    assert states["InvokeCharge"]["Parameters"]["FunctionName"] == "${Charge}"
    assert "InvocationType" not in states["InvokeCharge"]["Parameters"]
    assert states["InvokeNotify"]["Parameters"]["InvocationType"] == "Event"
    assert properties["DefinitionSubstitutions"] == {
        "Charge": {"Fn::GetAtt": ["Charge", "Arn"]}, "Notify": {"Fn::GetAtt": ["Notify", "Arn"]}, "Jobs": {"Ref": "Jobs"},
        "Events": {"Ref": "Events"}, "Orders": {"Ref": "Orders"}}


def test_a_function_that_starts_the_machine_may_start_it_and_is_told_its_arn(handlers):
    document = template(case(flows=TASK_FLOWS), handlers)
    other = document["Resources"]["OtherRolePolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert [s["Resource"] for s in other if "states:StartExecution" in s["Action"]] == [{"Ref": "Flow"}]
    variables = document["Resources"]["Other"]["Properties"]["Environment"]["Variables"]
    assert variables == {"FLOW_STATE_MACHINE_ARN": {"Ref": "Flow"}}


def test_a_machine_without_tasks_has_a_pass_state_and_a_role_with_nothing_to_invoke(handlers):
    document = template(case({"tracing": False, "logging_level": "OFF"}), handlers)
    assert machine(document)["Definition"]["States"] == {"Start": {"Type": "Pass", "End": True}}
    assert "DefinitionSubstitutions" not in machine(document)
    assert "FlowRolePolicy" not in document["Resources"]
    assert "DependsOn" not in document["Resources"]["Flow"]


def test_logging_writes_to_its_own_log_group_with_the_delivery_permissions(handlers):
    document = template(case({"logging_level": "ALL", "include_execution_data": True}), handlers)
    logging = machine(document)["LoggingConfiguration"]
    assert logging == {"Level": "ALL", "IncludeExecutionData": True,
                       "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": ["FlowLogs", "Arn"]}}}]}
    group = resources_of(document, "AWS::Logs::LogGroup")["FlowLogs"]["Properties"]
    assert group["LogGroupName"] == {"Fn::Sub": "/aws/vendedlogs/states/${AWS::StackName}-flow"}
    assert set(allowed(document, "logs:CreateLogDelivery")) == {"*"}
    assert {a for s in statements(document) for a in s["Action"] if a.startswith("logs:")} == LOG_DELIVERY
    assert document["Resources"]["Flow"]["DependsOn"] == ["FlowRolePolicy"]


def test_no_logging_means_no_log_group_and_no_delivery_permissions(handlers):
    document = template(case({"logging_level": "OFF"}), handlers)
    assert machine(document)["LoggingConfiguration"] == {"Level": "OFF", "IncludeExecutionData": False}
    assert "FlowLogs" not in resources_of(document, "AWS::Logs::LogGroup")
    assert not any(a.startswith("logs:") for s in statements(document) for a in s["Action"])


@pytest.mark.parametrize("tracing", [True, False])
def test_tracing_as_the_case_says(handlers, tracing):
    document = template(case({"tracing": tracing, "workflow_type": "EXPRESS"}), handlers)
    assert machine(document)["TracingConfiguration"] == {"Enabled": tracing}
    assert machine(document)["StateMachineType"] == "EXPRESS"
    assert bool(allowed(document, "xray:PutTraceSegments")) is tracing


def test_a_fifo_queue_task_names_a_message_group(handlers):
    fifo = case(flows=[{"from": "flow", "to": "jobs", "kind": "enqueues"}]).model_dump(by_alias=True)
    fifo["services"][4]["fifo"] = True
    text = template_text(Architecture.model_validate(fifo), handlers)
    assert [str(p) for p in lint.problems(text)] == []
    parameters = machine(template(Architecture.model_validate(fifo), handlers))["Definition"]["States"]["SendToJobs"]["Parameters"]
    assert parameters["MessageGroupId"] == "workflow"
    assert parameters["MessageDeduplicationId.$"] == "$$.Execution.Name"


def test_routes_on_a_state_machines_invokes_flow_are_refused():
    with pytest.raises(ValueError, match="routes are the paths of an API, and 'flow' is a step-functions"):
        case(flows=[{"from": "flow", "to": "charge", "kind": "invokes", "routes": ["GET /x"]}])


def test_an_unknown_workflow_type_is_refused():
    with pytest.raises(ValueError, match="workflow_type"):
        case({"workflow_type": "FAST"})
