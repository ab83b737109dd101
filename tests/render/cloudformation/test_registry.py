"""Every service class is either emitted or deliberately left out, with the reason."""

from __future__ import annotations

from archcase.models.generic import Generic
from archcase.models.identity import Sts
from archcase.models.services import SERVICE_CLASSES
from archcase.render.cloudformation.registry import EMITTERS, NOT_EMITTED


def test_every_service_class_is_emitted_or_documented_as_not_emitted():
    assert set(EMITTERS) | set(NOT_EMITTED) == set(SERVICE_CLASSES)
    assert set(EMITTERS) & set(NOT_EMITTED) == set()


def test_classes_left_out_are_the_external_ones_sts_and_generic():
    external = {cls for cls in SERVICE_CLASSES if cls.external}
    assert set(NOT_EMITTED) == external | {Sts, Generic}
