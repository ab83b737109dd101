"""The six bundled cases: valid, described by the schema, and faithful to the seed document."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from archcase import api
from archcase.models import load_case
from archcase.models.yamlsafe import load as load_yaml

from ..conftest import CASES

NAMES = ["mytodolist", "myblog", "microservices", "paid-content", "software-updates", "big-data-ingestion"]


@pytest.fixture(scope="module")
def cases():
    return {name: load_case(CASES / f"{name}.yaml") for name in NAMES}


def test_exactly_the_six_seed_cases_are_bundled():
    assert sorted(p.stem for p in api.bundled_cases()) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_case_name_matches_file_name(cases, name):
    assert cases[name].name == name


def test_schema_validates_every_bundled_case():
    validator = jsonschema.Draft202012Validator(api.schema())
    for path in api.bundled_cases():
        errors = sorted(validator.iter_errors(load_yaml(path.read_text()).data), key=str)
        assert errors == [], f"{path.name}: {errors[0].message if errors else ''}"


def test_schema_rejects_what_the_models_reject():
    validator = jsonschema.Draft202012Validator(api.schema())
    assert not validator.is_valid({"name": "t", "title": "T", "services": [{"id": "x", "kind": "lamda"}]})
    assert not validator.is_valid({"name": "t", "title": "T", "services": [], "colour": "blue"})


def test_committed_schema_is_current():
    committed = (CASES / "case.schema.json").read_text()
    assert json.loads(committed) == api.schema(), "run: archcase schema --out cases/case.schema.json"


@pytest.mark.parametrize("name", NAMES)
def test_case_file_points_editors_at_the_schema(name):
    first = (CASES / f"{name}.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=case.schema.json"


# --- the seed's questions ------------------------------------------------------------------------------------

def seed_sections(seed: str) -> dict[str, str]:
    """`### Case N - ...` heading -> the section's text."""
    parts = re.split(r"^### (Case \d+ - .+)$", seed, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts), 2)}


def seed_questions(section: str) -> set[str]:
    """The questions a seed section asks: `#### ? ...` headings, `**Q:** ...` lines, and bullets of the form
    `- <question>? <answer>`."""
    patterns = [r"^#### \? (.+)$", r"^\*\*Q:\*\* (.+)$", r"^- ([^?]+\?) "]
    return {m.group(1).strip() for line in section.splitlines() for p in patterns if (m := re.match(p, line))}


def plain(text: str) -> str:
    return " ".join(text.replace("**", "").split())


@pytest.mark.parametrize("name", NAMES)
def test_requirements_are_exactly_the_seed_questions(cases, seed_text, name):
    sections = seed_sections(seed_text)
    case = cases[name]
    assert case.seed_section in sections, f"{name}: seed_section not a seed heading"
    asked = seed_questions(sections[case.seed_section])
    listed = {r.question for r in case.requirements if r.source == "question"}
    assert listed == asked


@pytest.mark.parametrize("name", NAMES)
def test_statement_requirements_quote_the_seed(cases, seed_text, name):
    case = cases[name]
    section = plain(seed_sections(seed_text)[case.seed_section])
    for requirement in case.requirements:
        assert plain(requirement.question) in section, requirement.id


def test_every_seed_case_is_bundled(cases, seed_text):
    assert {c.seed_section for c in cases.values()} == set(seed_sections(seed_text))


# --- the services and flows the seed names ---------------------------------------------------------------------

# (source kind, flow kind, target kind) facts each case must show, read off the seed's text and pictures.
SEED_FLOWS = {
    "mytodolist": [
        ("mobile-app", "calls", "api-gateway"), ("api-gateway", "invokes", "lambda"), ("lambda", "reads", "dax"),
        ("dax", "caches", "dynamodb"), ("mobile-app", "authenticates", "cognito-user-pool"),
        ("api-gateway", "authorizes", "cognito-user-pool"), ("mobile-app", "federates", "cognito-identity-pool"),
        ("cognito-identity-pool", "assumes-role", "sts"), ("cognito-identity-pool", "grants", "s3"),
        ("mobile-app", "writes", "s3"), ("mobile-app", "reads", "s3"),
    ],
    "myblog": [
        ("browser", "calls", "cloudfront"), ("cloudfront", "origin", "s3"), ("browser", "calls", "api-gateway"),
        ("api-gateway", "invokes", "lambda"), ("lambda", "reads", "dax"), ("dax", "caches", "dynamodb"),
        ("dynamodb", "triggers", "lambda"), ("lambda", "sends-email", "ses"), ("s3", "triggers", "lambda"),
        ("lambda", "writes", "s3"),
    ],
    "microservices": [
        ("browser", "calls", "api-gateway"), ("browser", "calls", "alb"), ("alb", "targets", "autoscaling-group"),
        ("lambda", "publishes", "sns"), ("sns", "subscribes", "sqs"), ("sqs", "triggers", "lambda"),
        ("kinesis-stream", "triggers", "lambda"), ("s3", "triggers", "lambda"),
    ],
    "paid-content": [
        ("browser", "authenticates", "cognito-user-pool"), ("api-gateway", "invokes", "lambda"),
        ("lambda", "writes", "dynamodb"), ("lambda", "reads", "dynamodb"), ("lambda", "signs", "cloudfront"),
        ("browser", "calls", "cloudfront"), ("cloudfront", "origin", "s3"),
    ],
    "software-updates": [
        ("browser", "calls", "cloudfront"), ("cloudfront", "origin", "alb"), ("alb", "targets", "autoscaling-group"),
    ],
    "big-data-ingestion": [
        ("iot-device", "puts-records", "kinesis-stream"), ("kinesis-stream", "delivers", "firehose"),
        ("firehose", "transforms", "lambda"), ("firehose", "delivers", "s3"), ("s3", "notifies", "sqs"),
        ("sqs", "triggers", "lambda"), ("lambda", "queries", "athena"), ("athena", "reads", "s3"),
        ("athena", "writes", "s3"), ("quicksight", "reads", "s3"), ("redshift", "reads", "s3"),
    ],
}


@pytest.mark.parametrize("name", NAMES)
def test_case_shows_every_flow_the_seed_names(cases, name):
    graph = cases[name].to_graph()
    present = {(graph.nodes[u]["kind"], d["kind"], graph.nodes[v]["kind"]) for u, v, d in graph.edges(data=True)}
    assert set(SEED_FLOWS[name]) - present == set()


def test_seed_specifics(cases):
    oai = {f.access for f in cases["myblog"].flows if f.kind == "origin"}
    assert oai == {"oai"}
    assert any(s.kind == "dynamodb" and s.is_global for s in cases["myblog"].services)
    paid = cases["paid-content"]
    assert any(s.kind == "s3" and s.content == "paid" for s in paid.services)
    assert all(s.signed_urls for s in paid.services if s.kind == "cloudfront")
    assert any(s.kind == "autoscaling-group" and s.serves == "static" for s in cases["software-updates"].services)
    firehose = next(s for s in cases["big-data-ingestion"].services if s.kind == "firehose")
    assert firehose.buffer_interval_s == 60  # the seed's "near real-time (1 minute)"
    todo = cases["mytodolist"]
    table = next(s for s in todo.services if s.kind == "dynamodb")
    assert table.expected_reads_per_s > 10 * table.expected_writes_per_s  # "they mostly read them"
    assert any(s.kind == "s3" and s.per_user_prefixes for s in todo.services)
    assert all(stage.cache for s in todo.services if s.kind == "api-gateway" for stage in s.stages)


@pytest.mark.parametrize("name", NAMES)
def test_every_lambda_is_reached_by_some_flow(cases, name):
    graph = cases[name].to_graph()
    for node, data in graph.nodes(data=True):
        if data["kind"] == "lambda":
            assert graph.in_degree(node) > 0, f"{node} is never invoked"
