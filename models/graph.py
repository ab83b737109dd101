"""A light index over an architecture: services by id and kind, flows in and out of each service.

Rules and emitters use this rather than networkx so that `archcase check` stays fast to start and linear in
size; `Architecture.to_graph()` gives the same graph as networkx for everything else. Queries take model
classes and return that class (`g.incoming(queue.id, DeadLetter, frm=SqsQueue)` is a `list[DeadLetter]`),
so a type checker follows what a rule or an emitter reads.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, TypeVar, overload

from .architecture import Architecture
from .base import Service
from .flows import Flow
from .registry import FlowModel, ServiceModel

S = TypeVar("S", bound=Service)
F = TypeVar("F", bound=Flow)
Ends = type[Service] | tuple[type[Service], ...]
"""The service classes a flow's other end must be an instance of."""


class Graph:
    def __init__(self, architecture: Architecture) -> None:
        self.architecture = architecture
        self.settings = architecture.settings
        self.services: dict[str, ServiceModel] = {}
        self._by_class: dict[type[Service], list[ServiceModel]] = defaultdict(list)
        for service in architecture.services:
            self.services[service.id] = service
            self._by_class[type(service)].append(service)
        self._flows: dict[type[Flow], list[FlowModel]] = defaultdict(list)
        # flows leaving / reaching each service: all of them under None, and under their flow class
        self._out: dict[str, dict[type[Flow] | None, list[FlowModel]]] = {sid: {None: []} for sid in self.services}
        self._in: dict[str, dict[type[Flow] | None, list[FlowModel]]] = {sid: {None: []} for sid in self.services}
        for flow in architecture.flows:
            self._flows[type(flow)].append(flow)
            for index in (self._out[flow.source], self._in[flow.target]):
                index[None].append(flow)
                index.setdefault(type(flow), []).append(flow)

    @overload
    def of_type(self, cls: type[S], /) -> list[S]: ...
    @overload
    def of_type(self, *classes: type[Service]) -> list[ServiceModel]: ...
    def of_type(self, *classes: type[Service]) -> list[ServiceModel] | list[S]:
        """The services of these classes, class by class, each in the case's order."""
        return [service for cls in classes for service in self._by_class.get(cls, ())]

    def flows_of(self, cls: type[F]) -> list[F]:
        """The flows of one class, in the case's order."""
        return [flow for flow in self._flows.get(cls, ()) if isinstance(flow, cls)]

    @overload
    def outgoing(self, service_id: str, kind: type[F], to: Ends | None = None) -> list[F]: ...
    @overload
    def outgoing(self, service_id: str, kind: None = None, to: Ends | None = None) -> list[FlowModel]: ...
    def outgoing(self, service_id: str, kind: type[Flow] | None = None, to: Ends | None = None) -> list[Any]:
        """Flows leaving a service, optionally of one flow class and to services of given classes."""
        return self._select(self._out[service_id].get(kind, []), to, "target")

    @overload
    def incoming(self, service_id: str, kind: type[F], frm: Ends | None = None) -> list[F]: ...
    @overload
    def incoming(self, service_id: str, kind: None = None, frm: Ends | None = None) -> list[FlowModel]: ...
    def incoming(self, service_id: str, kind: type[Flow] | None = None, frm: Ends | None = None) -> list[Any]:
        """Flows reaching a service, optionally of one flow class and from services of given classes."""
        return self._select(self._in[service_id].get(kind, []), frm, "source")

    def _select(self, flows: list[FlowModel], ends: Ends | None, end: str) -> list[FlowModel]:
        if ends is None:
            return list(flows)
        return [flow for flow in flows if isinstance(self.services[getattr(flow, end)], ends)]

    def source(self, flow: Flow) -> ServiceModel:
        return self.services[flow.source]

    def target(self, flow: Flow) -> ServiceModel:
        return self.services[flow.target]

    def source_as(self, flow: Flow, cls: type[S]) -> S | None:
        """The flow's source when it is of this class, else None."""
        source = self.services[flow.source]
        return source if isinstance(source, cls) else None

    def target_as(self, flow: Flow, cls: type[S]) -> S | None:
        """The flow's target when it is of this class, else None."""
        target = self.services[flow.target]
        return target if isinstance(target, cls) else None

    def is_read_heavy(self, service: Service) -> bool | None:
        """Whether expected reads dwarf writes (see Settings); None when the case does not say."""
        reads = getattr(service, "expected_reads_per_s", None)
        writes = getattr(service, "expected_writes_per_s", None)
        if reads is None or writes is None:
            return None
        return bool(reads >= self.settings.read_heavy_min_reads_per_s and reads >= self.settings.read_heavy_ratio * writes)
