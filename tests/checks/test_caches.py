"""The cache rules' messages, on small cases of one ElastiCache cache, and where they do not apply."""

from __future__ import annotations

from typing import Any

import pytest

from archcase.checks.engine import check
from archcase.models import Architecture

RULES = {"AC430", "AC431", "AC432", "AC433", "AC434"}


def report(**settings: Any) -> Any:
    return check(Architecture.model_validate({"name": "t", "title": "t", "services": [{"id": "c", "kind": "elasticache", **settings}]}))


def messages(rule_id: str, **settings: Any) -> list[str]:
    return [f.message for f in report(**settings).findings if f.rule_id == rule_id]


def test_a_secure_cache_passes_every_cache_rule():
    found = report()
    assert {rule for rule in RULES if found.applicable.get(rule)} == RULES
    assert [f.message for f in found.findings if f.rule_id in RULES] == []


@pytest.mark.parametrize(("rule_id", "settings", "expected"), [
    ("AC430", {"encrypted_at_rest": False}, "Valkey cache 'c' writes its data to disk unencrypted"),
    ("AC431", {"engine": "memcached", "tls_in_transit": False}, "Memcached cache 'c' accepts connections without TLS"),
    ("AC432", {"engine": "redis", "auth_token": False}, "Redis OSS cache 'c' answers clients that do not authenticate"),
    ("AC432", {"serverless": True, "auth_token": False}, "Valkey serverless cache 'c' answers clients that do not authenticate"),
    ("AC433", {"multi_az": False}, "Valkey cache 'c' has no replica that takes over automatically in another zone"),
    ("AC434", {"snapshot_retention_days": 0}, "Valkey cache 'c' takes no automatic snapshots"),
])
def test_a_cache_rule_says_what_is_wrong(rule_id, settings, expected):
    assert messages(rule_id, **settings) == [expected]


@pytest.mark.parametrize(("settings", "applicable"), [
    ({"engine": "memcached"}, {"AC431"}),
    ({"engine": "memcached", "serverless": True}, {"AC431"}),
    ({"serverless": True}, {"AC430", "AC431", "AC432", "AC434"}),
])
def test_what_a_kind_of_cache_cannot_choose_is_not_asked_of_it(settings, applicable):
    found = report(**settings)
    assert {rule for rule in RULES if found.applicable.get(rule)} == applicable


@pytest.mark.parametrize(("settings", "refused"), [
    ({"engine": "memcached", "auth_token": True}, "Memcached has no AUTH"),
    ({"engine": "memcached", "encrypted_at_rest": True}, "keeps its data in memory only"),
    ({"serverless": True, "multi_az": False}, "always replicates across Availability Zones"),
    ({"tls_in_transit": False}, "AUTH token only over TLS"),
])
def test_settings_a_cache_cannot_have_are_refused(settings, refused):
    with pytest.raises(ValueError, match=refused):
        report(**settings)


def test_what_a_memcached_cluster_cannot_choose_is_filled_in():
    case = Architecture.model_validate({"name": "t", "title": "t", "services": [{"id": "c", "kind": "elasticache", "engine": "memcached"}]})
    cache = case.services[0].model_dump()
    assert {k: cache[k] for k in ("encrypted_at_rest", "auth_token", "multi_az", "snapshot_retention_days")} == {
        "encrypted_at_rest": False, "auth_token": False, "multi_az": False, "snapshot_retention_days": 0}


@pytest.mark.parametrize(("in_vpc", "expected"), [(False, ["function 'fn' connects to c but runs outside the VPC"]), (True, [])])
def test_a_function_connecting_to_a_cache_runs_in_the_vpc(in_vpc, expected):
    case = Architecture.model_validate({"name": "t", "title": "t", "services": [
        {"id": "c", "kind": "elasticache"}, {"id": "fn", "kind": "lambda", "handler": "a.b", "in_vpc": in_vpc}],
        "flows": [{"from": "fn", "to": "c", "kind": "connects"}]})
    assert [f.message for f in check(case).findings if f.rule_id == "AC435"] == expected
