"""Checks and template agree: where a rule applies to a case and passes, the emitted template shows the setting
the rule asked for (OAI present, key group trusted, DAX present, ...)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from archcase.checks.engine import check
from archcase.render.cloudformation.emit import template

from ...checks.mutations import flow, svc, variant
from .conftest import CASES, resources_of


def props(document: dict, type_: str) -> list[dict]:
    return [r.get("Properties", {}) for r in resources_of(document, type_).values()]


def behaviours(document: dict) -> list[dict]:
    found = []
    for p in props(document, "AWS::CloudFront::Distribution"):
        config = p["DistributionConfig"]
        found += [config["DefaultCacheBehavior"], *config.get("CacheBehaviors", [])]
    return found


def s3_origins(document: dict) -> list[dict]:
    return [o for p in props(document, "AWS::CloudFront::Distribution") for o in p["DistributionConfig"]["Origins"]
            if "S3OriginConfig" in o]


def buckets(document: dict) -> list[dict]:
    return [r["Properties"] for lid, r in resources_of(document, "AWS::S3::Bucket").items() if lid != "AccessLogs"]


def stage_settings(document: dict) -> list[dict]:
    return [s for p in props(document, "AWS::ApiGateway::Stage") for s in p["MethodSettings"]]


SHOWN: dict[str, Callable[[dict], bool]] = {
    "AC101": lambda d: all(o["S3OriginConfig"]["OriginAccessIdentity"] or o.get("OriginAccessControlId") for o in s3_origins(d)),
    "AC102": lambda d: any("CanonicalUser" in str(p["PolicyDocument"]) or "cloudfront.amazonaws.com" in str(p["PolicyDocument"])
                           for p in props(d, "AWS::S3::BucketPolicy")),
    "AC104": lambda d: all(b["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only") for b in behaviours(d)),
    "AC109": lambda d: bool(props(d, "AWS::CloudFront::KeyGroup")) and all(b.get("TrustedKeyGroups") for b in behaviours(d)),
    "AC203": lambda d: all("AccessLogSetting" in p for p in props(d, "AWS::ApiGateway::Stage")),
    "AC204": lambda d: all(p["TracingEnabled"] for p in props(d, "AWS::ApiGateway::Stage")),
    "AC205": lambda d: any(s.get("CachingEnabled") and s["HttpMethod"] == "GET" for s in stage_settings(d)),
    "AC206": lambda d: all(s["CacheDataEncrypted"] for s in stage_settings(d) if s.get("CachingEnabled")),
    "AC302": lambda d: all(p["TracingConfig"]["Mode"] == "Active" for p in props(d, "AWS::Lambda::Function")),
    "AC305": lambda d: all(p.get("FunctionResponseTypes") == ["ReportBatchItemFailures"]
                           for p in props(d, "AWS::Lambda::EventSourceMapping") if p.get("BatchSize") != 1),
    "AC309": lambda d: all(p["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] == "required"
                           for p in props(d, "AWS::EC2::LaunchTemplate")),
    "AC401": lambda d: all(all(b.get("PublicAccessBlockConfiguration", {}).get(k) for k in
                               ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"))
                           for b in buckets(d)),
    "AC402": lambda d: len([p for p in props(d, "AWS::S3::BucketPolicy") if "DenyInsecureTransport" in str(p)])
                       == len(resources_of(d, "AWS::S3::Bucket")),
    "AC403": lambda d: all(b.get("VersioningConfiguration") == {"Status": "Enabled"} for b in buckets(d)),
    "AC404": lambda d: all("LoggingConfiguration" in r["Properties"] for lid, r in resources_of(d, "AWS::S3::Bucket").items()
                           if lid != "AccessLogs" and not r.get("Metadata", {}).get("archcase", {}).get("receives_logs")),
    "AC405": lambda d: all(p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] for p in props(d, "AWS::DynamoDB::Table"))
                       and all(r["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
                               for p in props(d, "AWS::DynamoDB::GlobalTable") for r in p["Replicas"]),
    "AC408": lambda d: bool(props(d, "AWS::DAX::Cluster")),
    "AC409": lambda d: all(p["SSESpecification"]["SSEEnabled"] for p in props(d, "AWS::DAX::Cluster")),
    "AC410": lambda d: all(p["ClusterEndpointEncryptionType"] == "TLS" for p in props(d, "AWS::DAX::Cluster")),
    "AC411": lambda d: all(p["ReplicationFactor"] >= 3 for p in props(d, "AWS::DAX::Cluster")),
    "AC502": lambda d: all(p["MfaConfiguration"] != "OFF" for p in props(d, "AWS::Cognito::UserPool")),
    "AC503": lambda d: all(p["UserPoolAddOns"]["AdvancedSecurityMode"] == "ENFORCED" for p in props(d, "AWS::Cognito::UserPool")),
    "AC504": lambda d: all(not p["AllowUnauthenticatedIdentities"] for p in props(d, "AWS::Cognito::IdentityPool")),
    "AC601": lambda d: all(p.get("SqsManagedSseEnabled") or p.get("KmsMasterKeyId") for p in props(d, "AWS::SQS::Queue")),
    "AC604": lambda d: all(p.get("KmsMasterKeyId") for p in props(d, "AWS::SNS::Topic")),
    "AC701": lambda d: all(p.get("StreamEncryption") for p in props(d, "AWS::Kinesis::Stream")),
    "AC706": lambda d: all(p["WorkGroupConfiguration"]["EnforceWorkGroupConfiguration"] for p in props(d, "AWS::Athena::WorkGroup")),
    "AC707": lambda d: all(p["WorkGroupConfiguration"]["ResultConfiguration"].get("EncryptionConfiguration")
                           for p in props(d, "AWS::Athena::WorkGroup")),
    "AC708": lambda d: all(p["WorkGroupConfiguration"].get("BytesScannedCutoffPerQuery") for p in props(d, "AWS::Athena::WorkGroup")),
    "AC115": lambda d: bool(props(d, "AWS::DynamoDB::GlobalTable")),
}
"""For each rule, what a template that honours it shows."""

REPORTS = {case: check(architecture) for case, architecture in CASES.items()}
PASSING = [(case, rule) for case, report in sorted(REPORTS.items()) for rule in sorted(SHOWN)
           if report.applicable[rule] and not any(f.rule_id == rule for f in report.findings)]
"""(case, rule) where the rule applies to something in the case and passes."""


@pytest.mark.parametrize(("case", "rule"), PASSING)
def test_a_passing_rule_shows_in_the_template(templates, case, rule):
    assert SHOWN[rule](templates[case])


def test_every_rule_with_a_template_setting_passes_in_some_case():
    assert {rule for _case, rule in PASSING} == set(SHOWN)


@pytest.mark.parametrize(("rule", "case", "ops"), [
    ("AC101", "paid-content", [flow("content-cdn", "origin", "premium-content", access="none")]),
    ("AC403", "myblog", [svc("photos", versioning=False)]),
    ("AC401", "myblog", [svc("photos", block_public_access=False)]),
    ("AC502", "mytodolist", [svc("user-pool", mfa="off")]),
])
def test_a_failing_rule_shows_in_the_template_too(handlers, rule, case, ops):
    broken = variant(case, *ops)
    assert any(f.rule_id == rule for f in check(broken).findings)
    assert not SHOWN[rule](template(broken, handlers))
