"""Running Graphviz's `dot`: found on the PATH or through `ARCHCASE_DOT`, and a clear error when it is missing."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path


class GraphvizMissing(RuntimeError):
    """Graphviz's `dot` program is not installed (or `ARCHCASE_DOT` does not name it)."""

    INSTALL = ("install Graphviz for PNG and SVG diagrams (Mermaid and DOT need nothing): "
               "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
               "`sudo dnf install graphviz` (Fedora); or set ARCHCASE_DOT to the path of `dot`")


def dot_program() -> str:
    """Path of Graphviz's `dot`: `ARCHCASE_DOT` if set, else `dot` on the PATH."""
    found = os.environ.get("ARCHCASE_DOT") or shutil.which("dot")
    if not found or not Path(found).is_file():
        raise GraphvizMissing(GraphvizMissing.INSTALL)
    return found


def draw(source: str, fmt: str, imagepath: Path) -> bytes:
    """Draw DOT text as `png` or `svg` with Graphviz, finding images under `imagepath`. SVG output has its
    images embedded as data URIs."""
    result = subprocess.run([dot_program(), f"-T{fmt}", f"-Gimagepath={imagepath}"], input=source.encode(),
                            capture_output=True, check=False, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"Graphviz failed: {result.stderr.decode(errors='replace').strip()}")
    return embed_images(result.stdout, imagepath) if fmt == "svg" else result.stdout


_HREF = re.compile(rb'xlink:href="([^"]+\.png)"')


def embed_images(svg: bytes, imagepath: Path) -> bytes:
    """Replace every PNG file reference in an SVG with the image itself, as a data URI."""
    return _HREF.sub(lambda m: b'xlink:href="' + _data_uri(imagepath / m.group(1).decode()) + b'"', svg)


@cache
def _data_uri(file: Path) -> bytes:
    return b"data:image/png;base64," + base64.b64encode(file.read_bytes())
