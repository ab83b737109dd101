"""What every emitter works with: the case, read-only (`Context`), and the part of the template it returns
(`Fragment`).

An emitter is a function of one service and the context that returns a fragment; the template merges the
fragments in the case's order. Nothing an emitter writes is seen by another: facts every emitter may need
(handler artifact keys, the tables of ARNs, permissions and environment variables) are computed once and
passed in through the context.

Naming is derived, never invented: a service's main resource has the logical id of its service id in
PascalCase (`todo-api` -> `TodoApi`), helpers add a suffix (`TodoApiStage`), and the environment variable a
function reads a service's name from is the service id in upper snake case with a suffix (`TODOS_TABLE`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...models import Architecture
from ...models.base import Service
from ...models.flows import Flow
from ...models.graph import Graph
from ...models.registry import ServiceModel
from .policy import Statement
from .template import EmitError, Json, Sections, get_att, ref


def pascal(service_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in service_id.split("-"))


def env_name(service_id: str, suffix: str) -> str:
    return f"{service_id.upper().replace('-', '_')}_{suffix}"


def lid(service: Service | str, suffix: str = "") -> str:
    """Logical id of a service's resource: the service id in PascalCase, plus a suffix for helpers."""
    return pascal(service if isinstance(service, str) else service.id) + suffix


def ref_of(service: Service | str, suffix: str = "") -> Json:
    return ref(lid(service, suffix))


def att_of(service: Service | str, attribute: str, suffix: str = "") -> Json:
    return get_att(lid(service, suffix), attribute)


ENVIRONMENT = "Environment"
"""Parameter naming the environment (dev, staging, prod): part of every name that must be unique."""

ArnOf = Callable[["Fragment", Any], Json]
"""The ARN of a service of one class (the service is of the class it is registered for)."""
Permits = Callable[["Fragment", Any, Any], list[Statement]]
"""What a flow's source may do for a flow of one class to a target of one class: (fragment, flow, target)."""
Polls = Callable[["Fragment", Any], list[Statement]]
"""What a function's role needs to poll a source of one class (queue or stream) that triggers it."""
Tells = Callable[["Fragment", Any, Any], Json]
"""The environment variables a function is given for a flow of one class to a target of one class."""


@dataclass(frozen=True)
class Tables:
    """The per-kind facts emitters look up for services and flows other than their own (render/cloudformation/
    registry.py collects them)."""

    arns: Mapping[type[Service], ArnOf]
    permissions: Mapping[tuple[type[Flow], type[Service]], Permits]
    polls: Mapping[type[Service], Polls]
    environment: Mapping[tuple[type[Flow], type[Service]], Tells]


@dataclass(frozen=True)
class Context:
    """One case's emission, read-only."""

    architecture: Architecture
    graph: Graph
    tables: Tables
    artifacts: Mapping[str, str | EmitError] = field(default_factory=dict)
    """The S3 key of each function's packaged handler by function id, or why it has none."""

    def service(self, service_id: str) -> ServiceModel:
        return self.graph.services[service_id]

    def artifact(self, function: Service) -> str:
        key = self.artifacts[function.id]
        if isinstance(key, EmitError):
            raise key
        return key

    def fail(self, service: Service, message: str) -> EmitError:
        return EmitError(f"service '{service.id}': {message}", service.id)


@dataclass
class Fragment(Sections):
    """One service's part of a template, with the shared parameters it declares and the lookups it needs."""

    ctx: Context = field(kw_only=True)

    def physical_name(self, service: Service | str) -> str:
        """`Fn::Sub` text of a lower-case name unique per environment, case and account, at most 63 characters,
        for resources whose name must be known before they exist (S3 buckets, which policies and
        notifications refer to by name)."""
        self.environment_parameter()
        case = self.ctx.architecture.name[:12].rstrip("-")
        name = service if isinstance(service, str) else service.id
        return f"${{{ENVIRONMENT}}}-{case}-{name[:24].rstrip('-')}-${{AWS::AccountId}}"

    def environment_parameter(self) -> Json:
        return self.parameter(ENVIRONMENT, {
            "Type": "String", "Default": "dev", "AllowedPattern": "^[a-z][a-z0-9-]{0,11}$",
            "Description": "Environment name (dev, staging, prod, ...): part of globally unique resource names.",
            "ConstraintDescription": "1 to 12 lower-case letters, digits or hyphens, starting with a letter",
        })

    def vpc(self) -> Json:
        return self.parameter("VpcId", {"Type": "AWS::EC2::VPC::Id",
                                        "Description": "VPC for DAX, load balancers, instances and VPC functions."})

    def subnets(self) -> Json:
        return self.parameter("SubnetIds", {
            "Type": "List<AWS::EC2::Subnet::Id>",
            "Description": "Private subnets (two or more Availability Zones) for DAX, instances and VPC functions.",
        })

    # what other kinds contribute ------------------------------------------------------------------------------

    def arn(self, service: Service) -> Json:
        """ARN of a service's main resource (render/cloudformation/refs.py)."""
        return self.ctx.tables.arns[type(service)](self, service)

    def permissions(self, flow: Flow) -> list[Statement]:
        """What the source of `flow` must be allowed to do for it (render/cloudformation/iam.py); none for
        flows registered as needing no permission, or whose target is not deployed."""
        target = self.ctx.service(flow.target)
        permits = self.ctx.tables.permissions.get((type(flow), type(target)))
        return permits(self, flow, target) if permits else []

    def poll_permissions(self, source: Service) -> list[Statement]:
        """What a function's role needs to poll the queue or stream that triggers it."""
        return self.ctx.tables.polls[type(source)](self, source)

    def environment(self, flow: Flow) -> Json:
        """The environment variables a function is given for one of its flows (render/cloudformation/
        environment.py); none for flows registered as telling the function nothing."""
        target = self.ctx.service(flow.target)
        tells = self.ctx.tables.environment.get((type(flow), type(target)))
        return tells(self, flow, target) if tells else {}
