"""The DOT and the drawn diagrams: stable ids, grouping, reading order, findings marked, self-contained SVG."""

from __future__ import annotations

import io
import re

import networkx as nx
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from archcase.checks.engine import check
from archcase.models import Architecture
from archcase.models.text import picture
from archcase.render import diagram
from archcase.render.graphviz import GraphvizMissing
from archcase.render.overlay import COLORS, Overlay

from ..checks.mutations import flow, svc, variant
from ..conftest import CASES
from ..strategies import architectures
from .golden import parse_dot
from .needs import needs_graphviz


def nodes_of(parsed: dict) -> dict[str, dict]:
    found = {name: attrs for name, attrs in parsed["nodes"].items() if attrs}
    for sub in parsed["subgraphs"].values():
        found.update(nodes_of(sub))
    return found


def test_node_ids_are_the_service_ids_and_the_dot_is_the_same_every_time():
    arch = variant("microservices")
    first, second = diagram.dot_source(arch), diagram.dot_source(variant("microservices"))
    assert first == second
    ids = set(nodes_of(parse_dot(first)))
    assert ids == {s.id for s in arch.services}


def test_services_of_a_group_are_drawn_in_its_titled_box_and_no_other():
    arch = variant("myblog", svc("blog-function", group='Posts "core"'), svc("posts", group='Posts "core"'))
    parsed = parse_dot(diagram.dot_source(arch))
    boxes = {sub["attributes"]["label"]: set(nodes_of(sub)) for sub in parsed["subgraphs"].values()}
    assert boxes['Posts \\"core\\"'] == {"blog-function", "posts"}
    assert parsed["attributes"]["rankdir"] == "LR"
    ungrouped = parse_dot(diagram.dot_source(variant("myblog")))
    assert not any("Posts" in sub["attributes"]["label"] for sub in ungrouped["subgraphs"].values())


def test_each_microservice_of_the_bundled_case_is_its_own_box():
    data = yaml.safe_load((CASES / "microservices.yaml").read_text())
    given: dict[str, set[str]] = {}
    for service in data["services"]:
        if "group" in service:
            given.setdefault(service["group"], set()).add(service["id"])
    parsed = parse_dot(diagram.dot_source(variant("microservices")))
    assert {sub["attributes"]["label"]: set(nodes_of(sub)) for sub in parsed["subgraphs"].values()} == given


def constraining(source: str) -> nx.MultiDiGraph:
    """The edges of DOT text that rank the layout (all but `constraint=false` and invisible ones)."""
    graph = nx.MultiDiGraph()
    for tail, head, attrs in parse_dot(source)["edges"]:
        if attrs.get("constraint") != "false" and attrs.get("style") != "invis":
            graph.add_edge(tail, head)
    return graph


@settings(max_examples=60, deadline=None)
@given(architectures(hostile=False))
def test_the_flows_that_rank_the_layout_never_form_a_cycle(arch):
    source = diagram.dot_source(arch, detail="full")
    assert nx.is_directed_acyclic_graph(constraining(source))
    flows = nx.MultiDiGraph([(f.source, f.target) for f in arch.flows if f.source != f.target])
    if nx.is_directed_acyclic_graph(flows):  # nothing to break: every flow ranks the layout
        assert all(a.get("constraint") != "false" for _t, _h, a in parse_dot(source)["edges"])


def test_of_a_stream_and_the_write_back_one_arrow_turns_back_and_the_main_path_none():
    edges = parse_dot(diagram.dot_source(variant("myblog")))["edges"]
    backwards = {(a, b) for a, b, attrs in edges if attrs.get("constraint") == "false"}
    # users' stream triggers welcome-email, which reads and marks the user: a cycle of two arrows, one turned back
    assert len(backwards & {("users", "welcome-email"), ("welcome-email", "users")}) == 1
    assert not backwards & {("readers", "blog-cdn"), ("readers", "blog-api"), ("blog-api", "blog-function")}


@settings(max_examples=60, deadline=None)
@given(architectures(hostile=False))
def test_every_flow_is_drawn_by_exactly_one_arrow_between_its_ends(arch):
    edges = [(t, h, a) for t, h, a in parse_dot(diagram.dot_source(arch, detail="full"))["edges"] if a.get("style") != "invis"]
    drawn = {key: (t, h) for t, h, a in edges for key in a["class"].split()}
    assert sorted(drawn) == sorted(f.key for f in arch.flows)
    for each in arch.flows:
        ends = drawn[each.key]
        assert ends == (each.source, each.target) or (each.kind == "reads" and ends == (each.target, each.source))
    assert len({(t, h) for t, h, _a in edges}) == len(edges)  # flows drawn the same way share one arrow
    assert all(a["label"] and a["id"] in a["class"].split() for _t, _h, a in edges)


def test_a_read_of_a_filled_store_points_where_the_data_goes_and_of_a_lookup_table_at_the_table():
    arch = Architecture.model_validate({
        "name": "reads", "title": "Reads",
        "services": [{"id": "writer", "kind": "lambda", "handler": "a.b"}, {"id": "reader", "kind": "lambda", "handler": "a.b"},
                     {"id": "both", "kind": "lambda", "handler": "a.b"},
                     {"id": "store", "kind": "dynamodb", "partition_key": {"name": "k"}},
                     {"id": "lookup", "kind": "dynamodb", "partition_key": {"name": "k"}}],
        "flows": [{"from": "writer", "to": "store", "kind": "writes"}, {"from": "reader", "to": "store", "kind": "reads"},
                  {"from": "reader", "to": "lookup", "kind": "reads"}, {"from": "both", "to": "store", "kind": "reads"},
                  {"from": "both", "to": "store", "kind": "writes"}]})
    edges = {(t, h): set(a["class"].split()) for t, h, a in parse_dot(diagram.dot_source(arch))["edges"]}
    assert edges[("store", "reader")] == {"reader-reads-store"}  # the store is filled by writer: its data goes out
    assert edges[("reader", "lookup")] == {"reader-reads-lookup"}  # nothing fills the lookup table: a call
    assert edges[("both", "store")] == {"both-reads-store", "both-writes-store"}  # one arrow for a read and a write
    big_data = {(t, h): a for t, h, a in parse_dot(diagram.dot_source(variant("big-data-ingestion")))["edges"]}
    assert "dashboards-reads-reporting-bucket" in big_data[("reporting-bucket", "dashboards")]["class"].split()


def test_findings_outline_and_number_the_elements_and_add_a_legend():
    arch = variant("paid-content", flow("content-cdn", "origin", "premium-content", access="none"),
                   svc("premium-content", block_public_access=False))
    overlay = Overlay.of(check(arch).findings)
    assert overlay.legend, "the broken variant must have findings"
    parsed = parse_dot(diagram.dot_source(arch, overlay))
    bucket = nodes_of(parsed)["premium-content"]
    numbers = overlay.mark("premium-content")
    assert numbers is not None
    assert bucket["color"] == numbers[0] and bucket["shape"] == "box"
    assert numbers[1] in bucket["label"]
    origin = [a for _s, _t, a in parsed["edges"] if a.get("id") == "content-cdn-origin-premium-content"]
    assert origin[0]["color"] in COLORS.values()
    legend = parsed["attributes"]["label"]
    assert all(entry.rule_id in legend for entry in overlay.legend)


def test_suppressed_findings_are_not_drawn():
    arch = variant("software-updates")
    report = check(arch)
    assert any(f.suppressed for f in report.findings)
    assert Overlay.of(report.findings).legend == []


def test_user_text_is_text_in_dot():
    arch = variant("myblog", svc("readers", label='Readers <script>alert("x")</script> \\l end'))
    node = nodes_of(parse_dot(diagram.dot_source(arch)))["readers"]
    label = node["label"].replace("\\n", "").replace(" ", "")  # wrapped: only DOT's line breaks and spaces differ
    assert label == 'Readers<script>alert(\\"x\\")</script>\\\\lend'
    markup = variant("myblog", svc("readers", label="<b>Readers</b>"))
    assert nodes_of(parse_dot(diagram.dot_source(markup)))["readers"]["label"] == "<b>Readers</b>"


@given(st.text(max_size=300))
def test_a_wrapped_name_keeps_its_words_and_fits_its_lines(text):
    kept = picture(text)
    lines = diagram.wrapped(kept).split("\n")
    assert all(len(line) <= diagram.LABEL_WIDTH for line in lines)
    assert "".join("".join(lines).split()) == "".join(kept.split())  # only line breaks and white space differ


@needs_graphviz
def test_svg_is_self_contained_and_escapes_user_text():
    arch = variant("myblog", svc("readers", label="Readers <script>alert(1)</script>"))
    svg = diagram.draw(diagram.dot_source(arch), "svg").decode()
    hrefs = re.findall(r'xlink:href="([^"]*)"', svg)
    assert hrefs and all(h.startswith("data:image/png;base64,") for h in hrefs)
    assert "<script>" not in svg and "Readers &lt;script&gt;" in svg


@needs_graphviz
@pytest.mark.parametrize("case", ["mytodolist", "microservices"])
def test_png_is_a_real_picture(case):
    png = diagram.draw(diagram.dot_source(variant(case)), "png")
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG"
    assert 600 <= image.width <= 6000 and 400 <= image.height <= 6000
    colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50


def test_a_missing_graphviz_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("ARCHCASE_DOT", "/nonexistent/dot")
    with pytest.raises(GraphvizMissing, match="apt-get install graphviz"):
        diagram.draw("digraph {}", "png")


@needs_graphviz
def test_service_ids_that_are_dot_keywords_are_drawn(cli, write_case, tmp_path):
    case = write_case("""
        name: kw
        title: Keywords
        services:
          - {id: node, kind: lambda, handler: a.b.c}
          - {id: graph, kind: sqs}
          - {id: edge, kind: dynamodb, partition_key: {name: id}}
        flows:
          - {from: graph, to: node, kind: triggers}
          - {from: node, to: edge, kind: writes}
        """)
    result = cli("render", str(case), "--format", "svg", "--out", str(tmp_path / "out"))
    assert result.code == 0, result.err
    svg = (tmp_path / "out" / "kw" / "diagram.svg").read_text()
    assert svg.count('class="node"') == 3
