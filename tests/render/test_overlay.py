"""The findings legend of a picture says what is wrong, in the findings' own words, and numbers them."""

from __future__ import annotations

import re
from dataclasses import replace

from archcase.checks.engine import Finding, check
from archcase.models import Architecture
from archcase.render import diagram, mermaid
from archcase.render.overlay import COLORS, Overlay, drawn_ids

from ..checks.mutations import svc, variant
from .golden import parse_dot


def legend_rows(dot: str) -> list[str]:
    """Each legend row of a DOT picture's title, as plain text (tags dropped, entities decoded)."""
    label = parse_dot(dot)["attributes"]["label"]
    rows = re.findall(r"<TR><TD ALIGN=\"RIGHT\">.*?</TR>", label)
    text = [re.sub(r"<BR/>", " ", row) for row in rows]
    text = [re.sub(r"<[^>]+>", " ", row) for row in text]
    decoded = [row.replace("&#x27;", "'").replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">")
               .replace("&amp;", "&") for row in text]
    return [" ".join(row.split()) for row in decoded]


def finding(rule_id: str, target: str, message: str, status: str = "fail", severity: str = "high") -> Finding:
    return Finding(rule_id, severity, "A rule title that reads as a pass", status, target, "service", message)  # type: ignore[arg-type]


def test_a_failing_entry_reads_as_its_finding_not_as_the_rule_title():
    arch = variant("myblog", svc("photos", versioning=False))
    (found,) = [f for f in check(arch).findings if f.rule_id == "AC403"]
    rows = legend_rows(diagram.dot_source(arch, Overlay.of([found])))
    assert rows == [f"#1 low AC403 {found.message}"]
    assert "keeps no object versions" in rows[0] and "S3 versioning is on" not in rows[0]


def test_an_entry_of_findings_with_different_messages_gives_the_first_and_how_many_more():
    arch = variant("myblog", svc("photos", versioning=False), svc("site-content", versioning=False))
    found = sorted((f for f in check(arch).findings if f.rule_id == "AC403"), key=lambda f: f.target)
    assert [f.target for f in found] == ["photos", "site-content"] and found[0].message != found[1].message
    overlay = Overlay.of(found)
    assert len(overlay.legend) == 1
    assert legend_rows(diagram.dot_source(arch, overlay)) == [f"#1 low AC403 {found[0].message} (and 1 more)"]
    assert f"AC403 {found[0].message} (and 1 more)" in mermaid.render(arch, overlay)


def test_an_entry_whose_findings_say_the_same_gives_that_message_alone():
    same = "the same thing is wrong with both"
    overlay = Overlay.of([finding("AC999", "a", same), finding("AC999", "b", same)])
    assert [e.text() for e in overlay.legend] == [same]


def test_undecided_findings_read_as_undecided_and_are_numbered_after_the_failures():
    overlay = Overlay.of([finding("AC001", "a", "whether it is backed up is not known", status="unknown", severity="critical"),
                          finding("AC002", "b", "it is not encrypted", severity="low")])
    assert [(e.number, e.severity, e.rule_id) for e in overlay.legend] == [(1, "low", "AC002"), (2, "undecided", "AC001")]
    overlay = Overlay.of([finding("AC001", "photos", "whether it is backed up is not known", status="unknown",
                                  severity="critical")])
    arch = variant("myblog")
    dot = diagram.dot_source(arch, overlay)
    assert legend_rows(dot) == ["#1 undecided AC001 whether it is backed up is not known"]
    assert f'<FONT COLOR="{COLORS["undecided"]}">undecided</FONT>' in parse_dot(dot)["attributes"]["label"]


def test_a_long_message_is_cut_on_the_picture_but_keeps_its_count():
    long = "word " * 100
    overlay = Overlay.of([finding("AC001", "photos", long), finding("AC001", "site-content", "other")])
    (row,) = legend_rows(diagram.dot_source(variant("myblog"), overlay))
    assert row.endswith("… (and 1 more)") and len(row) < 220


def test_markup_in_a_message_is_text_on_the_picture():
    hostile = '<B>bold</B> & "quoted" <BR/> \x1b[31m'
    overlay = Overlay.of([finding("AC001", "photos", hostile)])
    label = parse_dot(diagram.dot_source(variant("myblog"), overlay))["attributes"]["label"]
    assert "<B>bold" not in label and "&lt;B&gt;bold&lt;/B&gt; &amp; &quot;quoted&quot; &lt;BR/&gt;" in label
    assert "\x1b" not in label and "\\x1b" in label


def test_the_entry_of_a_finding_is_the_one_drawn_on_its_target():
    shown = finding("AC001", "photos", "wrong")
    suppressed = replace(finding("AC001", "site-content", "wrong"), suppressed=True)
    on_case = replace(finding("AC002", "myblog", "wrong"), target_type="case")
    elsewhere = finding("AC003", "not-drawn", "wrong")
    overlay = Overlay.of([shown, suppressed, on_case, elsewhere], drawn={"photos", "site-content"})
    entry = overlay.entry(shown)
    assert entry is not None and overlay.mark("photos") == (entry.color, f"#{entry.number}")
    assert overlay.entry(suppressed) is None and overlay.entry(on_case) is None and overlay.entry(elsewhere) is None
    assert [e.rule_id for e in overlay.legend] == ["AC001"]


def test_findings_on_what_the_default_detail_does_not_draw_get_no_number():
    arch = Architecture.model_validate({
        "name": "t", "title": "T",
        "services": [{"id": "fn", "kind": "lambda", "handler": "a.b"},
                     {"id": "fn-logs", "kind": "generic", "resource_type": "AWS::Logs::LogGroup"}],
        "flows": [{"from": "fn", "to": "fn-logs", "kind": "uses"}]})
    on_logs, on_function = finding("AC001", "fn-logs", "wrong"), finding("AC002", "fn", "wrong")
    overlay = Overlay.of([on_logs, on_function], drawn_ids(arch))
    assert overlay.entry(on_logs) is None and [e.rule_id for e in overlay.legend] == ["AC002"]
    full = Overlay.of([on_logs, on_function], drawn_ids(arch, "full"))
    assert full.entry(on_logs) is not None and len(full.legend) == 2
