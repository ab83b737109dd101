"""Mermaid text: shapes per kind, safe ids and labels, dotted dead letters, findings styled."""

from __future__ import annotations

from archcase.checks.engine import check
from archcase.render import mermaid
from archcase.render.overlay import Overlay

from ..checks.mutations import add, add_service, flow, svc, variant


def test_every_service_and_flow_appears_once():
    arch = variant("microservices")
    text = mermaid.render(arch)
    for service in arch.services:
        assert sum(line.strip().startswith(mermaid.node_id(service.id) + mermaid.SHAPES[type(service)][0])
                   for line in text.splitlines()) == 1
    arrows = [line.split() for line in text.splitlines() if "-->" in line or "-.->" in line]
    ends = [(words[0], words[-1]) for words in arrows]
    assert len(set(ends)) == len(ends)  # flows drawn the same way share one arrow
    pairs = {frozenset((mermaid.node_id(f.source), mermaid.node_id(f.target))) for f in arch.flows}
    assert {frozenset(pair) for pair in ends} == pairs


def test_ids_avoid_mermaid_keywords_and_labels_use_entity_codes():
    arch = variant("myblog", add_service(id="end", kind="sqs", label='Say "hi" <b>#1</b> & more'),
                   add("welcome-email", "enqueues", "end"))
    text = mermaid.render(arch)
    assert 'n_end>"Say #quot;hi#quot; #lt;b#gt;#35;1#lt;/b#gt; #amp; more"]' in text
    assert "welcome_email -->|\"enqueue\"| n_end" in text


def test_dead_letter_flows_are_dotted():
    text = mermaid.render(variant("myblog"))
    assert 'welcome_email -.->|"on failure"| welcome_email_dlq' in text


def test_findings_are_styled_and_listed():
    arch = variant("paid-content", flow("content-cdn", "origin", "premium-content", access="none"),
                   svc("premium-content", block_public_access=False))
    overlay = Overlay.of(check(arch).findings)
    text = mermaid.render(arch, overlay)
    assert "style premium_content stroke:" in text
    arrows = [line for line in text.splitlines() if "-->" in line or "-.->" in line]
    origin = next(i for i, line in enumerate(arrows) if line.split()[0] == "content_cdn" and line.split()[-1] == "premium_content")
    assert f"linkStyle {origin} stroke:" in text
    assert all(f"{e.rule_id} " in text for e in overlay.legend)
