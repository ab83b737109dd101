"""What a case report says about its findings: numbers that match the diagram, remediation Markdown rendered
safely, and a caption only when the diagram shows findings."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from archcase import api
from archcase.checks.catalogue import RULES
from archcase.render import report as html_report

from ..conftest import CASES, REPO
from .needs import needs_graphviz

EXAMPLE = REPO / "examples" / "flawed-course-shop.yaml"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The flawed example and two bundled cases (one with only a suppressed finding, one without findings), built."""
    out = tmp_path_factory.mktemp("report")
    api.build([EXAMPLE, CASES / "software-updates.yaml", CASES / "myblog.yaml"], out, handlers=REPO / "handlers")
    return out


def findings_rows(page: str) -> list[dict[str, str]]:
    """Each row of the findings table: its number cell (text), rule id and target id."""
    body = page.split('<table class="findings">', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)[1:]:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if len(cells) < 7:
            continue
        rows.append({"number": re.sub(r"<[^>]+>", "", cells[0]).strip(), "rule": re.sub(r"<[^>]+>", " ", cells[1]).split()[0],
                     "target": html.unescape(re.findall(r'<code class="muted">(.*?)</code>', cells[3])[0]),
                     "remediation": cells[5]})
    return rows


def diagram_numbers(page: str) -> dict[str, set[str]]:
    """The finding numbers drawn on each service (by id) and flow (by key: an arrow's classes name the flows it
    draws) of the picture in a report."""
    start = page.find("<svg", page.index('id="diagram-view"'))
    assert start >= 0, "the report shows no diagram"
    root = ET.fromstring(page[start:page.index("</svg>", start) + len("</svg>")])
    numbers: dict[str, set[str]] = {}
    for group in root.iter():
        kind, *keys = (group.get("class") or "-").split()
        if group.tag.endswith("g") and kind in ("node", "edge"):
            text = " ".join(t.text or "" for t in group.iter() if t.tag.endswith("text"))
            drawn = set(re.findall(r"#\d+", text))
            title = next(t.text for t in group.iter() if t.tag.endswith("title"))
            for element in ([str(title)] if kind == "node" else keys):
                numbers[element] = drawn
    return numbers


@needs_graphviz
def test_every_numbered_finding_is_drawn_with_its_number_on_its_target(example):
    page = (example / "flawed-course-shop" / "report.html").read_text()
    rows, drawn = findings_rows(page), diagram_numbers(page)
    assert len(rows) >= 5 and all(row["number"] for row in rows)
    for row in rows:
        assert row["number"] in drawn[row["target"]], row
    assert {n for numbers in drawn.values() for n in numbers} == {row["number"] for row in rows}
    numbers = [int(row["number"][1:]) for row in rows]
    assert numbers == sorted(numbers) and numbers[0] == 1


@needs_graphviz
def test_suppressed_findings_have_no_number(tmp_path):
    case = tmp_path / "case.yaml"
    suppression = "  - {rule: AC108, target: video-cdn, reason: the videos are served to students only}\n"
    case.write_text(EXAMPLE.read_text() + "suppressions:\n" + suppression)
    api.build([case], tmp_path / "out", handlers=REPO / "handlers")
    page = (tmp_path / "out" / "flawed-course-shop" / "report.html").read_text()
    rows, drawn = findings_rows(page), diagram_numbers(page)
    (suppressed,) = [row for row in rows if row["rule"] == "AC108"]
    assert suppressed["number"] == "" and len(rows) >= 5
    for row in rows:
        if row is not suppressed:
            assert row["number"] in drawn[row["target"]], row
    assert {n for numbers in drawn.values() for n in numbers} == {row["number"] for row in rows if row["number"]}


@needs_graphviz
def test_the_caption_is_there_only_when_the_diagram_shows_findings(example):
    assert "<figcaption" in (example / "flawed-course-shop" / "report.html").read_text()
    for name in ("myblog", "software-updates"):  # no findings; only a suppressed one, not drawn
        page = (example / name / "report.html").read_text()
        assert 'id="diagram-view"' in page and "<figcaption" not in page


def test_without_a_diagram_findings_have_no_number_and_no_caption(tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHCASE_DOT", str(tmp_path / "no-dot"))
    api.build([EXAMPLE], tmp_path, handlers=REPO / "handlers")
    page = (tmp_path / "flawed-course-shop" / "report.html").read_text()
    rows = findings_rows(page)
    assert rows and not any(row["number"] for row in rows)
    assert "<figcaption" not in page


@needs_graphviz
def test_remediation_markdown_is_rendered(example):
    rows = findings_rows((example / "flawed-course-shop" / "report.html").read_text())
    assert any("<code>" in row["remediation"] for row in rows)
    assert not any("`" in row["remediation"] for row in rows)


HOSTILE = ("Set `x: <b>y</b>` <script>alert(1)</script> <img src=x onerror=alert(1)> "
           "[run](javascript:alert(1)) [data](data:text/html,hi) [file](file:///etc/passwd) [relative](report.html) "
           "![picture](https://example.com/p.png) <javascript:alert(1)> [docs](https://docs.aws.amazon.com/s3/) \x1b[31m")


def test_markup_in_remediation_stays_text_and_only_http_links_are_links():
    rendered = str(html_report.markdown(HOSTILE))
    assert "<code>x: &lt;b&gt;y&lt;/b&gt;</code>" in rendered
    assert "<script" not in rendered and "<img" not in rendered and "&lt;script&gt;" in rendered
    assert re.findall(r'<a href="([^"]*)"', rendered) == ["https://example.com/p.png", "https://docs.aws.amazon.com/s3/"]
    assert "[run](javascript:alert(1))" in rendered and "[data](data:text/html,hi)" in rendered
    assert "\x1b" not in rendered and "\\x1b" in rendered


def test_hostile_remediation_in_a_page_is_escaped(monkeypatch):
    monkeypatch.setitem(RULES, "AC108", replace(RULES["AC108"], remediation=HOSTILE))
    (case,) = api.load_cases([CASES / "software-updates.yaml"])
    (report,) = api.checked([case], "default")
    page = html_report.case_page(case.architecture, report, html_report.Outputs(None, "", []))
    cell = [row for row in findings_rows(page) if row["rule"] == "AC108"][0]["remediation"]
    assert "<script" not in cell and "<img" not in cell and "onerror=alert" in cell
    assert re.findall(r"<(\w+)", cell) == ["code", "a", "a"]
    assert 'href="javascript' not in page and 'href="data:' not in page
