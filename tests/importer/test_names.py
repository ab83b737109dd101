"""Services of an imported template are named as a person named them: the AWS CDK's construct path or its
logical id without the CDK's hash, acronyms kept whole."""

from __future__ import annotations

import json

import pytest

from archcase.importer import import_template, kebab, readable

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
