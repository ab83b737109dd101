"""A light index over an architecture for rules: services by id and kind, flows in and out of each service.

Rules use this rather than networkx so that `archcase check` stays fast to start and linear in size;
`Architecture.to_graph()` gives the same graph as networkx for everything else.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from ..models import Architecture, Flow, Service


class Graph:
    def __init__(self, architecture: Architecture) -> None:
        self.architecture = architecture
        self.settings = architecture.settings
        self.services: dict[str, Service] = {}
        self.by_kind: dict[str, list[Service]] = defaultdict(list)
        for service in architecture.services:
            self.services[service.id] = service
            self.by_kind[service.kind].append(service)  # type: ignore[attr-defined]
        self.flows_by_kind: dict[str, list[Flow]] = defaultdict(list)
        self._out: dict[str, list[Flow]] = defaultdict(list)
        self._in: dict[str, list[Flow]] = defaultdict(list)
        for flow in architecture.flows:
            self.flows_by_kind[flow.kind].append(flow)  # type: ignore[attr-defined]
            self._out[flow.source].append(flow)
            self._in[flow.target].append(flow)

    def kind(self, service_id: str) -> str:
        return self.services[service_id].kind  # type: ignore[attr-defined,no-any-return]

    def of_kind(self, *kinds: str) -> list[Service]:
        return [service for kind in kinds for service in self.by_kind.get(kind, ())]

    def outgoing(self, service_id: str, kind: str | None = None, to: Iterable[str] | str | None = None) -> list[Flow]:
        """Flows leaving a service, optionally of one flow kind and to given service kinds."""
        return self._select(self._out.get(service_id, ()), kind, to, "target")

    def incoming(self, service_id: str, kind: str | None = None, frm: Iterable[str] | str | None = None) -> list[Flow]:
        """Flows reaching a service, optionally of one flow kind and from given service kinds."""
        return self._select(self._in.get(service_id, ()), kind, frm, "source")

    def _select(self, flows: Iterable[Flow], kind: str | None, ends: Iterable[str] | str | None, end: str) -> list[Flow]:
        wanted = {ends} if isinstance(ends, str) else set(ends) if ends is not None else None
        return [
            flow for flow in flows
            if (kind is None or flow.kind == kind)  # type: ignore[attr-defined]
            and (wanted is None or self.kind(getattr(flow, end)) in wanted)
        ]

    def source(self, flow: Flow) -> Service:
        return self.services[flow.source]

    def target(self, flow: Flow) -> Service:
        return self.services[flow.target]

    def is_read_heavy(self, service: Service) -> bool | None:
        """Whether expected reads dwarf writes (see Settings); None when the case does not say."""
        reads = getattr(service, "expected_reads_per_s", None)
        writes = getattr(service, "expected_writes_per_s", None)
        if reads is None or writes is None:
            return None
        return reads >= self.settings.read_heavy_min_reads_per_s and reads >= self.settings.read_heavy_ratio * writes
