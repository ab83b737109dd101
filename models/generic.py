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
