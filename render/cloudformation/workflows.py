"""Step Functions state machines: a role allowed exactly what the machine's flows reach, a log group, and a
definition with one task per flow, in the case's order (a skeleton that deploys and runs: the case states what the
workflow reaches, not its logic, so the states are the user's to write)."""

from __future__ import annotations

from ...models.compute import LambdaFunction
from ...models.data import DynamoDbTable
from ...models.flows import Enqueues, Flow, Invokes, Publishes, Reads, Starts, Writes
from ...models.messaging import SnsTopic, SqsQueue
from ...models.text import cfn_text
from ...models.workflows import StateMachine
from . import iam
from .context import Context, Fragment, att_of, env_name, lid, ref_of
from .marks import arn_of, emits, permits, tells
from .policy import Statement
from .template import Json, get_att, ref, sub

LOG_DELIVERY = ("logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies",
                "logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery")
"""What Step Functions needs to deliver a state machine's logs to CloudWatch Logs; these actions take no resource
(Step Functions Developer Guide, "IAM policies for logging to CloudWatch Logs")."""
TRACING = ("xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments")
"""What X-Ray tracing of executions needs (no resource-level permissions)."""
LAMBDA_RETRY: Json = {"ErrorEquals": ["Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.ServiceException",
                                      "Lambda.TooManyRequestsException"],
                      "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 2}
"""The retry Step Functions advises on every Lambda task: the transient errors of the Lambda service."""
TASKS = "arn:aws:states:::"


def _fifo(target: SqsQueue | SnsTopic) -> Json:
    """A FIFO queue or topic takes a message group, and a deduplication id (no content-based deduplication)."""
    return {"MessageGroupId": "workflow", "MessageDeduplicationId.$": "$$.Execution.Name"} if target.fifo else {}


def task(ctx: Context, flow: Flow) -> tuple[str, Json] | None:
    """The task state of one flow of a state machine (its name and body), or None for a flow that is no task.
    Each task passes the execution's input on (`ResultPath: null`)."""
    target = ctx.service(flow.target)
    name = lid(target)
    placeholder = f"${{{name}}}"
    body: Json
    if isinstance(flow, Invokes) and isinstance(target, LambdaFunction):
        parameters: Json = {"FunctionName": placeholder, "Payload.$": "$"}
        if flow.mode == "async":
            parameters["InvocationType"] = "Event"
        body = {"Resource": f"{TASKS}lambda:invoke", "Parameters": parameters, "Retry": [LAMBDA_RETRY]}
        return f"Invoke{name}", body
    if isinstance(flow, Enqueues) and isinstance(target, SqsQueue):
        body = {"Resource": f"{TASKS}sqs:sendMessage",
                "Parameters": {"QueueUrl": placeholder, "MessageBody.$": "$", **_fifo(target)}}
        return f"SendTo{name}", body
    if isinstance(flow, Publishes) and isinstance(target, SnsTopic):
        body = {"Resource": f"{TASKS}sns:publish", "Parameters": {"TopicArn": placeholder, "Message.$": "$", **_fifo(target)}}
        return f"PublishTo{name}", body
    if isinstance(flow, Reads) and isinstance(target, DynamoDbTable):
        body = {"Resource": f"{TASKS}dynamodb:getItem", "Parameters": {"TableName": placeholder, "Key.$": "$.key"}}
        return f"Read{name}", body
    if isinstance(flow, Writes) and isinstance(target, DynamoDbTable):
        body = {"Resource": f"{TASKS}dynamodb:putItem", "Parameters": {"TableName": placeholder, "Item.$": "$.item"}}
        return f"Write{name}", body
    return None


def definition(ctx: Context, machine: StateMachine) -> tuple[Json, Json]:
    """The machine's definition (Amazon States Language) and its substitutions: one task per flow, run in turn.
    A placeholder stands for a function's ARN, a queue's URL, a topic's ARN or a table's name."""
    states: list[tuple[str, Json]] = []
    substitutions: Json = {}
    for flow in ctx.graph.outgoing(machine.id):
        found = task(ctx, flow)
        if found is None or found[0] in dict(states):  # a second flow of one kind to one service: the same task
            continue
        states.append(found)
        target = lid(flow.target)
        substitutions[target] = att_of(target, "Arn") if isinstance(flow, Invokes) else ref_of(target)
    if not states:
        states = [("Start", {"Type": "Pass"})]
    body: Json = {}
    for index, (name, state) in enumerate(states):
        following = {"Next": states[index + 1][0]} if index + 1 < len(states) else {"End": True}
        if state.get("Type") == "Pass":
            body[name] = {**state, **following}
        else:
            body[name] = {"Type": "Task", **state, "ResultPath": None, **following}
    document = {"Comment": cfn_text(f"{machine.id}: one task per flow of the case, to be replaced by the workflow's own states"),
                "StartAt": states[0][0], "States": body}
    return document, substitutions


@emits(StateMachine)
def emit_state_machine(machine: StateMachine, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    machine_id = lid(machine)
    statements: list[Statement] = []
    for flow in ctx.graph.outgoing(machine.id):
        statements += out.permissions(flow)
    logging: Json = {"Level": machine.logging_level, "IncludeExecutionData": machine.include_execution_data}
    if machine.logging_level != "OFF":
        logs = out.resource(lid(machine, "Logs"), "AWS::Logs::LogGroup", {
            "LogGroupName": sub(f"/aws/vendedlogs/states/${{AWS::StackName}}-{machine.id}"), "RetentionInDays": 90},
            DeletionPolicy="Delete", UpdateReplacePolicy="Delete")
        logging["Destinations"] = [{"CloudWatchLogsLogGroup": {"LogGroupArn": get_att(logs, "Arn")}}]
        statements.append(Statement(LOG_DELIVERY, ("*",)))
    if machine.tracing:
        statements.append(Statement(TRACING, ("*",)))
    role_id = iam.role(out, lid(machine, "Role"), "states.amazonaws.com", statements,
                       f"Runs the {machine.id} state machine: only what its flows need.",
                       condition={"StringEquals": {"aws:SourceAccount": ref("AWS::AccountId")}})
    document, substitutions = definition(ctx, machine)
    properties: Json = {
        "StateMachineType": machine.workflow_type,
        "RoleArn": get_att(role_id, "Arn"),
        "Definition": document,
        "LoggingConfiguration": logging,
        "TracingConfiguration": {"Enabled": machine.tracing},
    }
    if substitutions:
        properties["DefinitionSubstitutions"] = substitutions
    attributes: Json = {"DependsOn": [f"{role_id}Policy"]} if statements else {}
    out.resource(machine_id, "AWS::StepFunctions::StateMachine", properties, **attributes)
    out.output(lid(machine, "Arn"), ref(machine_id), f"ARN of the {machine.id} state machine")
    return out


@arn_of(StateMachine)
def _machine(out: Fragment, machine: StateMachine) -> Json:
    return ref_of(machine)


@permits((Starts, StateMachine))
def _start(out: Fragment, flow: Starts, machine: StateMachine) -> list[Statement]:
    return [Statement(("states:StartExecution",), (out.arn(machine),))]


@tells((Starts, StateMachine))
def _machine_arn(out: Fragment, flow: Starts, machine: StateMachine) -> Json:
    return {env_name(machine.id, "STATE_MACHINE_ARN"): ref_of(machine)}
