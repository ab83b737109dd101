"""Every service kind and flow kind against every table that needs it, kind by kind: a class left out of a table
fails here with a message naming the table and where to add the entry (see docs/adding-a-service-kind.md).

The kinds are found by walking the subclasses of `Service` and `Flow` in every module of `archcase.models`, not
by reading the unions, so a class someone wrote and forgot to list is found too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from archcase.importer import registry as importer
from archcase.models.base import Model
from archcase.models.flows import POLLED_SOURCES, Flow
from archcase.models.registry import FLOW_CLASSES, SERVICE_CLASSES
from archcase.models.services import Generic, LambdaFunction
from archcase.render import diagram, drawio, labels, mermaid
from archcase.render.cloudformation import metadata
from archcase.render.cloudformation import registry as emitted

from .kinds import BY_TAG, FLOWS, SERVICES


def _pairs(flow: type[Flow]) -> Iterator[tuple[type[Model], type[Model]]]:
    """The (source class, target class) pairs a flow class allows."""
    allowed: frozenset[tuple[str, str]] = flow.allowed  # a ClassVar of each flow class
    for source, target in sorted(allowed):
        yield BY_TAG[source], BY_TAG[target]


def _service_gaps(cls: type[Model]) -> Iterator[str]:
    name = cls.__name__
    if cls not in SERVICE_CLASSES:
        yield f"{name} is not in the ServiceModel union (models/services.py)"
    if not any(cls in pair for flow in FLOWS for pair in _pairs(flow)):
        yield f"{name} takes part in no flow: no flow class allows it as a source or target (models/flows.py)"
    if cls not in diagram.ICONS:
        yield f"{name} has no diagram icon (render/diagram.py ICONS)"
    if cls not in mermaid.SHAPES:
        yield f"{name} has no Mermaid shape (render/mermaid.py SHAPES)"
    if cls not in drawio.SHAPES:
        yield f"{name} has no draw.io shape (render/drawio.py SHAPES)"
    in_emitters, left_out = cls in emitted.EMITTERS, cls in emitted.NOT_EMITTED
    if in_emitters == left_out:
        yield (f"{name} has both an emitter and a reason not to be emitted" if in_emitters else
               f"{name} has no CloudFormation emitter (@emits({name}) in render/cloudformation/) and no "
               "NOT_EMITTED reason (render/cloudformation/registry.py)")
    has_arn, no_arn = cls in emitted.ARNS, cls in emitted.NO_ARN
    if in_emitters and has_arn == no_arn:
        yield (f"{name} has both an ARN and a reason to have none" if has_arn else
               f"{name} has no ARN expression (@arn_of({name}) in render/cloudformation/refs.py) and no NO_ARN "
               "reason (render/cloudformation/registry.py)")
    if in_emitters and cls not in metadata.INTENT:
        yield (f"{name} has no INTENT entry: which of its fields the template keeps as metadata "
               "(render/cloudformation/metadata.py; `()` for none)")
    if cls in POLLED_SOURCES and cls not in emitted.POLLS:
        yield f"{name} triggers functions by being polled but has no @polls({name}) (render/cloudformation/iam.py)"
    read, not_read = cls in importer.READS.values(), cls in importer.NOT_IMPORTED
    if read == not_read:
        yield (f"{name} is both read from templates and listed as not imported" if read else
               f"{name} has no importer reader (@reads({name}, \"AWS::...\") in importer/settings.py) and no "
               "NOT_IMPORTED reason (importer/registry.py)")
    no_settings: dict[type[Model], str] = getattr(importer, "NO_SETTINGS", {})
    if read and cls not in importer.SETTINGS_READERS and cls not in no_settings:
        yield f"{name} is read from templates but has no settings reader (importer/settings.py)"


def _flow_gaps(flow: type[Flow]) -> Iterator[str]:
    name = flow.__name__
    if flow not in FLOW_CLASSES:
        yield f"{name} is not in the FlowModel union (models/registry.py)"
    if flow not in labels.FLOW_LABELS:
        yield f"{name} has no label on diagrams (render/labels.py FLOW_LABELS)"
    for source, target in _pairs(flow):
        if source not in emitted.EMITTERS or target not in emitted.EMITTERS:
            continue
        key: Any = (flow, target)
        permitted, needs_none = key in emitted.PERMISSIONS, key in emitted.NEEDS_NO_PERMISSION
        if permitted == needs_none:
            yield (f"{name} to {target.__name__} both grants permissions and says it needs none" if permitted else
                   f"{name} from {source.__name__} to {target.__name__} has no IAM permission "
                   f"(@permits(({name}, {target.__name__})) in render/cloudformation/iam.py) and no "
                   "NEEDS_NO_PERMISSION reason (render/cloudformation/registry.py)")
        if source is LambdaFunction:
            told, untold = key in emitted.ENVIRONMENT, key in emitted.NO_ENVIRONMENT
            if told == untold:
                yield (f"{name} to {target.__name__} both sets and declines environment variables" if told else
                       f"{name} from a function to {target.__name__} sets no environment variable "
                       f"(@tells(({name}, {target.__name__})) in render/cloudformation/environment.py) and has no "
                       "NO_ENVIRONMENT reason (render/cloudformation/registry.py)")


@pytest.mark.parametrize("cls", SERVICES, ids=lambda c: c.__name__)
def test_every_service_kind_is_in_every_table(cls: type[Model]) -> None:
    gaps = list(_service_gaps(cls))
    assert not gaps, "\n".join(gaps)


@pytest.mark.parametrize("flow", FLOWS, ids=lambda c: c.__name__)
def test_every_flow_kind_is_in_every_table(flow: type[Flow]) -> None:
    gaps = list(_flow_gaps(flow))
    assert not gaps, "\n".join(gaps)


def test_the_walk_finds_the_kinds_it_must() -> None:
    """The subclass walk is what the completeness tests stand on: it must see kinds from several modules."""
    names = {cls.__name__ for cls in SERVICES}
    assert {"LambdaFunction", "SqsQueue", "S3Bucket", "CloudFront", "MobileApp", "Generic"} <= names
    assert {"Reads", "Writes", "Triggers", "Origin"} <= {cls.__name__ for cls in FLOWS}
    assert Generic in SERVICES


def test_tables_hold_only_known_kinds() -> None:
    """A table keyed by a class that is not a kind (a stale entry, a base class) is an error too."""
    services, flows = set(SERVICES), set(FLOWS)
    stale = [f"{table}: {key.__name__}" for table, keys in (
        ("ICONS", diagram.ICONS), ("SHAPES", mermaid.SHAPES), ("drawio SHAPES", drawio.SHAPES),
        ("EMITTERS", emitted.EMITTERS), ("NOT_EMITTED", emitted.NOT_EMITTED), ("ARNS", emitted.ARNS),
        ("NO_ARN", emitted.NO_ARN), ("POLLS", emitted.POLLS), ("INTENT", metadata.INTENT), ("NOT_IMPORTED", importer.NOT_IMPORTED),
        ("SETTINGS_READERS", importer.SETTINGS_READERS)) for key in keys if key not in services]
    stale += [f"{table}: {key[0].__name__}, {key[1].__name__}" for table, keys in (
        ("PERMISSIONS", emitted.PERMISSIONS), ("NEEDS_NO_PERMISSION", emitted.NEEDS_NO_PERMISSION),
        ("ENVIRONMENT", emitted.ENVIRONMENT), ("NO_ENVIRONMENT", emitted.NO_ENVIRONMENT))
        for key in keys if key[0] not in flows or key[1] not in services]
    stale += [f"FLOW_LABELS: {key.__name__}" for key in labels.FLOW_LABELS if key not in flows]
    assert stale == []
