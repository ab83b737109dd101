"""A template is checked in every way its conditions can deploy, as its parameters allow: a finding that
holds whenever its resource exists is reported, one that holds only in some ways is undecided (with the
condition that decides it), and one no allowed parameter value can reach is not reported."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archcase import api
from archcase.importer.scenarios import LIMIT, scenarios

NO_VALUE = {"Ref": "AWS::NoValue"}
VERSIONED, SUSPENDED = {"Status": "Enabled"}, {"Status": "Suspended"}


def findings(tmp_path, body: dict, rule: str = "AC403") -> list[tuple[str, str]]:
    path = tmp_path / "template.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    (report,) = api.check([path])
    return [(f.status, f.message) for f in report.findings if f.rule_id == rule]


def bucket(versioning: object, **attributes: object) -> dict:
    return {"Type": "AWS::S3::Bucket", "Properties": {"VersioningConfiguration": versioning}, **attributes}


def test_a_branch_no_allowed_value_reaches_gives_no_finding(tmp_path):
    body = {"Parameters": {"Stage": {"Type": "String", "AllowedValues": ["dev", "prod"]}},
            "Conditions": {"IsTest": {"Fn::Equals": [{"Ref": "Stage"}, "test"]}},
            "Resources": {"Data": bucket({"Fn::If": ["IsTest", SUSPENDED, VERSIONED]})}}
    assert findings(tmp_path, body) == []


def test_the_drawing_takes_the_branch_the_defaults_decide_and_the_other_branch_is_undecided(tmp_path):
    body = {"Parameters": {"Stage": {"Type": "String", "Default": "dev"}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
            "Resources": {"Data": bucket({"Fn::If": ["IsProd", VERSIONED, SUSPENDED]})}}
    assert findings(tmp_path, body) == [(
        "unknown", "bucket 'data' keeps no object versions (undecided: the template's conditions decide: "
        "it holds when condition 'IsProd' is false, not otherwise)")]


@pytest.mark.parametrize(("default", "expected"), [
    ("prod", [("fail", "bucket 'data' keeps no object versions")]),
    ("dev", [("unknown", "bucket 'data' keeps no object versions (undecided: 'data' is deployed only when condition 'IsProd' "
                         "is true, which the parameters' defaults make false)")]),
])
def test_a_finding_on_a_conditional_resource_that_holds_whenever_it_exists_stands_where_the_defaults_deploy_it(
        tmp_path, default, expected):
    """(And whenever its rule applies: a way in which the rule does not apply to it says nothing.) Where the defaults
    do not deploy the resource, whether anyone deploys it is not known: undecided."""
    body = {"Parameters": {"Stage": {"Type": "String", "Default": default}},
            "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
            "Resources": {"Data": bucket(SUSPENDED, Condition="IsProd"), "Other": bucket(VERSIONED)}}
    assert findings(tmp_path, body) == expected


def test_a_setting_under_the_resources_own_condition_is_read_as_that_condition_deploys_it(tmp_path):
    body = {"Parameters": {"Archive": {"Type": "String"}},
            "Conditions": {"Archiving": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Archive"}, ""]}]}},
            "Resources": {"Data": bucket({"Fn::If": ["Archiving", VERSIONED, NO_VALUE]}, Condition="Archiving"),
                          "Other": bucket(VERSIONED)}}
    assert findings(tmp_path, body) == []


def test_a_condition_on_the_region_is_taken_both_ways(tmp_path):
    body = {"Conditions": {"InVirginia": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}},
            "Resources": {"Data": bucket({"Fn::If": ["InVirginia", VERSIONED, SUSPENDED]})}}
    assert findings(tmp_path, body) == [(
        "unknown", "bucket 'data' keeps no object versions (undecided: the template's conditions decide: "
        "it holds when condition 'InVirginia' is false, not otherwise)")]


def test_a_condition_on_a_value_of_another_stack_is_taken_both_ways(tmp_path):
    body = {"Conditions": {"Shared": {"Fn::Equals": [{"Fn::ImportValue": "network-mode"}, "shared"]}},
            "Resources": {"Data": bucket({"Fn::If": ["Shared", SUSPENDED, VERSIONED]})}}
    assert [status for status, _ in findings(tmp_path, body)] == ["unknown"]


# every condition is seen each way its parameters can make it ----------------------------------------------------

VALUES = ("a", "b", "c")
leaf = st.builds(lambda p, v: {"Fn::Equals": [{"Ref": p}, v]}, st.sampled_from(("P", "Q", "R")), st.sampled_from(VALUES))
expressions = st.recursive(leaf, lambda inner: st.one_of(
    st.builds(lambda x: {"Fn::Not": [x]}, inner),
    st.builds(lambda xs: {"Fn::And": xs}, st.lists(inner, min_size=2, max_size=3)),
    st.builds(lambda xs: {"Fn::Or": xs}, st.lists(inner, min_size=2, max_size=3))), max_leaves=6)


def truth(expression: dict, values: dict[str, str]) -> bool:
    """The condition's value, computed here by its definition in the CloudFormation reference."""
    (function, argument), = expression.items()
    if function == "Fn::Equals":
        return values[argument[0]["Ref"]] == argument[1]
    parts = [truth(x, values) for x in argument]
    return not parts[0] if function == "Fn::Not" else all(parts) if function == "Fn::And" else any(parts)


PARAMETERS = ("P", "Q", "R")


def using(conditions: dict) -> dict:
    """A queue under each condition (conditions no resource uses decide nothing, and get no scenarios)."""
    return {f"Queue{name}": {"Type": "AWS::SQS::Queue", "Condition": name} for name in conditions}
conditions_given = st.dictionaries(st.sampled_from(("C1", "C2", "C3")), expressions, min_size=1)


@settings(max_examples=150, deadline=None)
@given(conditions_given, st.fixed_dictionaries({p: st.lists(st.sampled_from(VALUES), min_size=1, max_size=3, unique=True)
                                                for p in PARAMETERS}))
def test_each_condition_is_seen_each_way_the_allowed_values_can_make_it(conditions, allowed):
    parameters = {name: {"Type": "String", "AllowedValues": allowed[name]} for name in PARAMETERS}
    ways = scenarios({"Parameters": parameters, "Conditions": conditions, "Resources": using(conditions)})
    reachable = {(name, truth(expression, dict(zip(allowed, combo, strict=True))))
                 for combo in itertools.product(*allowed.values()) for name, expression in conditions.items()}
    assert 0 < len(ways) <= LIMIT
    for way in ways:
        assert all(value in allowed[name] for name, value in way.values.items()), "a scenario takes allowed values only"
        assert dict(way.truth) == {name: truth(e, dict(way.values)) for name, e in conditions.items()}, "a scenario is what its values give"
    assert {item for way in ways for item in way.truth.items()} == reachable


@settings(max_examples=100, deadline=None)
@given(conditions_given, st.sampled_from(VALUES))
def test_parameters_free_to_take_any_value_give_scenarios_their_values_decide(conditions, default):
    parameters = {name: {"Type": "String", "Default": default} for name in PARAMETERS}
    ways = scenarios({"Parameters": parameters, "Conditions": conditions, "Resources": using(conditions)})
    assert 0 < len(ways) <= LIMIT
    for way in ways:
        assert dict(way.truth) == {name: truth(e, dict(way.values)) for name, e in conditions.items()}


def test_a_bucket_the_template_sends_logs_to_is_a_log_bucket_in_every_way_it_deploys(tmp_path):
    """Logs reach the bucket only when the distribution is deployed; the template made it its log bucket, so its
    own access logs are not asked for in the ways without the distribution either."""
    function = {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r", "Code": {"ZipFile": "x"},
        "Environment": {"Variables": {"ARCHIVE": {"Ref": "Archive"}}}}, "Condition": "WithoutCdn"}
    cdn = {"Type": "AWS::CloudFront::Distribution", "Condition": "WithCdn", "Properties": {"DistributionConfig": {
        "Enabled": True, "Logging": {"Bucket": {"Fn::GetAtt": ["Archive", "RegionalDomainName"]}}}}}
    body = {"Parameters": {"Edge": {"Type": "String", "AllowedValues": ["yes", "no"], "Default": "no"}},
            "Conditions": {"WithCdn": {"Fn::Equals": [{"Ref": "Edge"}, "yes"]}, "WithoutCdn": {"Fn::Equals": [{"Ref": "Edge"}, "no"]}},
            "Resources": {"Archive": bucket(VERSIONED), "Reader": function, "Cdn": cdn}}
    assert findings(tmp_path, body, "AC404") == []
    del body["Resources"]["Cdn"]
    assert findings(tmp_path, body, "AC404") == [("fail", "bucket 'archive' writes no access logs")]


def test_a_way_in_which_the_rule_does_not_apply_leaves_the_finding_standing(tmp_path):
    """A delivery stream delivers uncompressed objects whenever it delivers to a bucket; in the way it has no
    bucket, AC709 does not apply (and says nothing for or against)."""
    destination = {"BucketARN": {"Fn::GetAtt": ["Archive", "Arn"]}, "RoleARN": "arn:aws:iam::123456789012:role/f",
                   "CompressionFormat": "UNCOMPRESSED"}
    stream = {"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": {
        "ExtendedS3DestinationConfiguration": {"Fn::If": ["Archiving", destination, NO_VALUE]}}}
    body = {"Parameters": {"Archive": {"Type": "String", "AllowedValues": ["yes", "no"]}},
            "Conditions": {"Archiving": {"Fn::Equals": [{"Ref": "Archive"}, "yes"]}},
            "Resources": {"Stream": stream, "Archive": bucket(VERSIONED)}}
    assert findings(tmp_path, body, "AC709") == [("fail", "delivery stream 'stream' delivers uncompressed objects")]


def test_a_way_in_which_a_deployed_resource_names_one_not_deployed_is_no_way_it_deploys(tmp_path):
    """With Stage c the function names `Other`, which only Stage b deploys: CloudFormation refuses that, so the
    untraced function of Stage c is no finding."""
    function = {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r", "Code": {"ZipFile": "x"},
        "TracingConfig": {"Mode": {"Fn::If": ["IsC", "PassThrough", "Active"]}},
        "Environment": {"Variables": {"DATA": {"Fn::If": ["IsA", {"Ref": "Data"}, {"Ref": "Other"}]}}}}}
    body = {"Parameters": {"Stage": {"Type": "String", "AllowedValues": ["a", "b", "c"]}},
            "Conditions": {"IsA": {"Fn::Equals": [{"Ref": "Stage"}, "a"]}, "IsB": {"Fn::Equals": [{"Ref": "Stage"}, "b"]},
                           "IsC": {"Fn::Equals": [{"Ref": "Stage"}, "c"]}},
            "Resources": {"Fn": function, "Data": bucket(VERSIONED), "Other": bucket(VERSIONED, Condition="IsB")}}
    assert findings(tmp_path, body, "AC302") == []
    body["Resources"]["Other"].pop("Condition")
    assert [status for status, _ in findings(tmp_path, body, "AC302")] == ["unknown"]


def test_a_setting_given_by_a_parameter_without_default_is_read_for_each_allowed_value(tmp_path):
    function = {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r", "Code": {"ZipFile": "x"},
        "TracingConfig": {"Mode": {"Ref": "Tracing"}}}}
    body = {"Parameters": {"Tracing": {"Type": "String", "AllowedValues": ["Active", "PassThrough"]}}, "Resources": {"Fn": function}}
    assert findings(tmp_path, body, "AC302") == [("unknown", "function 'fn' is not traced (undecided: the template's conditions "
                                                             "decide: it holds in 1 of the 2 ways they allow)")]
    body["Parameters"]["Tracing"]["AllowedValues"] = ["PassThrough"]
    assert findings(tmp_path, body, "AC302") == [("fail", "function 'fn' is not traced")]
