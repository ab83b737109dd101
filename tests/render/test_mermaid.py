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
    arrows = [line for line in text.splitlines() if "-->" in line or "-.->" in line]
    assert len(arrows) == len(arch.flows)


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
    assert "linkStyle 9 stroke:" in text  # the origin flow is the tenth flow of the case
    assert all(f"{e.rule_id} " in text for e in overlay.legend)
