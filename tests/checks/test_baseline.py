"""Baselines: fingerprints that survive moving and reformatting a template, and `check --baseline` counting only new
findings toward the exit status."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archcase import api
from archcase.checks import baseline

from ..conftest import SHARED

SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"

RESOURCES: dict[str, Any] = {
    "Photos": {"Type": "AWS::S3::Bucket"},
    "Orders": {"Type": "AWS::DynamoDB::Table", "Properties": {
        "BillingMode": "PAY_PER_REQUEST", "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}]}},
    "Jobs": {"Type": "AWS::SQS::Queue"},
    "Worker": {"Type": "AWS::Serverless::Function", "Properties": {
        "Runtime": "python3.12", "Handler": "app.handler", "CodeUri": "src/",
        "Policies": [{"DynamoDBCrudPolicy": {"TableName": {"Ref": "Orders"}}}, {"S3ReadPolicy": {"BucketName": {"Ref": "Photos"}}}],
        "Events": {"Queue": {"Type": "SQS", "Properties": {"Queue": {"Fn::GetAtt": ["Jobs", "Arn"]}}}}}},
}
"""A small stack with findings on every service and on a flow (AC305, jobs to worker)."""


def template(resources: dict[str, Any], gaps: list[int] | None = None, rng: random.Random | None = None) -> str:
    """The template as YAML, each resource after `gaps[i]` comment and blank lines; with `rng`, every mapping's
    keys in a random order."""
    def shuffled(value: Any) -> Any:
        if isinstance(value, dict):
            items = list(value.items())
            if rng:
                rng.shuffle(items)
            return {k: shuffled(v) for k, v in items}
        return [shuffled(v) for v in value] if isinstance(value, list) else value

    lines = ['AWSTemplateFormatVersion: "2010-09-09"', "Transform: AWS::Serverless-2016-10-31", "Resources:"]
    for i, (lid, body) in enumerate(shuffled(resources).items()):
        for n in range((gaps or [])[i] if gaps and i < len(gaps) else 0):
            lines.append("" if n % 3 else f"  # filler {n}")
        if rng and rng.random() < 0.3:  # the whole resource on one line
            lines.append(f"  {lid}: " + yaml.safe_dump(body, sort_keys=False, default_flow_style=True, width=10**6).strip())
        else:
            lines += ["  " + line for line in yaml.safe_dump({lid: body}, sort_keys=False).splitlines()]
    return "\n".join(lines) + "\n"


def fingerprints(path) -> dict[str, tuple[str, str, int]]:
    """Each finding not suppressed, by fingerprint: (rule, target, line)."""
    return {baseline.fingerprint(r.case, f): (f.rule_id, f.target, f.line)
            for r in api.checked(api.load_cases([path]), "default") for f in r.findings if not f.suppressed}


@pytest.fixture
def stack(tmp_path):
    def write(resources: dict[str, Any] = RESOURCES, **options: Any):
        path = tmp_path / "shop.yaml"
        path.write_text(template(resources, **options), encoding="utf-8")
        return path

    return write


def test_moving_a_resource_50_lines_down_keeps_every_fingerprint(stack):
    before = fingerprints(stack())
    assert {rule for rule, _, _ in before.values()} >= {"AC305", "AC402", "AC405", "AC602"}
    moved = dict(RESOURCES)
    moved["Photos"] = moved.pop("Photos")  # last, after 50 lines of comments and blanks
    after = fingerprints(stack(moved, gaps=[0, 0, 0, 50]))
    assert set(after) == set(before)
    assert {line for rule, target, line in after.values() if target == "photos"} != {
        line for rule, target, line in before.values() if target == "photos"}  # it did move


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(gaps=st.lists(st.integers(0, 60), min_size=4, max_size=4), seed=st.integers(0, 2**32 - 1), as_json=st.booleans())
def test_reformatting_keeps_every_fingerprint(stack, tmp_path, gaps, seed, as_json):
    expected = set(fingerprints(stack()))
    if as_json:
        path = tmp_path / "shop.json"
        path.write_text(json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Transform": "AWS::Serverless-2016-10-31",
                                    "Resources": RESOURCES}, indent=seed % 5), encoding="utf-8")
        (tmp_path / "shop.yaml").unlink()
    else:
        path = stack(gaps=gaps, rng=random.Random(seed))
    assert set(fingerprints(path)) == expected


def test_renaming_a_resource_makes_its_findings_new(stack):
    before = fingerprints(stack())
    renamed = {("Pictures" if lid == "Photos" else lid): body for lid, body in RESOURCES.items()}
    renamed = json.loads(json.dumps(renamed).replace('"Photos"', '"Pictures"'))
    after = fingerprints(stack(renamed))
    assert {target for _, target, _ in after.values() if "photos" in target} == set()
    new = {(rule, target) for fp, (rule, target, _) in after.items() if fp not in before}
    assert new and {target for _, target in new} == {"pictures"}


def test_the_message_is_normalised():
    assert baseline.normalised("Queue 'jobs'  has\n a visibility of 30 s") == baseline.normalised("queue 'jobs' has a visibility of 45 s")
    assert baseline.normalised("bucket 'a'") != baseline.normalised("bucket 'b'")


def test_a_baseline_written_then_checked_passes_with_nothing_new(stack, cli, tmp_path):
    path, known = stack(), tmp_path / "baseline.json"
    assert cli("check", str(path), "--fail-on", "low").code == 1
    result = cli("check", str(path), "--fail-on", "low", "--write-baseline", str(known))
    assert result.code == 0 and "wrote" in result.err
    data = json.loads(known.read_text())
    assert data["version"] == 1 and data["findings"] == sorted(data["findings"], key=lambda e: (e["case"], e["rule"], e["target"],
                                                                                                 e["fingerprint"]))
    assert set(data["findings"][0]) == {"fingerprint", "rule", "case", "target", "message"}
    result = cli("check", str(path), "--fail-on", "low", "--baseline", str(known))
    assert result.code == 0
    assert f"baseline: {len(data['findings'])} unchanged, 0 new, 0 gone" in result.out


def test_a_new_problem_fails_and_is_the_only_new_finding(stack, cli, tmp_path):
    known = tmp_path / "baseline.json"
    cli("check", str(stack()), "--write-baseline", str(known))
    grown = {**RESOURCES, "Ledger": copy.deepcopy(RESOURCES["Orders"])}
    assert cli("check", str(stack(grown)), "--fail-on", "medium").code == 1
    result = cli("check", str(stack(grown)), "--fail-on", "medium", "--baseline", str(known), "--format", "json")
    assert result.code == 1
    (case,) = json.loads(result.out)["cases"]
    new = {(f["rule_id"], f["target"]) for f in case["findings"] if f["baseline"] == "new"}
    assert new == {("AC405", "ledger"), ("AC406", "ledger"), ("AC407", "ledger")}
    assert not case["passed"] and all(f["baseline"] == "unchanged" for f in case["findings"] if f["target"] != "ledger")
    document = json.loads(cli("check", str(stack(grown)), "--baseline", str(known), "--format", "sarif").out)
    if SARIF_SCHEMA.is_file():
        jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    (sarif,) = document["runs"]
    states = {(r["ruleId"], r["locations"][0]["logicalLocations"][0]["name"]): r.get("baselineState") for r in sarif["results"]}
    assert states[("AC405", "ledger")] == "new" and states[("AC405", "orders")] == "unchanged"
    text = cli("check", str(stack(grown)), "--fail-on", "medium", "--baseline", str(known)).out
    assert text.count("baselined") == len(case["findings"]) - 3 and "1 at or above medium" in text


def test_a_baseline_entry_no_longer_found_is_reported_gone(stack, cli, tmp_path):
    known = tmp_path / "baseline.json"
    cli("check", str(stack()), "--write-baseline", str(known))
    fixed = copy.deepcopy(RESOURCES)
    fixed["Photos"]["Properties"] = {"VersioningConfiguration": {"Status": "Enabled"}}
    result = cli("check", str(stack(fixed)), "--fail-on", "low", "--baseline", str(known))
    assert result.code == 0
    (gone,) = [line for line in result.out.splitlines() if line.strip().startswith("gone")]
    assert "AC403" in gone and "'photos'" in gone and ", 1 gone" in result.out
    (case,) = json.loads(cli("check", str(stack(fixed)), "--baseline", str(known), "--format", "json").out)["cases"]
    assert [e["rule"] for e in case["baseline_gone"]] == ["AC403"]
    document = json.loads(cli("check", str(stack(fixed)), "--baseline", str(known), "--format", "sarif").out)
    assert [e["rule"] for e in document["runs"][0]["properties"]["baselineGone"]] == ["AC403"]
    if SARIF_SCHEMA.is_file():
        jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))


@pytest.mark.parametrize(("text", "where", "words"), [
    ('{"version": 1,\n "findings": [\n  {"rule": }', ":3:12:", "not JSON"),
    ('{"version": 2, "findings": []}', ":1:", "version 2"),
    ('[]', ":1:1:", "JSON object"),
    ('{"version": 1,\n "findings": [\n  {"rule": "AC101", "case": "c", "target": "t", "message": "m"}]}', ":3:", "no text `fingerprint`"),
    ('{"version": 1,\n "findings": [\n  {"rule": "AC101", "case": "c", "target": "t", "message": "m",\n   "fingerprint": "x"}]}', ":4:",
     "no SHA-256"),
])
def test_a_malformed_baseline_is_bad_input_located(stack, cli, tmp_path, text, where, words):
    known = tmp_path / "baseline.json"
    known.write_text(text, encoding="utf-8")
    result = cli("check", str(stack()), "--baseline", str(known))
    assert result.code == 2
    assert f"baseline.json{where}" in result.err and words in result.err and "fix:" in result.err, result.err


def test_a_missing_baseline_is_bad_input(stack, cli, tmp_path):
    result = cli("check", str(stack()), "--baseline", str(tmp_path / "nope.json"))
    assert result.code == 2 and "cannot read the baseline" in result.err
