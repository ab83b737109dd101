"""What every emitter works with: the case, its flows, the template being built, and how services are named.

Naming is derived, never invented: a service's main resource has the logical id of its service id in
PascalCase (`todo-api` -> `TodoApi`), helpers add a suffix (`TodoApiStage`), and the environment variable a
function reads a service's name from is the service id in upper snake case with a suffix (`TODOS_TABLE`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...models import Architecture, Flow, Service
from ...models.graph import Graph
from .template import EmitError, Json, Template, ref


def pascal(service_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in service_id.split("-"))


def env_name(service_id: str, suffix: str) -> str:
    return f"{service_id.upper().replace('-', '_')}_{suffix}"


ENVIRONMENT = "Environment"
"""Parameter naming the environment (dev, staging, prod): part of every name that must be unique."""


@dataclass
class Emit:
    """The state of one case's emission."""

    architecture: Architecture
    handlers: Path
    """Folder holding the handler packages the case's functions name."""
    template: Template
    graph: Graph = field(init=False)
    environment: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Environment variables per function id, filled by the emitters of the services the function reaches."""

    def __post_init__(self) -> None:
        self.graph = Graph(self.architecture)

    # naming -----------------------------------------------------------------------------------------------

    def lid(self, service: Service | str, suffix: str = "") -> str:
        """Logical id of a service's resource: the service id in PascalCase, plus a suffix for helpers."""
        return pascal(service if isinstance(service, str) else service.id) + suffix

    def ref(self, service: Service | str, suffix: str = "") -> Json:
        return ref(self.lid(service, suffix))

    def get_att(self, service: Service | str, attribute: str, suffix: str = "") -> Json:
        return {"Fn::GetAtt": [self.lid(service, suffix), attribute]}

    def physical_name(self, service: Service | str) -> str:
        """`Fn::Sub` text of a lower-case name unique per environment, case and account, at most 63 characters,
        for resources whose name must be known before they exist (S3 buckets, which policies and
        notifications refer to by name)."""
        self.environment_parameter()
        case = self.architecture.name[:12].rstrip("-")
        name = service if isinstance(service, str) else service.id
        return f"${{{ENVIRONMENT}}}-{case}-{name[:24].rstrip('-')}-${{AWS::AccountId}}"

    # the graph ---------------------------------------------------------------------------------------------

    def service(self, service_id: str) -> Service:
        return self.graph.services[service_id]

    def kind(self, service_id: str) -> str:
        return self.graph.kind(service_id)

    def outgoing(self, service: Service, kind: str | None = None, to: str | tuple[str, ...] | None = None) -> list[Flow]:
        return self.graph.outgoing(service.id, kind, to)

    def incoming(self, service: Service, kind: str | None = None, frm: str | tuple[str, ...] | None = None) -> list[Flow]:
        return self.graph.incoming(service.id, kind, frm)

    # shared parameters ---------------------------------------------------------------------------------------

    def environment_parameter(self) -> Json:
        return self.template.parameter(ENVIRONMENT, {
            "Type": "String", "Default": "dev", "AllowedPattern": "^[a-z][a-z0-9-]{0,11}$",
            "Description": "Environment name (dev, staging, prod, ...): part of globally unique resource names.",
            "ConstraintDescription": "1 to 12 lower-case letters, digits or hyphens, starting with a letter",
        })

    def vpc(self) -> Json:
        return self.template.parameter("VpcId", {"Type": "AWS::EC2::VPC::Id",
                                                 "Description": "VPC for DAX, load balancers, instances and VPC functions."})

    def subnets(self) -> Json:
        return self.template.parameter("SubnetIds", {
            "Type": "List<AWS::EC2::Subnet::Id>",
            "Description": "Private subnets (two or more Availability Zones) for DAX, instances and VPC functions.",
        })

    def set_env(self, function_id: str, name: str, value: Any) -> None:
        self.environment.setdefault(function_id, {})[name] = value

    def fail(self, service: Service, message: str) -> EmitError:
        return EmitError(f"service '{service.id}': {message}", service.id)
