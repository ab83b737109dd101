"""Import of small templates: services, settings and flows read from what the template says; what is not
modelled kept and reported; bad templates refused with a located message."""

from __future__ import annotations

import json
import re
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archcase.cli import main
from archcase.importer import import_template
from archcase.models import CaseError


def write(tmp_path, text, name="template.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


SAM = """\
    AWSTemplateFormatVersion: '2010-09-09'
    Transform: AWS::Serverless-2016-10-31
    Description: Orders service
    Globals:
      Function:
        Runtime: python3.12
        Timeout: 20
        Tracing: Active
    Resources:
      Orders:
        Type: AWS::DynamoDB::Table
        Properties:
          BillingMode: PAY_PER_REQUEST
          AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
          KeySchema: [{AttributeName: pk, KeyType: HASH}]
          StreamSpecification: {StreamViewType: NEW_IMAGE}
      Uploads:
        Type: AWS::S3::Bucket
      Jobs:
        Type: AWS::SQS::Queue
      OrdersFunction:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          CodeUri: src/
          Environment:
            Variables:
              TABLE: !Ref Orders
              MODE: fast
          Policies:
            - DynamoDBCrudPolicy: {TableName: !Ref Orders}
            - Statement:
                - Effect: Allow
                  Action: s3:GetObject
                  Resource: !Sub "arn:aws:s3:::${Uploads}/incoming/*"
          Events:
            List:
              Type: Api
              Properties: {Path: /orders, Method: get}
            Upload:
              Type: S3
              Properties:
                Bucket: !Ref Uploads
                Events: s3:ObjectCreated:*
                Filter: {S3Key: {Rules: [{Name: suffix, Value: .csv}]}}
            Work:
              Type: SQS
              Properties: {Queue: !GetAtt Jobs.Arn, BatchSize: 5}
      Vpc:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.0.0.0/16}
      OtherVpc:
        Type: AWS::EC2::VPC
        Properties: {CidrBlock: 10.1.0.0/16}
"""


def test_sam_template_gives_services_settings_and_flows(tmp_path):
    imported = import_template(write(tmp_path, SAM))
    arch = imported.architecture
    kinds = {s.id: s.kind for s in arch.services}
    assert kinds == {"orders": "dynamodb", "uploads": "s3", "jobs": "sqs", "orders-function": "lambda",
                     "vpc": "generic", "other-vpc": "generic", "serverless-rest-api": "api-gateway"}
    function = arch.service("orders-function")
    assert (function.runtime, function.timeout_s, function.tracing, function.environment) == ("python3.12", 20, True, {"MODE": "fast"})
    assert arch.service("orders").point_in_time_recovery is False  # left out of the template: as AWS deploys it
    flows = {(f.source, f.kind, f.target): f for f in arch.flows}
    assert flows[("serverless-rest-api", "invokes", "orders-function")].routes == ["GET /orders"]
    assert flows[("uploads", "triggers", "orders-function")].suffix == ".csv"
    assert flows[("jobs", "triggers", "orders-function")].batch_size == 5
    assert ("orders-function", "reads", "orders") in flows and ("orders-function", "writes", "orders") in flows
    assert flows[("orders-function", "reads", "uploads")].prefix == "incoming/"


def test_unmodelled_types_are_kept_and_reported_once_per_type(tmp_path):
    imported = import_template(write(tmp_path, SAM))
    notes = [n for n in imported.notes if "not modelled" in n.message]
    assert len(notes) == 1 and "AWS::EC2::VPC" in notes[0].message and "vpc, other-vpc" in notes[0].message
    assert notes[0].severity == "note" and notes[0].line == textwrap.dedent(SAM).splitlines().index("  Vpc:") + 1


def test_cloudfront_origin_access_and_findings_located_in_the_template(tmp_path, capsys):
    path = write(tmp_path, """\
        Resources:
          Site:
            Type: AWS::S3::Bucket
          Identity:
            Type: AWS::CloudFront::CloudFrontOriginAccessIdentity
            Properties: {CloudFrontOriginAccessIdentityConfig: {Comment: site}}
          Cdn:
            Type: AWS::CloudFront::Distribution
            Properties:
              DistributionConfig:
                Enabled: true
                Origins:
                  - Id: site
                    DomainName: !GetAtt Site.RegionalDomainName
                    S3OriginConfig: {OriginAccessIdentity: !Sub "origin-access-identity/cloudfront/${Identity}"}
                DefaultCacheBehavior: {TargetOriginId: site, ViewerProtocolPolicy: allow-all}
        """)
    arch = import_template(path).architecture
    (origin,) = arch.flows
    assert (origin.kind, origin.access, origin.source, origin.target) == ("origin", "oai", "cdn", "site")
    assert arch.service("cdn").viewer_protocol == "allow-all"
    assert main(["check", str(path), "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)
    located = {f["target"]: f["line"] for case in findings["cases"] for f in case["findings"]}
    assert located["cdn"] == 7


@pytest.mark.parametrize(("text", "message", "line"), [
    ("Resources:\n  A:\n    Properties: {}\n", "resource 'A' has no `Type`", 2),
    ("Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: !Bogus x}\n", "unknown tag '!Bogus'", 4),
    ("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n", "`Resources` is empty", 2),
])
def test_bad_templates_are_refused_with_file_and_line(tmp_path, text, message, line):
    path = write(tmp_path, text)
    with pytest.raises(CaseError) as caught:
        import_template(path)
    (diagnostic,) = caught.value.diagnostics
    assert message in diagnostic.message and diagnostic.line == line and diagnostic.file == str(path)


def test_json_with_tabs_is_read(tmp_path):
    path = write(tmp_path, '{\n\t"Resources": {\n\t\t"Queue": {"Type": "AWS::SQS::Queue"}\n\t}\n}\n', "t.json")
    (queue,) = import_template(path).architecture.services
    assert (queue.kind, queue.visibility_timeout_s) == ("sqs", 30)


def test_nested_stacks_transforms_and_imports_are_reported(tmp_path):
    path = write(tmp_path, """\
        Transform: [AWS::Serverless-2016-10-31, MyMacro]
        Resources:
          Child:
            Type: AWS::CloudFormation::Stack
            Properties: {TemplateURL: child.yaml}
          Queue:
            Type: AWS::SQS::Queue
            Properties: {QueueName: !ImportValue shared-name}
        """)
    messages = " | ".join(n.message for n in import_template(path).notes)
    assert "nested stack 'Child'" in messages and "'MyMacro' is not applied" in messages and "Fn::ImportValue" in messages


def test_import_command_writes_a_valid_case(tmp_path, capsys):
    out = tmp_path / "cases" / "orders.yaml"
    assert main(["import", str(write(tmp_path, SAM)), "--out", str(out)]) == 0
    assert main(["validate", str(out)]) == 0
    assert "7 services" in capsys.readouterr().out


def test_a_template_gets_the_findings_of_its_case(tmp_path):
    from archcase.api import checked, load_cases
    from archcase.render.cloudformation.emit import template_text

    from ..render.cloudformation.conftest import CASES
    from .test_round_trip import HANDLERS

    for name, architecture in CASES.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(template_text(architecture, HANDLERS), encoding="utf-8")
        (from_case,) = checked(load_cases([f"cases/{name}.yaml"]), "default")
        (from_template,) = checked(load_cases([path]), "default")
        assert [(f.rule_id, f.target, f.status) for f in from_template.findings] == \
               [(f.rule_id, f.target, f.status) for f in from_case.findings], name


@pytest.mark.parametrize(("logical_id", "expected"), [
    ("TodoApi", "todo-api"), ("MyDDBTable", "my-ddb-table"), ("RecordIPv6", "record-ipv6"), ("IPv4Address", "ipv4-address"),
    ("OAuthCallback", "oauth-callback"), ("GraphQLApi", "graphql-api"), ("S3Bucket", "s3-bucket"), ("1stQueue", "r-1st-queue"),
])
def test_service_ids_read_like_the_logical_ids(logical_id, expected):
    from archcase.importer import kebab

    assert kebab(logical_id) == expected


@given(st.text(max_size=300))
def test_every_logical_id_gives_a_valid_service_id(logical_id):
    from archcase.importer import kebab
    from archcase.models.base import ID_PATTERN

    assert re.fullmatch(ID_PATTERN, kebab(logical_id))


@pytest.mark.parametrize(("name", "text", "line"), [
    ("template.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {FifoQueue: false}\n"
                      "  Q:\n    Type: AWS::SQS::Queue\n    Properties: {FifoQueue: true}\n", 5),
    ("template.json", '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": false}},\n'
                      '"Q": {"Type": "AWS::SQS::Queue", "Properties": {"FifoQueue": true}}}}', 2),
])
def test_a_template_with_a_duplicate_key_imports_the_last_value_with_a_warning(tmp_path, name, text, line):
    imported = import_template(write(tmp_path, text, name))
    assert imported.architecture.service("q").fifo is True  # CloudFormation keeps the last value
    (warning,) = [d for d in imported.notes if "duplicate key 'Q'" in d.message]
    assert (warning.severity, warning.line) == ("warning", line)
    assert "first given at line" in warning.message
