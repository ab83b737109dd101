"""Resources archcase does not model, kept from imported templates so that nothing is dropped silently."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import Service


class Generic(Service):
    """A resource of a type archcase does not model (an EC2 VPC, an EventBridge rule, ...), kept
    from an imported template: drawn with a generic icon, joined to the rest by `uses` flows, not checked
    and not emitted."""

    kind: Literal["generic"] = "generic"

    resource_type: Annotated[str, Field(pattern=r"^[A-Za-z0-9]+::[A-Za-z0-9]+(::[A-Za-z0-9]+)*$")]
    """The CloudFormation resource type, such as `AWS::EC2::VPC` or `Custom::Seeder`."""

    @property
    def runs_at_deploy(self) -> bool:
        """A CloudFormation custom resource or macro: it invokes its function while a stack is created, updated or
        deleted (or a template processed), not while the application runs."""
        return self.resource_type.startswith("Custom::") or self.resource_type in DEPLOY_TIME


DEPLOY_TIME = frozenset({"AWS::CloudFormation::CustomResource", "AWS::CloudFormation::Macro"})
"""Resource types that invoke a function only while CloudFormation works (with `Custom::` ones)."""
