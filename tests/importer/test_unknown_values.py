"""Values a template does not give are not guessed (importer/unknowns.py): a setting given by a parameter with
no default, a Systems Manager parameter or `Fn::ImportValue` makes a finding that some allowed value would not
give undecided, naming the property and where its value comes from; never a failure on a guess."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from archcase import api
from archcase.importer.unknowns import Leaf, leaves, values

KEY = {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
       "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}
GOOD: dict[str, Any] = {
    "Data": {"Type": "AWS::S3::Bucket", "Properties": {
        "VersioningConfiguration": {"Status": "Enabled"},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True}}},
    "Items": {"Type": "AWS::DynamoDB::Table", "Properties": {
        **KEY, "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "DeletionProtectionEnabled": True, "SSESpecification": {"SSEEnabled": True}}},
    "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"SqsManagedSseEnabled": True}},
}
"""Resources whose settings pass the rules that read them."""
SETTINGS: list[tuple[str | int, ...]] = [
    ("Data", "Properties", "VersioningConfiguration", "Status"),
    *[("Data", "Properties", "PublicAccessBlockConfiguration", key)
      for key in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets")],
    ("Items", "Properties", "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled"),
    ("Items", "Properties", "DeletionProtectionEnabled"),
    ("Items", "Properties", "SSESpecification", "SSEEnabled"),
    ("Jobs", "Properties", "SqsManagedSseEnabled"),
]
"""Settings whose CloudFormation schema allows a few values (a boolean, a short enum): each is varied."""
UNKNOWN: dict[str, tuple[Any, dict[str, Any] | None]] = {
    "no default": ({"Ref": "Given"}, {"Type": "String"}),
    "from Systems Manager": ({"Ref": "Given"}, {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/app/setting"}),
    "imported": ({"Fn::ImportValue": "shared-setting"}, None),
}


def findings(tmp_path, body: dict[str, Any]) -> dict[tuple[str, str], tuple[str, str]]:
    path = tmp_path / "template.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    (report,) = api.check([path])
    return {(f.rule_id, f.target): (f.status, f.message) for f in report.findings if f.status in ("fail", "unknown")}


def unknown_at(where: tuple[str | int, ...], how: str) -> dict[str, Any]:
    """The good template with the setting at `where` given the way `how` names."""
    resources = copy.deepcopy(GOOD)
    node: Any = resources
    for part in where[:-1]:
        node = node[part]
    value, parameter = UNKNOWN[how]
    node[where[-1]] = value
    return {"Resources": resources, **({"Parameters": {"Given": parameter}} if parameter else {})}


@given(st.sampled_from(SETTINGS), st.sampled_from(sorted(UNKNOWN)))
def test_a_setting_the_template_does_not_give_fails_nothing_its_value_would_pass(tmp_path_factory, where, how):
    folder = tmp_path_factory.mktemp("unknown")
    before = findings(folder, {"Resources": GOOD})
    after = findings(folder, unknown_at(where, how))
    assert {key for key, (status, _) in after.items() if status == "fail"} <= {key for key, (status, _) in before.items()
                                                                               if status == "fail"}
    new = {key: message for key, (status, message) in after.items() if key not in before}
    assert all("undecided: it turns on a value the template does not give" in m and f"{where[-1]}` of" in m for m in new.values()), new


def test_a_setting_given_by_a_parameter_without_default_is_undecided_with_the_reason(tmp_path):
    where = ("Items", "Properties", "PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled")
    status, message = findings(tmp_path, unknown_at(where, "no default"))[("AC405", "items")]
    assert status == "unknown"
    assert message.endswith("(undecided: it turns on a value the template does not give: "
                            "`PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled` of 'Items' is parameter 'Given', "
                            "which has no default)")


def test_a_systems_manager_parameters_default_is_its_name_not_its_value(tmp_path):
    """`Default: PassThrough` of an SSM parameter names a parameter in Systems Manager: the tracing mode it holds is
    not known, so 'not traced' is not a finding on it."""
    body = {"Parameters": {"Mode": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "PassThrough"}},
            "Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {
                "Runtime": "python3.13", "Handler": "app.handler", "InlineCode": "x", "Tracing": {"Ref": "Mode"}}}},
            "Transform": "AWS::Serverless-2016-10-31"}
    status, message = findings(tmp_path, body)[("AC302", "fn")]
    assert status == "unknown" and "`Tracing` of 'Fn' is parameter 'Mode', read from Systems Manager" in message


def test_a_value_chosen_for_what_the_template_does_not_give_makes_no_finding_of_its_own(tmp_path):
    """The runtime is unknown: some of the runtimes Lambda accepts are deprecated, but saying so would be a guess."""
    body = {"Parameters": {"Runtime": {"Type": "String"}},
            "Resources": {"Fn": {"Type": "AWS::Serverless::Function", "Properties": {
                "Runtime": {"Ref": "Runtime"}, "Handler": "app.handler", "InlineCode": "x", "Tracing": "Active"}}},
            "Transform": "AWS::Serverless-2016-10-31"}
    assert [key for key in findings(tmp_path, body) if key[0] == "AC301"] == []


def test_the_values_a_property_may_take_come_from_its_cloudformation_schema():
    def leaf(*names: str | int) -> Leaf:
        return Leaf(("Resources", "R", "Properties", *names), "R", "unknown")

    assert values("AWS::Lambda::Function", leaf("TracingConfig", "Mode")) == ("Active", "PassThrough")
    assert values("AWS::DynamoDB::Table", leaf("PointInTimeRecoverySpecification", "PointInTimeRecoveryEnabled")) == (True, False)
    assert values("AWS::Lambda::Function", leaf("MemorySize")) == (128, 32768)
    assert "AES256" in values("AWS::S3::Bucket", leaf("BucketEncryption", "ServerSideEncryptionConfiguration", 0,
                                                      "ServerSideEncryptionByDefault", "SSEAlgorithm"))
    assert values("AWS::S3::Bucket", leaf("BucketName")) == ()  # free text: nothing to vary
    assert values("Custom::Thing", leaf("Anything")) == ()
    assert values("AWS::Serverless::Function", leaf("Tracing")) == ("Active", "PassThrough")
    in_a_branch = Leaf(("Resources", "R", "Properties", "TracingConfig", "Fn::If", 1, "Mode"), "R", "unknown")
    assert in_a_branch.name == "TracingConfig.Mode" and values("AWS::Lambda::Function", in_a_branch) == ("Active", "PassThrough")


def test_the_unknown_properties_are_whole_values_of_parameters_imports_and_custom_resources():
    body = {"Parameters": {"Free": {"Type": "String"}, "Named": {"Type": "String", "Default": "x"}},
            "Conditions": {"On": {"Fn::Equals": ["a", "a"]}},
            "Resources": {"Lookup": {"Type": "Custom::Lookup", "Properties": {"ServiceToken": "arn"}},
                          "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                              "TracingConfig": {"Mode": {"Fn::GetAtt": ["Lookup", "Mode"]}},
                              "MemorySize": {"Fn::If": ["On", {"Ref": "Free"}, 128]},
                              "Timeout": {"Ref": "Named"},
                              "FunctionName": {"Fn::Sub": "${Free}-fn"},
                              "Layers": [{"Fn::ImportValue": "shared-layer"}]}}},
            "Globals": {"Function": {"Runtime": {"Ref": "Free"}}}}
    found = {(leaf.resource or "Globals", leaf.name, leaf.why.split(",")[0]) for leaf in leaves(body)}
    assert found == {("Fn", "Layers", "imported from another stack (`Fn::ImportValue`)"),
                     ("Fn", "MemorySize", "parameter 'Free'"),
                     ("Fn", "TracingConfig.Mode", "an attribute of custom resource 'Lookup'"),
                     ("Globals", "Runtime", "parameter 'Free'")}  # not `Timeout` (a default), nor text built with `Fn::Sub`
