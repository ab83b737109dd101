"""Structure fuzzing of case files and templates through the command line (validate, check, import): any
shape of YAML or JSON, the bundled cases and small valid templates with values replaced at random paths by
values of the wrong type, intrinsic functions of odd shapes. Whatever comes in, the contract holds (exit 0/1,
or 2 with located messages; no traceback, no Python words), and a failed `import --out` writes nothing."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from archcase.models import yamlsafe

from ..conftest import CASES
from .input_checks import HOSTILE, assert_contract, run

ODD_TEXT = st.sampled_from(["", " ", "${", "${!x}", "${A.B}", "${" * 50, "!Ref X", "*a", "&a", "<<", "- x", "a: b", "#", "'", '"',
                            "\x00", "\x1b[31m", "\u2028", "\ud7ff", "𝔘", "yes", "no", "on", "0x1F", "1e999", "-.inf", ".nan",
                            "12:30:00", "2024-01-01", "~", "null", "AWS::NoValue", "Fn::If", "Ref", "lambda", "AC101", "a" * 300])
KEYS = st.one_of(st.sampled_from(["Type", "Properties", "Ref", "Fn::If", "Fn::Sub", "Fn::GetAtt", "Fn::ForEach::L", "Fn::Transform",
                                  "Events", "Metadata", "archcase", "id", "kind", "services", "flows", "Resources", "from", "to",
                                  "<<", "1", "true", "null", ""]),
                 st.text(alphabet="abcXYZ09_-.:", min_size=1, max_size=12))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
                    st.floats(allow_nan=True, allow_infinity=True), ODD_TEXT, st.text(max_size=20))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=4)),
                      max_leaves=25)
INTRINSICS = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.builds(lambda c, a, b: {"Fn::If": [c, a, b]}, ODD_TEXT, inner, inner),
        st.builds(lambda a: {"Fn::If": a}, st.lists(inner, max_size=4)),
        st.builds(lambda s, v: {"Fn::Sub": [s, v]}, ODD_TEXT, st.dictionaries(KEYS, inner, max_size=2)),
        st.builds(lambda s: {"Fn::Sub": s}, st.one_of(ODD_TEXT, inner)),
        st.builds(lambda r: {"Ref": r}, st.one_of(ODD_TEXT, inner)),
        st.builds(lambda a: {"Fn::GetAtt": a}, st.one_of(ODD_TEXT, st.lists(inner, max_size=3))),
        st.builds(lambda n, c, t: {f"Fn::ForEach::{n}": [n, c, t]}, st.text(alphabet="ab", min_size=1, max_size=3),
                  st.one_of(st.lists(ODD_TEXT, max_size=3), inner), st.dictionaries(KEYS, inner, max_size=2)),
        st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=3)),
    max_leaves=20)


def dump(data: Any, style: str) -> str:
    """YAML in block or flow style, or JSON on one line or indented (floats out of JSON's range as YAML does)."""
    if style.startswith("json"):
        text = json.dumps(data, indent=None if style == "json-line" else 2, ensure_ascii=False, default=str)
        return text.replace("NaN", ".nan").replace("-Infinity", "-.inf").replace("Infinity", ".inf")
    return yaml.safe_dump(data, default_flow_style=style == "flow", allow_unicode=True, sort_keys=False, width=100)


STYLES = st.sampled_from(["block", "flow", "json-line", "json"])


def paths(data: Any) -> list[tuple[Any, ...]]:
    """Every path into the data (mapping keys and list indexes)."""
    found: list[tuple[Any, ...]] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        found.append(path)
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        stack.extend(((*path, k), v) for k, v in items)
    return sorted(found, key=lambda p: [str(x) for x in p])


def replaced(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    data = copy.deepcopy(data)
    if not path:
        return value
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return data


def case_data(name: str) -> dict[str, Any]:
    return yamlsafe.load((CASES / f"{name}.yaml").read_text(encoding="utf-8")).data  # type: ignore[no-any-return]


BUNDLED = ["mytodolist", "myblog", "microservices", "paid-content", "software-updates", "big-data-ingestion"]
TEMPLATES: dict[str, dict[str, Any]] = {
    "sam": {
        "AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",
        "Globals": {"Function": {"Runtime": "python3.12", "Timeout": 10, "Environment": {"Variables": {"MODE": "x"}}}},
        "Parameters": {"Stage": {"Type": "String", "Default": "prod"}},
        "Metadata": {"archcase": {"case": "fuzz", "title": "Fuzz", "requirements": [{"id": "r", "question": "Q?", "rules": ["AC101"]}],
                                  "suppressions": [{"rule": "AC608", "target": "jobs", "reason": "It is fine for this test case here."}]}},
        "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
                "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "StreamSpecification": {"StreamViewType": "NEW_IMAGE"}}},
            "Uploads": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "uploads-${Stage}-bucket"},
                                                                     "NotificationConfiguration": {"QueueConfigurations": []}}},
            "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}},
            "Fn": {"Type": "AWS::Serverless::Function", "Metadata": {"archcase": {"id": "worker"}}, "Properties": {
                "Handler": "app.handler", "CodeUri": "src/",
                "Environment": {"Variables": {"TABLE": {"Ref": "Table"}, "FLAG": {"Fn::If": ["C", "a", "b"]}}},
                "Policies": [{"DynamoDBCrudPolicy": {"TableName": {"Ref": "Table"}}},
                             {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                             "Resource": {"Fn::Sub": "arn:aws:s3:::${Uploads}/in/*"}}]}],
                "Events": {"List": {"Type": "Api", "Properties": {"Path": "/items", "Method": "get"}},
                           "Upload": {"Type": "S3", "Properties": {"Bucket": {"Ref": "Uploads"}, "Events": "s3:ObjectCreated:*"}},
                           "Work": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Jobs", "Arn"]}, "BatchSize": 5}}}}},
        },
    },
    "cdn": {
        "Resources": {
            "Site": {"Type": "AWS::S3::Bucket"},
            "Oai": {"Type": "AWS::CloudFront::CloudFrontOriginAccessIdentity", "Properties": {"CloudFrontOriginAccessIdentityConfig": {}}},
            "Cdn": {"Type": "AWS::CloudFront::Distribution", "Properties": {"DistributionConfig": {
                "Enabled": True,
                "Origins": [{"Id": "s", "DomainName": {"Fn::GetAtt": ["Site", "RegionalDomainName"]},
                             "S3OriginConfig": {"OriginAccessIdentity": {"Fn::Sub": "origin-access-identity/cloudfront/${Oai}"}}}],
                "DefaultCacheBehavior": {"TargetOriginId": "s", "ViewerProtocolPolicy": "redirect-to-https"},
                "CacheBehaviors": [{"PathPattern": "/a/*", "TargetOriginId": "s", "DefaultTTL": 5}],
                "ViewerCertificate": {"MinimumProtocolVersion": "TLSv1.2_2021"}}}},
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Body": {"paths": {"/x": {"get": {
                "x-amazon-apigateway-integration": {"uri": {"Fn::Sub": "arn:${Fn2.Arn}/invocations"}}}}}}}},
            "Fn2": {"Type": "AWS::Lambda::Function",
                    "Properties": {"Handler": "a.b", "Runtime": "python3.12", "Role": {"Fn::GetAtt": "Role.Arn"}}},
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"Policies": [{"PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "*"}]}}]}},
            "Stream": {"Type": "AWS::KinesisFirehose::DeliveryStream", "Properties": {"ExtendedS3DestinationConfiguration": {
                "BucketARN": {"Fn::GetAtt": ["Site", "Arn"]}, "BufferingHints": {"IntervalInSeconds": 60}}}},
        },
    },
}


def assert_nothing_written(out: Path) -> None:
    assert not out.exists(), "a failed import wrote its output"


@HOSTILE
@given(data=VALUES, style=STYLES, command=st.sampled_from(["validate", "check", "import"]))
def test_any_structure_keeps_the_contract(tmp_path_factory, data, style, command):
    folder = tmp_path_factory.mktemp("any")
    path = folder / ("input.json" if style.startswith("json") else "input.yaml")
    path.write_text(dump(data, style), encoding="utf-8")
    out = folder / "out.yaml"
    result = run(command, path, *(["--out", out] if command == "import" else []))
    assert_contract(result)
    if command == "import" and result.code != 0:
        assert_nothing_written(out)


@HOSTILE
@given(data=st.data(), name=st.sampled_from(BUNDLED), value=VALUES, style=STYLES, command=st.sampled_from(["validate", "check"]))
def test_bundled_cases_with_a_value_replaced_keep_the_contract(tmp_path_factory, data, name, value, style, command):
    original = case_data(name)
    path = data.draw(st.sampled_from(paths(original)), label="path")
    target = tmp_path_factory.mktemp("case") / f"{name}.yaml"
    target.write_text(dump(replaced(original, path, value), style), encoding="utf-8")
    assert_contract(run(command, target))


@HOSTILE
@given(data=st.data(), name=st.sampled_from(sorted(TEMPLATES)), value=st.one_of(VALUES, INTRINSICS), style=STYLES,
       command=st.sampled_from(["import", "check"]))
def test_templates_with_a_value_replaced_keep_the_contract(tmp_path_factory, data, name, value, style, command):
    original = TEMPLATES[name]
    path = data.draw(st.sampled_from([p for p in paths(original) if p]), label="path")
    folder = tmp_path_factory.mktemp("template")
    target = folder / ("template.json" if style.startswith("json") else "template.yaml")
    target.write_text(dump(replaced(original, path, value), style), encoding="utf-8")
    out = folder / "case.yaml"
    result = run(command, target, *(["--out", out] if command == "import" else []))
    assert_contract(result)
    if command == "import":
        if result.code == 0:
            assert_contract(run("validate", out))  # what import writes is a valid case
        else:
            assert_nothing_written(out)


TYPES = st.sampled_from(["AWS::Serverless::Function", "AWS::SQS::Queue", "AWS::S3::Bucket", "AWS::SNS::Topic", "AWS::Lambda::Function",
                         "AWS::CloudFront::Distribution", "AWS::IAM::Role", "AWS::EC2::VPC", "AWS::DynamoDB::GlobalTable",
                         "AWS::ApiGateway::Deployment", "AWS::KinesisFirehose::DeliveryStream", "AWS::Serverless::Api"])


@HOSTILE
@given(resources=st.dictionaries(st.text(alphabet="ABCab01", min_size=1, max_size=6),
                                 st.fixed_dictionaries({"Type": TYPES},
                                                       optional={"Properties": st.dictionaries(KEYS, INTRINSICS, max_size=4),
                                                                 "Metadata": INTRINSICS, "Condition": ODD_TEXT}),
                                 min_size=1, max_size=4),
       extra=st.dictionaries(st.sampled_from(["Globals", "Parameters", "Conditions", "Metadata", "Transform", "Outputs"]), INTRINSICS,
                             max_size=3),
       style=STYLES)
def test_templates_of_any_resources_and_sections_keep_the_contract(tmp_path_factory, resources, extra, style):
    folder = tmp_path_factory.mktemp("resources")
    target = folder / ("t.json" if style.startswith("json") else "t.yaml")
    target.write_text(dump({"AWSTemplateFormatVersion": "2010-09-09", **extra, "Resources": resources}, style), encoding="utf-8")
    out = folder / "case.yaml"
    result = run("import", target, "--out", out)
    assert_contract(result)
    if result.code != 0:
        assert_nothing_written(out)
    assert_contract(run("check", target))


YAML_PIECES = st.sampled_from(["\n", "  ", "- ", ": ", "a", "b: c", "{", "}", "[", "]", ", ", "'x'", '"y\\n"', "&a ", "*a", "!Ref ",
                               "!!str ", "!!python/object:os.system ", "<<: ", "|\n  z", ">-\n  z", "# c", "? ", "---\n", "...\n",
                               "\t", "%YAML 1.1\n", "1e999", "0x" + "f" * 200, "9" * 5000, "${" * 20])


@HOSTILE
@given(pieces=st.lists(YAML_PIECES, max_size=40), command=st.sampled_from(["validate", "check", "import"]))
def test_any_text_keeps_the_contract(tmp_path_factory, pieces, command):
    folder = tmp_path_factory.mktemp("text")
    path = folder / "input.yaml"
    path.write_text("".join(pieces), encoding="utf-8")
    assert_contract(run(command, path))

