"""The HTML reports as a person sees them: opened from disk in headless Chromium (installed by `make test`).

Screenshots are kept in out/test-artifacts/ (or $ARCHCASE_ARTIFACTS) for a reviewer to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from archcase import api

from ..conftest import CASES, REPO
from .test_build import SIX
from .test_diagram import needs_graphviz

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is a dev dependency: run `make test`")
CHROMIUM = os.environ.get("ARCHCASE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("ARCHCASE_ARTIFACTS") or REPO / "out" / "test-artifacts")

pytestmark = [
    needs_graphviz,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed: `make test` installs it (Debian: apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


class Visit:
    """A page opened from disk, with every console error and uncaught exception it produced."""

    def __init__(self, browser, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri(), wait_until="load")


@pytest.mark.parametrize("name", SIX)
def test_case_report_loads_with_one_diagram_and_one_findings_table(browser, built, name):
    visit = Visit(browser, built / name / "report.html")
    page = visit.page
    assert visit.errors == []
    assert all(url.startswith(("file:", "data:")) for url in visit.requests), visit.requests
    assert page.locator("img.diagram").count() == 1
    assert page.evaluate("() => { const i = document.querySelector('img.diagram'); return i.complete && i.naturalWidth > 400 }")
    assert page.locator("table.findings").count() == 1
    assert page.locator("table.requirements tbody tr").count() >= 1
    assert page.locator('a[href="template.yaml"]').count() == 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-{name}.png"), full_page=True)
    page.close()


def test_index_lists_every_case_and_its_links_open(browser, built):
    visit = Visit(browser, built / "index.html")
    assert visit.errors == []
    links = visit.page.locator("table.cases a")
    assert links.count() == len(SIX)
    links.first.click()
    visit.page.wait_for_load_state("load")
    assert visit.page.url.endswith("/report.html")
    assert visit.errors == []
    visit.page.close()


def test_a_service_name_holding_markup_is_shown_as_text(browser, tmp_path):
    case = tmp_path / "case.yaml"
    text = (CASES / "paid-content.yaml").read_text()
    case.write_text(text.replace("label: Customers", 'label: "<script>window.pwned = 1</script><b>Customers</b>"')
                    .replace("access: oai", "access: none"))
    api.build([case], tmp_path / "out", handlers=REPO / "handlers")
    visit = Visit(browser, tmp_path / "out" / "paid-content" / "report.html")
    assert visit.errors == []
    assert visit.page.evaluate("() => window.pwned") is None
    assert visit.page.locator("table.findings b").count() == 0
    assert "<script>window.pwned = 1</script>" not in visit.page.content()
    svg_text = visit.page.evaluate("""async () => {
        const svg = await (await fetch(document.querySelector('img.diagram').src)).text();
        return new DOMParser().parseFromString(svg, 'image/svg+xml').documentElement.textContent; }""")
    assert "<script>window.pwned = 1</script><b>Customers</b>" in svg_text
    visit.page.close()


MERMAID_JS = Path(os.environ.get("ARCHCASE_MERMAID_JS") or REPO / ".venv" / "share" / "mermaid" / "mermaid.min.js")


@pytest.fixture(scope="module")
def mermaid_page(browser, tmp_path_factory):
    if not MERMAID_JS.is_file():
        pytest.skip(f"Mermaid's bundle is not at {MERMAID_JS}: `make test` fetches it with npm")
    page_file = tmp_path_factory.mktemp("mermaid") / "page.html"
    page_file.write_text(f'<!DOCTYPE html><html><head><script src="{MERMAID_JS.as_uri()}"></script></head><body></body></html>')
    visit = Visit(browser, page_file)
    visit.page.evaluate("() => mermaid.initialize({startOnLoad: false})")
    yield visit
    visit.page.close()


def draw_mermaid(visit: Visit, text: str) -> str:
    """The SVG Mermaid draws from `text`, or `error: ...`."""
    return visit.page.evaluate("""async (text) => {
        try { return (await mermaid.render('diagram' + Date.now(), text)).svg; }
        catch (e) { return 'error: ' + e.message; } }""", text)


@pytest.mark.parametrize("name", SIX)
def test_mermaid_of_every_case_is_drawn_by_mermaid(mermaid_page, built, name):
    svg = draw_mermaid(mermaid_page, (built / name / "diagram.mmd").read_text())
    assert svg.startswith("<svg"), svg[:300]
    assert mermaid_page.errors == []


def test_mermaid_with_awkward_names_and_findings_is_drawn(mermaid_page, tmp_path, cli):
    case = tmp_path / "case.yaml"
    text = (CASES / "paid-content.yaml").read_text()
    case.write_text(text.replace("label: Customers", 'label: "end <b>#1</b> \\"quoted\\" & more"')
                    .replace("access: oai", "access: none"))
    assert cli("render", str(case), "--findings", "--format", "mermaid", "--out", str(tmp_path)).code == 0
    svg = draw_mermaid(mermaid_page, (tmp_path / "paid-content" / "diagram.mmd").read_text())
    assert svg.startswith("<svg"), svg[:300]
    assert "AC101" in svg
