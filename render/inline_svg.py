"""An SVG picture made safe to write into an HTML page as markup (not as an `<img>`, where no script runs).

Inlined, any script, event handler or link in the SVG would belong to the page. Graphviz draws from escaped
labels and archcase embeds its icons itself, so nothing of the kind is expected; `inline_svg` is the defence in
case that ever changes. It reads the SVG without a document type (no entity can be declared, none is expanded)
and writes it back keeping only what draws: an allow-list of SVG drawing elements and of their presentation
attributes, images only as embedded PNG data, and no link, event handler, style sheet or `url(...)` reference.
Everything else is dropped. The output is plain HTML markup, the same for the same input.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

ELEMENTS = frozenset({"svg", "g", "title", "desc", "path", "polygon", "polyline", "line", "rect", "circle", "ellipse",
                      "text", "tspan", "image", "a"})
"""SVG elements kept: shapes, text and groups. `a` is kept as a group, without its link."""

TEXT_ELEMENTS = frozenset({"title", "desc", "text", "tspan", "a"})
"""Elements whose text is kept (in the others, Graphviz writes only line breaks between elements)."""

ATTRIBUTES = frozenset({
    "id", "class", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "width", "height", "viewBox",
    "preserveAspectRatio", "transform", "points", "d", "fill", "fill-opacity", "stroke", "stroke-width",
    "stroke-opacity", "stroke-dasharray", "stroke-linecap", "stroke-linejoin", "opacity", "font-family",
    "font-size", "font-weight", "font-style", "text-anchor", "text-decoration", "baseline-shift",
    "dominant-baseline",
})
"""Attributes kept (without a namespace), besides an image's embedded PNG."""

_VALUE = re.compile(r"[\w\s.,#%'\"+-]*")
"""An attribute value kept: words, numbers, colours, lists. Not `(`, `\\`, `:`, `;`, `/`, `&` or `<`, so never a
`url(...)` reference, a CSS escape hiding one, a scheme or markup."""

_TRANSFORM = re.compile(r"(\s*(matrix|translate|scale|rotate|skewX|skewY)\(\s*[-\d.eE,\s]*\)\s*,?)*")
"""A `transform` kept: only the transform functions, with numbers."""

PNG_DATA = re.compile(r"data:image/png;base64,[A-Za-z0-9+/]*={0,2}")
"""The only image reference kept: an embedded PNG."""

_DOCTYPE = re.compile(rb"<!DOCTYPE\s+svg\s+PUBLIC\s+\"[^\"<>\[\]]*\"\s+\"[^\"<>\[\]]*\"\s*>")
"""The document type Graphviz writes (a public identifier, no internal subset): dropped before reading."""


class UnsafeSvg(ValueError):
    """An SVG that cannot be read safely: not XML, not SVG, or declaring a document type of its own (entities)."""


def inline_svg(svg: bytes, id_prefix: str = "") -> str:
    """`svg` as HTML markup holding only what draws (see the module's docstring), each `id` given `id_prefix`
    so that no id of the picture can be taken for one of the page's. Raises UnsafeSvg when `svg` cannot be
    read safely."""
    text = _DOCTYPE.sub(b"", svg, count=1)
    if re.search(rb"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise UnsafeSvg("the SVG declares a document type or entities of its own")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise UnsafeSvg(f"the SVG is not well-formed XML ({exc})") from None
    if root.tag != SVG_NS + "svg":
        raise UnsafeSvg("the document is not an SVG picture")
    out: list[str] = []
    _write(root, id_prefix, out)
    return "".join(out)


def _write(element: ET.Element, id_prefix: str, out: list[str]) -> None:
    name = element.tag.removeprefix(SVG_NS)
    out.append(f"<{name}")
    for attribute, value in _attributes(element, name, id_prefix):
        out.append(f' {attribute}="{escape(value)}"')
    out.append(">")
    keeps_text = name in TEXT_ELEMENTS
    if keeps_text and element.text:
        out.append(escape(element.text, quote=False))
    for child in element:
        if _kept(child):
            if not keeps_text:
                out.append("\n")
            _write(child, id_prefix, out)
        if keeps_text and child.tail:
            out.append(escape(child.tail, quote=False))
    if not keeps_text and len(element):
        out.append("\n")
    out.append(f"</{name}>")


def _kept(element: ET.Element) -> bool:
    if not isinstance(element.tag, str) or not element.tag.startswith(SVG_NS):
        return False  # comments, processing instructions, other namespaces (XHTML inside foreignObject, ...)
    name = element.tag.removeprefix(SVG_NS)
    if name == "image":
        return _png(element) is not None
    return name in ELEMENTS


def _png(element: ET.Element) -> str | None:
    """The embedded PNG an image shows, or None when it refers to anything else (or to nothing)."""
    href = element.get(XLINK_HREF, element.get("href"))
    return href if href is not None and PNG_DATA.fullmatch(href) else None


def _attributes(element: ET.Element, name: str, id_prefix: str) -> list[tuple[str, str]]:
    kept = []
    for attribute, value in element.attrib.items():
        if attribute not in ATTRIBUTES:
            continue  # on* handlers, style, href, xlink:*, xml:*, anything namespaced or unknown
        if not (_TRANSFORM if attribute == "transform" else _VALUE).fullmatch(value):
            continue
        kept.append((attribute, id_prefix + value if attribute == "id" else value))
    png = _png(element) if name == "image" else None
    if png is not None:
        kept.append(("href", png))
    return kept
