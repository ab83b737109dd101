"""The service and flow kinds, written out as unions that type checkers and pydantic both see, and the
tables derived from them."""

from __future__ import annotations

from typing import Annotated, TypeAlias, get_args

from pydantic import Field

from .flows import (
    AssumesRole,
    Authenticates,
    Authorizes,
    Caches,
    Calls,
    Connects,
    DeadLetter,
    Delivers,
    Enqueues,
    Federates,
    Flow,
    Grants,
    Invokes,
    Mounts,
    Notifies,
    Origin,
    Publishes,
    PutsRecords,
    Queries,
    Reads,
    Resolves,
    SendsEmail,
    Signs,
    Starts,
    Subscribes,
    Targets,
    Transforms,
    Triggers,
    Uses,
    Writes,
)
from .services import MODELLED, SERVICE_CLASSES, SERVICE_KINDS, AnyService, ServiceModel, kind_of

FlowModel: TypeAlias = (
    Calls | Authenticates | Authorizes | Federates | AssumesRole | Grants | Invokes | Reads | Writes | Caches | Connects | Mounts
    | Resolves
    | Triggers | SendsEmail | Origin | Signs | Publishes | Enqueues | Starts | Subscribes | Notifies | PutsRecords
    | Delivers | Transforms | Queries | Targets | DeadLetter | Uses
)
"""Any flow of an architecture (the type of `Architecture.flows`' items)."""

AnyFlow = Annotated[FlowModel, Field(discriminator="kind")]
"""`FlowModel` as pydantic validates it: the member is chosen by the `kind` tag."""

FLOW_CLASSES: tuple[type[Flow], ...] = get_args(FlowModel)
FLOW_KINDS: dict[str, type[Flow]] = {str(cls.model_fields["kind"].default): cls for cls in FLOW_CLASSES}
"""Flow class by kind tag."""

__all__ = ["FLOW_CLASSES", "FLOW_KINDS", "MODELLED", "SERVICE_CLASSES", "SERVICE_KINDS", "AnyFlow", "AnyService",
           "FlowModel", "ServiceModel", "kind_of"]
