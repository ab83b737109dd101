"""Where a delivery stream delivers and where a workgroup writes its results, as a template states it: every
Firehose destination type (its backup bucket delivered to, its processors transforming, a domain or cluster of
the template used), and a destination or result location outside the template read as such, so that AC703
and AC705 do not fail on what the template cannot show."""

from __future__ import annotations

import json

import pytest

from archcase.checks.engine import check
from archcase.importer import import_template
from archcase.models import Architecture

ROLE = "arn:aws:iam::123456789012:role/firehose"
FN = {"Type": "AWS::Lambda::Function", "Properties": {
    "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r", "Timeout": 60,
    "Code": {"ZipFile": "def handler(event, context): pass"}}}
BACKUP = {"BucketARN": {"Fn::GetAtt": ["Backup", "Arn"]}, "RoleARN": ROLE, "Prefix": "failed/"}
PROCESSING = {"Enabled": True, "Processors": [{"Type": "Lambda", "Parameters": [
    {"ParameterName": "LambdaArn", "ParameterValue": {"Fn::GetAtt": ["Fn", "Arn"]}}]}]}
DOMAIN = {"Type": "AWS::OpenSearchService::Domain", "Properties": {}}


def imported(tmp_path, resources: dict, parameters: dict | None = None) -> Architecture:
    path = tmp_path / "template.json"
    body: dict = {"Resources": resources}
    if parameters:
        body["Parameters"] = parameters
    path.write_text(json.dumps(body), encoding="utf-8")
    return import_template(path).architecture


def findings(case: Architecture, rule: str) -> list[tuple[str, str]]:
    return [(f.status, f.message) for f in check(case).findings if f.rule_id == rule]


def stream(destination: str, configuration: dict) -> dict:
    return {"Stream": {"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": {
        "DeliveryStreamType": "DirectPut", destination: configuration}},
        "Backup": {"Type": "AWS::S3::Bucket", "Properties": {}}, "Fn": FN}


DESTINATIONS: dict[str, tuple[str, dict, dict]] = {
    "elasticsearch": ("ElasticsearchDestinationConfiguration", {
        "DomainARN": {"Fn::GetAtt": ["Domain", "DomainArn"]}, "IndexName": "i", "RoleARN": ROLE}, {"Domain": DOMAIN}),
    "opensearch": ("AmazonopensearchserviceDestinationConfiguration", {
        "DomainARN": {"Fn::GetAtt": ["Domain", "Arn"]}, "IndexName": "i", "RoleARN": ROLE}, {"Domain": DOMAIN}),
    "opensearch serverless": ("AmazonOpenSearchServerlessDestinationConfiguration", {
        "CollectionEndpoint": {"Fn::GetAtt": ["Collection", "CollectionEndpoint"]}, "IndexName": "i", "RoleARN": ROLE},
        {"Collection": {"Type": "AWS::OpenSearchServerless::Collection", "Properties": {"Name": "c"}}}),
    "http endpoint": ("HttpEndpointDestinationConfiguration", {
        "EndpointConfiguration": {"Url": "https://example.com/ingest"}, "RoleARN": ROLE}, {}),
    "redshift": ("RedshiftDestinationConfiguration", {
        "ClusterJDBCURL": {"Fn::Sub": "jdbc:redshift://${Cluster.Endpoint.Address}:5439/dev"}, "CopyCommand": {"DataTableName": "t"},
        "Username": "u", "Password": "p", "RoleARN": ROLE},
        {"Cluster": {"Type": "AWS::Redshift::Cluster", "Properties": {}}}),
    "splunk": ("SplunkDestinationConfiguration", {"HECEndpoint": "https://splunk.example.com", "HECEndpointType": "Raw",
                                                  "HECToken": "t"}, {}),
    "snowflake": ("SnowflakeDestinationConfiguration", {"AccountUrl": "https://a.snowflakecomputing.com", "Database": "d",
                                                        "Schema": "s", "Table": "t", "RoleARN": ROLE}, {}),
    "iceberg": ("IcebergDestinationConfiguration", {
        "CatalogConfiguration": {"CatalogArn": "arn:aws:glue:us-east-1:123456789012:catalog"}, "RoleARN": ROLE}, {}),
}
"""Each destination type, with a backup bucket and a processor added below, and the resource it names (if any)."""


@pytest.mark.parametrize("name", sorted(DESTINATIONS))
def test_every_destination_type_delivers_its_backup_and_is_transformed_by_its_processors(tmp_path, name):
    prop, configuration, named = DESTINATIONS[name]
    resources = {**stream(prop, {**configuration, "S3Configuration": BACKUP, "ProcessingConfiguration": PROCESSING}), **named}
    case = imported(tmp_path, resources)
    flows = sorted((f.kind, f.target) for f in case.flows if f.source == "stream")
    uses = [("uses", next(iter(named)).lower())] if named else []
    assert flows == sorted([("delivers", "backup"), ("transforms", "fn"), *uses])
    assert next(f for f in case.flows if f.kind == "delivers").prefix == "failed/"
    assert case.service("stream").external_destination
    assert findings(case, "AC703") == []
    assert findings(case, "AC311") == []
    assert findings(case, "AC709") == [("fail", "delivery stream 'stream' delivers uncompressed objects")]


def test_an_s3_destination_in_the_template_is_its_destination_and_its_backup_bucket_another(tmp_path):
    destination = {"BucketARN": {"Fn::GetAtt": ["Lake", "Arn"]}, "RoleARN": ROLE, "Prefix": "raw/", "CompressionFormat": "GZIP",
                   "S3BackupMode": "Enabled", "S3BackupConfiguration": BACKUP, "ProcessingConfiguration": PROCESSING}
    resources = {**stream("ExtendedS3DestinationConfiguration", destination), "Lake": {"Type": "AWS::S3::Bucket", "Properties": {}}}
    case = imported(tmp_path, resources)
    assert sorted((f.kind, f.target, getattr(f, "prefix", None)) for f in case.flows if f.source == "stream") == [
        ("delivers", "backup", "failed/"), ("delivers", "lake", "raw/"), ("transforms", "fn", None)]
    assert not case.service("stream").external_destination
    assert findings(case, "AC703") == [] and findings(case, "AC709") == []


@pytest.mark.parametrize("bucket", [{"Ref": "LogBucketArn"}, "arn:aws:s3:::someone-elses-bucket",
                                    {"Fn::ImportValue": "shared-log-bucket-arn"}])
def test_a_delivery_stream_to_a_bucket_outside_the_template_delivers(tmp_path, bucket):
    resources = {"Stream": {"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": {
        "ExtendedS3DestinationConfiguration": {"BucketARN": bucket, "RoleARN": ROLE}}}}
    case = imported(tmp_path, resources, {"LogBucketArn": {"Type": "String"}})
    assert case.service("stream").external_destination
    assert [f for f in case.flows if f.source == "stream"] == []
    assert findings(case, "AC703") == []


def test_a_delivery_stream_with_no_destination_it_can_name_still_delivers_nowhere():
    case = Architecture.model_validate({"name": "t", "title": "t", "services": [{"id": "stream", "kind": "firehose"}]})
    assert findings(case, "AC703") == [("fail", "delivery stream 'stream' delivers nowhere")]


def workgroup(configuration: dict) -> dict:
    return {"Queries": {"Type": "AWS::Athena::WorkGroup", "Properties": {"Name": "q", "WorkGroupConfiguration": configuration}},
            "Results": {"Type": "AWS::S3::Bucket", "Properties": {}}}


UNDECIDED = ("unknown", "workgroup 'queries' writes its results to a location outside the case (undecided: its template gives "
                        "it by a parameter or an S3 URI outside the template, or leaves it to each query)")


@pytest.mark.parametrize(("configuration", "expected"), [
    ({"ResultConfiguration": {"OutputLocation": {"Ref": "ResultsUri"}}, "EnforceWorkGroupConfiguration": True}, [UNDECIDED]),
    ({"ResultConfiguration": {"OutputLocation": "s3://someone-elses-bucket/results/"}, "EnforceWorkGroupConfiguration": True},
     [UNDECIDED]),
    ({"PublishCloudWatchMetricsEnabled": True}, [UNDECIDED]),
    ({"EnforceWorkGroupConfiguration": True}, [("fail", "workgroup 'queries' has no result location (a `writes` flow to a bucket)")]),
    ({"ResultConfiguration": {"OutputLocation": {"Fn::Sub": "s3://${Results}/out/"}}}, []),
])
def test_a_workgroup_whose_results_go_outside_the_template_is_undecided(tmp_path, configuration, expected):
    case = imported(tmp_path, workgroup(configuration), {"ResultsUri": {"Type": "String"}})
    assert case.service("queries").external_results == (expected == [UNDECIDED])
    assert findings(case, "AC705") == expected
