"""The database rules' messages, on small cases of one database."""

from __future__ import annotations

from typing import Any

import pytest

from archcase.checks.engine import check
from archcase.models import Architecture


def messages(rule_id: str, **settings: Any) -> list[str]:
    case = Architecture.model_validate({"name": "t", "title": "t", "services": [{"id": "db", "kind": "rds", **settings}]})
    return [f.message for f in check(case).findings if f.rule_id == rule_id]


def test_a_secure_database_passes_every_database_rule():
    case = Architecture.model_validate({"name": "t", "title": "t", "services": [{"id": "db", "kind": "rds"}]})
    report = check(case)
    rules = {"AC420", "AC421", "AC422", "AC423", "AC424", "AC425", "AC426"}
    assert {rule for rule in rules if report.applicable.get(rule)} == rules
    assert [f.message for f in report.findings if f.rule_id in rules] == []


@pytest.mark.parametrize(("rule_id", "settings", "expected"), [
    ("AC420", {"encrypted_at_rest": False}, "database 'db' stores its data unencrypted"),
    ("AC420", {"engine": "aurora-mysql", "encrypted_at_rest": False}, "Aurora cluster 'db' stores its data unencrypted"),
    ("AC421", {"publicly_accessible": True}, "database 'db' is publicly accessible"),
    ("AC422", {"multi_az": False}, "database 'db' has no standby in a second Availability Zone"),
    ("AC422", {"engine": "aurora-postgresql", "multi_az": False}, "Aurora cluster 'db' has a single DB instance"),
    ("AC423", {"backup_retention_days": 0}, "database 'db' keeps no automated backups, fewer than 7"),
    ("AC423", {"backup_retention_days": 1}, "database 'db' keeps automated backups 1 day, fewer than 7"),
    ("AC423", {"backup_retention_days": 6}, "database 'db' keeps automated backups 6 days, fewer than 7"),
    ("AC424", {"deletion_protection": False}, "database 'db' can be deleted by accident"),
    ("AC425", {"iam_authentication": False}, "database 'db' accepts passwords only, not IAM authentication"),
    ("AC426", {"auto_minor_version_upgrade": False}, "database 'db' does not apply minor engine versions automatically"),
])
def test_a_database_rule_says_what_is_wrong(rule_id, settings, expected):
    assert messages(rule_id, **settings) == [expected]


def test_seven_days_of_backups_are_enough():
    assert messages("AC423", backup_retention_days=7) == []


@pytest.mark.parametrize(("in_vpc", "public", "expected"), [
    (False, False, ["function 'fn' connects to db but runs outside the VPC"]),
    (True, False, []),
    (False, True, None),  # a public database is reachable from outside: the rule does not apply
])
def test_a_function_connecting_to_a_private_database_runs_in_the_vpc(in_vpc, public, expected):
    case = Architecture.model_validate({"name": "t", "title": "t", "services": [
        {"id": "db", "kind": "rds", "publicly_accessible": public}, {"id": "fn", "kind": "lambda", "handler": "a.b", "in_vpc": in_vpc}],
        "flows": [{"from": "fn", "to": "db", "kind": "connects"}]})
    report = check(case)
    assert bool(report.applicable.get("AC427")) is (expected is not None)
    assert [f.message for f in report.findings if f.rule_id == "AC427"] == (expected or [])
