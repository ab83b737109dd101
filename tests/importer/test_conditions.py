"""A template's conditions are not guessed: a setting under `Fn::If` is read both ways, a finding that holds
whichever way the condition goes is reported, and one that holds only one way is undecided, with the reason."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archcase import api

VERSIONED = {"Status": "Enabled"}
NO_VALUE = {"Ref": "AWS::NoValue"}


def template(versioning: object, tables: object | None = None) -> dict:
    resources: dict = {"Data": {"Type": "AWS::S3::Bucket", "Properties": {"VersioningConfiguration": versioning}}}
    if tables is not None:
        resources["Items"] = {"Type": "AWS::DynamoDB::Table", "Properties": {
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST", "PointInTimeRecoverySpecification": tables}}
    return {"Parameters": {"Stage": {"Type": "String", "AllowedValues": ["dev", "prod"]}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}}, "Resources": resources}


def statuses(tmp_path, body: dict, rule: str) -> list[tuple[str, str]]:
    path = tmp_path / "template.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    (report,) = api.check([path])
    return [(f.status, f.message) for f in report.findings if f.rule_id == rule]


@pytest.mark.parametrize("branches", [[VERSIONED, NO_VALUE], [NO_VALUE, VERSIONED], [VERSIONED, {"Status": "Suspended"}]])
def test_a_setting_one_branch_fails_is_undecided(tmp_path, branches):
    ((status, message),) = statuses(tmp_path, template({"Fn::If": ["IsProd", *branches]}), "AC403")
    assert status == "unknown" and "undecided: the template's conditions decide" in message


def test_a_setting_every_branch_fails_is_a_finding(tmp_path):
    body = template({"Fn::If": ["IsProd", {"Status": "Suspended"}, NO_VALUE]})
    assert statuses(tmp_path, body, "AC403") == [("fail", "bucket 'data' keeps no object versions")]


def test_a_setting_every_branch_passes_is_no_finding(tmp_path):
    assert statuses(tmp_path, template({"Fn::If": ["IsProd", VERSIONED, VERSIONED]}), "AC403") == []


@given(st.lists(st.booleans(), min_size=2, max_size=2), st.lists(st.booleans(), min_size=2, max_size=2))
def test_a_finding_is_reported_as_failing_exactly_when_every_branch_fails(tmp_path_factory, versioned, recovered):
    """Two settings under one condition, each branch on or off: fail when both branches are off, undecided
    when one is, nothing when neither is."""
    folder = tmp_path_factory.mktemp("conditions")
    versioning = {"Fn::If": ["IsProd", *(VERSIONED if on else {"Status": "Suspended"} for on in versioned)]}
    recovery = {"Fn::If": ["IsProd", *({"PointInTimeRecoveryEnabled": on} for on in recovered)]}
    body = template(versioning, recovery)
    for rule, branches in (("AC403", versioned), ("AC405", recovered)):
        expected = [] if all(branches) else ["fail"] if not any(branches) else ["unknown"]
        assert [status for status, _ in statuses(folder, body, rule)] == expected, rule


@pytest.mark.parametrize(("default", "status"), [("", "unknown"), ("trail-logs", "fail")])
def test_a_finding_on_a_resource_the_defaults_do_not_deploy_is_undecided_naming_the_condition(tmp_path, default, status):
    """Found by the precision review: a function deployed only when a parameter is set, which its default is not,
    was reported as failing."""
    body = {"Parameters": {"TrailGroup": {"Type": "String", "Default": default}},
            "Conditions": {"HasTrail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "TrailGroup"}, ""]}]}},
            "Resources": {"Watcher": {"Type": "AWS::Lambda::Function", "Condition": "HasTrail", "Properties": {
                "Runtime": "python3.13", "Handler": "a.b", "Role": "arn:aws:iam::123456789012:role/r", "Code": {"ZipFile": "x"}}}}}
    ((found, message),) = statuses(tmp_path, body, "AC302")
    assert found == status
    named = "deployed only when condition 'HasTrail' is true, which the parameters' defaults make false" in message
    assert named is (status == "unknown")
