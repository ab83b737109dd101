"""draw.io files: the structure draw.io reads (mxfile > diagram > mxGraphModel > root, unique ids, every cell's
parent and every edge's ends present), one AWS shape per service and one edge per flow, groups as boxes holding
their members, findings marked, plain-text labels of any text, the same file for the same case."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from unittest import mock

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archcase import api
from archcase.checks.engine import check
from archcase.models import Architecture, CaseError
from archcase.models.flows import DeadLetter
from archcase.models.text import picture
from archcase.render import diagram, drawio, layout_metrics
from archcase.render.labels import flow_label, service_label
from archcase.render.overlay import COLORS, LegendEntry, Overlay
from archcase.render.view import view

from ..checks.mutations import add_service, case_data, flow, svc, variant
from ..conftest import SHARED
from ..hostile.output_support import HOSTILE, hostile_cases
from ..strategies import architectures
from .needs import needs_graphviz

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
BUNDLED = sorted(api.bundled_cases(), key=lambda p: p.name)


@dataclass
class Box:
    """A vertex's geometry, in the page's coordinates (a group member's is relative to its group's box)."""

    x: float
    y: float
    width: float
    height: float


def style(cell: ET.Element) -> dict[str, str]:
    """A cell's style as keys and values (a key without a value, such as `text`, maps to "")."""
    pairs = [item.split("=", 1) for item in (cell.get("style") or "").split(";") if item]
    return {pair[0]: pair[1] if len(pair) > 1 else "" for pair in pairs}


def absolute(cells: dict[str, ET.Element], cell_id: str) -> Box:
    geometry = cells[cell_id].find("mxGeometry")
    assert geometry is not None and geometry.get("as") == "geometry", cell_id
    box = Box(*(float(geometry.get(key, "nan")) for key in ("x", "y", "width", "height")))
    parent = cells[cell_id].get("parent")
    if parent not in ("0", "1", None):
        outer = absolute(cells, parent)
        box.x, box.y = box.x + outer.x, box.y + outer.y
    return box


def structure(text: str, architecture: Architecture, overlay: Overlay | None = None) -> dict[str, ET.Element]:
    """Hold a draw.io file to what draw.io reads and to the case it was made of; return its cells by id."""
    overlay = overlay or Overlay()
    document = ET.fromstring(text)
    assert document.tag == "mxfile"
    (page,) = document
    assert page.tag == "diagram" and page.get("id") == architecture.name and page.get("name")
    (model,) = page
    assert model.tag == "mxGraphModel"
    (root,) = model
    assert root.tag == "root" and all(cell.tag == "mxCell" for cell in root)
    cells: dict[str, ET.Element] = {}
    for cell in root:
        cell_id = cell.get("id")
        assert cell_id and cell_id not in cells, f"id {cell_id!r} missing or not unique"
        parent = cell.get("parent")
        assert cell_id == "0" or parent in cells, f"{cell_id}: parent {parent!r} is not an earlier cell"
        cells[cell_id] = cell
    assert list(cells)[:2] == ["0", "1"] and cells["0"].get("parent") is None and cells["1"].get("parent") == "0"
    vertices = {i for i, c in cells.items() if c.get("vertex") == "1"}
    edges = {i for i, c in cells.items() if c.get("edge") == "1"}
    assert vertices.isdisjoint(edges) and vertices | edges == set(cells) - {"0", "1"}
    assert all("html" not in style(cell) for cell in cells.values()), "labels must stay plain text"
    for cell in cells.values():
        keys = [item.split("=", 1)[0] for item in (cell.get("style") or "").split(";") if item]
        assert len(keys) == len(set(keys)), f"{cell.get('id')}: a style key given twice"
    for cell_id in edges:
        assert cells[cell_id].get("source") in vertices and cells[cell_id].get("target") in vertices, cell_id
        assert cells[cell_id].get("parent") == "1"
    for cell_id in vertices:
        box = absolute(cells, cell_id)
        assert box.width > 0 and box.height > 0, cell_id
    containers = {cells[i].get("parent") for i in vertices} - {"1"}
    assert containers <= vertices and all(cells[i].get("parent") == "1" for i in containers), "groups hold services only"

    kinds = {s.id: s.kind for s in architecture.services}
    for service in architecture.services:
        cell = cells[drawio.service_cell(service.id)]
        assert cell.get("vertex") == "1"
        assert cell.get("value") == overlay.labelled(picture(service_label(service)), service.id)
        shape = style(cell)
        assert shape["shape"].startswith("mxgraph.aws4.")
        assert shape["shape"] != "mxgraph.aws4.resourceIcon" or shape["resIcon"].startswith("mxgraph.aws4.")
        assert drawio.SHAPES[type(service)].name in (shape["shape"].removeprefix("mxgraph.aws4."),
                                                      shape.get("resIcon", "").removeprefix("mxgraph.aws4."))
        if service.group is None:
            assert cell.get("parent") == "1"
        else:
            group = cells[cell.get("parent") or ""]
            assert group.get("value") == picture(service.group)
            inner, outer = absolute(cells, cell.attrib["id"]), absolute(cells, group.attrib["id"])
            assert outer.x <= inner.x and inner.x + inner.width <= outer.x + outer.width
            assert outer.y <= inner.y and inner.y + inner.height <= outer.y + outer.height
    for item in architecture.flows:
        cell = cells[drawio.flow_cell(item.key)]
        assert cell.get("edge") == "1"
        assert (cell.get("source"), cell.get("target")) == (drawio.service_cell(item.source), drawio.service_cell(item.target))
        assert cell.get("value") == overlay.labelled(picture(flow_label(item, kinds)), item.key)
        assert ("dashed" in style(cell)) == isinstance(item, DeadLetter)
    groups = {s.group for s in architecture.services if s.group is not None}
    frames = {i: absolute(cells, i) for i in containers}
    for service in architecture.services:
        cell_id = drawio.service_cell(service.id)
        icon = absolute(cells, cell_id)
        assert [i for i, frame in frames.items() if cells[cell_id].get("parent") != i and overlap(icon, frame)] == []
    boxes = list(frames.values())
    assert not any(overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]), "group boxes overlap"
    assert len(vertices) == len(architecture.services) + len(groups) + bool(overlay.legend)
    assert len(edges) == len(architecture.flows)
    return cells


def grouped(architecture: Architecture, groups: list[str | None]) -> Architecture:
    """The architecture with its services' groups set, in turn, from `groups`."""
    data = architecture.model_dump(mode="json", by_alias=True)
    for index, service in enumerate(data["services"]):
        service["group"] = groups[index % len(groups)]
    return Architecture.model_validate(data)


def without_graphviz() -> Any:
    """Render with the layout computed without Graphviz."""
    return mock.patch.object(drawio, "positions",
                             lambda architecture, labels=None, detail="default": drawio.layered(architecture.services, architecture.flows))


def overlap(a: Box, b: Box) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height


def icons_overlap(cells: dict[str, ET.Element], architecture: Architecture) -> list[tuple[str, str]]:
    boxes = {s.id: absolute(cells, drawio.service_cell(s.id)) for s in architecture.services}
    ids = list(boxes)
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:] if overlap(boxes[a], boxes[b])]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_bundled_case_gives_a_valid_file_without_graphviz(path):
    arch = api.read_any(path).architecture
    with without_graphviz():
        text = drawio.render(arch)
        assert drawio.render(arch) == text
    cells = structure(text, arch)
    assert icons_overlap(cells, arch) == []


@needs_graphviz
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_every_bundled_case_gives_a_valid_file_laid_out_by_graphviz(path):
    arch = api.read_any(path).architecture
    text = drawio.render(arch)
    assert drawio.render(arch) == text
    cells = structure(text, arch)
    assert icons_overlap(cells, arch) == []
    with without_graphviz():
        assert drawio.render(arch) != text, "the positions are Graphviz's"


CORPUS = SHARED / "corpus"


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the public template corpus is not at {CORPUS} (a user's clone)")
def test_every_corpus_template_gives_a_valid_file_of_what_the_diagram_draws():
    """Strangers' templates at the default detail: networking and plumbing are left out as on the diagram, and what
    is drawn still holds together (every parent and every edge's ends exist, edges join vertices)."""
    templates = sorted(p for p in CORPUS.iterdir() if p.suffix in api.TEMPLATE_SUFFIXES)
    drawn = 0
    for path in templates:
        try:
            arch = api.read_any(path).architecture
        except CaseError:
            continue
        with without_graphviz():
            root = ET.fromstring(drawio.render(arch))
        cells = {cell.get("id"): cell for cell in root.iter("mxCell")}
        assert len(cells) == len(list(root.iter("mxCell"))), path.name
        for cell in cells.values():
            assert cell.get("parent") is None or cell.get("parent") in cells, path.name
            if cell.get("edge") == "1":
                assert all(cells[cell.get(end, "")].get("vertex") == "1" for end in ("source", "target")), path.name
        shown = {s.id for s in view(arch).services}
        assert {c.get("id") for c in cells.values() if c.get("id", "").startswith("service-")} == {
            drawio.service_cell(sid) for sid in shown}, path.name
        drawn += 1
    assert drawn >= 30


def test_without_dot_the_layout_is_computed_here(monkeypatch, tmp_path):
    arch = variant("myblog")
    monkeypatch.setenv("ARCHCASE_DOT", str(tmp_path / "no-dot"))
    with without_graphviz():
        expected = drawio.render(arch)
    assert drawio.render(arch) == expected


@SETTINGS
@given(architectures(), st.lists(st.none() | HOSTILE.map(lambda t: t[:100] or "g"), min_size=1, max_size=4))
def test_a_generated_case_gives_a_valid_deterministic_file(arch, groups):
    arch = grouped(arch, groups)
    with without_graphviz():
        text = drawio.render(arch)
        assert drawio.render(arch) == text
    cells = structure(text, arch)
    assert icons_overlap(cells, arch) == []


@needs_graphviz
@settings(SETTINGS, max_examples=25)
@given(architectures(max_services=6, max_flows=8), st.lists(st.none() | st.sampled_from(["a", "b"]), min_size=1, max_size=3))
def test_a_generated_case_laid_out_by_graphviz_gives_a_valid_file(arch, groups):
    arch = grouped(arch, groups)
    text = drawio.render(arch)
    structure(text, arch)
    assert drawio.render(arch) == text


@SETTINGS
@given(hostile_cases(), st.lists(HOSTILE.map(lambda t: t[:100] or "g"), min_size=1, max_size=3))
def test_hostile_text_is_shown_as_written(case, groups):
    _, data = case
    arch = grouped(Architecture.model_validate(data), groups)
    overlay = Overlay.of(check(arch).findings)
    with without_graphviz():
        text = drawio.render(arch, overlay)
    structure(text, arch, overlay)  # every label parsed back is the text as drawn, whatever it held


def test_markup_in_a_label_is_text():
    arch = variant("myblog", add_service(id="x", kind="sqs", label='<img src=x onerror="alert(1)"> & \'q\'\n\x1b[31mred',
                                         group="<b>team</b> & \"ops\""))
    with without_graphviz():
        text = drawio.render(arch)
    cells = structure(text, arch)
    assert "<img" not in text and "<b>" not in text
    assert cells["service-x"].get("value") == '<img src=x onerror="alert(1)"> & \'q\'\n\\x1b[31mred'
    assert cells[cells["service-x"].get("parent") or ""].get("value") == '<b>team</b> & "ops"'


@SETTINGS
@given(architectures(hostile=False), st.data())
def test_marked_services_and_flows_take_their_findings_colour_and_numbers(arch, data):
    ids = [s.id for s in arch.services] + [f.key for f in arch.flows]
    marked = data.draw(st.lists(st.sampled_from(ids), unique=True))
    severity = data.draw(st.sampled_from(sorted(COLORS)))
    entry = LegendEntry(1, "AC101", "A rule's title", severity, "bucket 'b' has no origin access")
    overlay = Overlay(legend=[entry], marks={element: [entry] for element in marked})
    with without_graphviz():
        cells = structure(drawio.render(arch, overlay), arch, overlay)
    colour = COLORS[severity]
    for service in arch.services:
        shown = style(cells[drawio.service_cell(service.id)])
        if service.id in marked:
            assert shown["labelBorderColor"] == shown["fontColor"] == colour
        else:
            assert "labelBorderColor" not in shown and shown["fontColor"] != colour
    for item in arch.flows:
        shown = style(cells[drawio.flow_cell(item.key)])
        assert (shown["strokeColor"] == shown["fontColor"] == colour) == (item.key in marked)
    assert "#1 " + severity + " AC101 bucket 'b' has no origin access" in (cells["legend"].get("value") or "")


def test_findings_of_a_case_are_marked():
    arch = variant("paid-content", flow("content-cdn", "origin", "premium-content", access="none"),
                   svc("premium-content", block_public_access=False))
    overlay = Overlay.of(check(arch).findings)
    with without_graphviz():
        cells = structure(drawio.render(arch, overlay), arch, overlay)
    colour, numbers = overlay.mark("premium-content") or ("", "")
    assert style(cells["service-premium-content"])["labelBorderColor"] == colour
    assert (cells["service-premium-content"].get("value") or "").endswith("\n" + numbers)


def test_group_boxes_hold_their_members_and_only_them():
    data = copy.deepcopy(case_data("microservices"))
    for index, service in enumerate(data["services"]):
        service["group"] = ["orders", "payments", None][index % 3]
    arch = Architecture.model_validate(data)
    with without_graphviz():
        cells = structure(drawio.render(arch), arch)
    boxes = [i for i, c in cells.items() if c.get("value") in ("orders", "payments")]
    assert len(boxes) == 2
    for box in boxes:
        members = {i for i, c in cells.items() if c.get("parent") == box}
        expected = {drawio.service_cell(s.id) for s in arch.services if s.group == cells[box].get("value")}
        assert members == expected


@SETTINGS
@given(architectures(hostile=False))
def test_without_graphviz_flows_run_left_to_right_but_where_they_close_a_cycle(arch):
    centres = drawio.layered(arch.services, arch.flows)
    graph = arch.to_graph()
    backwards = [f for f in arch.flows if centres[f.source][0] >= centres[f.target][0]]
    assert [f.key for f in backwards if not nx.has_path(graph, f.target, f.source)] == []


def test_a_cycle_keeps_all_but_its_closing_flow_left_to_right():
    services = [{"id": "a", "kind": "lambda", "handler": "app.handler"}, {"id": "b", "kind": "sqs"}]
    data = {"name": "loop", "title": "Loop", "services": services,
            "flows": [{"from": "a", "to": "b", "kind": "enqueues"}, {"from": "b", "to": "a", "kind": "triggers"}]}
    arch = Architecture.model_validate(data)
    centres = drawio.layered(arch.services, arch.flows)
    assert centres["a"][0] < centres["b"][0]
    with without_graphviz():
        structure(drawio.render(arch), arch)


def test_a_big_case_without_graphviz_stays_roughly_square():
    services = [{"id": f"q{n}", "kind": "sqs"} for n in range(400)]
    arch = Architecture.model_validate({"name": "big", "title": "Big", "services": services})
    centres = drawio.layered(arch.services, arch.flows).values()
    assert len({x for x, _ in centres}) == len({y for _, y in centres}) == 20


@needs_graphviz
def test_groups_keep_graphviz_positions_since_the_dot_draws_each_group_as_a_box():
    arch = Architecture.model_validate(copy.deepcopy(case_data("microservices")))  # six groups
    assert any(s.group for s in arch.services)
    labels = {s.id: s.label or s.id for s in arch.services}
    found = drawio.graphviz_positions(layout_metrics.layout(diagram.dot_source(arch), diagram.ICON_BASE))
    assert drawio.positions(arch, labels) == {s.id: found[s.id] for s in arch.services}
    drawn = drawio.render(arch)
    with without_graphviz():
        assert drawio.render(arch) != drawn  # the layered layout of the fallback


def test_graphviz_positions_flip_y_and_skip_subgraphs():
    laid_out = {"bb": "0,0,200,100", "_subgraph_cnt": 1,
                "objects": [{"name": "cluster_x"}, {"name": "a", "pos": "10,90"}, {"name": "b", "pos": "150,20"}]}
    found = drawio.graphviz_positions(laid_out)
    assert set(found) == {"a", "b"}
    assert found["a"][1] < found["b"][1] and found["a"][0] < found["b"][0]
