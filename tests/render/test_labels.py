"""Flows carry the short labels a reader expects: protocol, origin access, signed URL, stream, DLQ."""

from __future__ import annotations

import pytest

from archcase.render.labels import flow_label

from ..checks.mutations import flow, variant


def label_of(case: str, src: str, kind: str, dst: str, **fields: object) -> str:
    arch = variant(case, flow(src, kind, dst, label=None, **fields))
    (found,) = [f for f in arch.flows if (f.source, f.kind, f.target) == (src, kind, dst)]
    return flow_label(found, {s.id: s.kind for s in arch.services})


@pytest.mark.parametrize(("case", "src", "kind", "dst", "fields", "expected"), [
    ("myblog", "readers", "calls", "blog-cdn", {}, "HTTPS"),
    ("myblog", "readers", "calls", "blog-cdn", {"protocol": "http"}, "HTTP"),
    ("paid-content", "content-cdn", "origin", "premium-content", {}, "OAI"),
    ("paid-content", "content-cdn", "origin", "premium-content", {"access": "oac"}, "OAC"),
    ("paid-content", "content-cdn", "origin", "premium-content", {"access": "none"}, "public origin"),
    ("paid-content", "content-cdn", "origin", "premium-content", {"access": None}, "OAC"),  # unset: resolved to oac
    ("software-updates", "updates-cdn", "origin", "updates-lb", {}, "origin HTTPS"),
    ("paid-content", "url-signer", "signs", "content-cdn", {}, "signed URL"),
    ("myblog", "users", "triggers", "welcome-email", {}, "stream"),
    ("myblog", "welcome-email", "dead-letter", "welcome-email-dlq", {}, "DLQ"),
    ("myblog", "thumbnailer", "reads", "photos", {}, "read uploads/"),
    ("mytodolist", "identity-pool", "grants", "user-files", {}, "own prefix"),
])
def test_derived_flow_labels(case, src, kind, dst, fields, expected):
    assert label_of(case, src, kind, dst, **fields) == expected


def test_a_flow_label_given_in_the_case_wins():
    arch = variant("paid-content", flow("url-signer", "reads", "premium-users", label="is premium?"))
    (found,) = [f for f in arch.flows if f.kind == "reads"]
    assert flow_label(found, {s.id: s.kind for s in arch.services}) == "is premium?"
