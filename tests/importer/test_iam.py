"""IAM as the importer reads it: every principal of a role gets its flows, actions make flows only when they
allow what the flow does (deletes and configuration do not), and AWS managed policies that allow wildcards on
every resource are broad permissions (AC805)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archcase.checks.engine import check
from archcase.importer import import_template
from archcase.importer.policies import ACTIONS_OF_FLOWS, grants

TRUST = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def function(role: str = "Role", **extra: object) -> dict:
    return {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "app.handler", "Role": {"Fn::GetAtt": [role, "Arn"]},
        "Code": {"ZipFile": "def handler(event, context): pass"}, **extra}}


def role(*statements: dict, **extra: object) -> dict:
    return {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": TRUST, **extra,
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", **s} for s in statements]}}]}}


def imported(tmp_path, resources: dict, transform: bool = False):
    body: dict = {"Resources": resources}
    if transform:
        body["Transform"] = "AWS::Serverless-2016-10-31"
    path = tmp_path / "template.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    return import_template(path).architecture


TABLE = {"Type": "AWS::DynamoDB::Table", "Properties": {
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST"}}
ON_TABLE = {"Fn::GetAtt": ["Orders", "Arn"]}


def test_a_role_two_functions_share_gives_both_its_flows(tmp_path):
    resources = {"Reader": function(), "Writer": function(), "Orders": TABLE,
                 "Role": role({"Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": ON_TABLE})}
    flows = sorted((f.source, f.kind, f.target) for f in imported(tmp_path, resources).flows)
    assert flows == [("reader", "reads", "orders"), ("reader", "writes", "orders"),
                     ("writer", "reads", "orders"), ("writer", "writes", "orders")]


def test_a_policy_resource_attached_to_a_shared_role_reaches_every_function_of_it(tmp_path):
    policy = {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "q", "Roles": [{"Ref": "Role"}], "PolicyDocument": {
        "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": {"Fn::GetAtt": ["Jobs", "Arn"]}}]}}}
    resources = {"A": function(), "B": function(), "Role": role({"Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}),
                 "Policy": policy, "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {}}}
    flows = sorted((f.source, f.kind, f.target) for f in imported(tmp_path, resources).flows)
    assert flows == [("a", "enqueues", "jobs"), ("b", "enqueues", "jobs")]


def test_an_auto_scaling_group_acts_as_the_role_of_its_instance_profile(tmp_path):
    resources = {
        "Orders": TABLE, "Role": role({"Action": "dynamodb:Query", "Resource": ON_TABLE}, AssumeRolePolicyDocument={"Statement": [
            {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": "sts:AssumeRole"}]}),
        "Profile": {"Type": "AWS::IAM::InstanceProfile", "Properties": {"Roles": [{"Ref": "Role"}]}},
        "Launch": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {
            "ImageId": "ami-12345678", "InstanceType": "t3.micro", "IamInstanceProfile": {"Arn": {"Fn::GetAtt": ["Profile", "Arn"]}}}}},
        "Web": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
            "MinSize": "1", "MaxSize": "2", "AvailabilityZones": ["us-east-1a"],
            "LaunchTemplate": {"LaunchTemplateId": {"Ref": "Launch"}, "Version": {"Fn::GetAtt": ["Launch", "LatestVersionNumber"]}}}}}
    flows = sorted((f.source, f.kind, f.target) for f in imported(tmp_path, resources).flows)
    assert flows == [("web", "reads", "orders")]


def test_a_role_a_function_passes_to_another_service_is_not_the_functions(tmp_path):
    scheduler_trust = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    passed = role({"Action": "ses:SendEmail", "Resource": "*"}, AssumeRolePolicyDocument=scheduler_trust)
    own = role({"Action": "dynamodb:GetItem", "Resource": ON_TABLE})
    scheduler = function("Own", Environment={"Variables": {"SCHEDULE_ROLE": {"Fn::GetAtt": ["Passed", "Arn"]}}})
    case = imported(tmp_path, {"Fn": scheduler, "Own": own, "Passed": passed, "Orders": TABLE})
    assert case.service("fn").broad_permissions == []
    assert sorted((f.source, f.kind, f.target) for f in case.flows) == [("fn", "reads", "orders")]


@pytest.mark.parametrize(("actions", "kinds"), [
    (["s3:PutBucketNotification"], []),
    (["s3:DeleteObject"], []),
    (["s3:GetObject"], ["reads"]),
    (["s3:PutObject", "s3:PutObjectAcl"], ["writes"]),
    (["s3:Get*"], ["reads"]),
    (["s3:Put*"], ["writes"]),
    (["s3:*"], ["reads", "writes"]),
    (["dynamodb:DeleteItem"], []),
    (["dynamodb:DescribeTable"], []),
    (["*"], []),  # every action of every service: a broad permission (AC805), no statement of what the function does
])
def test_only_actions_that_read_or_write_objects_are_reads_or_writes(tmp_path, actions, kinds):
    bucket = {"Type": "AWS::S3::Bucket", "Properties": {}}
    resources = {"Fn": function(), "Data": bucket, "Orders": TABLE,
                 "Role": role({"Action": actions, "Resource": [{"Fn::Sub": "${Data.Arn}/*"}, ON_TABLE]})}
    found = sorted({f.kind for f in imported(tmp_path, resources).flows if f.source == "fn"})
    assert found == kinds


@pytest.mark.parametrize(("attached", "broad"), [
    ("arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess", ["AmazonDynamoDBFullAccess on *"]),
    ({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonS3ReadOnlyAccess"}, ["AmazonS3ReadOnlyAccess on *"]),
    ("arn:aws:iam::aws:policy/AdministratorAccess", ["AdministratorAccess on *"]),
    ("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole", []),
    ("arn:aws:iam::aws:policy/ResourceGroupsandTagEditorReadOnlyAccess", []),  # lists tags and groups: metadata
    ("arn:aws:iam::123456789012:policy/AmazonDynamoDBFullAccess", []),  # the account's own policy of that name: not AWS's
])
def test_an_aws_managed_policy_that_allows_wildcards_on_everything_is_broad(tmp_path, attached, broad):
    resources = {"Fn": function(), "Role": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": TRUST, "ManagedPolicyArns": [attached]}}}
    case = imported(tmp_path, resources)
    assert case.service("fn").broad_permissions == broad
    assert [f.message for f in check(case).findings if f.rule_id == "AC805"] == (
        [f"the role of 'fn' allows {broad[0]}"] if broad else [])


def test_a_sam_function_naming_a_managed_policy_by_name_is_read(tmp_path):
    sam = {"Type": "AWS::Serverless::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "app.handler", "CodeUri": "src/",
        "Policies": ["AWSLambdaBasicExecutionRole", "AmazonSQSFullAccess"]}}
    assert imported(tmp_path, {"Fn": sam}, transform=True).service("fn").broad_permissions == ["AmazonSQSFullAccess on *"]


FLOWS = sorted(ACTIONS_OF_FLOWS)


@given(st.sampled_from(FLOWS), st.data())
def test_an_action_grants_its_flow_and_so_does_every_wildcard_covering_it(flow, data):
    action = data.draw(st.sampled_from(ACTIONS_OF_FLOWS[flow]))
    service, name = action.split(":")
    cut = data.draw(st.integers(0, len(name)))
    assert grants([action], flow)
    assert grants([f"{service}:{name[:cut]}*"], flow)
    assert grants([action.upper()], flow)  # IAM compares actions without regard to case
    assert not grants([f"{service}x:{name}"], flow)


OTHER_TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/other"


@pytest.mark.parametrize(("resource", "caches"), [("*", True), (ON_TABLE, True), (OTHER_TABLE, False)])
def test_a_dax_cluster_caches_the_table_its_role_names_or_any_its_clients_name_when_it_may_read_all(tmp_path, resource, caches):
    dax_role = {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Statement": [
            {"Effect": "Allow", "Principal": {"Service": "dax.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": resource}]}}]}}
    cluster = {"Type": "AWS::DAX::Cluster", "Properties": {
        "NodeType": "dax.t3.small", "ReplicationFactor": 3, "IAMRoleARN": {"Fn::GetAtt": ["DaxRole", "Arn"]}}}
    client = function("Role", Environment={"Variables": {"DAX": {"Fn::GetAtt": ["Cache", "ClusterDiscoveryEndpoint"]},
                                                         "TABLE": {"Ref": "Orders"}}})
    resources = {"Fn": client, "Role": role({"Action": "dax:GetItem", "Resource": "*"}), "DaxRole": dax_role, "Cache": cluster,
                 "Orders": TABLE}
    flows = sorted((f.source, f.kind, f.target) for f in imported(tmp_path, resources).flows)
    assert flows == ([("cache", "caches", "orders"), ("fn", "reads", "cache")] if caches
                     else [("fn", "reads", "cache"), ("fn", "reads", "orders")])


@pytest.mark.parametrize(("resources", "prefix"), [
    ([{"Fn::Sub": "${Data.Arn}/uploads/*"}], "uploads/"),
    ([{"Fn::Sub": "${Data.Arn}/uploads/*"}, {"Fn::Sub": "${Data.Arn}/uploads/*"}], "uploads/"),
    ([{"Fn::Sub": "${Data.Arn}/uploads/*"}, {"Fn::Sub": "${Data.Arn}/reports/*"}], None),  # reaches both: no one prefix
    ([{"Fn::Sub": "${Data.Arn}/uploads/*"}, {"Fn::Sub": "${Data.Arn}/*"}], None),  # the whole bucket
])
def test_statements_on_one_bucket_keep_a_prefix_only_when_they_all_name_it(tmp_path, resources, prefix):
    statements = [{"Action": "s3:GetObject", "Resource": resource} for resource in resources]
    case = imported(tmp_path, {"Fn": function(), "Data": {"Type": "AWS::S3::Bucket", "Properties": {}}, "Role": role(*statements)})
    assert [(f.kind, f.prefix) for f in case.flows if f.source == "fn"] == [("reads", prefix)]


@pytest.mark.parametrize(("action", "broad"), [
    ("sqs:SendMessage*", False),  # only SendMessage (SendMessageBatch is allowed by it)
    ("kinesis:PutRecord*", False),  # PutRecord and PutRecords: the puts-records flow
    ("dynamodb:BatchGet*", False),
    ("s3:PutObject*", True),  # also PutObjectAcl: who may read the object
    ("dynamodb:Get*", False),  # GetItem, GetRecords, GetResourcePolicy, ...: reads only, on named resources
    ("dynamodb:*", True),
    ("sqs:*", True),
])
def test_a_wildcard_action_is_broad_unless_it_stands_only_for_actions_that_make_flows(tmp_path, action, broad):
    """Found by the precision review: `sqs:SendMessage*` on one queue was reported as broad as `sqs:*`."""
    resources = {"Fn": function(), "Orders": TABLE, "Data": {"Type": "AWS::S3::Bucket"}, "Jobs": {"Type": "AWS::SQS::Queue"},
                 "Clicks": {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1}},
                 "Role": role({"Action": [action], "Resource": [ON_TABLE, {"Fn::Sub": "${Data.Arn}/*"},
                                                                {"Fn::GetAtt": ["Jobs", "Arn"]}, {"Fn::GetAtt": ["Clicks", "Arn"]}]})}
    assert bool(imported(tmp_path, resources).service("fn").broad_permissions) is broad


@pytest.mark.parametrize(("statement", "broad"), [
    ({"Action": ["cloudwatch:*", "logs:*"], "Resource": {"Fn::GetAtt": ["Clicks", "Arn"]}}, []),  # nothing of theirs there
    ({"Action": ["cloudwatch:*"], "Resource": {"Fn::Sub": "arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/c"}}, []),
    ({"Action": ["kinesis:*"], "Resource": {"Fn::GetAtt": ["Clicks", "Arn"]}}, ["kinesis:* on Clicks"]),
    ({"Action": ["ssmmessages:*", "ec2:Describe*"], "Resource": "*"}, []),  # no action of theirs names a resource: `*` is the only way
    ({"Action": ["ecs:Submit*", "ssm:UpdateInstanceInformation", "ecr:BatchGetImage"], "Resource": "*"}, []),  # agents' own
    ({"Action": ["ssm:GetParameters"], "Resource": "*"}, ["ssm:GetParameters on *"]),  # reads any parameter: data
    ({"Action": ["kinesis:Describe*", "kinesis:List*"], "Resource": {"Fn::GetAtt": ["Clicks", "Arn"]}}, []),
    ({"Action": ["cognito-idp:AdminGet*", "cognito-idp:AdminList*"], "Resource": {"Fn::GetAtt": ["Users", "Arn"]}}, []),
    ({"Action": ["cognito-idp:Admin*"], "Resource": {"Fn::GetAtt": ["Users", "Arn"]}}, ["cognito-idp:Admin* on Users"]),
    ({"Action": ["kinesis:Describe*", "kinesis:List*"], "Resource": "*"}, []),  # what there is, not what it holds
    ({"Action": ["kinesis:Get*"], "Resource": "*"}, ["kinesis:Get* on *"]),  # GetRecords: every stream's data
    ({"Action": ["s3:ListBucket"], "Resource": "*"}, ["s3:ListBucket on *"]),  # every object's key: data
])
def test_a_wildcard_is_broad_only_where_it_reaches_beyond_what_naming_actions_would(tmp_path, statement, broad):
    """Found by the precision review of high findings: `cloudwatch:*` on a delivery stream grants nothing there,
    `cognito-idp:Describe*` on one user pool only reads it, `ssmmessages:*` takes no resource, and the SSM and ECS
    agents' own actions on `*` are what AWS's managed policies grant them."""
    resources = {"Fn": function(), "Clicks": {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1}}, "Role": role(statement),
                 "Users": {"Type": "AWS::Cognito::UserPool", "Properties": {}}}
    assert imported(tmp_path, resources).service("fn").broad_permissions == broad


def test_a_policy_document_given_as_json_text_is_read_as_the_document_it_stands_for(tmp_path):
    """Found by the precision review: CloudFormation takes a policy document as JSON text (often `!Sub` of it, to
    name resources), and its TLS-only statement went unseen."""
    bucket_policy = {"Fn::Sub": json.dumps({"Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::${Data}/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})}
    role_policy = {"Fn::Sub": json.dumps({"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "${Jobs.Arn}"}]})}
    resources = {"Fn": function(), "Data": {"Type": "AWS::S3::Bucket"}, "Jobs": {"Type": "AWS::SQS::Queue"},
                 "DataPolicy": {"Type": "AWS::S3::BucketPolicy",
                                "Properties": {"Bucket": {"Ref": "Data"}, "PolicyDocument": bucket_policy}},
                 "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": json.dumps(TRUST),
                                                                  "Policies": [{"PolicyName": "p", "PolicyDocument": role_policy}]}}}
    case = imported(tmp_path, resources)
    assert case.service("data").enforce_tls is True
    assert [(f.source, f.kind, f.target) for f in case.flows] == [("fn", "enqueues", "jobs")]


@pytest.mark.parametrize(("statement", "broad"), [
    ({"Action": ["ecs:DescribeContainerInstances"], "Resource": "*",
      "Condition": {"ArnEquals": {"ecs:cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/c"}}}, False),
    ({"Action": ["ec2:StopInstances"], "Resource": "*", "Condition": {"StringEquals": {"aws:ResourceTag/team": "a"}}}, False),
    ({"Action": ["ec2:StopInstances"], "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, True),
    ({"Action": ["cloudwatch:PutMetricData"], "Resource": "*"}, False),  # scoped by namespace, not by a resource
    ({"Action": ["firehose:Get*"], "Resource": "*"}, False),  # no Firehose action starts with Get: grants nothing
    ({"Action": ["firehose:Describe*"], "Resource": "*"}, False),  # describes what there is: metadata
    ({"Action": ["firehose:Put*"], "Resource": "*"}, True),  # puts records into every delivery stream
])
def test_what_a_statement_reaches_on_every_resource_is_read_with_its_conditions(tmp_path, statement, broad):
    """Found by the precision review: a condition on the resource narrows `*`; one on the request does not."""
    resources = {"Fn": function(), "Role": role(statement)}
    assert bool(imported(tmp_path, resources).service("fn").broad_permissions) is broad
