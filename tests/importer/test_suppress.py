"""Suppressions where the finding lives: `Metadata.archcase.suppress` of a template resource."""

from __future__ import annotations

import datetime
import textwrap

import pytest

from archcase import api
from archcase.checks.catalogue import EXPIRED_SUPPRESSION, UNUSED_SUPPRESSION

REASON = "Access logs of this bucket would only record the log shipper itself."
TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Photos:
    Type: AWS::S3::Bucket
    Metadata:
      archcase:
        suppress:
{photos}
  PhotosPolicy:
    Type: AWS::S3::BucketPolicy
    Metadata:
      archcase:
        suppress:
{policy}
    Properties:
      Bucket: !Ref Photos
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:GetObject
            Resource: !Sub "${{Photos.Arn}}/*"
  Account:
    Type: AWS::ApiGateway::Account
    Metadata:
      archcase:
        suppress:
{account}
    Properties:
      CloudWatchRoleArn: arn:aws:iam::123456789012:role/logs
"""
PHOTOS, POLICY, ACCOUNT = 8, 15, 30
"""Line of the first suppression of each resource."""


def entry(rule: str = "AC404", reason: str | None = REASON, **extra: str) -> str:
    lines = [f"- rule: {rule}"] + ([f"  reason: {reason}"] if reason else []) + [f"  {k}: {v}" for k, v in extra.items()]
    return textwrap.indent("\n".join(lines), " " * 10)


@pytest.fixture
def template(tmp_path):
    def write(photos: str | None = None, policy: str | None = None, account: str | None = None):
        path = tmp_path / "shop.yaml"
        path.write_text(TEMPLATE.format(photos=photos or entry(), policy=policy or entry("AC401"),
                                        account=account or entry("AC404")), encoding="utf-8")
        return path

    return write


def findings(path, today=datetime.date(2026, 6, 1)):
    (report,) = api.checked(api.load_cases([path]), "default", today)
    return report.findings


def test_a_suppression_on_a_resource_suppresses_the_finding_on_its_service(template):
    found = findings(template())
    (logs,) = [f for f in found if f.rule_id == "AC404"]
    assert (logs.target, logs.suppressed, logs.suppression_reason) == ("photos", True, REASON)
    assert logs.line == 3  # the finding stays where the bucket is; the suppression is where it is written


def test_one_on_a_resource_that_configures_a_service_suppresses_on_that_service(template):
    (public,) = [f for f in findings(template()) if f.rule_id == "AC401"]
    assert (public.target, public.suppressed) == ("photos", True)


def test_one_on_a_resource_that_is_no_service_is_reported_unused_at_its_line(template):
    (unused,) = [f for f in findings(template()) if f.rule_id == UNUSED_SUPPRESSION]
    assert unused.line == ACCOUNT and "'Account'" in unused.message


def test_an_unused_one_points_at_its_own_line(template):
    found = findings(template(photos=entry("AC402") + "\n" + entry("AC108"), policy=entry("AC108")))
    unused = sorted(f.line for f in found if f.rule_id == UNUSED_SUPPRESSION and "AC108" in f.message)
    assert unused == [PHOTOS + 2, POLICY + 2]  # AC402 fires on the bucket: that one is used; the bucket's two add two lines


def test_an_expired_suppression_stops_suppressing_and_is_reported_at_its_line(template):
    path = template(photos=entry(expires="2026-05-31"))
    found = findings(path)
    (logs,) = [f for f in found if f.rule_id == "AC404"]
    assert not logs.suppressed
    (expired,) = [f for f in found if f.rule_id == EXPIRED_SUPPRESSION]
    assert (expired.line, expired.target) == (PHOTOS, "photos")
    still = findings(path, datetime.date(2026, 5, 31))
    assert [f.suppressed for f in still if f.rule_id == "AC404"] == [True]
    assert EXPIRED_SUPPRESSION not in {f.rule_id for f in still}


@pytest.mark.parametrize(("photos", "line", "words"), [
    (entry(reason=None), PHOTOS, "has no `reason`"),
    (entry(reason="Because."), PHOTOS + 1, "at least a sentence"),
    (entry(expires="2026-02-30"), PHOTOS + 2, "`expires`"),
    (entry(target="photos"), PHOTOS + 2, "remove `target`"),
    (entry(rule="AC9999"), PHOTOS, "`rule`"),
    (entry(rule="AC998"), PHOTOS, "unknown rule id 'AC998'"),
    (entry(owner="me"), PHOTOS + 2, "unknown field 'owner'"),
    ("          rule: AC404", PHOTOS - 1, "not a list"),
])
def test_a_suppression_written_wrong_is_bad_input_at_its_line(template, cli, photos, line, words):
    result = cli("check", str(template(photos=photos)))
    assert result.code == 2
    assert f"shop.yaml:{line}:" in result.err and words in result.err, result.err
    assert "fix:" in result.err


def test_an_imported_case_keeps_template_suppressions(template):
    imported = api.import_template(template())
    assert [(s.rule, s.target) for s in imported.architecture.suppressions] == [("AC404", "photos"), ("AC401", "photos")]
    assert imported.stray and imported.stray[0].line == ACCOUNT
