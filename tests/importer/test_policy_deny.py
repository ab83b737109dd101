"""Deny statements of a role's policies as IAM reads them: an unconditional Deny takes from what the role's Allows
grant (flows, and broad permissions of AC805) exactly where it surely applies; a Deny under a `Condition` may not
hold, so it takes nothing; an Allow of `NotAction` or `NotResource` grants everything but what it lists: broad."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archcase.checks.engine import check
from archcase.importer.denials import disjoint, includes
from archcase.importer.policies import ACTIONS_OF_FLOWS
from archcase.models import Architecture

from .templates import flows, imported

TRUST = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
TABLE = {"Type": "AWS::DynamoDB::Table", "Properties": {
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST"}}
ORDERS = {"Fn::GetAtt": ["Orders", "Arn"]}
OBJECTS = {"Fn::Sub": "${Data.Arn}/*"}
READ_WRITE = ["dynamodb:GetItem", "dynamodb:PutItem"]


def allow(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def function(role: str = "Role") -> dict[str, Any]:
    return {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "app.handler", "Role": {"Fn::GetAtt": [role, "Arn"]},
        "Code": {"ZipFile": "def handler(event, context): pass"}}}


def role(*statements: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": TRUST, **extra,
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": list(statements)}}]}}


def case_of(tmp_path: Path, *statements: dict[str, Any], **extra: Any) -> Architecture:
    """A function whose role has these statements, a table `Orders`, a table `Other`, a bucket `Data`, a queue `Jobs`."""
    return imported(tmp_path, {"Fn": function(), "Role": role(*statements, **extra), "Orders": TABLE, "Other": TABLE,
                               "Data": {"Type": "AWS::S3::Bucket", "Properties": {}},
                               "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {}}})


def broad_findings(case: Architecture) -> list[str]:
    return [f.message for f in check(case).findings if f.rule_id == "AC805"]


# flows ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("refused", "left"), [
    (deny("dynamodb:PutItem", ORDERS), ["reads"]),
    (deny("DYNAMODB:putitem", ORDERS), ["reads"]),  # IAM compares actions without regard to case
    (deny("dynamodb:Put*", {"Fn::Sub": "${Orders.Arn}"}), ["reads"]),  # a wildcard; the same ARN written as Fn::Sub
    (deny("dynamodb:*", "*"), []),
    (deny("*", ORDERS), []),
    (deny(["dynamodb:GetItem", "dynamodb:PutItem"], "*"), []),
    (deny("dynamodb:PutItem", {"Fn::Sub": "${Orders.Arn}/*"}), ["reads", "writes"]),  # the table's indexes, not the table
    (deny("dynamodb:PutItem", {"Fn::GetAtt": ["Other", "Arn"]}), ["reads", "writes"]),  # another table
    (deny("dynamodb:PutItem", "arn:aws:dynamodb:*:*:table/*"), ["reads", "writes"]),  # may name Orders: not known to
    (deny("dynamodb:DeleteItem", ORDERS), ["reads", "writes"]),  # refuses nothing the flows need
    (deny("dynamodb:PutItem", ORDERS, Condition={"Bool": {"aws:SecureTransport": "false"}}), ["reads", "writes"]),
])
def test_an_unconditional_deny_takes_the_flows_whose_actions_it_refuses_on_the_resource(tmp_path, refused, left):
    case = case_of(tmp_path, allow(READ_WRITE, ORDERS), refused)
    assert [kind for source, kind, target in flows(case) if target == "orders"] == left


@pytest.mark.parametrize(("refused", "left"), [
    ({"Effect": "Deny", "NotAction": "dynamodb:Get*", "Resource": "*"}, ["reads"]),  # everything but reads
    ({"Effect": "Deny", "NotAction": ["s3:*", "dynamodb:*"], "Resource": "*"}, ["reads", "writes"]),
    ({"Effect": "Deny", "NotAction": {"Ref": "Unknown"}, "Resource": "*"}, ["reads", "writes"]),  # could exempt anything
    ({"Effect": "Deny", "Action": "dynamodb:*", "NotResource": {"Fn::GetAtt": ["Other", "Arn"]}}, []),  # every table but Other
    ({"Effect": "Deny", "Action": "dynamodb:*", "NotResource": ORDERS}, ["reads", "writes"]),
    ({"Effect": "Deny", "Action": "dynamodb:*", "NotResource": {"Ref": "TableArn"}}, ["reads", "writes"]),  # may be Orders
    ({"Effect": "Deny", "Action": "dynamodb:*", "NotResource": "arn:aws:dynamodb:us-east-1:123456789012:table/x"},
     ["reads", "writes"]),  # a literal ARN may be Orders's
])
def test_not_action_and_not_resource_of_a_deny_refuse_only_what_is_surely_outside_them(tmp_path, refused, left):
    case = case_of(tmp_path, allow(READ_WRITE, ORDERS), refused)
    assert [kind for source, kind, target in flows(case) if target == "orders"] == left


def test_a_deny_of_puts_under_an_allow_of_everything_on_a_bucket_leaves_reads_and_the_broad_grant(tmp_path):
    case = case_of(tmp_path, allow("s3:*", OBJECTS), deny("s3:PutObject", OBJECTS))
    assert flows(case) == [("fn", "reads", "data")]
    assert case.service("fn").broad_permissions == ["s3:* on ${Data.Arn}/*"]


def test_a_deny_of_a_prefix_refuses_that_prefix_only(tmp_path):
    uploads = {"Fn::Sub": "${Data.Arn}/uploads/*"}
    assert flows(case_of(tmp_path, allow("s3:GetObject", uploads), deny("s3:GetObject", OBJECTS))) == []
    assert flows(case_of(tmp_path, allow("s3:GetObject", OBJECTS), deny("s3:GetObject", uploads))) == [("fn", "reads", "data")]


def test_a_deny_in_one_role_takes_nothing_from_another(tmp_path):
    resources = {"A": function("RoleA"), "B": function("RoleB"), "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {}},
                 "RoleA": role(allow("sqs:SendMessage", {"Fn::GetAtt": ["Jobs", "Arn"]}), deny("*", "*")),
                 "RoleB": role(allow("sqs:SendMessage", {"Fn::GetAtt": ["Jobs", "Arn"]}))}
    assert flows(imported(tmp_path, resources)) == [("b", "enqueues", "jobs")]


def test_a_deny_in_a_policy_resource_of_the_role_refuses_what_its_inline_policy_allows(tmp_path):
    policy = {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "guard", "Roles": [{"Ref": "Role"}],
                                                         "PolicyDocument": {"Statement": [deny("sqs:Send*", "*")]}}}
    resources = {"Fn": function(), "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {}}, "Guard": policy,
                 "Role": role(allow("sqs:SendMessage", {"Fn::GetAtt": ["Jobs", "Arn"]}))}
    assert flows(imported(tmp_path, resources)) == []


def test_a_deny_refuses_what_a_sam_policy_template_stands_for(tmp_path):
    def sam(*policies: Any) -> dict[str, Any]:
        return {"Type": "AWS::Serverless::Function", "Properties": {
            "Runtime": "python3.12", "Handler": "app.handler", "CodeUri": "src/", "Policies": list(policies)}}
    crud = {"DynamoDBCrudPolicy": {"TableName": {"Ref": "Orders"}}}
    transform = {"Transform": "AWS::Serverless-2016-10-31"}
    assert flows(imported(tmp_path, {"Fn": sam(crud), "Orders": TABLE}, **transform)) == [
        ("fn", "reads", "orders"), ("fn", "writes", "orders")]
    writes = {"Statement": [deny(["dynamodb:*Item", "dynamodb:PartiQL*"], "*")]}  # every write; reads by Query and Scan remain
    assert flows(imported(tmp_path, {"Fn": sam(crud, writes), "Orders": TABLE}, **transform)) == [("fn", "reads", "orders")]
    everything = {"Statement": [deny("*", "*")]}
    assert flows(imported(tmp_path, {"Fn": sam(crud, everything), "Orders": TABLE}, **transform)) == []


@pytest.mark.parametrize(("refused", "outside"), [
    ([], True),
    ([deny("lambda:Invoke*", "*")], False),
    ([deny("lambda:InvokeFunction", "*", Condition={"Bool": {"aws:SecureTransport": "false"}})], True),
    ([deny("lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:other")], True),
])
def test_a_role_no_service_acts_as_invokes_a_function_unless_its_policy_refuses_it(tmp_path, refused, outside):
    gateway = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    invoke = {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "Roles": [{"Ref": "Role"}], "PolicyDocument": {
        "Statement": [allow("lambda:InvokeFunction", {"Fn::GetAtt": ["Fn", "Arn"]}), *refused]}}}
    resources = {"Fn": function("Own"), "Own": role(), "Invoke": invoke,
                 "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": gateway}}}
    assert imported(tmp_path, resources).service("fn").invoked_from_outside is outside


# broad permissions (AC805) ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("refused", "broad"), [
    (deny("s3:*", "*"), []),  # fully covered
    (deny("*", "*"), []),
    (deny("S3:*", "*"), []),
    (deny(["s3:Get*", "s3:*"], "*"), []),
    (deny("s3:DeleteObject", "*"), ["s3:* on *"]),  # covers part: the rest is still granted
    (deny("s3:*", OBJECTS), ["s3:* on *"]),  # covers one bucket's objects, not every resource
    (deny("s3:*", "*", Condition={"StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}}), ["s3:* on *"]),
    ({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}, []),  # every action but IAM's: s3:* too
    ({"Effect": "Deny", "NotAction": "s3:PutObject", "Resource": "*"}, ["s3:* on *"]),  # s3:* includes the exception
])
def test_a_broad_allow_fully_covered_by_an_unconditional_deny_is_not_broad(tmp_path, refused, broad):
    case = case_of(tmp_path, allow("s3:*", "*"), refused)
    assert case.service("fn").broad_permissions == broad
    assert broad_findings(case) == [f"the role of 'fn' allows {b}" for b in broad]


@pytest.mark.parametrize(("statement", "broad"), [
    ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "every action but iam:* on *"),
    ({"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": ORDERS}, "every action but iam:*,sts:* on Orders"),
    ({"Effect": "Allow", "Action": "s3:GetObject", "NotResource": OBJECTS}, "s3:GetObject on every resource but ${Data.Arn}/*"),
    ({"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"},
     "every action but iam:* on every resource but arn:aws:s3:::secret/*"),
])
def test_an_allow_of_not_action_or_not_resource_grants_everything_but_and_is_broad(tmp_path, statement, broad):
    case = case_of(tmp_path, statement)
    assert case.service("fn").broad_permissions == [broad]
    assert broad_findings(case) == [f"the role of 'fn' allows {broad}"]
    assert flows(case) == []  # like `*`, it states no intent towards any one resource
    assert case_of(tmp_path, statement, deny("*", "*")).service("fn").broad_permissions == []


def test_an_allow_of_not_resource_on_an_action_that_names_no_resource_is_not_broad(tmp_path):
    """`xray:PutTraceSegments` takes only `*`: on every resource but one it is what `*` would be, which is not broad."""
    case = case_of(tmp_path, {"Effect": "Allow", "Action": "xray:PutTraceSegments", "NotResource": ORDERS})
    assert case.service("fn").broad_permissions == []


@pytest.mark.parametrize(("refused", "broad"), [
    (deny("*", "*"), []),
    (deny("*", "*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "false"}}), ["AdministratorAccess on *"]),
    (deny("iam:*", "*"), ["AdministratorAccess on *"]),
])
def test_a_broad_managed_policy_is_not_broad_only_under_a_deny_of_everything(tmp_path, refused, broad):
    case = case_of(tmp_path, refused, ManagedPolicyArns=["arn:aws:iam::aws:policy/AdministratorAccess"])
    assert case.service("fn").broad_permissions == broad


# properties --------------------------------------------------------------------------------------------------------

ACTIONS = sorted({a for actions in ACTIONS_OF_FLOWS.values() for a in actions} | {"s3:*", "dynamodb:*", "sqs:*", "*", "s3:Get*"})
RESOURCES: list[Any] = [ORDERS, OBJECTS, {"Fn::GetAtt": ["Jobs", "Arn"]}, {"Fn::GetAtt": ["Data", "Arn"]}, "*"]
ALLOWS = st.lists(st.builds(allow, st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3),
                            st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=3)), min_size=1, max_size=4)
CONDITION = {"StringEquals": {"aws:PrincipalTag/team": "orders"}}


def _case(statements: list[dict[str, Any]]) -> Architecture:
    with tempfile.TemporaryDirectory() as folder:
        return case_of(Path(folder), *statements)


@settings(max_examples=25, deadline=None)
@given(ALLOWS)
def test_an_unconditional_deny_of_everything_leaves_the_role_no_flow_and_nothing_broad(allows):
    case = _case([*allows, deny("*", "*")])
    assert [f for f in flows(case) if f[0] == "fn"] == []
    assert case.service("fn").broad_permissions == []


@settings(max_examples=25, deadline=None)
@given(ALLOWS, st.sampled_from(ACTIONS), st.sampled_from(RESOURCES), st.booleans())
def test_a_conditional_deny_changes_nothing(allows, action, resource, negated):
    refused = deny(action, resource, Condition=CONDITION)
    if negated:
        refused = {"Effect": "Deny", "NotAction": action, "NotResource": resource, "Condition": CONDITION}
    before, after = _case(allows), _case([*allows, refused])
    assert flows(after) == flows(before)
    assert after.service("fn").broad_permissions == before.service("fn").broad_permissions


@settings(max_examples=25, deadline=None)
@given(ALLOWS, st.sampled_from(ACTIONS), st.sampled_from(RESOURCES))
def test_an_unconditional_deny_only_takes_away(allows, action, resource):
    before, after = _case(allows), _case([*allows, deny(action, resource)])
    assert set(flows(after)) <= set(flows(before))
    assert set(after.service("fn").broad_permissions) <= set(before.service("fn").broad_permissions)


NAMES = st.text("ab", max_size=4)
PATTERNS = st.text("ab*?", max_size=4)


@given(PATTERNS, PATTERNS, NAMES)
def test_a_pattern_includes_another_only_when_every_name_of_the_other_is_its_own(pattern, other, name):
    from fnmatch import fnmatchcase
    if includes(pattern, other) and fnmatchcase(name, other):
        assert fnmatchcase(name, pattern)
    if disjoint(pattern, other):
        assert not (fnmatchcase(name, pattern) and fnmatchcase(name, other))


@pytest.mark.parametrize(("pattern", "other", "included"), [
    ("s3:*", "s3:get*", True), ("*", "s3:getobject", True), ("s3:get?bject", "s3:getobject", True),
    ("s3:get?", "s3:get*", False), ("s3:getobject", "s3:get*", False), ("${Data.Arn}/*", "${Data.Arn}/uploads/*", True),
    ("${Data.Arn}/*", "${Data.Arn}", False),
])
def test_includes(pattern, other, included):
    assert includes(pattern, other) is included
