"""Services of an imported template are named as a person named them: the AWS CDK's construct path or its
logical id without the CDK's hash, acronyms kept whole; where the logical id is not readable, the label is the
name, `Name` tag or short `Description` the template gives (importer/naming.py), and the id stays as it is."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from archcase.importer import import_template, kebab, readable
from archcase.importer.naming import unreadable, words

from .templates import imported

QUEUE = {"Type": "AWS::SQS::Queue", "Properties": {}}


@pytest.mark.parametrize(("logical_id", "expected"), [
    ("DistB3B78991", "dist"), ("MyPublicKey78071F3D", "my-public-key"), ("OrdersTableAF22FD35", "orders-table"),
    ("Backup20240101", "backup20240101"),  # digits only: a date someone wrote, not a hash
    ("DEADBEEF12345678", "deadbeef12345678"),  # no lower-case letter: no CDK construct id
    ("RecordIPv6", "record-ipv6"), ("OAuthCallback", "oauth-callback"), ("MyDDBTable", "my-ddb-table"),
    ("IoTTopicRule", "iot-topic-rule"), ("OrdersDynamoDBTable", "orders-dynamodb-table"), ("ElastiCacheCluster", "elasticache-cluster"),
])
def test_a_logical_id_reads_as_its_author_named_it(logical_id, expected):
    assert kebab(readable(logical_id, {})) == expected


def test_the_cdk_construct_path_names_the_service(tmp_path):
    body = {"Resources": {"OrdersQueueC5B0A9E1": {**QUEUE, "Metadata": {"aws:cdk:path": "ShopStack/Orders/Queue/Resource"}},
                          "ReturnsQueueF00DBA12": QUEUE, "ReturnsQueue0BADF00D": QUEUE}}
    path = tmp_path / "template.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    assert [s.id for s in import_template(path).architecture.services] == ["orders-queue", "returns-queue", "returns-queue-2"]


@pytest.mark.parametrize(("logical_id", "properties", "label"), [
    ("Function1", {"FunctionName": "order-intake"}, "order-intake"),
    ("MyLambdaFunction", {"Tags": [{"Key": "Name", "Value": "Invoice archive"}]}, "Invoice archive"),
    ("OrdersFunction", {"FunctionName": "orders-v2"}, None),  # the id says what it is for: kept as written
    ("Function", {"FunctionName": {"Fn::Sub": "${AWS::StackName}-fn"}}, None),  # a name known only when deployed
    ("Function", {}, None),
])
def test_a_resource_whose_id_says_only_its_type_is_labelled_with_the_name_its_author_gave_it(tmp_path, logical_id, properties, label):
    function = {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "Handler": "a.b", "Role": "arn:aws:iam::1:role/r",
                                                                "Code": {"ZipFile": "x"}, **properties}}
    (service,) = imported(tmp_path, {logical_id: function}).services
    assert service.label == label


# Labels where the logical id is not readable (issue 16) -------------------------------------------------------

RESOURCES = {"AWS::SQS::Queue": "QueueName", "AWS::SNS::Topic": "TopicName", "AWS::S3::Bucket": "BucketName",
             "AWS::Kinesis::Stream": "Name", "AWS::Serverless::SimpleTable": "TableName"}
"""Resource types read without any required property, and the property that names each."""

camel_words = st.from_regex(r"[A-Z][a-z]{2,8}", fullmatch=True)
cdk_hash = st.from_regex(r"[0-9A-F]{8}", fullmatch=True).filter(lambda h: not h.isdigit() and not h.isalpha())
names = st.from_regex(r"[a-z][a-z0-9]{2,10}(-[a-z0-9]{2,10}){0,3}", fullmatch=True)


def _import(resources: dict[str, object]) -> object:
    with tempfile.TemporaryDirectory() as folder:
        return imported(Path(folder), resources)


@settings(max_examples=30, deadline=None)
@given(st.lists(camel_words, min_size=1, max_size=3), cdk_hash, st.sampled_from(sorted(RESOURCES)), names)
def test_a_cdk_logical_id_is_labelled_with_the_literal_name_its_author_gave_and_its_id_is_unchanged(parts, digest, type_, name):
    logical_id = "".join(parts) + digest
    assume(kebab(name) != kebab("".join(parts)) and unreadable(name, {}, kebab(name), type_) != "type")  # it says more than the id
    bare = {"Type": type_, "Properties": {}}
    (before,) = _import({logical_id: bare}).services
    (after,) = _import({logical_id: {**bare, "Properties": {RESOURCES[type_]: name}}}).services
    assert after.id == before.id == kebab("".join(parts))
    assert after.label == name
    assert before.label == " ".join(parts)  # no name given: the logical id's words, without the hash


@settings(max_examples=30, deadline=None)
@given(st.lists(camel_words, min_size=2, max_size=3), st.sampled_from(sorted(RESOURCES)), names, st.sampled_from(["list", "dict"]))
def test_a_readable_logical_id_keeps_its_id_and_gets_no_label_whatever_names_it_has(parts, type_, name, form):
    logical_id = "".join(parts)
    tags = [{"Key": "Name", "Value": name}] if form == "list" else {"Name": name}
    properties = {RESOURCES[type_]: name, "Tags": tags, "Description": "short"}
    (service,) = _import({logical_id: {"Type": type_, "Properties": properties}}).services
    assert (service.id, service.label) == (kebab(logical_id), None)


@pytest.mark.parametrize(("logical_id", "properties", "label"), [
    ("OrdersQueueC5B0A9E1", {"Tags": [{"Key": "Name", "Value": "orders"}]}, "orders"),  # CloudFormation's tag list
    ("OrdersQueueC5B0A9E1", {"QueueName": "intake", "Tags": [{"Key": "Name", "Value": "orders"}]}, "intake"),  # the name first
    ("OrdersQueueC5B0A9E1", {"QueueName": {"Ref": "QueueName"}, "Tags": [{"Key": "Name", "Value": "orders"}]}, "orders"),
    ("OrdersQueueC5B0A9E1", {"QueueName": {"Fn::Sub": "intake-queue"}}, "intake-queue"),  # an Fn::Sub of nothing is text
    ("OrdersQueueC5B0A9E1", {"QueueName": {"Fn::Sub": "${AWS::StackName}-intake"}}, "Orders Queue"),  # known once deployed
    ("OrdersQueueC5B0A9E1", {"QueueName": {"Fn::Join": ["-", [{"Ref": "AWS::StackName"}, "q"]]}}, "Orders Queue"),
    ("MyDDBQueueC5B0A9E1", {}, "My DDB Queue"),  # the words as written
    ("Queue1", {"Description": "Card payments to settle."}, "Card payments to settle"),  # short, one line
    ("Queue1", {"Description": "Card payments to settle, as the payment provider confirms them one by one"}, None),
    ("Queue1", {"Description": "Card payments\nto settle"}, None),
    ("Queue1", {"QueueName": "MyQueue"}, None),  # a name that says no more than the type is no better than the id
    ("Queue20240101093000", {"QueueName": "settlements"}, "settlements"),  # mostly digits
])
def test_a_label_is_the_first_literal_name_that_says_more_than_the_id(tmp_path, logical_id, properties, label):
    parameters = {"QueueName": {"Type": "String", "Default": "intake"}}
    (service,) = imported(tmp_path, {logical_id: {"Type": "AWS::SQS::Queue", "Properties": properties}}, Parameters=parameters).services
    assert service.label == label


def test_a_sam_function_is_labelled_from_its_tags_mapping_and_the_globals(tmp_path):
    function = {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "python3.12", "Handler": "a.b", "CodeUri": "src/"}}
    resources = {"HandlerAB12CD34": function, "Function2": {**function, "Properties": {**function["Properties"], "Tags": {"Name": "own"}}}}
    case = imported(tmp_path, resources, Transform="AWS::Serverless-2016-10-31", Globals={"Function": {"Tags": {"Name": "shared"}}})
    assert {s.id: s.label for s in case.services if s.kind == "lambda"} == {"handler": "shared", "function2": "own"}


@pytest.mark.parametrize(("name", "expected"), [
    ("MyBucket", "My Bucket"), ("MyDDBTable", "My DDB Table"), ("IoTTopicRule", "IoT Topic Rule"), ("RecordIPv6", "Record IPv6"),
    ("S3Bucket", "S3 Bucket"), ("orders_table", "orders table"), ("OrdersDynamoDBTable", "Orders DynamoDB Table"),
])
def test_words_split_a_logical_id_as_its_id_is_split(name, expected):
    assert words(name) == expected
    assert kebab(words(name)) == kebab(name)


def test_metadata_archcase_labels_a_service_itself(tmp_path):
    queue = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "intake"}, "Metadata": {"archcase": {"label": "Intake"}}}
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": {"Queue1": queue}}), encoding="utf-8")
    result = import_template(path)
    assert [s.label for s in result.architecture.services] == ["Intake"]
    assert result.labelled == {}
