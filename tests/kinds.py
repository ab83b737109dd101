"""The service and flow kinds as written in the models package, found by walking the subclasses of `Service` and
`Flow` in every module of `archcase.models`: independent of the unions and tables they are checked against."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import get_args

import archcase.models
from archcase.models.base import Model, Service
from archcase.models.flows import Flow


def _subclasses(base: type[Model]) -> Iterator[type[Model]]:
    for module in pkgutil.walk_packages(archcase.models.__path__, "archcase.models."):
        importlib.import_module(module.name)
    todo = [base]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if "kind" in sub.model_fields and get_args(sub.model_fields["kind"].annotation):
                yield sub


def _tag(cls: type[Model]) -> str:
    return str(cls.model_fields["kind"].default)


SERVICES: list[type[Model]] = sorted(set(_subclasses(Service)), key=lambda c: c.__name__)
FLOWS: list[type[Model]] = sorted(set(_subclasses(Flow)), key=lambda c: c.__name__)
BY_TAG: dict[str, type[Model]] = {_tag(cls): cls for cls in SERVICES}
