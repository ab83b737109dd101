"""The rules on EC2 instances (AC309 IMDSv2, AC310 EBS encryption, AC805 broad permissions, AC116 static content
behind CloudFront) on a single instance as on an Auto Scaling group's, each naming what it found."""

from __future__ import annotations

from typing import Any

import pytest

from archcase.checks.engine import check
from archcase.models import Architecture


def report(kind: str, flows: list[dict[str, Any]] | None = None, extra: list[dict[str, Any]] | None = None,
           **settings: Any) -> Any:
    return check(Architecture.model_validate({"name": "t", "title": "t", "services": [
        {"id": "web", "kind": kind, **settings}, *(extra or [])], "flows": flows or []}))


def messages(rule_id: str, kind: str, **settings: Any) -> list[str]:
    return [f.message for f in report(kind, **settings).findings if f.rule_id == rule_id]


@pytest.mark.parametrize("kind", ["ec2-instance", "autoscaling-group"])
def test_secure_instances_pass_the_instance_rules(kind):
    found = report(kind)
    assert {rule for rule in ("AC309", "AC310", "AC805") if found.applicable.get(rule)} == {"AC309", "AC310", "AC805"}
    assert [f.message for f in found.findings if f.rule_id in ("AC309", "AC310", "AC805")] == []


@pytest.mark.parametrize(("rule_id", "settings", "instance", "group"), [
    ("AC309", {"imdsv2_required": False}, "instance 'web' accepts IMDSv1", "instances of 'web' accept IMDSv1"),
    ("AC310", {"ebs_encrypted": False}, "instance 'web' has unencrypted volumes", "instances of 'web' have unencrypted volumes"),
    ("AC805", {"broad_permissions": ["s3:* on *"]}, "the role of 'web' allows s3:* on *", "the role of 'web' allows s3:* on *"),
])
def test_each_rule_names_a_single_instance_or_a_groups_instances(rule_id, settings, instance, group):
    assert messages(rule_id, "ec2-instance", **settings) == [instance]
    assert messages(rule_id, "autoscaling-group", **settings) == [group]


def test_a_static_instance_behind_a_load_balancer_without_cloudfront_fails_ac116():
    found = report("ec2-instance", serves="static", extra=[{"id": "lb", "kind": "alb"}],
                   flows=[{"from": "lb", "to": "web", "kind": "targets"}])
    assert [f.message for f in found.findings if f.rule_id == "AC116"] == [
        "static content of 'web' is served through lb with no CloudFront in front"]


def test_cloudfront_caches_what_a_static_instance_serves():
    """AC117 reads a load balancer's instance targets as static content (it refused any target but a group)."""
    found = report("ec2-instance", serves="static", extra=[{"id": "lb", "kind": "alb"}, {"id": "cdn", "kind": "cloudfront",
                                                                                           "default_ttl_s": 0}],
                   flows=[{"from": "lb", "to": "web", "kind": "targets"}, {"from": "cdn", "to": "lb", "kind": "origin"}])
    assert [f.message for f in found.findings if f.rule_id == "AC117"] == ["distribution 'cdn' caches nothing (default_ttl_s: 0)"]
    assert [f.message for f in found.findings if f.rule_id == "AC116"] == []
