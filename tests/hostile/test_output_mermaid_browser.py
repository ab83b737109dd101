"""The Mermaid of cases full of hostile text, drawn by the real Mermaid in headless Chromium: as many nodes and
edges as the case has, no link, no directive taking effect (the theme and the security level stay Mermaid's
defaults). A few cases, each with many hostile strings, so that the browser part stays quick."""

from __future__ import annotations

import re

import pytest

from archcase.render import mermaid
from archcase.render.overlay import Overlay

from ..render import test_browser
from ..render.test_diagram import needs_graphviz
from .output_support import architecture, hostile_data, report_of

browser = test_browser.browser  # the fixtures of the report browser tests: Chromium, and a page with Mermaid
drawing_page = test_browser.mermaid_page

pytestmark = [
    needs_graphviz,  # like the other browser tests: `make test` installs Graphviz and Chromium together
    pytest.mark.skipif(test_browser.CHROMIUM is None, reason="Chromium is not installed: `make test` installs it"),
]

MERMAID_HOSTILE = [
    "%%{init: {'theme':'forest', 'securityLevel':'loose'}}%%",
    "x\nclick mobile_app href \"javascript:alert(1)\"\n",
    "\r\nclick todos call alert(1)\r",
    "\u2028%%{init: {\"theme\": \"dark\"}}%%\u2029",
    "\x85style todos fill:#f00\x85",
    '"]) --> evil[("',
    "\"] ; linkStyle 0 stroke:#f00",
    "`**markdown**`",
    "<img src=x onerror=alert(1)>",
    "a|b;c|",
    "end\nsubgraph owned",
    "#quot;#35;&amp;",
    "\\",
    "%%",
    "]]>{{x}}",
    "\x1b[31m\x00\x7f",
]
"""Hostile strings for Mermaid: directives, click handlers, statement ends and every kind of line break."""

DRAW = """async (text) => {
    try {
        const {svg} = await mermaid.render('diagram' + Math.floor(Math.random() * 1e9), text);
        const holder = document.createElement('div');
        holder.innerHTML = svg;
        const root = holder.querySelector('svg');
        return {
            nodes: holder.querySelectorAll('g.node').length,
            edges: holder.querySelectorAll('path.flowchart-link').length,
            links: holder.querySelectorAll('a').length,
            handlers: [...holder.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
            style: holder.querySelector('style').textContent.split(root.id).join('ID'),
        };
    } catch (e) { return {error: e.message}; }
}"""


def drawn(page, text: str) -> dict:
    result = page.page.evaluate(DRAW, text)
    assert "error" not in result, result
    return result


@pytest.mark.parametrize(("base", "findings", "shift"), [("mytodolist", False, 0), ("microservices", True, 5),
                                                         ("big-data-ingestion", True, 11)])
def test_hostile_text_draws_the_case_and_nothing_else(drawing_page, base, findings, shift):
    values = MERMAID_HOSTILE[shift:] + MERMAID_HOSTILE[:shift]
    arch = architecture(hostile_data(base, values))
    plain = architecture(hostile_data(base, ["plain words of text"]))
    overlay = Overlay.of(report_of(arch).findings) if findings else Overlay()
    result = drawn(drawing_page, mermaid.render(arch, overlay))
    expected = drawn(drawing_page, mermaid.render(plain, Overlay.of(report_of(plain).findings) if findings else Overlay()))
    assert result["nodes"] == len(arch.services) + (1 if overlay.legend else 0)
    assert result["edges"] == expected["edges"]  # one arrow per pair of services drawn the same way
    assert len({frozenset((f.source, f.target)) for f in arch.flows}) <= result["edges"] <= len(arch.flows)
    assert result["links"] == 0 and result["handlers"] == 0
    assert result["style"] == expected["style"]  # no theme or configuration from a directive
    assert drawing_page.errors == []


def test_the_check_would_see_an_injected_directive_and_click(drawing_page):
    """The assertions above can fail: the same Mermaid with a directive and a click written raw is caught."""
    plain = mermaid.render(architecture(hostile_data("mytodolist", ["plain words of text"])))
    injected = re.sub(r"^flowchart LR$", "%%{init: {'theme':'forest', 'securityLevel':'loose'}}%%\nflowchart LR", plain,
                      flags=re.M) + "  click todos href \"https://example.com/\"\n"
    assert drawn(drawing_page, injected)["style"] != drawn(drawing_page, plain)["style"]
    assert drawn(drawing_page, injected)["links"] == 1
