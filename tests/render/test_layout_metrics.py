"""The layout metrics of issue 16 on graphs whose answer is known by construction: segments and curves drawn by
hand, layouts pinned with `neato -n2`, and graphs `dot` cannot draw any other way."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from math import comb

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archcase.api import bundled_cases, read_any
from archcase.models import Architecture
from archcase.render import diagram
from archcase.render.layout_metrics import (
    DrawnEdge,
    LayoutMetrics,
    crossings,
    fit,
    flatten,
    measure,
    measure_architecture,
    metrics,
    segments_meet,
)

from ..conftest import REPO, SHARED
from .needs import needs_graphviz

NEATO = shutil.which("neato")
needs_neato = pytest.mark.skipif(NEATO is None, reason="Graphviz's neato is not installed: `make test` installs it")


def line(tail: str, head: str, *points: tuple[float, float]) -> DrawnEdge:
    return DrawnEdge(tail, head, (tuple(points),))


def pinned(body: str) -> LayoutMetrics:
    """Metrics of a graph whose nodes (and edges, where `pos` is given) stay where they are put."""
    assert NEATO is not None
    result = subprocess.run([NEATO, "-n2", "-Tjson"], input=f"digraph {{ node [shape=point]; {body} }}".encode(),
                            capture_output=True, check=True, timeout=60)
    return metrics(json.loads(result.stdout))


# segments and polylines, by hand


@pytest.mark.parametrize(("a", "b", "c", "d", "meet"), [
    ((0, 0), (2, 2), (0, 2), (2, 0), True),    # an X
    ((0, 0), (2, 0), (1, 0), (1, 5), True),    # a T: one end on the other segment
    ((0, 0), (2, 0), (1, 1), (1, 5), False),   # the T's stem stops short
    ((0, 0), (2, 0), (3, -1), (3, 1), False),  # beyond the end of the first
    ((0, 0), (2, 0), (0, 1), (2, 1), False),   # parallel
    ((0, 0), (2, 0), (3, 0), (5, 0), False),   # on one line, apart
    ((0, 0), (2, 0), (1, 0), (3, 0), True),    # on one line, overlapping
])
def test_segments_meet(a, b, c, d, meet: bool) -> None:
    assert segments_meet(a, b, c, d) is meet
    assert segments_meet(c, d, a, b) is meet
    assert segments_meet(b, a, d, c) is meet


def test_edges_sharing_an_endpoint_never_cross() -> None:
    # drawn as an X, but both leave `a`: edges meeting at a node are not a crossing
    assert crossings([line("a", "b", (0, 0), (2, 2)), line("a", "c", (0, 2), (2, 0))]) == 0
    assert crossings([line("a", "b", (0, 0), (2, 2)), line("c", "d", (0, 2), (2, 0))]) == 1


def test_a_pair_crosses_once_however_often_its_lines_meet() -> None:
    zigzag = line("a", "b", (0, 0), (1, 2), (2, 0), (3, 2), (4, 0))
    assert crossings([zigzag, line("c", "d", (-1, 1), (5, 1))]) == 1


def test_a_line_through_a_shared_joint_crosses() -> None:
    # both polylines turn at (1, 1) and cross there: no segment pair crosses strictly
    assert crossings([line("a", "b", (0, 0), (1, 1), (2, 2)), line("c", "d", (0, 2), (1, 1), (2, 0))]) == 1


def test_flatten_follows_the_curve() -> None:
    # B(1/2) = (P0 + 3 P1 + 3 P2 + P3) / 8 = (1/2, 3/4) for this arch; the ends are the curve's ends
    arch = flatten(((0, 0), (0, 1), (1, 1), (1, 0)), samples=2)
    assert arch == ((0, 0), (0.5, 0.75), (1, 0))
    two_pieces = flatten(((0, 0), (1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0)), samples=4)
    assert len(two_pieces) == 1 + 2 * 4 and two_pieces[0] == (0, 0) and two_pieces[-1] == (6, 0)


@st.composite
def grids(draw: st.DrawFn) -> tuple[list[DrawnEdge], int]:
    """k horizontal edges across the square (0, 0)-(100, 100) and m vertical ones, at distinct coordinates strictly
    inside it, each between nodes of its own: every horizontal crosses every vertical, nothing else crosses."""
    ys = draw(st.lists(st.integers(1, 99), unique=True, max_size=6))
    xs = draw(st.lists(st.integers(1, 99), unique=True, max_size=6))
    bend = draw(st.booleans())  # a joint on the way: the crossing may fall on it
    horizontal = [line(f"h{i}", f"h{i}'", (0, y), *([(50, y)] if bend else []), (100, y)) for i, y in enumerate(ys)]
    vertical = [line(f"v{i}", f"v{i}'", (x, 0), (x, 100)) for i, x in enumerate(xs)]
    edges = draw(st.permutations(horizontal + vertical))
    return edges, len(ys) * len(xs)


@given(grids())
def test_a_grid_crosses_rows_times_columns(grid: tuple[list[DrawnEdge], int]) -> None:
    edges, expected = grid
    assert crossings(edges) == expected


segments = st.tuples(st.integers(-20, 20), st.integers(-20, 20))
polylines = st.lists(segments, min_size=2, max_size=5).map(tuple)


@given(st.lists(polylines, max_size=7), st.randoms(use_true_random=False))
def test_crossings_do_not_depend_on_edge_order_or_mirroring(lines: list[tuple], rng) -> None:
    edges = [DrawnEdge(f"t{i}", f"h{i}", (points,)) for i, points in enumerate(lines)]
    count = crossings(edges)
    assert 0 <= count <= comb(len(edges), 2)
    shuffled = list(edges)
    rng.shuffle(shuffled)
    assert crossings(shuffled) == count
    mirrored = [DrawnEdge(e.tail, e.head, tuple(tuple((-x, y) for x, y in piece) for piece in e.pieces)) for e in edges]
    assert crossings(mirrored) == count
    reversed_ = [DrawnEdge(e.head, e.tail, tuple(piece[::-1] for piece in e.pieces)) for e in edges]
    assert crossings(reversed_) == count


@given(st.lists(polylines, max_size=7))
def test_a_star_never_crosses(lines: list[tuple]) -> None:
    assert crossings([DrawnEdge("hub", f"leaf{i}", (points,)) for i, points in enumerate(lines)]) == 0


# layouts pinned with neato -n2: the geometry is the one written here


@needs_neato
def test_pinned_x_crosses_once_and_runs_right_to_left_once() -> None:
    found = pinned('a [pos="0,0"]; b [pos="100,100"]; c [pos="100,0"]; d [pos="0,100"]; a -> b; c -> d;')
    assert (found.nodes, found.edges, found.crossings, found.right_to_left) == (4, 2, 1, (("c", "d"),))


@needs_neato
def test_pinned_curves_cross_where_the_curve_is_not_where_its_control_points_are() -> None:
    # an arch from a to b with control points (20,0) (20,100) (120,100) (120,0) peaks at y = 75; a line at y = 90
    # passes between the curve and its control points, a line at y = 60 cuts the curve twice (one crossing)
    arch = 'a [pos="20,0"]; b [pos="120,0"]; a -> b [pos="20,0 20,100 120,100 120,0"];'
    above = pinned(arch + 'c [pos="0,90"]; d [pos="140,90"]; c -> d [pos="0,90 46,90 93,90 140,90"];')
    below = pinned(arch + 'c [pos="0,60"]; d [pos="140,60"]; c -> d [pos="0,60 46,60 93,60 140,60"];')
    assert (above.crossings, below.crossings) == (0, 1)
    assert above.right_to_left == below.right_to_left == ()


@needs_neato
@pytest.mark.parametrize(("x", "crossed"), [(2, 1), (5, 1), (50, 1), (95, 1), (98, 1), (105, 0)])
def test_arrowheads_are_drawn_so_they_cross(x: float, crossed: int) -> None:
    # the curve runs from x = 10 to 90 and its arrowheads on to tips at 0 and 100: a vertical line crosses the edge
    # anywhere in between, arrowheads included
    found = pinned('a [pos="0,50"]; b [pos="100,50"]; c [pos="%s,0"]; d [pos="%s,100"];'
                   'a -> b [dir=both pos="s,0,50 e,100,50 10,50 37,50 63,50 90,50"];'
                   'c -> d [pos="%s,0 %s,33 %s,66 %s,100"];' % ((x,) * 6))
    assert found.crossings == crossed


@needs_neato
def test_an_edge_straight_down_does_not_run_right_to_left() -> None:
    found = pinned('a [pos="0,100"]; b [pos="0,0"]; c [pos="50,0"]; d [pos="49,100"]; a -> b; c -> d;')
    assert found.right_to_left == (("c", "d"),)


@needs_neato
def test_invisible_edges_are_not_drawn_so_not_counted() -> None:
    found = pinned('a [pos="0,0"]; b [pos="100,100"]; c [pos="100,0"]; d [pos="0,100"]; a -> b; c -> d [style=invis];')
    assert (found.edges, found.crossings, found.right_to_left) == (1, 0, ())


@needs_neato
def test_size_is_the_pictures() -> None:
    found = pinned('graph [pad=1]; a [pos="0,0"]; b [pos="300,100"]; a -> b;')
    # points drawn as dots 0.05 in (3.6 pt) wide, a bounding box 303.6 x 103.6, and a 72 pt pad on each side
    assert found.width_pt == pytest.approx(300 + 3.6 + 144, abs=0.5)
    assert found.height_pt == pytest.approx(100 + 3.6 + 144, abs=0.5)
    assert found.aspect == pytest.approx(found.width_pt / found.height_pt)


# layouts by dot: what no layout can avoid


@needs_graphviz
@pytest.mark.parametrize(("m", "n"), [(2, 2), (2, 3), (3, 3), (3, 4)])
def test_complete_bipartite_on_two_ranks(m: int, n: int) -> None:
    # on two ranks, of two edges a_i -> b_k and a_j -> b_l (i != j, k != l), exactly one of the two pairings crosses,
    # whatever the order dot chooses: C(m,2) * C(n,2) crossings
    found = measure("digraph { rankdir=LR; " + " ".join(f"a{i} -> b{j};" for i in range(m) for j in range(n)) + " }")
    assert found.crossings == comb(m, 2) * comb(n, 2)
    assert found.right_to_left == ()


@needs_graphviz
@pytest.mark.parametrize("cycle", [["a", "b"], ["a", "b", "c"], ["a", "b", "c", "d", "e"]])
def test_a_cycle_draws_one_edge_backwards(cycle: list[str]) -> None:
    # dot reverses one edge of a simple cycle and ranks the rest left to right: that one edge points left
    edges = list(zip(cycle, cycle[1:] + cycle[:1], strict=True))
    found = measure("digraph { rankdir=LR; " + " ".join(f"{t} -> {h};" for t, h in edges) + " }")
    assert len(found.right_to_left) == 1 and found.right_to_left[0] in edges
    assert (found.nodes, found.edges, found.crossings) == (len(cycle), len(cycle), 0)


@needs_graphviz
def test_an_edge_within_a_rank_does_not_run_right_to_left() -> None:
    found = measure("digraph { rankdir=LR; {rank=same; a; b; c} a -> b; c -> b; x -> a; }")
    assert found.right_to_left == ()


@needs_graphviz
@settings(max_examples=12, deadline=None)
@given(st.integers(2, 12))
def test_a_chain_reads_left_to_right_without_crossing(length: int) -> None:
    found = measure("digraph { rankdir=LR; " + " ".join(f"n{i} -> n{i + 1};" for i in range(length - 1)) + " }")
    assert (found.nodes, found.edges, found.crossings, found.right_to_left) == (length, length - 1, 0, ())
    assert found.width_pt > found.height_pt


@needs_graphviz
@pytest.mark.parametrize("name", ["big-data-ingestion", "software-updates"])  # the second is stretched to 3:1
def test_an_archcase_diagram_is_measured_in_service_ids_and_at_its_drawn_size(name: str) -> None:
    path = next(p for p in bundled_cases() if p.stem == name)
    architecture = read_any(path).architecture
    found = measure_architecture(architecture)
    assert found.nodes == len(architecture.services)
    pairs = {(f.source, f.target) for f in architecture.flows}
    assert len({frozenset(p) for p in pairs}) <= found.edges <= len(architecture.flows)  # parallel flows share an arrow
    assert set(found.right_to_left) <= pairs | {(b, a) for a, b in pairs}
    svg = diagram.draw(fit(architecture), "svg").decode()
    size = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert size is not None
    assert (found.width_pt, found.height_pt) == pytest.approx((float(size[1]), float(size[2])), abs=1)
    assert found.aspect <= 3


BIG_DATA_MAIN_PATH = ["devices", "ingest-stream", "delivery", "ingestion-bucket", "new-data", "query-runner", "analytics",
                      "reporting-bucket", "dashboards"]
"""The big-data pipeline as its seed section tells it: devices, Kinesis, Firehose, bucket, queue, function, Athena,
reports, QuickSight."""


@needs_graphviz
def test_the_bundled_diagrams_cross_little_and_read_left_to_right():
    measured = {path.stem: measure_architecture(read_any(path).architecture) for path in bundled_cases()}
    assert sum(m.crossings for m in measured.values()) <= 30
    assert sum(len(m.right_to_left) for m in measured.values()) <= 4
    main = set(zip(BIG_DATA_MAIN_PATH, BIG_DATA_MAIN_PATH[1:], strict=False))
    backwards = {pair for pair in measured["big-data-ingestion"].right_to_left}
    assert not backwards & (main | {(b, a) for a, b in main})
    assert all(max(m.width_pt, m.height_pt) <= 4000 and m.aspect <= 3 for m in measured.values())


@needs_graphviz
def test_a_diagram_fits_a_page_however_many_services_it_has() -> None:
    queues = 90
    architecture = Architecture.model_validate({
        "name": "fan-out", "title": "One function, many queues",
        "services": [{"id": "hub", "kind": "lambda", "handler": "app.handler"},
                     *({"id": f"queue-{i}", "kind": "sqs"} for i in range(queues))],
        "flows": [{"from": "hub", "to": f"queue-{i}", "kind": "enqueues"} for i in range(queues)]})
    found = measure_architecture(architecture)
    assert max(found.width_pt, found.height_pt) <= 4000 and found.aspect <= 3
    plain = measure(diagram.dot_source(architecture), diagram.ICON_BASE)
    assert plain.height_pt > 4000 and plain.aspect > 3  # without fitting, ninety queues in a column


CORPUS = SHARED / "corpus"
CORPUS_CROSSINGS_BEFORE = 5401
"""Crossings of the 34 corpus diagrams before issue 16 (fixed kind columns, every resource drawn), measured with
tools/layout_metrics.py at commit 1c70265."""


@needs_graphviz
@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the public template corpus is not at {CORPUS} (a user's clone)")
def test_the_corpus_diagrams_fit_a_page_and_cross_a_tenth_as_often(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("layout_metrics_tool", REPO / "tools" / "layout_metrics.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.main([str(CORPUS)]) == 0
    printed = capsys.readouterr().out
    measured = printed.split("## templates in corpus")[1].splitlines()
    rows = [line.split() for line in measured if re.match(r"^\S+\s+\d+\s+\d+\s", line)]  # a template's figures
    assert len(rows) >= 30
    for name, _nodes, _edges, width, height, aspect, _cross, _rtl in rows:
        assert max(float(width), float(height)) <= 4000 and float(aspect) <= 3, name
    assert sum(int(row[6]) for row in rows) <= CORPUS_CROSSINGS_BEFORE / 10
