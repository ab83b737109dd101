"""What `archcase build` and `archcase render` write: every file, deterministic, and a useful degraded mode."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archcase.api import bundled_cases

from ..conftest import CASES
from .test_diagram import needs_graphviz

SIX = sorted(path.stem for path in bundled_cases())
PER_CASE = ["diagram.dot", "diagram.drawio", "diagram.mmd", "diagram.png", "diagram.svg", "model.json", "report.html", "template.yaml"]
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
    for file in ["diagram.dot", "diagram.drawio", "diagram.mmd", "diagram.svg", "model.json", "report.html", "template.yaml"]:
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
