"""The flows a Step Functions state machine states in its definition: each task state's service integration
(`arn:aws:states:::lambda:invoke`, `sqs:sendMessage`, `sns:publish`, `dynamodb:getItem`, ..., and their
`aws-sdk:` forms) and the resource its parameters name, or a function named as the task's resource.

A parameter names a resource by an intrinsic function (a definition written as a mapping), or by a `${Name}`
placeholder that `DefinitionSubstitutions`, the variables of `Fn::Sub` or a logical id resolves. A parameter
given at run time (`FunctionName.$`) or by a literal ARN names nothing in the template: no flow. A definition that
cannot be read (one kept in a file, `DefinitionUri`, or joined from parts) gives the functions it names, as
invoked."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..models.base import Service
from ..models.services import DynamoDbTable, LambdaFunction, SnsTopic, SqsQueue
from .flows import Flows
from .marks import reads_flows
from .template import Resource
from .values import dig

INTEGRATION = re.compile(r"^arn:(?:aws[a-z-]*|\$\{AWS::Partition\}):states:::(?:aws-sdk:)?(?P<service>[a-z0-9-]+):(?P<action>[A-Za-z]+)")
"""A task's service integration: the service and API action (`.sync` and `.waitForTaskToken` suffixes aside)."""
PLACEHOLDER = re.compile(r"\$\{([^}!][^}]*)\}")

TASKS: dict[tuple[str, str], tuple[str, type[Service], str]] = {
    ("lambda", "invoke"): ("invokes", LambdaFunction, "FunctionName"),
    ("sqs", "sendMessage"): ("enqueues", SqsQueue, "QueueUrl"),
    ("sqs", "sendMessageBatch"): ("enqueues", SqsQueue, "QueueUrl"),
    ("sns", "publish"): ("publishes", SnsTopic, "TopicArn"),
    ("sns", "publishBatch"): ("publishes", SnsTopic, "TopicArn"),
    **{("dynamodb", action): ("reads", DynamoDbTable, "TableName") for action in ("getItem", "query", "scan")},
    **{("dynamodb", action): ("writes", DynamoDbTable, "TableName") for action in ("putItem", "updateItem", "deleteItem")},
}
"""(service, action) of a task -> the flow it is, the class of its target, and the parameter naming the target."""


def _action(name: str) -> str:
    """An action as the integration ARN writes it (`aws-sdk:` integrations capitalise nothing: `getItem`)."""
    return name[:1].lower() + name[1:]


def task_states(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every task state of a definition, in branches and iterations too."""
    if depth > 40:
        return
    if isinstance(value, dict):
        if value.get("Type") == "Task" and "Resource" in value:
            yield value
        for item in value.values():
            yield from task_states(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from task_states(item, depth + 1)


class Definition:
    """A state machine's definition as data, and how its placeholders resolve to resources of the template."""

    def __init__(self, flows: Flows, r: Resource) -> None:
        self.flows = flows
        p = r.properties
        given = p.get("DefinitionSubstitutions")
        self.variables: dict[str, Any] = dict(given) if isinstance(given, dict) else {}
        self.by_id = False
        """Whether a placeholder may name a logical id itself (a definition written as `Fn::Sub` text)."""
        self.document: Any = p.get("Definition") if isinstance(p.get("Definition"), dict) else self._text(p.get("DefinitionString"))

    def _text(self, value: Any) -> Any:
        body: Any = value
        if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
            body = value["Fn::Sub"]
            if isinstance(body, list) and len(body) == 2 and isinstance(body[1], dict):
                self.variables.update(body[1])
                body = body[0]
            self.by_id = True
        if not isinstance(body, str):
            return None
        try:
            document = json.loads(body)
        except ValueError:
            return None
        return document if isinstance(document, dict) else None

    def targets(self, value: Any) -> list[str]:
        """The logical ids a parameter's value names."""
        t = self.flows.t
        if not isinstance(value, str):
            return [lid for lid, _ in t.references(value)]
        found: list[str] = []
        for name in PLACEHOLDER.findall(value):
            if name in self.variables:
                found += [lid for lid, _ in t.references(self.variables[name])]
            elif self.by_id:
                found += [lid for lid, _ in t.references({"Fn::Sub": f"${{{name}}}"})]
        return found


@reads_flows("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine")
def _state_machine(flows: Flows, r: Resource) -> None:
    definition = Definition(flows, r)
    if definition.document is None:
        for name in ("Definition", "DefinitionString", "DefinitionSubstitutions"):
            for target, _ in flows.t.references(r.properties.get(name)):
                if flows.class_of(target) is LambdaFunction:
                    flows.add(r.logical_id, target, "invokes", r.logical_id)
        return
    for state in task_states(definition.document):
        _task(flows, r, definition, state)


def _task(flows: Flows, r: Resource, definition: Definition, state: dict[str, Any]) -> None:
    resource = state.get("Resource")
    match = INTEGRATION.match(resource) if isinstance(resource, str) else None
    if match is None:  # a function named as the task's resource (the older form of a Lambda task)
        for target in definition.targets(resource):
            if flows.class_of(target) is LambdaFunction:
                flows.add(r.logical_id, target, "invokes", r.logical_id)
        return
    known = TASKS.get((match["service"], _action(match["action"])))
    if known is None:
        return
    kind, cls, name = known
    parameters = state.get("Parameters") if isinstance(state.get("Parameters"), dict) else dig(state, "Arguments")
    if not isinstance(parameters, dict):
        return
    fields = {"mode": "async"} if kind == "invokes" and parameters.get("InvocationType") == "Event" else {}
    for target in definition.targets(parameters.get(name)):
        if flows.class_of(target) is cls:
            flows.add(r.logical_id, target, kind, r.logical_id, **fields)
