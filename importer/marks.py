"""The decorators that register the importer's readers beside their code: which CloudFormation types a
settings reader reads as which service class, and which types a flow reader reads. They only mark the
functions; `importer.registry` collects them from an explicit list of modules.

This module imports nothing of the importer's, so that the reader modules can use it and the registry can
import the reader modules without a cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ..models.base import Service
from ..models.registration import Registration

C = TypeVar("C", bound=Callable[..., Any])

service_types = Registration[tuple[type[Service], str]]("reads")
"""Settings readers by (service class, CloudFormation type)."""

flow_types = Registration[str]("reads-flows")
"""Flow readers by CloudFormation type."""


def reads(cls: type[Service], *resource_types: str) -> Callable[[C], C]:
    """`@reads(SqsQueue, "AWS::SQS::Queue")`: the function reads the settings of `cls` from resources of these
    types, and resources of these types become services of `cls`."""
    if not resource_types:
        raise ValueError(f"@reads({cls.__name__}) needs at least one CloudFormation type")
    return service_types(*((cls, resource_type) for resource_type in resource_types))


def reads_flows(*resource_types: str) -> Callable[[C], C]:
    """`@reads_flows("AWS::SNS::Subscription")`: the function reads the flows resources of these types state."""
    return flow_types(*resource_types)
