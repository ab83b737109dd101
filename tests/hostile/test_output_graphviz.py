"""Graphviz on awkward and heavy input: ordinary text that used to crash it is drawn; a case over the drawing
limits is refused before `dot` runs (exit 2 when only PNG/SVG is asked for, a warning and the other formats
otherwise, a note in the report); a timeout, a failure or an empty or broken picture is reported, never a
crash or a silent empty file; only archcase's own icons are ever embedded."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from PIL import Image

from archcase.render import diagram, graphviz
from archcase.render.graphviz import MAX_DRAWN_FLOWS, MAX_DRAWN_SERVICES, DrawError, embed_images, image_references

from ..conftest import REPO
from ..render.test_diagram import needs_graphviz
from .output_support import Elements, hostile_data, write_case, xml_root

SVG = "{http://www.w3.org/2000/svg}"
ICON = next(iter(sorted(diagram.ICON_PATHS)))


def case_with(tmp_path: Path, title: str | None = None, label: str | None = None) -> Path:
    data = hostile_data("mytodolist", ["plain words of text"])
    if title is not None:
        data["title"] = title
    if label is not None:
        data["services"][0]["label"] = label
        data["flows"][0]["label"] = label
    return write_case(tmp_path, data)


@needs_graphviz
@pytest.mark.parametrize(("title", "label"), [
    ("<Acme> shop <beta>", None),
    ("Acme shop\\", "trailing backslash\\"),
    ('<x> ]; evil [image="/usr/share/pixmaps/debian-logo.png" label="" shape=none]; z [label=<y>', None),
    ("title", "x" * 20_000),
    ("nul\x00in the title", "a\x00b"),
    ("\x1b[31mred\x1b[0m\r\n\u2028\x85", "\x07\x08\x0b\x0c\x7f\x9b\ufffe"),
], ids=["markup-title", "trailing-backslash", "dot-injection", "20k-label", "nul", "control-characters"])
def test_awkward_titles_and_labels_are_drawn(cli, tmp_path, title, label):
    out = tmp_path / "out"
    result = cli("render", str(case_with(tmp_path, title, label)), "--format", "png,svg,dot,mermaid", "--out", str(out))
    assert result.code == 0, result.err
    png = (out / "mytodolist" / "diagram.png").read_bytes()
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.format == "PNG" and image.width > 400
    root = xml_root((out / "mytodolist" / "diagram.svg").read_text(encoding="utf-8"))
    assert root.tag == f"{SVG}svg"
    assert len([g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]) == 9
    hrefs = [i.get("{http://www.w3.org/1999/xlink}href") for i in root.iter(f"{SVG}image")]
    assert len(hrefs) == 9 and all(h.startswith("data:image/png;base64,") for h in hrefs)
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    if title.startswith("<"):
        assert title[:40] in texts  # the title is drawn as text, not read as markup or DOT
    assert "\x00" not in texts and "\x1b" not in texts


def many_services(count: int, flows: int = 0) -> dict:
    services = [{"id": f"thing-{i}", "kind": "generic", "resource_type": "AWS::Test::Thing"} for i in range(count)]
    links = [{"from": f"thing-{i % count}", "to": f"thing-{(i + 1) % count}", "kind": "uses", "id": f"link-{i}"}
             for i in range(flows)]
    return {"name": "huge", "title": "A huge case", "services": services, "flows": links}


@pytest.fixture(scope="module")
def huge_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_case(tmp_path_factory.mktemp("huge"), many_services(MAX_DRAWN_SERVICES + 1), "huge.yaml")


def test_only_png_or_svg_of_a_case_over_the_limit_is_refused_before_dot_runs(cli, tmp_path, huge_case, monkeypatch):
    monkeypatch.setenv("ARCHCASE_DOT", str(fake_dot(tmp_path, "echo ran > \"$0.ran\"; exit 1")))
    result = cli("render", str(huge_case), "--format", "png,svg", "--out", str(tmp_path / "out"))
    assert result.code == 2
    assert f"{MAX_DRAWN_SERVICES + 1} services, over the limit of {MAX_DRAWN_SERVICES} (MAX_DRAWN_SERVICES)" in result.err
    assert "--format mermaid,dot" in result.err and "Traceback" not in result.err
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "dot.ran").exists()  # dot never ran


def test_a_case_over_the_limit_gets_its_other_formats_with_a_warning(cli, tmp_path, huge_case):
    out = tmp_path / "out"
    result = cli("render", str(huge_case), "--format", "png,svg,mermaid,dot", "--out", str(out))
    assert result.code == 0
    assert "warning: huge: diagram.png and diagram.svg not drawn" in result.err and "MAX_DRAWN_SERVICES" in result.err
    assert sorted(p.name for p in (out / "huge").iterdir()) == ["diagram.dot", "diagram.mmd"]
    assert "maxEdges" not in result.err  # no flows: Mermaid draws it


def test_the_flow_limit_is_named_too(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(graphviz, "MAX_DRAWN_FLOWS", 5)
    path = write_case(tmp_path, many_services(4, flows=6))
    result = cli("render", str(path), "--format", "svg", "--out", str(tmp_path / "out"))
    assert result.code == 2 and "6 flows, over the limit of 5 (MAX_DRAWN_FLOWS)" in result.err
    assert MAX_DRAWN_FLOWS == 3000


def test_build_of_a_case_over_the_limit_writes_the_report_with_a_note(cli, tmp_path):
    data = many_services(MAX_DRAWN_SERVICES)
    data["services"].append({"id": "queue", "kind": "sqs"})  # something to deploy: emit refuses a case without
    huge_case = write_case(tmp_path, data, "huge.yaml")
    out = tmp_path / "out"
    result = cli("build", str(huge_case), "--out", str(out), "--handlers", str(REPO / "handlers"))
    assert result.code == 0, result.err
    assert "not drawn" in result.err and "MAX_DRAWN_SERVICES" in result.err
    page = (out / "huge" / "report.html").read_text(encoding="utf-8")
    elements = Elements(page)
    assert "img" not in [tag for tag, _ in elements.shape]
    note = "".join(elements.texts["p"])
    assert f"{MAX_DRAWN_SERVICES + 1} services and 0 flows, more than archcase draws" in note
    assert not (out / "huge" / "diagram.png").exists() and (out / "huge" / "diagram.dot").exists()


def test_mermaid_over_its_default_edge_limit_is_written_with_a_warning(cli, tmp_path):
    path = write_case(tmp_path, many_services(300, flows=501))
    result = cli("render", str(path), "--format", "mermaid", "--out", str(tmp_path / "out"))
    assert result.code == 0 and "501 flows; Mermaid draws at most 500" in result.err
    assert (tmp_path / "out" / "huge" / "diagram.mmd").is_file()


def fake_dot(folder: Path, script: str) -> Path:
    """A stand-in for Graphviz's `dot`: a shell script."""
    path = folder / "dot"
    path.write_text(f"#!/bin/sh\ncat > /dev/null\n{script}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.mark.parametrize(("script", "message"), [
    ("exec sleep 30", "Graphviz took longer than 0.5 s to draw the SVG and was stopped (DOT_TIMEOUT_S)"),
    ("exit 0", "Graphviz wrote no valid SVG"),
    ("printf 'Error: \\033[31mboom\\rX' >&2; exit 3", "Graphviz failed (exit status 3) drawing the SVG: Error: \\x1b[31mboom\\x0dX"),
    ("printf '<html><body>not svg</body></html>'", "Graphviz wrote no valid SVG (its root element is 'html', not svg)"),
    ("printf '<svg xmlns=\"http://www.w3.org/2000/svg\"><g>'", "Graphviz wrote no valid SVG (no element found"),
], ids=["timeout", "empty", "failure", "not-svg", "truncated"])
def test_a_graphviz_problem_is_reported_not_a_crash_or_an_empty_file(cli, tmp_path, monkeypatch, script, message):
    monkeypatch.setenv("ARCHCASE_DOT", str(fake_dot(tmp_path, script)))
    monkeypatch.setattr(graphviz, "DOT_TIMEOUT_S", 0.5)
    case = case_with(tmp_path)
    only = cli("render", str(case), "--format", "svg", "--out", str(tmp_path / "only"))
    assert only.code == 2 and message in only.err and "Traceback" not in only.err
    assert "\x1b" not in only.err and "\r" not in only.err
    assert not (tmp_path / "only" / "mytodolist" / "diagram.svg").exists()
    mixed = cli("render", str(case), "--format", "svg,dot", "--out", str(tmp_path / "mixed"))
    assert mixed.code == 0 and "warning: mytodolist: diagram.svg not drawn" in mixed.err and message in mixed.err
    assert sorted(p.name for p in (tmp_path / "mixed" / "mytodolist").iterdir()) == ["diagram.dot"]


def test_an_empty_png_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHCASE_DOT", str(fake_dot(tmp_path, "exit 0")))
    with pytest.raises(DrawError, match="Graphviz wrote no valid PNG"):
        diagram.draw("digraph { a }", "png")


def test_build_with_a_failing_graphviz_writes_the_report_with_a_note(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("ARCHCASE_DOT", str(fake_dot(tmp_path, "exit 0")))
    out = tmp_path / "out"
    result = cli("build", str(case_with(tmp_path)), "--out", str(out), "--handlers", str(REPO / "handlers"))
    assert result.code == 0 and "diagram.png not drawn" in result.err
    page = (out / "mytodolist" / "report.html").read_text(encoding="utf-8")
    assert "Graphviz could not draw the diagram" in page and 'class="mermaid-source"' in page
    assert not (out / "mytodolist" / "diagram.png").exists()


def test_only_archcase_icons_are_embedded(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\nsecret")
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
           f'<image xlink:href="{ICON}" width="1px"/>'
           f'<image xlink:href="{secret}" width="1px"/>'
           f'<image xlink:href="../../../{secret}" width="1px"/>'
           f'<image xlink:href="{ICON}/../../../../../{secret}" width="1px"/>'
           f'<image width="1px" xlink:href="secret.png"/></svg>').encode()
    embedded = embed_images(svg, diagram.ICON_BASE, diagram.ICON_PATHS)
    hrefs = image_references(embedded)
    assert len(hrefs) == 1 and hrefs[0].startswith("data:image/png;base64,")
    assert b"secret" not in embedded and str(secret).encode() not in embedded
