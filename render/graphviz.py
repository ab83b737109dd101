"""Running Graphviz's `dot`: found on the PATH or through `ARCHCASE_DOT`, bounded in size and time, its output
checked before it is used.

A picture is drawn only when the case is small enough (`MAX_DRAWN_SERVICES`, `MAX_DRAWN_FLOWS`, checked before
`dot` runs), `dot` is stopped after `DOT_TIMEOUT_S`, and what it returns must be a PNG or an SVG document:
a timeout, a failure or an empty or broken file is a `DrawError`, never a crash or a silent empty file.
Figures behind the limits: `tools/diagram_limits.py` times `dot` on synthetic cases.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Collection
from functools import cache
from pathlib import Path

from ..models.text import one_line, shorten

MAX_DRAWN_SERVICES = 1000
"""Most services drawn as PNG or SVG. Measured with `tools/diagram_limits.py` on the 2-core build machine
(Graphviz 2.43), seconds for SVG / PNG: the benchmark's synthetic app (about three flows per service, ten
columns) takes 1.3 / 4 s at 500 services, 4 / 8 s at 1,000, 37 / 32 s at 2,000 and 80 / 78 s at 3,000 (time
grows faster than the square of the size); 1,000 generic services joined by 3,000 random flows take 14 / 16 s.
At 1,000 services the PNG is already scaled to under a fifth to fit Cairo's bitmap, too small to read. Mermaid
and DOT have no such limit (`--format mermaid,dot`)."""

MAX_DRAWN_FLOWS = 3000
"""Most flows drawn as PNG or SVG: three per service at `MAX_DRAWN_SERVICES`. Measured the same way, 300
services joined by 3,000 random flows take 12 / 12 s."""

DOT_TIMEOUT_S = 120.0
"""Longest `dot` may run for one picture before it is stopped and the picture reported as not drawn. Cases
within the limits above took at most 16 s when measured; this is the backstop for a much slower machine or a
layout worse than those measured."""

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_ROOT = "{http://www.w3.org/2000/svg}svg"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


class GraphvizMissing(RuntimeError):
    """Graphviz's `dot` program is not installed (or `ARCHCASE_DOT` does not name it)."""

    INSTALL = ("install Graphviz for PNG and SVG diagrams (Mermaid and DOT need nothing): "
               "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
               "`sudo dnf install graphviz` (Fedora); or set ARCHCASE_DOT to the path of `dot`")


class DrawError(RuntimeError):
    """Graphviz did not give a picture: it timed out, failed, or wrote an empty or invalid file. The message
    says which, with Graphviz's own words when it gave any."""


class TooBigToDraw(DrawError):
    """A case has more services or flows than are drawn as PNG or SVG (checked before `dot` runs)."""

    def __init__(self, case: str, services: int, flows: int) -> None:
        over = []
        if services > MAX_DRAWN_SERVICES:
            over.append(f"{services} services, over the limit of {MAX_DRAWN_SERVICES} (MAX_DRAWN_SERVICES)")
        if flows > MAX_DRAWN_FLOWS:
            over.append(f"{flows} flows, over the limit of {MAX_DRAWN_FLOWS} (MAX_DRAWN_FLOWS)")
        super().__init__(f"case '{case}' is too big to draw as PNG or SVG: {' and '.join(over)}; "
                         "Graphviz would take minutes and the picture could not be read. "
                         "Ask for `--format mermaid,dot` instead, or split the case")
        self.case, self.services, self.flows = case, services, flows


def check_size(case: str, services: int, flows: int) -> None:
    """Raise TooBigToDraw when a case of this size is over `MAX_DRAWN_SERVICES` or `MAX_DRAWN_FLOWS`."""
    if services > MAX_DRAWN_SERVICES or flows > MAX_DRAWN_FLOWS:
        raise TooBigToDraw(case, services, flows)


def dot_program() -> str:
    """Path of Graphviz's `dot`: `ARCHCASE_DOT` if set, else `dot` on the PATH."""
    found = os.environ.get("ARCHCASE_DOT") or shutil.which("dot")
    if not found or not Path(found).is_file():
        raise GraphvizMissing(GraphvizMissing.INSTALL)
    return found


def draw(source: str, fmt: str, imagepath: Path, icons: Collection[str] = (), timeout_s: float | None = None) -> bytes:
    """Draw DOT text as `png` or `svg` with Graphviz, finding images under `imagepath`. SVG output has the
    images named in `icons` (paths relative to `imagepath`) embedded as data URIs, and any other image removed.
    Raises DrawError when Graphviz times out (after `timeout_s`, by default `DOT_TIMEOUT_S`), fails, or gives no
    valid picture."""
    timeout_s = DOT_TIMEOUT_S if timeout_s is None else timeout_s
    if fmt not in ("png", "svg"):
        raise ValueError(f"Graphviz draws png or svg here, not {fmt!r}")
    try:
        result = subprocess.run([dot_program(), f"-T{fmt}", f"-Gimagepath={imagepath}"], input=source.encode(),
                                capture_output=True, check=False, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise DrawError(f"Graphviz took longer than {timeout_s:g} s to draw the {fmt.upper()} and was stopped "
                        "(DOT_TIMEOUT_S); ask for `--format mermaid,dot`, or split the case") from None
    except OSError as exc:
        raise DrawError(f"Graphviz could not be run: {exc}") from None
    said = shorten(one_line(result.stderr.decode(errors="replace").strip()), 500)
    if result.returncode != 0:
        raise DrawError(f"Graphviz failed (exit status {result.returncode}) drawing the {fmt.upper()}"
                        + (f": {said}" if said else ""))
    if fmt == "png":
        if not result.stdout.startswith(PNG_SIGNATURE):
            raise DrawError("Graphviz wrote no valid PNG" + (f": {said}" if said else " (an empty or broken file)"))
        return result.stdout
    svg = embed_images(_valid_svg(result.stdout, said), imagepath, icons)
    if any(not href.startswith("data:image/png;base64,") for href in image_references(svg)):
        raise DrawError("Graphviz wrote an SVG referring to an image other than archcase's icons")
    return svg


def _valid_svg(data: bytes, said: str) -> bytes:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise DrawError(f"Graphviz wrote no valid SVG ({exc})" + (f": {said}" if said else "")) from None
    if root.tag != SVG_ROOT:
        raise DrawError(f"Graphviz wrote no valid SVG (its root element is {one_line(root.tag)!r}, not svg)")
    return data


_IMAGE = re.compile(rb'<image\b[^>]*?\bxlink:href="([^"]*)"[^>]*?/>')


def embed_images(svg: bytes, imagepath: Path, icons: Collection[str] = ()) -> bytes:
    """Replace every reference to one of `icons` (paths relative to `imagepath`, as the DOT names them) in an
    SVG with the image itself, as a data URI; any other image element is removed, so that no file other than
    archcase's own icons can ever be read into a picture that is then shared."""
    allowed = set(icons)

    def embed(match: re.Match[bytes]) -> bytes:
        href = match.group(1).decode(errors="replace")
        if href not in allowed:
            return b""
        return match.group(0).replace(b'xlink:href="' + match.group(1) + b'"',
                                      b'xlink:href="' + _data_uri(imagepath / href) + b'"')

    return _IMAGE.sub(embed, svg)


@cache
def _data_uri(file: Path) -> bytes:
    return b"data:image/png;base64," + base64.b64encode(file.read_bytes())


def image_references(svg: bytes) -> list[str]:
    """Every `xlink:href` of an `<image>` in an SVG document (for checks and tests)."""
    root = ET.fromstring(svg)
    return [element.get(_XLINK_HREF, "") for element in root.iter("{http://www.w3.org/2000/svg}image")]
