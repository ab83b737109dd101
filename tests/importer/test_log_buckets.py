"""A bucket a template sends only logs to is a service of its own (found by the recall review: such buckets were
folded into what logs there, so no S3 rule judged them): the S3 rules hold for it, but its own access logs would be
logs of logging (AC404 does not ask for them). In a template archcase emitted, the case says what the services are."""

from __future__ import annotations

import json

import pytest

from archcase import api
from archcase.models import Architecture
from archcase.render.cloudformation.emit import template_text

from ..render.cloudformation.conftest import write_handlers
from .templates import imported

CDN = {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
    "Enabled": True, "Logging": {"Bucket": {"Fn::GetAtt": ["Logs", "RegionalDomainName"]}}}}}
SECURE = {"VersioningConfiguration": {"Status": "Enabled"}}


def tls_only(bucket: str) -> dict:
    return {"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": bucket}, "PolicyDocument": {"Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        "Resource": [{"Fn::GetAtt": [bucket, "Arn"]}, {"Fn::Sub": f"${{{bucket}.Arn}}/*"}]}]}}}


@pytest.mark.parametrize(("properties", "policy", "expected"), [
    ({}, False, {"AC402", "AC403"}),
    (SECURE, True, set()),
])
def test_a_bucket_only_logs_reach_is_checked_as_a_bucket_but_not_for_its_own_access_logs(tmp_path, properties, policy, expected):
    resources = {"Cdn": CDN, "Logs": {"Type": "AWS::S3::Bucket", "Properties": properties}}
    if policy:
        resources["LogsPolicy"] = tls_only("Logs")
    case = imported(tmp_path, resources)
    logs = case.service("logs")
    assert (logs.kind, logs.receives_logs) == ("s3", True)
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": resources}), encoding="utf-8")
    (report,) = api.check([path])
    assert {f.rule_id for f in report.findings if f.target == "logs" and f.status == "fail"} == expected


def test_an_emitted_templates_log_bucket_stays_with_what_logs_there(tmp_path):
    case = Architecture.model_validate({"name": "site", "title": "Site", "services": [
        {"id": "cdn", "kind": "cloudfront"}, {"id": "assets", "kind": "s3"}],
        "flows": [{"from": "cdn", "to": "assets", "kind": "origin"}]})
    text = template_text(case, write_handlers(tmp_path / "handlers", [case]))
    assert "AccessLogs:\n    Type: AWS::S3::Bucket" in text  # where the distribution and the bucket log
    path = tmp_path / "site.yaml"
    path.write_text(text, encoding="utf-8")
    assert sorted(s.id for s in api.read_any(path).architecture.services) == ["assets", "cdn"]
