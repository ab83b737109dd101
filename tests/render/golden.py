"""Golden files compared as parsed data: DOT through pydot, Mermaid as statements. Set ARCHCASE_UPDATE_GOLDEN=1
to rewrite them from the current output (then review the diff)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pydot

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("ARCHCASE_UPDATE_GOLDEN") == "1"
_ABSOLUTE_ICON = re.compile(r'"/[^"]*?/(resources/[^"]+\.png)"')


def normalise_paths(text: str) -> str:
    """Icon paths relative to the diagrams package, wherever it is installed."""
    return _ABSOLUTE_ICON.sub(r'"\1"', text)


def parse_dot(text: str) -> dict[str, Any]:
    """A DOT graph as data: graph attributes, clusters with their nodes and attributes, edges in order."""
    (graph,) = pydot.graph_from_dot_data(normalise_paths(text))

    def walk(g: pydot.Graph) -> dict[str, Any]:
        nodes = {unquote(n.get_name()): attributes(n) for n in g.get_nodes()}
        return {
            "attributes": {**attributes(g), **nodes.pop("graph", {})},
            "defaults": {"node": nodes.pop("node", {}), "edge": nodes.pop("edge", {})},
            "nodes": nodes,
            "edges": [(unquote(e.get_source()), unquote(e.get_destination()), attributes(e)) for e in g.get_edges()],
            "subgraphs": {unquote(s.get_name()): walk(s) for s in g.get_subgraphs()},
        }

    return walk(graph)


def unquote(value: str) -> str:
    """A DOT id or value without the quotes that are optional around it."""
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def attributes(element: Any) -> dict[str, str]:
    return {key: unquote(str(value)) for key, value in element.get_attributes().items()}


def parse_mermaid(text: str) -> list[str]:
    """Mermaid as its statements: one per line, indentation and blank lines dropped."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def compare(name: str, actual: str, parse: Any) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.write_text(actual, encoding="utf-8")
        if not UPDATE:
            raise AssertionError(f"golden file {path} was missing and has been written: review and commit it")
    assert parse(actual) == parse(path.read_text(encoding="utf-8"))
