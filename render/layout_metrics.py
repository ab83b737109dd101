"""How well a diagram is laid out, measured from Graphviz's own layout (issue 16): its size, how many edges
cross and how many run against the reading order.

The DOT is laid out once with `dot -Tjson` (layout only, no picture is drawn), so the figures are those of the
picture `render/diagram.py` draws from the same text. An edge is drawn as it is: its piecewise cubic Bezier curve
(`pos`), flattened to a polyline through `SAMPLES_PER_CURVE` points of each cubic piece, with the segment to the
tip of each arrowhead. Two drawn edges that share no endpoint count as one crossing when their polylines meet
anywhere (each pair counts once). An edge runs right to left when its head's centre is left of its tail's
(archcase draws left to right). Invisible edges (`style=invis`, which archcase uses to order the columns) are not
drawn, so they are neither counted nor measured. Node names are archcase's service ids.

Three choices differ from the plan of the issue, each because its figures came out wrong on graphs whose answer
is known (a complete bipartite graph K(m,n) on two ranks crosses exactly C(m,2)·C(n,2) times, however ordered):

- the polyline through the control points strays from the curve: on the bundled cases it counted 69 crossings
  where the curves drawn cross 76 times (as issue 16 had measured them);
- a proper intersection only (strictly crossing segments) misses every crossing at a point both edges pass
  through, and `dot` often routes two edges through the very same spline joint: it missed 1 crossing of the
  bundled cases and 237 of the corpus, and K(3,3) counted 6 instead of 9. Shifting one edge of each pair by 1e-6 pt
  (either way) gives exactly the figures of "meet", so on these diagrams every such meeting is a true crossing;
- without the arrowheads, edges converging on neighbouring heads cross unseen (K(3,4) drawn with straight lines).
"""

from __future__ import annotations

import json
import math
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from ..models import Architecture
from ..models.text import one_line, shorten
from . import diagram
from .graphviz import DOT_TIMEOUT_S, DrawError, GraphvizMissing, dot_program
from .overlay import Overlay
from .view import Detail, View, view

Point = tuple[float, float]
Polyline = tuple[Point, ...]

POINTS_PER_INCH = 72
DEFAULT_PAD_IN = 0.0555
"""Graphviz's default `pad` (4 points), in inches."""

SAMPLES_PER_CURVE = 16
"""Points taken on each cubic Bezier piece of an edge. On the bundled cases the count is the same from 4 to 64."""


@dataclass(frozen=True)
class LayoutMetrics:
    """The figures of one laid-out diagram."""

    width_pt: float
    """Width of the picture, in points: the layout's bounding box and the graph's `pad` on either side, scaled down to
    the graph's `size` when it is bigger (the SVG's own `width`)."""
    height_pt: float
    """Height of the picture, in points, likewise."""
    nodes: int
    """Nodes laid out (services)."""
    edges: int
    """Edges drawn (flows; invisible edges are not counted)."""
    crossings: int
    """Pairs of drawn edges with no endpoint in common whose polylines properly intersect."""
    right_to_left: tuple[tuple[str, str], ...]
    """(tail, head) of every drawn edge whose head is left of its tail, in the DOT's edge order."""

    @property
    def aspect(self) -> float:
        """Longest side over shortest side (1 for a square; 0 for an empty layout)."""
        short = min(self.width_pt, self.height_pt)
        return max(self.width_pt, self.height_pt) / short if short > 0 else 0.0


@dataclass(frozen=True)
class DrawnEdge:
    """An edge as drawn: its endpoints' names and one polyline per spline piece."""

    tail: str
    head: str
    pieces: tuple[Polyline, ...]


def layout(source: str, imagepath: Path | None = None, timeout_s: float | None = None) -> dict[str, Any]:
    """Graphviz's layout of DOT text, as the JSON `dot -Tjson` writes. Raises DrawError when `dot` times out,
    fails or writes no JSON, GraphvizMissing without it."""
    timeout_s = DOT_TIMEOUT_S if timeout_s is None else timeout_s
    command = [dot_program(), "-Tjson"] + ([f"-Gimagepath={imagepath}"] if imagepath else [])
    try:
        result = subprocess.run(command, input=source.encode(), capture_output=True, check=False, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise DrawError(f"Graphviz took longer than {timeout_s:g} s to lay the diagram out and was stopped") from None
    except OSError as exc:
        raise DrawError(f"Graphviz could not be run: {exc}") from None
    said = shorten(one_line(result.stderr.decode(errors="replace").strip()), 500)
    if result.returncode != 0:
        raise DrawError(f"Graphviz failed (exit status {result.returncode}) laying the diagram out" + (f": {said}" if said else ""))
    try:
        found = json.loads(result.stdout)
    except ValueError as exc:
        raise DrawError(f"Graphviz wrote no valid JSON ({exc})") from None
    if not isinstance(found, dict):
        raise DrawError("Graphviz wrote JSON that is not a graph")
    return found


def metrics(laid_out: Mapping[str, Any]) -> LayoutMetrics:
    """The figures of a layout given as `dot -Tjson` (or `neato -n -Tjson`) writes it."""
    x0, y0, x1, y1 = (float(v) for v in str(laid_out.get("bb", "0,0,0,0")).split(","))
    pad = [float(v) * POINTS_PER_INCH for v in str(laid_out.get("pad", DEFAULT_PAD_IN)).split(",")]
    width, height = x1 - x0 + 2 * pad[0], y1 - y0 + 2 * pad[-1]
    if "size" in laid_out:  # drawn scaled down to fit `size` (padding included), never up without a `!`
        limit = [float(v) * POINTS_PER_INCH for v in str(laid_out["size"]).rstrip("!").split(",")]
        scale = min(1.0, limit[0] / width, limit[-1] / height) if width and height else 1.0
        width, height = width * scale, height * scale
    subgraphs = int(laid_out.get("_subgraph_cnt", 0))
    names: dict[int, str] = {}
    centre_x: dict[int, float] = {}
    for obj in laid_out.get("objects", [])[subgraphs:]:
        names[obj["_gvid"]] = obj["name"]
        if "pos" in obj:
            centre_x[obj["_gvid"]] = float(obj["pos"].split(",")[0])
    drawn = [e for e in laid_out.get("edges", []) if "invis" not in str(e.get("style", "")).split(",")]
    backwards = tuple((names[e["tail"]], names[e["head"]]) for e in drawn
                      if e["tail"] in centre_x and e["head"] in centre_x and centre_x[e["head"]] < centre_x[e["tail"]])
    edges = [DrawnEdge(names[e["tail"]], names[e["head"]], drawn_lines(str(e.get("pos", "")))) for e in drawn]
    return LayoutMetrics(width_pt=width, height_pt=height, nodes=len(names), edges=len(drawn),
                         crossings=crossings(edges), right_to_left=backwards)


def measure(source: str, imagepath: Path | None = None, timeout_s: float | None = None) -> LayoutMetrics:
    """The figures of DOT text, laid out once by `dot`."""
    return metrics(layout(source, imagepath, timeout_s))


def measure_architecture(architecture: Architecture, detail: Detail = "default") -> LayoutMetrics:
    """The figures of the diagram archcase draws for an architecture (without findings marked), fitted to the page."""
    return measure(fit(architecture, detail=detail), diagram.ICON_BASE)


MAX_SIDE_PT = 4000.0
"""Longest side of a drawn diagram, in points (55.5 inches): past it, the picture is scaled down."""
MAX_ASPECT = 3.0
"""Most a drawn diagram's longest side may be over its shortest: past it, the short side is widened."""
ASPECT_AIMED = 2.9
"""The aspect a diagram past `MAX_ASPECT` is stretched to: a little under it, as the title and the padding, added
around the layout after `ratio` is applied, shift it by a few points."""


def fit(architecture: Architecture, overlay: Overlay | None = None, detail: Detail = "default") -> str:
    """The DOT text of an architecture's diagram fitted to a page, laid out once by `dot` first:
    - a picture more than `MAX_ASPECT` times taller than broad that is made of several unconnected parts is laid out
      again with its parts in side-by-side columns (`columns`: invisible, weightless edges; nothing drawn changes);
    - one still more than `MAX_ASPECT` times longer than broad has its short side stretched (`ratio`: more room
      between rows, nothing moved out of order);
    - one still longer than `MAX_SIDE_PT` is scaled down (`size`).
    Without Graphviz, or when it cannot lay the diagram out, the DOT text as it is (drawing it will say why)."""
    source = diagram.dot_source(architecture, overlay, detail)
    try:
        laid_out = layout(source, diagram.ICON_BASE)
        found = metrics(laid_out)
        anchors: list[tuple[str, str]] = []
        if found.height_pt > MAX_ASPECT * found.width_pt:
            anchors = columns(view(architecture, detail), centres(laid_out), found.height_pt / max(found.width_pt, 1))
        if anchors:
            source = diagram.dot_source(architecture, overlay, detail, anchors=anchors)
            found = measure(source, diagram.ICON_BASE)
    except (GraphvizMissing, DrawError):
        return source
    fitted: dict[str, str] = {}
    width, height = found.width_pt, found.height_pt
    if width > MAX_ASPECT * height:
        fitted["ratio"] = f"{1 / ASPECT_AIMED:.4f}"  # desired height over width: the height is scaled up to it
        height = width / ASPECT_AIMED
    elif height > MAX_ASPECT * width:
        fitted["ratio"] = f"{ASPECT_AIMED:.4f}"  # the width is scaled up
        width = height / ASPECT_AIMED
    if max(width, height) > MAX_SIDE_PT:
        side = f"{(MAX_SIDE_PT - 1) / POINTS_PER_INCH:.3f}"
        fitted["size"] = f"{side},{side}"
    return diagram.dot_source(architecture, overlay, detail, fitted, anchors) if fitted else source


def centres(laid_out: Mapping[str, Any]) -> dict[str, Point]:
    """Each laid-out node's centre, by name."""
    subgraphs = int(laid_out.get("_subgraph_cnt", 0))
    found: dict[str, Point] = {}
    for obj in laid_out.get("objects", [])[subgraphs:]:
        if "pos" in obj:
            x, y = (float(v) for v in str(obj["pos"]).split(",")[:2])
            found[str(obj["name"])] = (x, y)
    return found


def columns(shown: View, at: Mapping[str, Point], tall: float) -> list[tuple[str, str]]:
    """Invisible edges that stand the unconnected parts of a tall picture in about sqrt(2 `tall`) columns side by
    side, each part kept whole and in the case's order, columns about as high as each other: from the rightmost
    service of each column to the leftmost of every part of the next. None when the picture is one part."""
    parts = components(shown)
    count = min(len(parts), round(math.sqrt(2 * tall)))  # parts are narrower than the whole: aim at about 1.5:1
    if count < 2:
        return []
    heights = [max(at[sid][1] for sid in part) - min(at[sid][1] for sid in part) + PART_GAP_PT for part in parts]
    share, filled = sum(heights) / count, 0.0
    stacks: list[list[list[str]]] = [[]]
    for part, height in zip(parts, heights, strict=True):
        if filled >= share * len(stacks) and len(stacks) < count:
            stacks.append([])
        stacks[-1].append(part)
        filled += height
    anchors = []
    for before, after in zip(stacks, stacks[1:], strict=False):
        rightmost = max((sid for part in before for sid in part), key=lambda sid: at[sid][0])
        anchors += [(rightmost, min(part, key=lambda sid: at[sid][0])) for part in after]
    return anchors


PART_GAP_PT = 100.0
"""Room counted for a part of a picture beyond the span of its node centres (a node and the gap below it)."""


def components(shown: View) -> list[list[str]]:
    """The services of a view in parts no drawn arrow joins, each part and the parts in the case's order."""
    root = {s.id: s.id for s in shown.services}

    def find(sid: str) -> str:
        while root[sid] != sid:
            root[sid] = root[root[sid]]
            sid = root[sid]
        return sid

    for edge in shown.edges:
        root[find(edge.source)] = find(edge.target)
    parts: dict[str, list[str]] = {}
    for service in shown.services:
        parts.setdefault(find(service.id), []).append(service.id)
    return list(parts.values())


def spline_points(pos: str) -> tuple[tuple[Polyline, Polyline, Polyline], ...]:
    """An edge's `pos` (`s,x,y e,x,y x,y x,y ...`, pieces separated by `;`) as (tail arrowhead's tip, control
    points, head arrowhead's tip) per piece, a tip being no point when there is no arrowhead at that end."""
    pieces = []
    for piece in pos.split(";"):
        tips: dict[str, Polyline] = {"s": (), "e": ()}
        points: list[Point] = []
        for token in piece.split():
            *kind, x, y = token.split(",")
            if kind:
                tips[kind[0]] = ((float(x), float(y)),)
            else:
                points.append((float(x), float(y)))
        if len(points) >= 2:
            pieces.append((tips["s"], tuple(points), tips["e"]))
    return tuple(pieces)


def drawn_lines(pos: str) -> tuple[Polyline, ...]:
    """An edge's `pos` as the polylines drawn: each piece's curve flattened, with its arrowheads' tips."""
    return tuple(start + flatten(controls) + end for start, controls, end in spline_points(pos))


def flatten(controls: Polyline, samples: int = SAMPLES_PER_CURVE) -> Polyline:
    """Points along the piecewise cubic Bezier curve of Graphviz control points (3n + 1 of them: each piece's end
    is the next one's start): the first point, then `samples` evenly spaced in t on each piece. Points that do not
    make such a curve are returned as they are."""
    if len(controls) < 4 or (len(controls) - 1) % 3:
        return controls
    points = [controls[0]]
    for start in range(0, len(controls) - 1, 3):
        (ax, ay), (bx, by), (cx, cy), (dx, dy) = controls[start:start + 4]
        for step in range(1, samples + 1):
            t = step / samples
            u = 1 - t
            w0, w1, w2, w3 = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
            points.append((w0 * ax + w1 * bx + w2 * cx + w3 * dx, w0 * ay + w1 * by + w2 * cy + w3 * dy))
    return tuple(points)


def crossings(edges: Sequence[DrawnEdge]) -> int:
    """Pairs of edges that share no endpoint and whose polylines properly intersect, each pair counted once."""
    boxes = [_box([p for piece in e.pieces for p in piece]) for e in edges]
    count = 0
    for (i, a), (j, b) in combinations(enumerate(edges), 2):
        box_a, box_b = boxes[i], boxes[j]
        if {a.tail, a.head} & {b.tail, b.head} or box_a is None or box_b is None or not _overlap(box_a, box_b):
            continue
        if any(_polylines_cross(p, q) for p in a.pieces for q in b.pieces):
            count += 1
    return count


def _polylines_cross(p: Polyline, q: Polyline) -> bool:
    return any(segments_meet(a, b, c, d) for a, b in zip(p, p[1:], strict=False) for c, d in zip(q, q[1:], strict=False))


def segments_meet(a: Point, b: Point, c: Point, d: Point) -> bool:
    """Whether segments ab and cd have a point in common: they cross, or an end of one lies on the other."""
    abc, abd, cda, cdb = _turn(a, b, c), _turn(a, b, d), _turn(c, d, a), _turn(c, d, b)
    if _opposite(abc, abd) and _opposite(cda, cdb):
        return True
    return ((abc == 0 and _within(a, b, c)) or (abd == 0 and _within(a, b, d))
            or (cda == 0 and _within(c, d, a)) or (cdb == 0 and _within(c, d, b)))


def _opposite(s: float, t: float) -> bool:
    return (s > 0 > t) or (s < 0 < t)


def _within(a: Point, b: Point, c: Point) -> bool:
    """Whether c, on the line through a and b, lies between them."""
    return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])


def _turn(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _box(points: Sequence[Point]) -> tuple[float, float, float, float] | None:
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]
