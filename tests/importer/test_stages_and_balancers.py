"""Settings a template gives on the resources around a service, read as the service's: a stage an API Gateway
deployment creates, set by its `StageDescription` as a stage resource would be (AC203, AC204), and a network or
gateway load balancer, which is no ALB: a generic service, with no ALB rule on its TCP listeners (AC209, AC211)."""

from __future__ import annotations

import json

import pytest

from archcase.checks.engine import check
from archcase.importer import import_template
from archcase.models import Architecture

FN = {"Type": "AWS::Lambda::Function", "Properties": {
    "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r",
    "Code": {"ZipFile": "def handler(event, context): pass"}}}


def imported(tmp_path, resources: dict) -> Architecture:
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": resources}), encoding="utf-8")
    return import_template(path).architecture


def findings(case: Architecture, *rules: str) -> list[tuple[str, str]]:
    return [(f.rule_id, f.message) for f in check(case).findings if f.rule_id in rules]


def api(description: dict | None) -> dict:
    deployment: dict = {"RestApiId": {"Ref": "Api"}, "StageName": "prod"}
    if description is not None:
        deployment["StageDescription"] = description
    return {"Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "a"}},
            "Method": {"Type": "AWS::ApiGateway::Method", "Properties": {
                "RestApiId": {"Ref": "Api"}, "ResourceId": {"Fn::GetAtt": ["Api", "RootResourceId"]}, "HttpMethod": "GET",
                "AuthorizationType": "NONE", "Integration": {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST",
                                                             "Uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/"
                                                                                "2015-03-31/functions/${Fn.Arn}/invocations"}}}},
            "Deploy": {"Type": "AWS::ApiGateway::Deployment", "DependsOn": ["Method"], "Properties": deployment},
            "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {}}, "Fn": FN}


def test_a_deployments_stage_description_sets_its_stage_as_a_stage_resource_does(tmp_path):
    description = {"AccessLogSetting": {"DestinationArn": {"Fn::GetAtt": ["Logs", "Arn"]}, "Format": "$context.requestId"},
                   "TracingEnabled": True, "ThrottlingRateLimit": 50, "ThrottlingBurstLimit": 100,
                   "CacheClusterEnabled": True, "CacheClusterSize": "1.6", "CachingEnabled": True, "CacheTtlInSeconds": 60,
                   "CacheDataEncrypted": True}
    case = imported(tmp_path, api(description))
    service = case.service("api")
    assert service.access_logging and service.tracing
    assert [s.model_dump() for s in service.stages] == [{
        "name": "prod", "throttle_rate_per_s": 50.0, "throttle_burst": 100,
        "cache": {"size_gb": 1.6, "ttl_s": 60, "methods": ["GET"], "encrypted": True}}]
    assert findings(case, "AC203", "AC204", "AC206") == []


def test_a_stage_descriptions_method_settings_are_read_and_a_stage_wide_setting_does_not_override_them(tmp_path):
    description = {"ThrottlingRateLimit": 50, "MethodSettings": [
        {"HttpMethod": "*", "ResourcePath": "/*", "ThrottlingRateLimit": 7, "ThrottlingBurstLimit": 9}]}
    stage = imported(tmp_path, api(description)).service("api").stages[0]
    assert (stage.throttle_rate_per_s, stage.throttle_burst) == (7, 9)


@pytest.mark.parametrize("description", [None, {"TracingEnabled": False}])
def test_a_deployment_whose_stage_logs_nothing_is_still_found(tmp_path, description):
    assert findings(imported(tmp_path, api(description)), "AC203", "AC204") == [
        ("AC203", "API 'api' writes no access logs"), ("AC204", "API 'api' is not traced")]


def balancer(kind: str | None) -> dict:
    properties: dict = {"Scheme": "internal", "Subnets": ["subnet-1", "subnet-2"]}
    if kind:
        properties["Type"] = kind
    protocol = "HTTP" if kind is None else "TCP"
    return {"Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": properties},
            "Listener": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                "LoadBalancerArn": {"Ref": "Lb"}, "Port": 80, "Protocol": protocol,
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Group"}}]}},
            "Group": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {
                "Port": 8080, "Protocol": protocol, "VpcId": "vpc-1"}},
            "Servers": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {
                "MinSize": "1", "MaxSize": "2", "TargetGroupARNs": [{"Ref": "Group"}], "VPCZoneIdentifier": ["subnet-1", "subnet-2"]}}}


@pytest.mark.parametrize("kind", ["network", "gateway"])
def test_a_network_or_gateway_load_balancer_is_a_generic_service_its_targets_drawn_and_no_alb_rule_on_it(tmp_path, kind):
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": balancer(kind)}), encoding="utf-8")
    imported_ = import_template(path)
    case = imported_.architecture
    lb = case.service("lb")
    assert (lb.kind, lb.resource_type) == ("generic", "AWS::ElasticLoadBalancingV2::LoadBalancer")
    assert [(f.source, f.kind, f.target) for f in case.flows] == [("lb", "uses", "servers")]
    assert findings(case, "AC209", "AC210", "AC211", "AC212", "AC215") == []
    assert [n.message for n in imported_.notes if "is not modelled" in n.message] == [
        f"AWS::ElasticLoadBalancingV2::LoadBalancer (Type: {kind}) is not modelled: kept as generic service lb, drawn but not checked"]


def test_an_application_load_balancer_is_still_one(tmp_path):
    case = imported(tmp_path, balancer(None))
    assert case.service("lb").kind == "alb"
    assert [(f.source, f.kind, f.target) for f in case.flows] == [("lb", "targets", "servers")]
    assert ("AC209", "load balancer 'lb' serves plain HTTP on port 80") in findings(case, "AC209")


def statuses(tmp_path, resources: dict, *rules: str) -> dict[str, str]:
    """Each of the rules' findings on the template as `archcase check` gives them (its ways of deploying held
    together): rule id -> status."""
    from archcase import api as archcase

    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": resources}), encoding="utf-8")
    (report,) = archcase.check([path])
    return {f.rule_id: f.status for f in report.findings if f.rule_id in rules}


V2 = {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Name": "a", "ProtocolType": "HTTP"}}


@pytest.mark.parametrize(("made", "expected"), [
    ("stage", "fail"), ("deployment", "fail"), (None, "unknown"),
])
def test_a_rest_apis_stage_settings_are_undecided_when_no_stage_of_it_is_in_the_template(tmp_path, made, expected):
    """Found by the precision review: a REST API whose stage another stack or a pipeline makes was told it writes
    no access logs and is not traced, which this template cannot say."""
    resources = api(None)
    if made != "deployment":
        resources["Deploy"]["Properties"].pop("StageName")
    if made == "stage":
        resources["Stage"] = {"Type": "AWS::ApiGateway::Stage", "Properties": {
            "RestApiId": {"Ref": "Api"}, "DeploymentId": {"Ref": "Deploy"}, "StageName": "live"}}
    assert statuses(tmp_path, resources, "AC203", "AC204") == {"AC203": expected, "AC204": expected}


@pytest.mark.parametrize(("made", "expected"), [
    ("stage", "fail"), ("target", "fail"), (None, "unknown"),
])
def test_an_http_apis_stage_settings_are_undecided_when_neither_a_stage_nor_a_target_makes_one(tmp_path, made, expected):
    resources: dict = {"Api": json.loads(json.dumps(V2)), "Fn": FN}
    if made == "stage":
        resources["Stage"] = {"Type": "AWS::ApiGatewayV2::Stage", "Properties": {"ApiId": {"Ref": "Api"}, "StageName": "$default"}}
    if made == "target":  # quick create: AWS makes the $default stage, with no access logs and no throttling
        resources["Api"]["Properties"]["Target"] = {"Fn::GetAtt": ["Fn", "Arn"]}
    assert statuses(tmp_path, resources, "AC217", "AC219") == {"AC217": expected, "AC219": expected}


@pytest.mark.parametrize(("routes", "authorized", "expected"), [
    (["GET /items", "GET /items/{id}"], False, "unknown"),  # anyone may read: intended or not, the template does not say
    (["GET /items", "POST /items"], False, "fail"),  # anyone may write
    (["GET /items"], True, None),
])
def test_an_http_api_only_read_from_with_no_authorizer_is_undecided_and_one_written_to_fails(tmp_path, routes, authorized, expected):
    """Found by the review of high findings: a public GET-only API (content behind CloudFront) was failed as unauthorized."""
    resources: dict = {"Api": json.loads(json.dumps(V2)), "Fn": FN, "Integration": {
        "Type": "AWS::ApiGatewayV2::Integration", "Properties": {
            "ApiId": {"Ref": "Api"}, "IntegrationType": "AWS_PROXY", "IntegrationUri": {"Fn::GetAtt": ["Fn", "Arn"]},
            "PayloadFormatVersion": "2.0"}}}
    for i, route in enumerate(routes):
        resources[f"Route{i}"] = {"Type": "AWS::ApiGatewayV2::Route", "Properties": {
            "ApiId": {"Ref": "Api"}, "RouteKey": route, "Target": {"Fn::Sub": "integrations/${Integration}"},
            **({"AuthorizationType": "AWS_IAM"} if authorized else {})}}
    found = statuses(tmp_path, resources, "AC218")
    assert found == ({"AC218": expected} if expected else {})
