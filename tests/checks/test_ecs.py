"""The rules on ECS services (AC320-AC324, and AC805 on the task role): each fails on what it names, does not apply
where the launch type cannot have the setting, and is undecided where the case does not know it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from archcase.checks.engine import check
from archcase.models import Architecture

RULES = ("AC320", "AC321", "AC322", "AC323", "AC324", "AC805")


def outcomes(**settings: Any) -> dict[str, str]:
    """Rule id -> `pass`, `n/a`, or the status and message of its finding, on one ECS service."""
    report = check(Architecture.model_validate({"name": "t", "title": "t", "services": [
        {"id": "web", "kind": "ecs-service", **settings}], "flows": []}))
    found = {f.rule_id: f"{f.status}: {f.message}" for f in report.findings if f.rule_id in RULES}
    return {rule: found.get(rule, "pass" if report.applicable.get(rule) else "n/a") for rule in RULES}


def test_a_secure_fargate_service_passes_and_privileged_does_not_apply():
    assert outcomes() == {"AC320": "pass", "AC321": "n/a", "AC322": "pass", "AC323": "pass", "AC324": "pass", "AC805": "pass"}


def test_an_insecure_service_fails_each_rule_naming_it():
    found = outcomes(logging=False, read_only_root_filesystem=False, public_ip=True, container_insights=False,
                     broad_permissions=["s3:* on *"])
    assert found["AC320"] == "fail: containers of ECS service 'web' have no log driver: their output is lost"
    assert found["AC322"] == "fail: containers of ECS service 'web' can write to their root filesystem"
    assert found["AC323"] == "fail: tasks of ECS service 'web' get public IP addresses"
    assert found["AC324"] == "fail: the cluster of ECS service 'web' does not collect Container Insights"
    assert found["AC805"] == "fail: the role of 'web' allows s3:* on *"


def test_on_ec2_privileged_applies_and_public_ip_does_not():
    found = outcomes(launch_type="ec2", privileged=True)
    assert found["AC321"] == "fail: a container of ECS service 'web' runs privileged (root on its instance)"
    assert found["AC323"] == "n/a"


def test_what_the_case_does_not_know_is_undecided():
    found = outcomes(logging=None, read_only_root_filesystem=None, container_insights=None, launch_type="ec2", privileged=None)
    assert all(found[rule].startswith("unknown: ") for rule in ("AC320", "AC321", "AC322", "AC324")), found


@pytest.mark.parametrize(("settings", "says"), [
    ({"privileged": True}, "Fargate runs no privileged container"),
    ({"launch_type": "ec2", "public_ip": True}, "tasks on EC2 instances get no public IP address"),
])
def test_impossible_combinations_are_refused_with_the_reason(settings, says):
    with pytest.raises(ValidationError, match=says):
        Architecture.model_validate({"name": "t", "title": "t", "services": [{"id": "web", "kind": "ecs-service", **settings}]})
