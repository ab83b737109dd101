"""What the importer reads, collected from the readers' own registrations (`importer.marks`) over an explicit
list of modules: which CloudFormation types become which service class, the settings reader of each class,
the service classes no resource becomes (and why), and the flow reader of each CloudFormation type.

Every service class is either read from some CloudFormation type or listed in `NOT_IMPORTED`, never both
(tests/importer/test_registry.py); a type read as two classes, or a class with two settings readers, is an
error when this module is imported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from ..models.base import Service
from ..models.services import Browser, Generic, IotDevice, MobileApp, QuickSight, Redshift, Sts
from . import events, flows, http_api, settings, workflows
from .marks import flow_types, service_types
from .template import Resource, Template

SettingsReader = Callable[[Template, Resource], dict[str, Any]]
"""Reads one service's settings (case-file fields) from its resource and the resources configuring it."""
FlowReader = Callable[[flows.Flows, Resource], None]
"""Adds the flows one resource states."""

MODULES: tuple[ModuleType, ...] = (settings, flows, http_api, workflows, events)
"""The modules whose readers are registered (explicitly: importing a module registers nothing)."""


def service_readers(modules: Iterable[ModuleType]) -> tuple[dict[str, type[Service]], dict[type[Service], SettingsReader]]:
    """(CloudFormation type -> service class, service class -> settings reader) of the readers in `modules`.
    A type read as two classes, or a class read by two functions, is an error."""
    reads: dict[str, type[Service]] = {}
    readers: dict[type[Service], SettingsReader] = {}
    for (cls, resource_type), reader in service_types.collect(modules).items():
        if reads.get(resource_type, cls) is not cls:
            raise RuntimeError(f"@reads: {resource_type} is read both as {reads[resource_type].__name__} and as {cls.__name__}")
        if readers.get(cls, reader) is not reader:
            raise RuntimeError(f"@reads({cls.__name__}) marks both {readers[cls].__qualname__} and {reader.__qualname__}")
        reads[resource_type] = cls
        readers[cls] = reader
    return reads, readers


READS: dict[str, type[Service]]
SETTINGS_READERS: dict[type[Service], SettingsReader]
READS, SETTINGS_READERS = service_readers(MODULES)
"""CloudFormation type -> the service class its resources become (every other type becomes `Generic`), and
service class -> the reader of its settings."""

NO_SETTINGS: dict[type[Service], str] = {}
"""Service classes read from a CloudFormation type but with no settings to read, and why (none today: every
class in `READS` has a settings reader)."""

NOT_IMPORTED: dict[type[Service], str] = {
    MobileApp: "a client: users' devices are not in a template (add them under `Metadata.archcase.services`)",
    Browser: "a client: users' browsers are not in a template (add them under `Metadata.archcase.services`)",
    IotDevice: "a client: devices are provisioned outside the stack (add them under `Metadata.archcase.services`)",
    Sts: "AWS STS has no resource: a template's roles are read as the flows of the services that use them",
    QuickSight: "an external consumer: AWS::QuickSight::* resources are kept as generic services",
    Redshift: "an external consumer: AWS::Redshift::* resources are kept as generic services",
    Generic: "what every resource of a type not in READS becomes (its type kept as `resource_type`), not a type's reading",
}
"""Service classes no CloudFormation resource is read as, and why (`Metadata.archcase.services` may still
add them to an imported case)."""

FLOW_READERS: dict[str, FlowReader] = flow_types.collect(MODULES)
"""CloudFormation type -> the reader of the flows its resources state."""

__all__ = ["FLOW_READERS", "MODULES", "NOT_IMPORTED", "NO_SETTINGS", "READS", "SETTINGS_READERS", "FlowReader",
           "SettingsReader", "service_readers"]
