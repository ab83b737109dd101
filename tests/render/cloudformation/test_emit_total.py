"""Cases beyond the six that once emitted templates cfn-lint rejects (issue 14): each now emits a clean template
that does what the case says, or is refused with a located message."""

from __future__ import annotations

import pytest
from cfnlint.api import ManualArgs, lint

from archcase.render.cloudformation.emit import template
from archcase.render.cloudformation.template import EmitError
from archcase.render.cloudformation.yaml_out import dump

from ...checks.mutations import add, flow, svc, variant
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


def test_a_signer_of_a_distribution_without_signed_urls_is_refused_at_the_flow(handlers):
    # the model accepts the case, so that `check` can report it (AC109: paid content without signed URLs)
    case = variant("paid-content", svc("content-cdn", signed_urls=None))
    with pytest.raises(EmitError) as refused:
        template(case, handlers)
    assert refused.value.service == "url-signer-signs-content-cdn"
    assert "'url-signer' signs URLs for 'content-cdn', which has no `signed_urls`" in str(refused.value)
    assert "set `signed_urls: {key_group: ...}` on 'content-cdn'" in refused.value.hint


def test_emit_names_the_line_of_the_signs_flow_and_writes_nothing(cli, write_case, tmp_path):
    case = write_case("""
        name: unsigned
        title: Unsigned
        services:
          - {id: cdn, kind: cloudfront}
          - {id: site, kind: s3}
          - {id: signer, kind: lambda, handler: signer.app.handler}
        flows:
          - {from: cdn, to: site, kind: origin}
          - {from: signer, to: cdn, kind: signs}
        """)
    (tmp_path / "handlers" / "signer").mkdir(parents=True)
    (tmp_path / "handlers" / "signer" / "app.py").write_text("def handler(event, context):\n    return None\n")
    result = cli("emit", str(case), "--out", str(tmp_path / "out"))
    assert result.code == 2, result.err
    assert "case.yaml:9:" in result.err and "no `signed_urls`" in result.err
    assert not (tmp_path / "out").exists()


def test_a_case_variable_that_the_emitter_sets_too_is_refused_not_overwritten(handlers):
    case = variant("paid-content", svc("url-signer", environment={"URL_EXPIRES_S": "60", "LOG_LEVEL": "debug"}))
    with pytest.raises(EmitError) as refused:
        template(case, handlers)
    assert refused.value.service == "url-signer"
    assert "`environment` sets URL_EXPIRES_S, which archcase sets itself" in str(refused.value)


def test_the_case_variables_that_do_not_collide_are_written(handlers):
    case = variant("paid-content", svc("url-signer", environment={"LOG_LEVEL": "debug"}))
    document = template(case, handlers)
    variables = document["Resources"]["UrlSigner"]["Properties"]["Environment"]["Variables"]
    assert variables["LOG_LEVEL"] == "debug" and variables["URL_EXPIRES_S"] == "300"
    assert lint_messages(document) == []


@pytest.mark.parametrize("access", [None, "oac", "oai", "none"])
def test_check_label_and_template_read_an_s3_origin_alike(handlers, access):
    from archcase.checks.engine import check
    from archcase.render.labels import flow_label

    case = variant("myblog", flow("blog-cdn", "origin", "site-content", access=access, label=None))
    (origin,) = [f for f in case.flows if f.kind == "origin" and f.target == "site-content"]
    ac101_fails = any(f.rule_id == "AC101" and f.status == "fail" for f in check(case).findings)
    label = flow_label(origin, {s.id: s.kind for s in case.services})
    document = template(case, handlers)
    grants = [s for s in document["Resources"]["SiteContentPolicy"]["Properties"]["PolicyDocument"]["Statement"]
              if s["Effect"] == "Allow"]
    assert ac101_fails == (label == "public origin") == (grants == [])
    assert label == {None: "OAC", "oac": "OAC", "oai": "OAI", "none": "public origin"}[access]
    assert lint_messages(document) == []
