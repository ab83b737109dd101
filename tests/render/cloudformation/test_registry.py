"""Every service kind is either emitted or deliberately left out, with the reason."""

from __future__ import annotations

from archcase.models.registry import SERVICE_KINDS
from archcase.render.cloudformation.emit import EMITTERS, NOT_EMITTED


def test_every_service_kind_is_emitted_or_documented_as_not_emitted():
    assert sorted(set(EMITTERS) | set(NOT_EMITTED)) == sorted(SERVICE_KINDS)
    assert set(EMITTERS) & set(NOT_EMITTED) == set()


def test_kinds_left_out_are_the_external_ones_sts_and_generic():
    external = {kind for kind, cls in SERVICE_KINDS.items() if cls.external}
    assert set(NOT_EMITTED) == external | {"sts", "generic"}
