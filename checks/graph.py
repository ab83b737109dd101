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
        self._kinds: dict[str, str] = {}
        self.by_kind: dict[str, list[Service]] = defaultdict(list)
        for service in architecture.services:
            self.services[service.id] = service
            self._kinds[service.id] = service.kind  # type: ignore[attr-defined]
            self.by_kind[service.kind].append(service)  # type: ignore[attr-defined]
        self.flows_by_kind: dict[str, list[Flow]] = defaultdict(list)
        # flows leaving / reaching each service: all of them under None, and under their flow kind
        self._out: dict[str, dict[str | None, list[Flow]]] = {sid: {None: []} for sid in self.services}
        self._in: dict[str, dict[str | None, list[Flow]]] = {sid: {None: []} for sid in self.services}
        for flow in architecture.flows:
            kind = flow.kind  # type: ignore[attr-defined]
            self.flows_by_kind[kind].append(flow)
            for index in (self._out[flow.source], self._in[flow.target]):
                index[None].append(flow)
                index.setdefault(kind, []).append(flow)

    def kind(self, service_id: str) -> str:
        return self._kinds[service_id]

    def of_kind(self, *kinds: str) -> list[Service]:
        return [service for kind in kinds for service in self.by_kind.get(kind, ())]

    def outgoing(self, service_id: str, kind: str | None = None, to: Iterable[str] | str | None = None) -> list[Flow]:
        """Flows leaving a service, optionally of one flow kind and to given service kinds."""
        return self._select(self._out[service_id].get(kind, ()), to, "target")

    def incoming(self, service_id: str, kind: str | None = None, frm: Iterable[str] | str | None = None) -> list[Flow]:
        """Flows reaching a service, optionally of one flow kind and from given service kinds."""
        return self._select(self._in[service_id].get(kind, ()), frm, "source")

    def _select(self, flows: list[Flow] | tuple[()], ends: Iterable[str] | str | None, end: str) -> list[Flow]:
        if ends is None:
            return list(flows)
        wanted = {ends} if isinstance(ends, str) else set(ends)
        return [flow for flow in flows if self._kinds[getattr(flow, end)] in wanted]

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
