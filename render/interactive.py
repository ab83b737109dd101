"""The report's interactive diagram: the SVG written into the page (made safe by `inline_svg`) and the graph
its script reads (which flows each service has, the two ends of each flow), as a JSON island.

The script itself is in templates/_interactive.html; the page's Content-Security-Policy lets that one script
run (by its SHA-256) and nothing else: no other script, no handler, no network."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

import markupsafe

from ..models import Architecture
from ..models.text import one_line
from .inline_svg import inline_svg
from .labels import service_label

ID_PREFIX = "svg-"
"""Put before every id of the inlined picture, so that a flow named `findings` does not take the page's anchor."""


@dataclass(frozen=True)
class DiagramView:
    svg: markupsafe.Markup
    """The picture as inline markup, holding only what draws."""
    graph: markupsafe.Markup
    """The JSON island's text: services with their label and flows, flows with their ends (`graph_json`)."""


def diagram_view(architecture: Architecture, svg: bytes) -> DiagramView:
    """The picture and graph the report's diagram section shows. Raises UnsafeSvg when `svg` cannot be read
    safely (never so for Graphviz's own pictures)."""
    return DiagramView(markupsafe.Markup(inline_svg(svg, ID_PREFIX)), graph_json(architecture))


def graph_json(architecture: Architecture) -> markupsafe.Markup:
    """The graph as JSON for a `<script type="application/json">` element: `<`, `>` and `&` written as
    `\\u003c`, ... so that no text of the case can end the element or start markup inside it; labels on one
    line, control characters and lone surrogates shown as escapes (as the page shows them)."""
    flows = {f.key: {"source": f.source, "target": f.target} for f in architecture.flows}
    services = {s.id: {"label": one_line(service_label(s)), "flows": [f.key for f in architecture.flows if s.id in (f.source, f.target)]}
                for s in architecture.services}
    text = json.dumps({"services": services, "flows": flows, "idPrefix": ID_PREFIX}, sort_keys=True, ensure_ascii=False)
    for char in "<>&\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return markupsafe.Markup(text)


def csp_hash(script: str) -> markupsafe.Markup:
    """The Content-Security-Policy source (`'sha256-...'`) that lets exactly this inline script run."""
    return markupsafe.Markup("'sha256-" + base64.b64encode(hashlib.sha256(script.encode()).digest()).decode() + "'")

