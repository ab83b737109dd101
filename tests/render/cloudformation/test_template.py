"""The emitted templates: golden files compared as parsed data, deterministic text, stable logical ids,
parameters for what differs between environments, OpenAPI documents, and clear errors for what cannot be
emitted."""

from __future__ import annotations

import re

import pytest
from cfnlint.decode import cfn_yaml
from openapi_spec_validator import validate

from archcase.render.cloudformation.emit import openapi_documents, template_text

from ...conftest import CASES as CASE_FOLDER
from ..golden import GOLDEN, UPDATE
from .conftest import CASES, resources_of

TEMPLATES = GOLDEN.parent / "cloudformation" / "golden"
_KEY = re.compile(r"^(handlers/[a-z0-9_]+-)[0-9a-f]{16}(\.zip)$")


def parsed(text: str) -> dict:
    """A template as data, long-form intrinsics, with the content hashes in code keys blanked (they change with
    the handler code, which tests/handlers covers)."""
    document = cfn_yaml.loads(text)
    for name, parameter in document.get("Parameters", {}).items():
        if name.endswith("CodeKey"):
            parameter["Default"] = _KEY.sub(r"\1HASH\2", parameter["Default"])
    return document


@pytest.mark.parametrize("name", sorted(CASES))
def test_template_matches_golden(handlers, name):
    text = template_text(CASES[name], handlers)
    path = TEMPLATES / f"{name}.yaml"
    if UPDATE or not path.exists():
        path.write_text(text)
    assert parsed(text) == parsed(path.read_text())


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_same_case_gives_the_same_text(handlers, name):
    assert template_text(CASES[name], handlers) == template_text(CASES[name], handlers)


def test_logical_ids_derive_from_service_ids(templates):
    resources = templates["mytodolist"]["Resources"]
    assert resources["TodoFunction"]["Type"] == "AWS::Lambda::Function"
    assert resources["TodoFunctionRole"]["Type"] == "AWS::IAM::Role"
    assert resources["Todos"]["Type"] == "AWS::DynamoDB::Table"
    assert resources["TodoCache"]["Type"] == "AWS::DAX::Cluster"


def test_code_key_carries_the_handler_content_hash(handlers, tmp_path):
    from .conftest import write_handlers

    before = template_text(CASES["paid-content"], handlers)
    changed = write_handlers(tmp_path / "handlers", [CASES["paid-content"]])
    (changed / "signed_url" / "app.py").write_text("def handler(event, context):\n    return 1\n")
    after = template_text(CASES["paid-content"], changed)
    key = re.compile(r"SignedUrlCodeKey:\n(?:.*\n)*?\s+Default: (\S+)")
    assert key.search(before).group(1) != key.search(after).group(1)
    assert re.search(r"Default: handlers/signed_url-[0-9a-f]{16}\.zip", after)


def test_environments_differ_only_by_parameters(templates):
    parameters = templates["paid-content"]["Parameters"]
    for name in ("Environment", "ArtifactBucket", "ShopApiStageName", "ContentCdnDomainName", "ContentCdnCertificateArn",
                 "ContentCdnPublicKeyPem", "ContentCdnPrivateKeyParameter"):
        assert name in parameters
    assert "VpcId" in templates["mytodolist"]["Parameters"] and "SubnetIds" in templates["mytodolist"]["Parameters"]


def test_global_tables_and_signed_url_key_groups_are_emitted(templates):
    assert resources_of(templates["paid-content"], "AWS::DynamoDB::GlobalTable")
    distribution = next(iter(resources_of(templates["paid-content"], "AWS::CloudFront::Distribution").values()))
    assert distribution["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]["TrustedKeyGroups"] == [{"Ref": "ContentCdnKeyGroup"}]


def test_functions_get_their_handler_code_and_environment(templates):
    function = templates["myblog"]["Resources"]["WelcomeEmail"]["Properties"]
    assert function["Handler"] == "welcome_email.app.handler"
    assert function["Code"] == {"S3Bucket": {"Ref": "ArtifactBucket"}, "S3Key": {"Ref": "WelcomeEmailCodeKey"}}
    assert set(function["Environment"]["Variables"]) >= {"USERS_TABLE", "EMAIL_SENDER"}


@pytest.mark.parametrize("name", ["mytodolist", "myblog", "microservices", "paid-content"])
def test_openapi_documents_are_valid_openapi_with_integrations(handlers, name):
    (document,) = openapi_documents(CASES[name]).values()
    validate(document)
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert operations and all("x-amazon-apigateway-integration" in op for op in operations)
    assert all(op["security"] for op in operations)


def test_emit_writes_template_and_openapi(cli, tmp_path):
    result = cli("emit", str(CASE_FOLDER / "paid-content.yaml"), "--out", str(tmp_path))
    assert result.code == 0, result.err
    assert sorted(p.name for p in (tmp_path / "paid-content").iterdir()) == ["openapi.yaml", "template.yaml"]


def test_a_missing_handler_is_a_located_error_and_nothing_is_written(cli, write_case, tmp_path):
    case = write_case("""
        name: broken
        title: Broken
        services:
          - {id: api, kind: api-gateway}
          - {id: fn, kind: lambda, handler: nowhere.app.handler}
        flows:
          - {from: api, to: fn, kind: invokes, routes: ["GET /x"]}
        """)
    (tmp_path / "handlers").mkdir()
    result = cli("emit", str(case), "--out", str(tmp_path / "out"))
    assert result.code == 2
    assert "case.yaml:5:" in result.err and "nowhere.app.handler" in result.err and "does not exist" in result.err
    assert not (tmp_path / "out").exists()


def test_a_handler_outside_the_handlers_folder_is_refused(cli, write_case, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "app.py").write_text("def handler(event, context):\n    return None\n")
    (tmp_path / "handlers").mkdir()
    (tmp_path / "handlers" / "sneaky").symlink_to(outside)
    case = write_case("""
        name: sneaky
        title: Sneaky
        services:
          - {id: q, kind: sqs}
          - {id: fn, kind: lambda, handler: sneaky.app.handler}
        flows:
          - {from: q, to: fn, kind: triggers}
        """)
    result = cli("emit", str(case), "--out", str(tmp_path / "out"))
    assert result.code == 2
    assert "points outside" in result.err
    assert not (tmp_path / "out").exists()


def test_cached_responses_of_an_authorized_api_are_keyed_by_the_caller(handlers):
    (document,) = openapi_documents(CASES["mytodolist"]).values()
    listing = document["paths"]["/todos"]["get"]
    assert listing["x-amazon-apigateway-integration"]["cacheKeyParameters"] == ["method.request.header.Authorization"]
    assert {"name": "Authorization", "in": "header", "required": True, "schema": {"type": "string"}} in listing["parameters"]
    assert "cacheKeyParameters" not in document["paths"]["/todos"]["post"]["x-amazon-apigateway-integration"]
