"""Marks for tests that need Graphviz installed (`make test` installs it; a user's machine may lack it)."""

from __future__ import annotations

import pytest

from archcase.render.graphviz import GraphvizMissing, dot_program

try:
    dot_program()
    HAVE_GRAPHVIZ = True
except GraphvizMissing:
    HAVE_GRAPHVIZ = False
needs_graphviz = pytest.mark.skipif(not HAVE_GRAPHVIZ, reason="Graphviz (dot) is not installed: `make test` installs it")
