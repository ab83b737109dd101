"""A CloudFormation template under construction: sections in CloudFormation's order, resources in the order
the emitters add them, and a clear error when two emitters claim one logical id."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]

_RESOURCE_KEYS = ("Type", "Condition", "DependsOn", "Metadata", "Properties", "DeletionPolicy", "UpdateReplacePolicy")


class EmitError(ValueError):
    """The case cannot be emitted as a template; the message says what to change."""

    def __init__(self, message: str, service: str | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.service = service
        self.hint = hint


class NothingToDeploy(EmitError):
    """The case has no service a stack deploys: no template can be written for it."""


def ref(name: str) -> Json:
    return {"Ref": name}


def get_att(logical_id: str, attribute: str) -> Json:
    return {"Fn::GetAtt": [logical_id, attribute]}


def sub(text: str) -> Json:
    return {"Fn::Sub": text}


NO_VALUE = ref("AWS::NoValue")


@dataclass
class Sections:
    """Parameters, conditions, resources and outputs, each in the order they were added. A `Fragment` (one
    service's part of a template) and the `Template` the fragments merge into are both sections."""

    parameters: dict[str, Json] = field(default_factory=dict)
    conditions: dict[str, Json] = field(default_factory=dict)
    resources: dict[str, Json] = field(default_factory=dict)
    outputs: dict[str, Json] = field(default_factory=dict)
    shared: set[str] = field(default_factory=set)
    """Resources several services may each add, identically (the access-log bucket, a function's security
    group): the first is kept, a different second definition is an error."""

    def parameter(self, name: str, spec: Json) -> Json:
        """Declare a parameter (again, if identical) and return a `Ref` to it."""
        self._once(self.parameters, name, spec, "parameter")
        return ref(name)

    def condition(self, name: str, expression: Json) -> str:
        self._once(self.conditions, name, expression, "condition")
        return name

    def resource(self, logical_id: str, type_: str, properties: Json | None = None, *, shared: bool = False,
                 **attributes: Any) -> str:
        """Add a resource; attributes are `DependsOn`, `Condition`, `Metadata`, `DeletionPolicy`, ... . A shared
        resource may be added again, identically."""
        body: Json = {"Type": type_, **attributes}
        if properties:
            body["Properties"] = properties
        self._add(logical_id, {key: body[key] for key in _RESOURCE_KEYS if key in body}, shared)
        return logical_id

    def output(self, name: str, value: Any, description: str, condition: str | None = None) -> None:
        body: Json = {"Description": description, "Value": value}
        if condition:
            body = {"Condition": condition, **body}
        self._once(self.outputs, name, body, "output")

    def merge(self, other: Sections) -> None:
        """Add another's sections after these (parameters, conditions and outputs declared on both sides must
        be identical, as must shared resources)."""
        for name, spec in other.parameters.items():
            self._once(self.parameters, name, spec, "parameter")
        for name, expression in other.conditions.items():
            self._once(self.conditions, name, expression, "condition")
        for logical_id, body in other.resources.items():
            self._add(logical_id, body, logical_id in other.shared)
        for name, body in other.outputs.items():
            self._once(self.outputs, name, body, "output")

    def _add(self, logical_id: str, body: Json, shared: bool) -> None:
        if logical_id in self.resources and not (shared and logical_id in self.shared):
            raise EmitError(f"two resources would both be named '{logical_id}': rename one of the services "
                            "(logical ids come from service ids)")
        if shared:
            self.shared.add(logical_id)
        self._once(self.resources, logical_id, body, "resource")

    @staticmethod
    def _once(section: dict[str, Json], name: str, value: Json, what: str) -> None:
        if section.setdefault(name, value) != value:
            raise EmitError(f"two different definitions of the {what} '{name}'")


@dataclass
class Template(Sections):
    description: str = ""

    def to_dict(self) -> Json:
        document: Json = {"AWSTemplateFormatVersion": "2010-09-09", "Description": self.description}
        for key, section in (("Parameters", self.parameters),
                             ("Conditions", self.conditions), ("Resources", self.resources), ("Outputs", self.outputs)):
            if section:
                document[key] = section
        return document
