"""Services of an imported template are grouped by the value of a tag (`--group-by tag:KEY`), or by default by
the local nested stack or SAM application they were read from (importer/naming.py); ids and labels stay as
they are, and case files give their groups themselves."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archcase import api
from archcase.importer import Grouping, import_template

from .test_corpus import CORPUS
from .test_nested import CHILD, SAM, parent, write

CORPUS_LARGE = CORPUS.parent / "corpus-large"
FUNCTION = {"Type": "AWS::Serverless::Function", "Properties": {"Runtime": "python3.12", "Handler": "a.b", "CodeUri": "src/"}}

tag_keys = st.from_regex(r"[A-Za-z][A-Za-z0-9:_./=+@-]{0,20}", fullmatch=True)
tag_values = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=120).filter(
    lambda v: v.strip() and "${" not in v)


def _groups(resources: dict[str, object], group_by: str | None, **extra: object) -> dict[str, str | None]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.json"
        path.write_text(json.dumps({"Resources": resources, **extra}), encoding="utf-8")
        return {s.id: s.group for s in import_template(path, group_by).architecture.services}


@settings(max_examples=25, deadline=None)
@given(tag_keys, tag_values)
def test_a_tag_written_as_plain_text_groups_its_service_in_either_form(key, value):
    listed = {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "Other", "Value": "x"}, {"Key": key, "Value": value}]}}
    mapped = {**FUNCTION, "Properties": {**FUNCTION["Properties"], "Tags": {key: value}}}
    untagged = {"Type": "AWS::SNS::Topic", "Properties": {}}
    groups = _groups({"Jobs": listed, "Worker": mapped, "Alerts": untagged}, f"tag:{key}", Transform=SAM)
    assert groups == {"jobs": value.strip()[:100].strip(), "worker": value.strip()[:100].strip(), "alerts": None}
    assert _groups({"Jobs": listed}, None) == {"jobs": None}  # no option: tags group nothing


@pytest.mark.parametrize("value", [
    {"Ref": "Team"}, {"Fn::Sub": "${Team}-orders"}, {"Fn::Sub": "${AWS::StackName}"}, {"Fn::GetAtt": ["Jobs", "Arn"]},
    {"Fn::Join": ["-", [{"Ref": "Team"}, "x"]]}, "", "   ",
])
def test_a_tag_value_that_is_not_plain_text_groups_nothing(value):
    queue = {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "Team", "Value": value}]}}
    assert _groups({"Jobs": queue}, "tag:Team", Parameters={"Team": {"Type": "String", "Default": "orders"}}) == {"jobs": None}


def test_an_fn_sub_without_placeholders_and_the_sam_globals_are_plain_text():
    queue = {"Type": "AWS::SQS::Queue", "Properties": {"Tags": [{"Key": "Team", "Value": {"Fn::Sub": "orders"}}]}}
    groups = _groups({"Jobs": queue, "Worker": FUNCTION}, "tag:Team", Transform=SAM, Globals={"Function": {"Tags": {"Team": "billing"}}})
    assert groups == {"jobs": "orders", "worker": "billing"}


def test_other_properties_of_tags_are_read_too():
    system = {"Type": "AWS::EFS::FileSystem", "Properties": {"FileSystemTags": [{"Key": "Team", "Value": "media"}]}}
    pool = {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolTags": {"Team": "identity"}}}
    assert _groups({"Files": system, "Users": pool}, "tag:Team") == {"files": "media", "users": "identity"}


def test_grouping_changes_no_id_nor_label(tmp_path):
    queue = {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "intake", "Tags": [{"Key": "Team", "Value": "orders"}]}}
    path = tmp_path / "template.json"
    path.write_text(json.dumps({"Resources": {"Queue1": queue, "JobsAB12CD34": queue}}), encoding="utf-8")
    plain, grouped = (import_template(path, by).architecture for by in (None, "tag:Team"))
    assert [(s.id, s.label) for s in plain.services] == [(s.id, s.label) for s in grouped.services]
    assert [s.group for s in grouped.services] == ["orders", "orders"]
    assert plain.flows == grouped.flows


def test_the_services_of_a_local_nested_stack_are_grouped_by_the_stack_unless_asked_otherwise(tmp_path):
    tagged = {**CHILD, "Resources": {"Worker": {**CHILD["Resources"]["Worker"], "Properties": {
        **CHILD["Resources"]["Worker"]["Properties"], "Tags": [{"Key": "Team", "Value": "media"}]}}}}
    write(tmp_path, "workers.json", tagged)
    main = write(tmp_path, "main.json", parent("workers.json"))
    groups = {by: {s.id: s.group for s in import_template(main, by).architecture.services} for by in (None, "stack", "none", "tag:Team")}
    assert groups[None] == groups["stack"] == {"jobs": None, "uploads": None, "workers-worker": "Workers"}
    assert groups["none"] == {"jobs": None, "uploads": None, "workers-worker": None}
    assert groups["tag:Team"] == {"jobs": None, "uploads": None, "workers-worker": "media"}  # one grouping at a time


def test_a_sam_application_groups_its_services_and_a_remote_one_is_one_service(tmp_path):
    write(tmp_path, "workers.json", CHILD)
    body = {"Transform": SAM, **parent("workers.json", "AWS::Serverless::Application")}
    body["Resources"]["Remote"] = {"Type": "AWS::Serverless::Application", "Properties": {"Location": "https://example.com/x.yaml"}}
    case = import_template(write(tmp_path, "main.json", body)).architecture
    assert {s.id: s.group for s in case.services} == {"jobs": None, "uploads": None, "workers-worker": "Workers", "remote": None}


@pytest.mark.parametrize("value", ["foo", "tag:", "tag: ", "tag", "Tag:Team", "stacks", "tag:" + "k" * 129])
def test_a_grouping_that_is_none_of_the_forms_is_refused_with_what_they_are(value):
    with pytest.raises(ValueError, match="tag:"):
        Grouping.of(value)


def test_a_case_file_keeps_its_own_groups_whatever_the_grouping(write_case):
    case = write_case("name: t\ntitle: T\nservices:\n  - {id: q, kind: sqs, group: Orders}\n  - {id: r, kind: sqs}\n")
    (loaded,) = api.load_cases([case], "tag:Team")
    assert [s.group for s in loaded.architecture.services] == ["Orders", None]


@pytest.mark.skipif(not CORPUS_LARGE.is_dir(), reason=f"no template corpus at {CORPUS_LARGE} (it sits beside the project in CI)")
def test_a_corpus_template_is_grouped_by_its_module_tag():
    path = CORPUS_LARGE / "sls-ws-machinelearning-1-dataprocessing-99-complete.yml"
    (case,) = api.load_cases([path], "tag:Module")
    groups = {s.id: s.group for s in case.architecture.services}
    assert groups["data-bucket"] == groups["ingest-unicorn-raw-data-function"] == "Machine Learning"
    assert sum(group == "Machine Learning" for group in groups.values()) == 6
    assert groups["cloudwatch-dashboard"] is None  # a dashboard has no tags
