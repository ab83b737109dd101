"""The HTML reports as a person sees them: opened from disk in headless Chromium (installed by `make test`).

Screenshots are kept for a reviewer to look at in $ARCHCASE_ARTIFACTS, else in pytest's cache folder
(.pytest_cache/d/test-artifacts/): never in out/, which is the user's.
"""

from __future__ import annotations

import json
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

pytestmark = [
    needs_graphviz,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed: `make test` installs it (Debian: apt-get install chromium)"),
]


@pytest.fixture(scope="session")
def artifacts(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder screenshots are kept in: $ARCHCASE_ARTIFACTS, else pytest's cache folder (a temporary one when
    the cache is off)."""
    given = os.environ.get("ARCHCASE_ARTIFACTS")
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        return Path(given)
    cache = getattr(pytestconfig, "cache", None)
    return cache.mkdir("test-artifacts") if cache is not None else tmp_path_factory.mktemp("test-artifacts")


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
def test_case_report_loads_with_one_diagram_and_one_findings_table(browser, built, name, artifacts):
    visit = Visit(browser, built / name / "report.html")
    page = visit.page
    assert visit.errors == []
    assert all(url.startswith(("file:", "data:")) for url in visit.requests), visit.requests
    assert page.locator("#diagram-view svg").count() == 1 and page.locator("img").count() == 0
    assert page.evaluate("() => document.querySelector('#diagram-view svg').getBoundingClientRect().width") > 400
    services = len(json.loads((built / name / "model.json").read_text())["services"])
    assert page.locator("#diagram-view g.node image").count() == services
    assert page.locator("table.findings").count() == 1
    assert page.locator("table.requirements tbody tr").count() >= 1
    assert page.locator('a[href="template.yaml"]').count() == 1
    page.screenshot(path=str(artifacts / f"report-{name}.png"), full_page=True)
    page.close()


def test_index_lists_every_case_and_its_links_open(browser, built, tmp_path, artifacts):
    out = tmp_path / "out"
    shutil.copytree(built, out)
    api.build([REPO / "examples"], out, handlers=REPO / "handlers")  # a second build into the same folder
    visit = Visit(browser, out / "index.html")
    assert visit.errors == []
    links = visit.page.locator("table.cases a")
    assert sorted(links.nth(i).get_attribute("href") for i in range(links.count())) == sorted(
        f"{name}/report.html" for name in [*SIX, "flawed-course-shop"])
    for i in range(links.count()):
        href = links.nth(i).get_attribute("href")
        links.nth(i).click()
        visit.page.wait_for_load_state("load")
        assert visit.page.url == (out / str(href)).as_uri()
        assert visit.page.locator("table.findings").count() == 1
        visit.page.go_back(wait_until="load")
    assert visit.errors == []
    visit.page.screenshot(path=str(artifacts / "index.png"), full_page=True)
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
    assert visit.page.locator("#diagram-view script, #diagram-view b").count() == 0
    drawn = "".join(visit.page.locator("#diagram-view svg").text_content().split())  # the name is wrapped on the picture
    assert "<script>window.pwned=1</script><b>Customers</b>" in drawn
    assert visit.page.locator("#diagram-view.is-live").count() == 1  # the page's own script ran
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


# The interactive diagram: pan, zoom, a click on a service or flow. Expected flows are read from the case's
# model.json and expected findings rows from the target each row shows, not from the page's script.

SVG = "#diagram-view svg"


def view_box(page) -> list[float]:
    return [float(v) for v in page.locator(SVG).get_attribute("viewBox").split()]


def wait_for_view_box_change(page, before: list[float]) -> list[float]:
    page.wait_for_function("(b) => document.querySelector('#diagram-view svg').getAttribute('viewBox').split(/\\s+/).map(Number)"
                           ".some((v, i) => Math.abs(v - b[i]) > 1e-6)", arg=before)
    return view_box(page)


def picture_point(page, x: float, y: float) -> list[float]:
    """The point of the picture (viewBox units) under the screen point (x, y), as the browser maps it."""
    return page.evaluate("([x, y]) => { const s = document.querySelector('#diagram-view svg');"
                         " const p = new DOMPoint(x, y).matrixTransform(s.getScreenCTM().inverse()); return [p.x, p.y]; }", [x, y])


def centre(page) -> tuple[float, float]:
    box = page.locator(SVG).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def marked(page) -> dict[str, set[str]]:
    """Services (by their title) and flows (by their keys, an arrow's classes) selected and related, and the findings
    rows lit, by target."""
    found = page.evaluate("""() => {
        const state = ['node', 'edge', 'is-selected', 'is-related'];  // an arrow's other classes are its flows' keys
        const names = (g) => g.classList.contains('node') ? ['service:' + g.querySelector('title').textContent]
            : Array.from(g.classList).filter((c) => !state.includes(c)).map((c) => 'flow:svg-' + c);
        const of = (cls) => Array.from(document.querySelectorAll('#diagram-view g.' + cls)).flatMap(names);
        return {selected: of('is-selected'), related: of('is-related'),
                rows: Array.from(document.querySelectorAll('table.findings tr.is-related'))
                    .map((r) => r.querySelector('td code.muted').textContent),
                dimmed: document.querySelector('#diagram-view svg').classList.contains('has-selection')}; }""")
    return {key: set(value) if isinstance(value, list) else value for key, value in found.items()}


def click_service(page, service: str) -> None:
    index = page.evaluate("(id) => Array.from(document.querySelectorAll('#diagram-view g.node'))"
                          ".findIndex((g) => g.querySelector('title').textContent === id)", service)
    assert index >= 0, service
    page.locator("#diagram-view g.node").nth(index).click()


def click_background(page) -> None:
    page.locator(SVG).click(position={"x": 4, "y": 4})  # the picture's corner: its margin, never a service or flow


def row_targets(page) -> list[str]:
    """The service or flow id each findings row shows."""
    return page.evaluate("() => Array.from(document.querySelectorAll('table.findings tbody tr'))"
                         ".filter((r) => r.querySelector('td code.muted')).map((r) => r.querySelector('td code.muted').textContent)")


def expected_for(model: dict, service: str, targets: list[str]) -> dict[str, object]:
    """What a click on `service` marks: the service, its flows and the services at their other ends, the findings
    rows of the service and its flows; the rest dimmed."""
    flows = [f for f in model["flows"] if service in (f["from"], f["to"])]
    ends = {f"service:{end}" for f in flows for end in (f["from"], f["to"])} - {f"service:{service}"}
    own = {service} | {f["id"] for f in flows}
    return {"selected": {f"service:{service}"}, "related": {f"flow:svg-{f['id']}" for f in flows} | ends,
            "rows": {t for t in targets if t in own}, "dimmed": True}


def assert_quiet(visit: Visit) -> None:
    assert visit.errors == []
    assert all(url.startswith(("file:", "data:")) for url in visit.requests), visit.requests


@pytest.mark.parametrize("name", SIX)
def test_clicking_a_service_highlights_exactly_its_flows_and_the_background_clears(browser, built, name):
    model = json.loads((built / name / "model.json").read_text())
    visit = Visit(browser, built / name / "report.html")
    page = visit.page
    busiest = max(model["services"], key=lambda s: sum(s["id"] in (f["from"], f["to"]) for f in model["flows"]))["id"]
    loneliest = min(model["services"], key=lambda s: sum(s["id"] in (f["from"], f["to"]) for f in model["flows"]))["id"]
    for service in (busiest, loneliest):
        click_service(page, service)
        expected = expected_for(model, service, row_targets(page))
        assert marked(page) == expected, service
        rows = len(expected["rows"])
        assert page.locator("#diagram-status").text_content().endswith(f": {rows} finding{'' if rows == 1 else 's'}.")
    click_background(page)
    assert marked(page) == {"selected": set(), "related": set(), "rows": set(), "dimmed": False}
    assert page.locator("#diagram-status").text_content() == ""
    assert_quiet(visit)
    page.close()


def test_wheel_zooms_about_the_pointer_and_dragging_moves_the_picture(browser, built):
    visit = Visit(browser, built / "microservices" / "report.html")
    page = visit.page
    page.locator(SVG).scroll_into_view_if_needed()
    scroll = page.evaluate("() => window.scrollY")
    x, y = centre(page)
    x += 100  # not the centre, so that zooming about the pointer differs from zooming about the middle
    home = view_box(page)
    page.mouse.move(x, y)
    under = picture_point(page, x, y)
    page.mouse.wheel(0, -300)
    zoomed = wait_for_view_box_change(page, home)
    assert zoomed[2] < home[2] * 0.8 and zoomed[2] / zoomed[3] == pytest.approx(home[2] / home[3])
    assert picture_point(page, x, y) == pytest.approx(under, abs=0.5)  # the point under the pointer stays put
    assert page.evaluate("() => window.scrollY") == scroll  # the wheel zoomed the picture, it did not scroll the page
    page.mouse.wheel(0, 300)
    assert wait_for_view_box_change(page, zoomed) == pytest.approx(home, abs=0.01)  # no smaller than the whole picture
    page.mouse.wheel(0, 300)  # so, fitted, the wheel scrolls the page on
    page.wait_for_function("(before) => window.scrollY > before", arg=scroll)
    assert view_box(page) == pytest.approx(home, abs=0.01)
    page.locator(SVG).scroll_into_view_if_needed()
    x, y = centre(page)
    x += 100

    before = view_box(page)
    box = page.locator(SVG).bounding_box()
    per_pixel = max(before[2] / box["width"], before[3] / box["height"])
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 120, y + 60, steps=6)
    page.mouse.up()
    moved = view_box(page)
    assert moved[0] == pytest.approx(before[0] - 120 * per_pixel, abs=2 * per_pixel)
    assert moved[1] == pytest.approx(before[1] - 60 * per_pixel, abs=2 * per_pixel)
    assert moved[2:] == before[2:]
    assert not marked(page)["dimmed"]  # a drag is not a click
    assert_quiet(visit)
    page.close()


def test_zoom_buttons_and_keys(browser, built):
    visit = Visit(browser, built / "myblog" / "report.html")
    page = visit.page
    home = view_box(page)
    page.locator("#diagram-tools button[data-zoom=in]").click()
    assert view_box(page)[2] == pytest.approx(home[2] / 1.25, rel=1e-3)
    page.locator("#diagram-tools button[data-zoom=in]").click()
    page.locator("#diagram-tools button[data-zoom=out]").click()
    assert view_box(page)[2] == pytest.approx(home[2] / 1.25, rel=1e-3)
    page.locator("#diagram-tools button[data-zoom=out]").click()
    page.locator("#diagram-tools button[data-zoom=out]").click()  # no smaller than the whole picture
    assert view_box(page) == pytest.approx(home, abs=0.01)
    page.locator("#diagram-tools button[data-zoom=in]").click()
    page.locator("#diagram-tools button[data-zoom=reset]").click()
    assert view_box(page) == pytest.approx(home, abs=0.01)

    page.locator("#diagram-tools button[data-zoom=in]").focus()  # the buttons work from the keyboard
    page.keyboard.press("Enter")
    assert view_box(page)[2] == pytest.approx(home[2] / 1.25, rel=1e-3)
    page.locator("#diagram-view").focus()  # and so does the picture itself
    page.keyboard.press("0")
    assert view_box(page) == pytest.approx(home, abs=0.01)
    page.keyboard.press("=")
    page.keyboard.press("ArrowRight")
    zoomed = view_box(page)
    assert zoomed[2] == pytest.approx(home[2] / 1.25, rel=1e-3) and zoomed[0] > home[0]
    page.keyboard.press("-")
    assert view_box(page)[2] == pytest.approx(home[2], rel=1e-3)
    page.locator("#diagram-view g.node").first.focus()
    page.keyboard.press("Enter")
    assert len(marked(page)["selected"]) == 1
    page.keyboard.press("Escape")
    assert not marked(page)["dimmed"]
    assert_quiet(visit)
    page.close()


@pytest.fixture(scope="module")
def with_findings(tmp_path_factory) -> Path:
    """The paid-content case with a service finding (no WAF on the distribution) and a flow finding (its origin
    without access control), built."""
    folder = tmp_path_factory.mktemp("findings")
    case = folder / "case.yaml"
    case.write_text((CASES / "paid-content.yaml").read_text().replace("access: oai", "access: none").replace("waf: true", "waf: false"))
    api.build([case], folder / "out", handlers=REPO / "handlers")
    return folder / "out" / "paid-content"


def test_clicking_a_service_or_flow_highlights_its_findings_rows(browser, with_findings, artifacts):
    model = json.loads((with_findings / "model.json").read_text())
    visit = Visit(browser, with_findings / "report.html")
    page = visit.page
    targets = row_targets(page)
    assert sorted(targets) == ["content-cdn", "content-cdn-origin-premium-content"]

    click_service(page, "content-cdn")
    assert marked(page) == expected_for(model, "content-cdn", targets)
    assert page.locator("#diagram-status").text_content().endswith(": 2 findings.")
    page.screenshot(path=str(artifacts / "report-interactive-selected.png"), full_page=True)

    click_service(page, "customers")  # a service with no finding of its own or on its flows
    assert marked(page)["rows"] == set()

    page.locator("#diagram-view g.edge#svg-content-cdn-origin-premium-content text").first.click()  # its label
    assert marked(page) == {"selected": {"flow:svg-content-cdn-origin-premium-content"},
                            "related": {"service:content-cdn", "service:premium-content"},
                            "rows": {"content-cdn-origin-premium-content"}, "dimmed": True}
    click_background(page)
    assert marked(page) == {"selected": set(), "related": set(), "rows": set(), "dimmed": False}
    assert_quiet(visit)
    page.close()


def test_without_script_the_picture_is_shown_and_the_tools_are_not(browser, built):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto((built / "myblog" / "report.html").as_uri(), wait_until="load")
    assert page.locator(SVG).bounding_box()["width"] > 400
    assert not page.locator("#diagram-tools").is_visible()
    context.close()


def test_the_page_lets_its_own_script_run_and_no_other(browser, built):
    visit = Visit(browser, built / "myblog" / "report.html")
    page = visit.page
    assert page.locator("#diagram-view.is-live").count() == 1
    injected = page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';
        document.body.append(s); const i = document.createElement('img'); i.src = 'https://example.com/x.png';
        document.body.append(i); return window.injected === undefined; }""")
    assert injected
    page.wait_for_timeout(200)
    assert visit.errors and all("Content Security Policy" in error for error in visit.errors), visit.errors
    assert [e for e in visit.errors if "script-src" in e] and [e for e in visit.errors if "img-src" in e], visit.errors
    page.close()
