"""Local nested stacks and `AWS::Include` snippets are read as part of the template that names them: one case,
with flows across the stacks drawn; remote or missing ones are noted, never guessed."""

from __future__ import annotations

import json

from archcase import api
from archcase.importer import import_template

SAM = "AWS::Serverless-2016-10-31"
WORKER = {"Type": "AWS::Lambda::Function", "Properties": {
    "Runtime": "python3.12", "Handler": "app.handler", "Role": "arn:aws:iam::123456789012:role/r", "Code": {"ZipFile": "x"},
    "Environment": {"Variables": {"QUEUE_URL": {"Ref": "JobsUrl"}, "STAGE": {"Ref": "Stage"}}}}}
CHILD = {"Parameters": {"JobsUrl": {"Type": "String"}, "Stage": {"Type": "String", "Default": "dev"}},
         "Resources": {"Worker": WORKER},
         "Outputs": {"WorkerArn": {"Value": {"Fn::GetAtt": ["Worker", "Arn"]}}}}


def parent(location: object, kind: str = "AWS::CloudFormation::Stack", **extra: object) -> dict:
    key = "TemplateURL" if kind == "AWS::CloudFormation::Stack" else "Location"
    return {"Resources": {
        "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {}},
        "Uploads": {"Type": "AWS::S3::Bucket", "Properties": {"NotificationConfiguration": {"LambdaConfigurations": [
            {"Event": "s3:ObjectCreated:*", "Function": {"Fn::GetAtt": ["Workers", "Outputs.WorkerArn"]}}]}}},
        "Workers": {"Type": kind, "Properties": {key: location, "Parameters": {"JobsUrl": {"Ref": "Jobs"}}}, **extra}}}


def write(folder, name: str, body: dict) -> object:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def test_a_local_nested_stack_is_imported_as_part_of_the_case_with_flows_across_the_stacks(tmp_path):
    write(tmp_path, "stacks/workers.json", CHILD)
    imported = import_template(write(tmp_path, "main.json", parent("stacks/workers.json")))
    case = imported.architecture
    assert sorted(s.id for s in case.services) == ["jobs", "uploads", "workers-worker"]
    assert sorted((f.source, f.kind, f.target) for f in case.flows) == [
        ("uploads", "triggers", "workers-worker"), ("workers-worker", "enqueues", "jobs")]
    assert [n.message for n in imported.notes if "nested stack" in n.message] == [
        "nested stack 'Workers' is read from workers.json: its resources are imported as part of this case, "
        "their ids prefixed with 'Workers'"]


def test_a_nested_resources_findings_are_placed_at_its_stack_in_the_parent(tmp_path):
    write(tmp_path, "workers.json", CHILD)
    main = write(tmp_path, "main.json", parent("./workers.json"))
    (report,) = api.check([main])
    lines = {f.line for f in report.findings if f.target == "workers-worker"}
    text = main.read_text(encoding="utf-8")
    assert lines == {text[:text.index('"Workers"')].count("\n") + 1}


def test_a_sam_application_with_a_local_location_is_followed_too(tmp_path):
    write(tmp_path, "workers.json", CHILD)
    body = {"Transform": SAM, **parent("workers.json", "AWS::Serverless::Application")}
    case = import_template(write(tmp_path, "main.json", body)).architecture
    assert "workers-worker" in {s.id for s in case.services}


def test_a_parameter_the_stack_does_not_pass_keeps_its_default_under_a_prefixed_name(tmp_path):
    write(tmp_path, "workers.json", CHILD)
    imported = import_template(write(tmp_path, "main.json", parent("workers.json")))
    assert imported.architecture.service("workers-worker").environment.get("STAGE", "dev") == "dev"


def test_nested_stacks_archcase_cannot_follow_are_noted_and_kept_generic(tmp_path):
    body = parent("https://s3.amazonaws.com/bucket/workers.yaml")
    body["Resources"]["Other"] = {"Type": "AWS::Serverless::Application", "Properties": {
        "Location": {"ApplicationId": "arn:aws:serverlessrepo:us-east-1:123456789012:applications/x", "SemanticVersion": "1.0.0"}}}
    body["Resources"]["Missing"] = {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "missing.yaml"}}
    body["Transform"] = SAM
    imported = import_template(write(tmp_path, "main.json", body))
    notes = [n.message for n in imported.notes if "nested stack" in n.message]
    assert notes == ["nested stack 'Missing' names 'missing.yaml', but it is not a file beside the template: kept as one generic service",
                     "nested stacks Workers, Other are remote or computed: kept as generic services, not followed"]
    assert {s.id: s.kind for s in imported.architecture.services if s.id in ("workers", "other", "missing")} == {
        "workers": "generic", "other": "generic", "missing": "generic"}


def test_a_stack_that_nests_itself_is_not_followed_forever(tmp_path):
    body = {"Resources": {"Again": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "main.json"}},
                          "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {}}}}
    imported = import_template(write(tmp_path, "main.json", body))
    assert sorted((s.id, s.kind) for s in imported.architecture.services) == [("again", "generic"), ("jobs", "sqs")]
    assert [n.message for n in imported.notes if "nested stack" in n.message] == [
        "nested stack 'Again' names 'main.json', but it includes itself: kept as one generic service"]


def test_a_local_include_is_read_in_place(tmp_path):
    write(tmp_path, "api/openapi.json", {"openapi": "3.0.1", "paths": {"/items": {"get": {"x-amazon-apigateway-integration": {
        "type": "aws_proxy", "httpMethod": "POST",
        "uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"}}}}}})
    body = {"Resources": {"Fn": {**WORKER, "Properties": {k: v for k, v in WORKER["Properties"].items() if k != "Environment"}},
                          "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": {
                              "Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "./api/openapi.json"}}}}}}}
    case = import_template(write(tmp_path, "main.json", body)).architecture
    assert [(f.source, f.kind, f.target, f.routes) for f in case.flows] == [("api", "invokes", "fn", ["GET /items"])]
    body["Resources"]["Api"]["Properties"]["Body"]["Fn::Transform"]["Parameters"]["Location"] = "./api/missing.json"
    imported = import_template(write(tmp_path, "main.json", body))
    assert [n.message for n in imported.notes if "AWS::Include" in n.message] == [
        "`AWS::Include` names './api/missing.json', which is not a file beside the template: not included"]
