"""Hostile text for the output tests: a hypothesis strategy of strings that are syntax in some output format
(DOT, Mermaid, HTML, XML, JSON, YAML, CloudFormation, terminals), a way to put such strings into every
user-facing field of a bundled case, and parsers that give each output's structure."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pydot
import yaml
from hypothesis import strategies as st

from archcase.checks.engine import CaseReport, check
from archcase.models import Architecture
from archcase.render import mermaid

from ..conftest import CASES

PIECES = [
    # quotes, brackets, escapes and statement ends of DOT, Mermaid, HTML, XML, YAML, shells
    '"', "'", "`", "\\", "\\\\", "\\\"", "]", "[", ")", "(", "{", "}", "|", ";", ":", "#", "&", "<", ">", "-->", "---",
    # DOT
    '"; evil [image="/usr/share/pixmaps/debian-logo.png"]; "', "}; digraph x {", "<<b>markup</b>>", "<Acme> shop <beta>",
    "\\l", "\\N", "\\G", "node", "graph", "edge", "subgraph", "strict", "-- ", 'image="/etc/passwd"', "shapefile=x",
    # Mermaid
    "%%", "%%{init: {'theme':'forest', 'securityLevel':'loose'}}%%", "%%{init: {\"theme\": \"dark\"}}%%",
    "click mobile_app href \"javascript:alert(1)\"", "click x call alert(1)", "end", "style a fill:#f00", "linkStyle 0",
    "classDef x fill:red;", ":::x", "#35;", "#quot;", "<br>", "<br/>", "```", "**bold**", "A-->B", "--->|x|", "\"`md`\"",
    # HTML and XML
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "&amp;", "&#0;", "&lt;",
    "]]>", "<![CDATA[", "<!--", "-->", "<?xml?>", "\" onmouseover=\"alert(1)",
    # CloudFormation and YAML
    "{{resolve:ssm:/secret}}", "{{resolve:secretsmanager:db:SecretString:password}}", "{{{{resolve:ssm:x}}}}",
    "${AWS::Region}", "${AWS::AccountId}", "${!Literal}", "!Ref x", "*", "&anchor", "--- ", "? ", "- ",
    # line breaks of every kind and control characters, terminal escape sequences
    "\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\t", "\x00", "\x07", "\x08", "\x7f", "\x9b",
    "\x1b[31m", "\x1b[2J", "\x1b]0;owned\x07", "\x1b]8;;http://evil/\x1b\\", "\x9b31m", "\u202e", "\u2066", "\ufeff",
    "\ufffe", "\uffff", "\U0001f600", "é", "漢字",
]
"""Pieces of hostile text: each is syntax, a control character or an odd character for some output."""

SHORT = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), min_size=1, max_size=6).map("".join)
LONG = st.sampled_from(["x" * 20_000, "y" * 300 + "\\", "\n" * 50 + "z", ("<b>" + "a" * 5000) * 4])
HOSTILE = st.one_of(SHORT, SHORT, SHORT, LONG)
"""A hostile string: mostly a few pieces joined, sometimes very long."""

BASES = ("software-updates", "mytodolist", "big-data-ingestion", "paid-content", "myblog", "microservices")


def case_data(name: str) -> dict[str, Any]:
    return yaml.safe_load((CASES / f"{name}.yaml").read_text(encoding="utf-8"))


def fields_of(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """(mapping, key) of every free-text field of a case document: title, summary, seed section, service labels
    and descriptions, flow labels and prefixes, requirement questions and answers, suppression reasons."""
    yield data, "title"
    yield data, "summary"
    yield data, "seed_section"
    for service in data["services"]:
        yield service, "label"
        yield service, "description"
    for index, flow in enumerate(data.get("flows", [])):
        if "prefix" in flow:
            yield flow, "prefix"
        if index % 3 != 2:  # some flows keep their derived label (which may quote the prefix)
            yield flow, "label"
    for requirement in data.get("requirements", []):
        yield requirement, "question"
        yield requirement, "answer"
    for suppression in data.get("suppressions", []):
        yield suppression, "reason"


def hostile_data(base: str, values: list[str]) -> dict[str, Any]:
    """The bundled case `base` with `values` put, in turn, into every free-text field."""
    data = copy.deepcopy(case_data(base))
    for index, (mapping, key) in enumerate(fields_of(data)):
        value = values[index % len(values)]
        if key == "reason":
            value = "This finding is accepted for a reason: " + value
        elif key in ("question", "answer"):
            value = "Why " + value
        elif key == "title" and not value:
            value = "t"
        mapping[key] = value
    return data


def plain_twin(data: dict[str, Any]) -> dict[str, Any]:
    """The same case with plain text in every free-text field but prefixes (which rules read: a prefix decides
    whether an S3 trigger is recursive) and empty text, so it has the same findings and sections: the
    structure every output must have."""
    twin = copy.deepcopy(data)
    for mapping, key in fields_of(twin):
        if key != "prefix" and mapping[key]:  # an empty text stays empty: the page leaves out an empty summary
            mapping[key] = "This finding is accepted for plain words of text" if key == "reason" else "plain words of text"
    return twin


@st.composite
def hostile_cases(draw: st.DrawFn, bases: tuple[str, ...] = BASES) -> tuple[str, dict[str, Any]]:
    """(base case name, case document) with hostile text in every free-text field."""
    base = draw(st.sampled_from(bases))
    values = draw(st.lists(HOSTILE, min_size=3, max_size=12))
    return base, hostile_data(base, values)


def architecture(data: dict[str, Any]) -> Architecture:
    return Architecture.model_validate(data)


def report_of(arch: Architecture, path: str = "case.yaml") -> CaseReport:
    return check(arch, path=path)


def write_case(folder: Path, data: dict[str, Any], name: str = "case.yaml") -> Path:
    """The case as a YAML file; every character outside printable ASCII written as a YAML escape."""
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=False, sort_keys=False, width=1_000_000), encoding="utf-8")
    return path


# --- what each output is made of ------------------------------------------------------------------------------

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""Characters that must never reach a terminal or a text report as they are (a line feed or a tab may)."""


def unquote(value: str) -> str:
    return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value


def dot_structure(text: str) -> dict[str, Any]:
    """A DOT graph as parsed by pydot: its name, node ids, the flows its arrows draw (their two ends in order,
    either way round, and the flow's key), and every attribute name with the image attributes' values."""
    graphs = pydot.graph_from_dot_data(text)
    assert graphs is not None and len(graphs) == 1, "the DOT text is not one graph"
    (graph,) = graphs
    nodes: set[str] = set()
    edges: list[tuple[str, str, str]] = []
    attributes: set[str] = set(graph.get_attributes())
    images: set[str] = set()

    def walk(g: pydot.Graph) -> None:
        for node in g.get_nodes():
            name = unquote(node.get_name())
            attrs = node.get_attributes()
            attributes.update(attrs)
            if "image" in attrs:
                images.add(unquote(attrs["image"]))
            if name not in ("node", "edge", "graph"):
                nodes.add(name)
        for edge in g.get_edges():
            attrs = edge.get_attributes()
            attributes.update(attrs)
            if attrs.get("style") != "invis":  # an arrow draws the flows its class lists (its id is the first's key)
                ends = sorted((unquote(edge.get_source()), unquote(edge.get_destination())))
                edges.extend((ends[0], ends[1], key) for key in unquote(attrs.get("class", "")).split())
        for sub in g.get_subgraphs():
            attributes.update(sub.get_attributes())
            walk(sub)

    walk(graph)
    return {"name": unquote(graph.get_name()), "nodes": nodes, "edges": edges, "attributes": attributes, "images": images}


_NODE = re.compile(r'^(\w+)(\(\[|\[\[|\[\(|\[/|\[\\|\{\{|\(|\[|\{|>)"([^"]*)"(\]\)|\]\]|\)\]|\\\]|/\]|\}\}|\)|\]|\})$')
_EDGE = re.compile(r'^(\w+) (-->|-\.->)\|"([^"]*)"\| (\w+)$')
_SUBGRAPH = re.compile(r'^subgraph ((?:grp|box)_\w+)\["([^"]*)"\]$')
_STYLE = re.compile(r"^(linkStyle \d+|style \w+) stroke:#[0-9A-Fa-f]{6},stroke-width:3px$")


def mermaid_structure(text: str) -> dict[str, Any]:
    """Mermaid text read statement by statement: every line must be one of the statements archcase writes
    (two or three comments, the header, subgraphs, nodes, edges, styles); gives the node ids, edges and label texts."""
    lines = text.splitlines()
    header = lines.index("flowchart LR")  # after two comments, and a third when resources are not drawn
    assert header in (2, 3) and all(line.startswith("%% ") and line.count("%%") == 1 for line in lines[:header]), lines[:4]
    nodes: dict[str, str] = {}
    edges: list[tuple[str, str]] = []
    labels: list[str] = []
    depth = 0
    for line in (line.strip() for line in lines[header + 1:]):
        if m := _SUBGRAPH.match(line):
            depth += 1
            labels.append(m.group(2))
        elif line == "end":
            depth -= 1
        elif m := _NODE.match(line):
            nodes[m.group(1)] = m.group(3)
            labels.append(m.group(3))
        elif m := _EDGE.match(line):
            edges.append((m.group(1), m.group(4)))
            labels.append(m.group(3))
        else:
            assert _STYLE.match(line), f"not a statement archcase writes: {line!r}"
        assert depth in (0, 1, 2)  # a VPC box inside a group box
    assert depth == 0
    for label in labels:
        assert not re.search(r'["%`|\\\x00-\x1f\x7f-\x9f\u2028\u2029]', label), label
        assert "<" not in label.replace("<br/>", ""), label
    for comment in lines[:2]:
        assert not re.search(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", comment), comment
    return {"nodes": nodes, "edges": edges, "labels": labels}


def mermaid_ids(arch: Architecture) -> set[str]:
    return {mermaid.node_id(s.id) for s in arch.services}


class Elements(HTMLParser):
    """Every element of an HTML page, in order, as (tag, attribute names), with the attribute values and the
    text by element."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.shape: list[tuple[str, tuple[str, ...]]] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.texts: dict[str, list[str]] = {}
        self._open: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.shape.append((tag, tuple(sorted(name for name, _ in attrs))))
        self.attributes.extend((tag, name, value or "") for name, value in attrs)
        if tag not in ("br", "img", "meta", "link", "input"):
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self.texts.setdefault(self._open[-1], []).append(data)


def xml_root(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


class CfnLoader(yaml.SafeLoader):
    """A template's YAML with short-form intrinsics read as `{"Fn::X": ...}` (and `!Ref` as `{"Ref": ...}`)."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


CfnLoader.add_multi_constructor("!", _intrinsic)


def strings(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """Every string in a parsed document (keys included), with where it is."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield path, str(key)
            yield from strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings(item, (*path, index))
