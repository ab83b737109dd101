"""Cases beyond the six that once emitted templates cfn-lint rejects (issue 14): each now emits a clean template
that does what the case says, or is refused with a located message."""

from __future__ import annotations

import pytest
from cfnlint.api import ManualArgs, lint

from archcase.render.cloudformation.emit import template
from archcase.render.cloudformation.yaml_out import dump

from ...checks.mutations import add, flow, variant
from .conftest import resources_of


def lint_messages(document: dict) -> list[str]:
    return [str(m) for m in lint(dump(document), config=ManualArgs(regions=["us-east-1", "eu-west-1"]))]


def test_an_s3_origin_with_access_unset_is_read_through_an_origin_access_control(handlers):
    case = variant("paid-content", flow("content-cdn", "origin", "premium-content", access=None, label=None))
    document = template(case, handlers)
    assert lint_messages(document) == []
    (distribution,) = resources_of(document, "AWS::CloudFront::Distribution").values()
    (origin,) = distribution["Properties"]["DistributionConfig"]["Origins"]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["ContentCdnOriginAccessControl", "Id"]}
    assert resources_of(document, "AWS::CloudFront::OriginAccessControl")
    assert not resources_of(document, "AWS::CloudFront::CloudFrontOriginAccessIdentity")
    policy = document["Resources"]["PremiumContentPolicy"]
    grants = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert [(s["Principal"], s["Action"]) for s in grants] == [({"Service": "cloudfront.amazonaws.com"}, "s3:GetObject")]


def test_an_api_gateway_origin_is_reached_at_its_execute_api_domain_under_its_stage(handlers):
    case = variant("myblog", add("blog-cdn", "origin", "blog-api", path_pattern="/api/*"))
    document = template(case, handlers)
    assert lint_messages(document) == []
    (distribution,) = resources_of(document, "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    (origin,) = [o for o in config["Origins"] if o["Id"] == "blog-api"]
    assert origin["DomainName"] == {"Fn::Sub": "${BlogApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    assert origin["OriginPath"] == {"Fn::Sub": "/${BlogApiStageName}"}
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    (behaviour,) = [b for b in config["CacheBehaviors"] if b["TargetOriginId"] == "blog-api"]
    assert behaviour["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AllViewerExceptHostHeader
    assert behaviour["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # CachingDisabled
    assert "POST" in behaviour["AllowedMethods"]


@pytest.mark.parametrize("case", [
    pytest.param(lambda: variant("paid-content", flow("content-cdn", "origin", "premium-content", access=None)), id="s3-unset"),
    pytest.param(lambda: variant("myblog", add("blog-cdn", "origin", "blog-api", path_pattern="/api/*")), id="api-origin"),
])
def test_the_fixed_origins_survive_emit_and_import(case, tmp_path):
    from ...importer.test_round_trip import differences, round_trip

    architecture = case()
    assert differences(architecture, round_trip(architecture, tmp_path)) == []
