"""The report's interactive diagram, as data: the graph its script reads and the hash that lets that script run."""

from __future__ import annotations

import json

from archcase.checks.engine import check
from archcase.render import report
from archcase.render.interactive import csp_hash, graph_json

from ..checks.mutations import variant


def test_the_graph_island_is_json_no_text_can_close_or_open_markup_in():
    arch = variant("myblog")
    hostile_label = arch.model_copy(update={"services": [arch.services[0].model_copy(
        update={"label": "</script><script>window.pwned = 1</script> & \u2028\ud800\x1b"}), *arch.services[1:]]})
    text = str(graph_json(hostile_label))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    graph = json.loads(text)
    first = hostile_label.services[0]
    assert graph["services"][first.id]["label"] == "</script><script>window.pwned = 1</script> & \\u2028\\ud800\\x1b"
    text.encode()  # no lone surrogate left to break the page's UTF-8
    assert graph["flows"] == {f.key: {"source": f.source, "target": f.target} for f in arch.flows}
    assert all(set(graph["services"][s.id]["flows"]) == {f.key for f in arch.flows if s.id in (f.source, f.target)}
               for s in arch.services)


def test_the_script_hash_is_the_one_a_browser_computes():
    # SHA-256 of the empty string, in base64: what a browser compares an empty inline script with
    assert csp_hash("") == "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"


def page_with(svg: bytes) -> str:
    arch = variant("myblog")
    return report.case_page(arch, check(arch, path="case.yaml"), report.Outputs(svg, "flowchart LR", []))


def test_the_page_holds_the_picture_without_what_could_run():
    page = page_with(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" onload="window.pwned = 1">'
                     b'<script>window.pwned = 1</script><g class="node" id="n"><title>blog-api</title></g></svg>')
    assert '<svg viewBox="0 0 1 1">' in page and '<g class="node" id="svg-n">' in page
    assert "pwned" not in page


def test_a_picture_that_cannot_be_read_safely_is_left_out_with_a_note():
    page = page_with(b'<!DOCTYPE svg [<!ENTITY a "x">]><svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>')
    assert 'id="diagram-view"' not in page and "<svg" not in page
    assert "The diagram is not shown here: the SVG declares a document type or entities of its own." in page
    assert 'class="mermaid-source"' in page
