"""Templates are read as AWS deploys them today, so that findings on them are worth acting on: the default
CloudFront certificate's TLS floor, subscribers outside the template, encryption a delivery stream fed by
Kinesis cannot take (docs/aws-defaults.md)."""

from __future__ import annotations

import json

import pytest

from archcase.checks.engine import check
from archcase.importer import import_template
from archcase.models import Architecture

from .templates import imported


def findings(tmp_path, resources: dict, rule: str) -> list[str]:
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": resources}), encoding="utf-8")
    return [f.message for f in check(import_template(path).architecture).findings if f.rule_id == rule]


def distribution(certificate: dict) -> dict:
    return {"Cdn": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
        "Enabled": True, "ViewerCertificate": certificate,
        "DefaultCacheBehavior": {"ViewerProtocolPolicy": "redirect-to-https", "TargetOriginId": "o"}}}}}


@pytest.mark.parametrize("certificate", [
    {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1.2_2021"},
    {"CloudFrontDefaultCertificate": True},
    {"AcmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x", "MinimumProtocolVersion": "TLSv1"},
])
def test_a_distribution_accepting_tls1_is_found(tmp_path, certificate):
    assert findings(tmp_path, distribution(certificate), "AC105") == ["distribution 'cdn' accepts TLSv1"]


def test_a_distribution_with_its_own_certificate_and_a_tls12_floor_passes(tmp_path):
    certificate = {"AcmCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x", "MinimumProtocolVersion": "TLSv1.2_2021"}
    assert findings(tmp_path, distribution(certificate), "AC105") == []


def topic(*protocols: str) -> dict:
    publisher = {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "a.h", "Code": {"ZipFile": "x"}, "Role": "arn:aws:iam::123456789012:role/r",
        "Environment": {"Variables": {"TOPIC": {"Ref": "Alerts"}}}}}
    resources = {"Alerts": {"Type": "AWS::SNS::Topic", "Properties": {}}, "Fn": publisher}
    for i, protocol in enumerate(protocols):
        resources[f"Sub{i}"] = {"Type": "AWS::SNS::Subscription", "Properties": {
            "TopicArn": {"Ref": "Alerts"}, "Protocol": protocol, "Endpoint": "ops@example.com"}}
    return resources


@pytest.mark.parametrize("protocol", ["email", "https", "sms"])
def test_a_topic_with_subscribers_outside_the_template_has_subscribers(tmp_path, protocol):
    assert findings(tmp_path, topic(protocol), "AC605") == []


def test_a_topic_nobody_subscribes_to_is_found(tmp_path):
    assert findings(tmp_path, topic(), "AC605") == ["topic 'alerts' has no subscribers"]


def test_a_delivery_stream_fed_by_kinesis_is_not_asked_for_its_own_encryption():
    def case(source: dict, flows: list) -> Architecture:
        return Architecture.model_validate({"name": "t", "title": "t", "services": [
            source, {"id": "fh", "kind": "firehose", "encryption": False}, {"id": "lake", "kind": "s3"}],
            "flows": [*flows, {"from": "fh", "to": "lake", "kind": "delivers"}]})

    fed = case({"id": "ks", "kind": "kinesis-stream"}, [{"from": "ks", "to": "fh", "kind": "delivers"}])
    assert not [f for f in check(fed).findings if f.rule_id == "AC702"]
    direct = case({"id": "dev", "kind": "iot-device"}, [{"from": "dev", "to": "fh", "kind": "puts-records"}])
    assert [f.message for f in check(direct).findings if f.rule_id == "AC702"] == ["delivery stream 'fh' is not encrypted"]


def bucket_denying(statement: dict) -> dict:
    return {"Data": {"Type": "AWS::S3::Bucket", "Properties": {}},
            "DataPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "Data"}, "PolicyDocument": {
                "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", **statement}]}}}}


OBJECTS = {"Fn::Sub": "${Data.Arn}/*"}


@pytest.mark.parametrize(("statement", "enforced"), [
    ({"Resource": [{"Fn::GetAtt": ["Data", "Arn"]}, OBJECTS], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, True),
    ({"Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["Data", "Arn"]}, "/*"]]},
      "Condition": {"Bool": {"aws:SecureTransport": False}}}, True),
    ({"Resource": OBJECTS, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, False),
    ({"Resource": {"Fn::GetAtt": ["Data", "Arn"]}, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}, False),
    ({"Resource": OBJECTS, "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}}}, False),
])
def test_a_bucket_refuses_plain_http_only_when_its_policy_denies_it_on_the_objects(tmp_path, statement, enforced):
    assert findings(tmp_path, bucket_denying(statement), "AC402") == ([] if enforced else
                                                                      ["bucket 'data' accepts plain HTTP requests"])


WEBSITE = {"IndexDocument": "index.html"}


@pytest.mark.parametrize(("block", "policy", "served"), [
    (None, None, False),  # public access blocked by default since April 2023: the endpoint answers 403
    ({"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}, None, False),
    ({"BlockPublicAcls": False, "BlockPublicPolicy": False, "IgnorePublicAcls": False, "RestrictPublicBuckets": False},
     {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": {"Fn::Sub": "${Site.Arn}/*"}}, True),
])
def test_a_website_configuration_serves_a_website_only_when_the_public_may_read(tmp_path, block, policy, served):
    properties: dict = {"WebsiteConfiguration": WEBSITE, **({"PublicAccessBlockConfiguration": block} if block else {})}
    resources: dict = {"Site": {"Type": "AWS::S3::Bucket", "Properties": properties}}
    if policy:
        resources["Policy"] = {"Type": "AWS::S3::BucketPolicy", "Properties": {
            "Bucket": {"Ref": "Site"}, "PolicyDocument": {"Statement": [policy]}}}
    assert findings(tmp_path, resources, "AC103") == (["bucket 'site' is served as an HTTP-only website endpoint"] if served else [])


def test_a_delivery_stream_fed_by_cloudwatch_logs_is_not_asked_to_compress_again(tmp_path):
    stream = {"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": {"ExtendedS3DestinationConfiguration": {
        "BucketARN": {"Fn::GetAtt": ["Archive", "Arn"]}, "RoleARN": "arn:aws:iam::123456789012:role/f",
        "CompressionFormat": "UNCOMPRESSED"}}}
    resources = {"Stream": stream, "Archive": {"Type": "AWS::S3::Bucket", "Properties": {}}}
    assert findings(tmp_path, resources, "AC709") == ["delivery stream 'stream' delivers uncompressed objects"]
    resources["Subscription"] = {"Type": "AWS::Logs::SubscriptionFilter", "Properties": {
        "LogGroupName": "/aws/lambda/other", "FilterPattern": "", "DestinationArn": {"Fn::GetAtt": ["Stream", "Arn"]},
        "RoleArn": "arn:aws:iam::123456789012:role/logs"}}
    assert findings(tmp_path, resources, "AC709") == []


def test_a_bucket_others_write_logs_to_is_not_asked_for_access_logs_of_its_own(tmp_path):
    logs = {"Type": "AWS::S3::Bucket", "Properties": {}}
    site = {"Type": "AWS::S3::Bucket", "Properties": {"LoggingConfiguration": {"DestinationBucketName": {"Ref": "Logs"}}}}
    reader = {"Type": "AWS::Lambda::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r", "Code": {"ZipFile": "x"},
        "Environment": {"Variables": {"LOGS": {"Ref": "Logs"}}}}}
    assert findings(tmp_path, {"Logs": logs, "Site": site, "Reader": reader}, "AC404") == []
    assert findings(tmp_path, {"Logs": logs, "Reader": reader}, "AC404") == ["bucket 'logs' writes no access logs"]


@pytest.mark.parametrize(("roles", "guests"), [
    (None, True),  # no attachment in the template: the pool says guests are allowed, and that stands
    ({"authenticated": "arn:aws:iam::123456789012:role/signed-in"}, False),
    ({"authenticated": "arn:aws:iam::123456789012:role/a", "unauthenticated": "arn:aws:iam::123456789012:role/g"}, True),
])
def test_guests_of_an_identity_pool_get_credentials_only_through_a_guest_role(tmp_path, roles, guests):
    """Found by the precision review: `AllowUnauthenticatedIdentities: true` with an attachment that maps only an
    authenticated role gives guests an identity and no credentials (AC504)."""
    resources: dict = {"Pool": {"Type": "AWS::Cognito::IdentityPool", "Properties": {"AllowUnauthenticatedIdentities": True}}}
    if roles is not None:
        resources["Roles"] = {"Type": "AWS::Cognito::IdentityPoolRoleAttachment",
                              "Properties": {"IdentityPoolId": {"Ref": "Pool"}, "Roles": roles}}
    assert imported(tmp_path, resources).service("pool").allow_unauthenticated is guests


@pytest.mark.parametrize(("amr", "guests"), [("authenticated", False), ("unauthenticated", True), (None, True)])
def test_a_guest_role_that_trusts_only_signed_in_users_gives_guests_no_credentials(tmp_path, amr, guests):
    """Found by the precision review: the attachment named one role for both, and its trust policy allowed only
    `amr: authenticated`, so guests could assume nothing (AC504 was false)."""
    condition: dict = {"StringEquals": {"cognito-identity.amazonaws.com:aud": {"Ref": "Pool"}}}
    if amr:
        condition["ForAnyValue:StringLike"] = {"cognito-identity.amazonaws.com:amr": amr}
    role = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": condition}]}}}
    arn = {"Fn::GetAtt": ["Access", "Arn"]}
    resources = {"Pool": {"Type": "AWS::Cognito::IdentityPool", "Properties": {"AllowUnauthenticatedIdentities": True}},
                 "Access": role, "Roles": {"Type": "AWS::Cognito::IdentityPoolRoleAttachment", "Properties": {
                     "IdentityPoolId": {"Ref": "Pool"}, "Roles": {"authenticated": arn, "unauthenticated": arn}}}}
    assert imported(tmp_path, resources).service("pool").allow_unauthenticated is guests
