"""What `archcase build` and `archcase render` write: every file, deterministic, and a useful degraded mode."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from archcase import api
from archcase.api import bundled_cases

from ..conftest import CASES, REPO
from .test_diagram import needs_graphviz

SIX = sorted(path.stem for path in bundled_cases())
PER_CASE = ["diagram.dot", "diagram.drawio", "diagram.mmd", "diagram.png", "diagram.svg", "model.json", "report.html",
            "summary.json", "template.yaml"]
WITH_API = {"mytodolist", "myblog", "microservices", "paid-content"}


@needs_graphviz
def test_build_writes_every_output_of_every_case(built):
    assert sorted(p.name for p in built.iterdir() if p.is_dir()) == SIX
    for name in SIX:
        expected = sorted(PER_CASE + (["openapi.yaml"] if name in WITH_API else []))
        assert sorted(p.name for p in (built / name).iterdir()) == expected
    assert (built / "index.html").is_file()


@needs_graphviz
@pytest.mark.parametrize("name", SIX)
def test_two_builds_give_byte_identical_text_outputs(builds, name):
    first, second = builds
    for file in ["diagram.dot", "diagram.drawio", "diagram.mmd", "diagram.svg", "model.json", "report.html", "summary.json",
                 "template.yaml"]:
        assert (first / name / file).read_bytes() == (second / name / file).read_bytes(), file
    assert (first / "index.html").read_bytes() == (second / "index.html").read_bytes()


def test_reports_fetch_nothing_from_the_network(built):
    for page in [built / "index.html", *(built / name / "report.html" for name in SIX)]:
        html = page.read_text()
        assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//', html), page
        assert "@import" not in html and "url(http" not in html


def test_index_links_every_case_report(built):
    html = (built / "index.html").read_text()
    assert sorted(re.findall(r'href="([^"]+)/report.html"', html)) == SIX


def index_links(out: Path) -> list[str]:
    return re.findall(r'href="([^"]+)/report.html"', (out / "index.html").read_text())


def test_the_index_lists_the_cases_built_before_in_the_same_folder(tmp_path):
    api.build([CASES / "myblog.yaml"], tmp_path)
    assert index_links(tmp_path) == ["myblog"]
    api.build([CASES / "paid-content.yaml", CASES / "mytodolist.yaml"], tmp_path)
    assert index_links(tmp_path) == ["myblog", "mytodolist", "paid-content"]  # by name, whatever the build order
    api.build([CASES / "myblog.yaml"], tmp_path)
    assert index_links(tmp_path) == ["myblog", "mytodolist", "paid-content"]


def test_the_index_shows_what_the_latest_build_of_a_case_says(tmp_path, write_case):
    api.build([CASES / "myblog.yaml", CASES / "paid-content.yaml"], tmp_path)
    broken = write_case((CASES / "paid-content.yaml").read_text().replace("access: oai", "access: none")
                        .replace('title: "Distributing paid content', 'title: "Rebuilt paid content'))
    api.build([broken], tmp_path, handlers=REPO / "handlers")
    index = (tmp_path / "index.html").read_text()
    assert index.count("paid-content/report.html") == 1 and "Rebuilt paid content" in index
    assert "Distributing paid content" not in index
    row = index.split("paid-content/report.html", 1)[1].split("</tr>", 1)[0]
    assert "high</span>" in row  # AC101, from the summary just written


def test_a_folder_whose_summary_cannot_be_read_is_left_out_of_the_index_with_a_warning(tmp_path):
    api.build([CASES / "myblog.yaml"], tmp_path)
    odd = {"corrupt": "{not json", "other": (tmp_path / "myblog" / "summary.json").read_text(),
           "extra": '{"name": "extra", "colour": "blue"}', "old": None}
    for name, summary in odd.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "report.html").write_text("<p>built before</p>")
        if summary is not None:
            (tmp_path / name / "summary.json").write_text(summary)
    (tmp_path / "not-a-case").mkdir()  # no report: passed over without a word
    (tmp_path / "not-a-case" / "notes.txt").write_text("hello")
    outputs = api.build([CASES / "paid-content.yaml"], tmp_path)
    assert index_links(tmp_path) == ["myblog", "paid-content"]
    warned = "\n".join(outputs.warnings)
    assert all(f"{tmp_path / name} is not listed in index.html" in warned for name in odd)
    assert "not-a-case" not in warned and "no summary.json" in warned and "is of case 'myblog'" in warned


def test_text_of_a_summary_on_disk_is_escaped_in_the_index(tmp_path):
    (tmp_path / "evil").mkdir()
    (tmp_path / "evil" / "report.html").write_text("")
    (tmp_path / "evil" / "summary.json").write_text(json.dumps({
        "name": "evil", "title": "<script>window.pwned = 1</script>", "services": 1, "flows": 0, "requirements": 0,
        "requirements_met": 0, "findings": {"critical": 1}}))
    api.build([CASES / "myblog.yaml"], tmp_path)
    index = (tmp_path / "index.html").read_text()
    assert index_links(tmp_path) == ["evil", "myblog"]
    assert "<script>" not in index and "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in index


def test_a_summary_gives_the_counts_the_index_shows(tmp_path):
    api.build([REPO / "examples"], tmp_path, handlers=REPO / "handlers")
    summary = json.loads((tmp_path / "flawed-course-shop" / "summary.json").read_text())
    assert summary == {"name": "flawed-course-shop", "title": "A video course shop with mistakes to find", "services": 7,
                       "flows": 7, "requirements": 0, "requirements_met": 0,
                       "findings": {"critical": 2, "high": 2, "medium": 2, "low": 1, "info": 0}}


def test_render_writes_only_the_formats_asked_for(cli, tmp_path):
    result = cli("render", str(CASES / "myblog.yaml"), "--format", "mermaid,dot", "--out", str(tmp_path))
    assert result.code == 0
    assert sorted(p.name for p in (tmp_path / "myblog").iterdir()) == ["diagram.dot", "diagram.mmd"]


def test_render_refuses_an_unknown_format(cli, tmp_path):
    result = cli("render", str(CASES / "myblog.yaml"), "--format", "png,jpeg", "--out", str(tmp_path))
    assert result.code == 2
    assert "unknown diagram format 'jpeg'" in result.err and "png, svg, mermaid, dot, drawio" in result.err


def test_render_of_a_bad_case_writes_nothing(cli, write_case, tmp_path):
    bad = write_case("name: t\ntitle: T\nservices:\n  - {id: a, kind: lamda}\n")
    result = cli("render", str(bad), "--out", str(tmp_path / "out"))
    assert result.code == 2
    assert "case.yaml:4:" in result.err and "lambda" in result.err
    assert not (tmp_path / "out").exists()


def test_without_graphviz_render_writes_mermaid_dot_and_drawio_and_says_how_to_install(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHCASE_DOT", str(tmp_path / "no-dot"))
    result = cli("render", str(CASES / "myblog.yaml"), "--out", str(tmp_path))
    assert result.code == 0
    assert sorted(p.name for p in (tmp_path / "myblog").iterdir()) == ["diagram.dot", "diagram.drawio", "diagram.mmd"]
    assert "warning:" in result.err and "apt-get install graphviz" in result.err


def test_without_graphviz_drawio_alone_is_written(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHCASE_DOT", str(tmp_path / "no-dot"))
    result = cli("render", str(CASES / "myblog.yaml"), "--format", "drawio", "--out", str(tmp_path))
    assert result.code == 0 and "warning:" not in result.err
    assert sorted(p.name for p in (tmp_path / "myblog").iterdir()) == ["diagram.drawio"]
    assert (tmp_path / "myblog" / "diagram.drawio").read_text().startswith("<mxfile")


def test_without_graphviz_asking_only_for_pictures_is_an_error(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHCASE_DOT", str(tmp_path / "no-dot"))
    result = cli("render", str(CASES / "myblog.yaml"), "--format", "png,svg", "--out", str(tmp_path / "out"))
    assert result.code == 2
    assert "error:" in result.err and "install Graphviz" in result.err
    assert not (tmp_path / "out").exists()


def test_without_graphviz_the_report_shows_the_mermaid_text(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHCASE_DOT", str(tmp_path / "no-dot"))
    result = cli("build", str(CASES / "paid-content.yaml"), "--out", str(tmp_path))
    assert result.code == 0 and "warning:" in result.err
    html = (tmp_path / "paid-content" / "report.html").read_text()
    assert 'class="mermaid-source"' in html and "flowchart LR" in html
    assert not (tmp_path / "paid-content" / "diagram.png").exists()


def test_render_findings_marks_the_picture(cli, tmp_path):
    broken = tmp_path / "broken.yaml"
    text = (CASES / "paid-content.yaml").read_text().replace("access: oai", "access: none")
    broken.write_text(text)
    result = cli("render", str(broken), "--findings", "--format", "dot,mermaid,drawio", "--out", str(tmp_path / "out"))
    assert result.code == 0
    dot = Path(tmp_path / "out" / "paid-content" / "diagram.dot").read_text()
    assert "AC101" in dot and "#1" in dot
    drawn = Path(tmp_path / "out" / "paid-content" / "diagram.drawio").read_text()
    assert "AC101" in drawn and "#1" in drawn
    plain = cli("render", str(broken), "--format", "dot", "--out", str(tmp_path / "plain"))
    assert plain.code == 0
    assert "AC101" not in (tmp_path / "plain" / "paid-content" / "diagram.dot").read_text()
