"""Templates that are valid but odd, or of the wrong shape where the importer relies on one: one-line JSON,
`Fn::ForEach` loops, `Fn::Transform` resources, sections and properties of the wrong type, hostile
`Fn::Sub` text and numbers, an import told to write over its own template. What the importer can go on past
is left out with a note naming the place and the fix; what it cannot is refused the same way."""

from __future__ import annotations

import json
import os
import textwrap
import time

import pytest

from archcase.importer import import_template, registry
from archcase.importer.values import number, references, text
from archcase.models import CaseError
from archcase.models.services import SqsQueue

from ..conftest import CASES
from .input_checks import assert_contract, errors, run


def write(folder, body, name="template.yaml"):
    path = folder / name
    path.write_text(textwrap.dedent(body) if isinstance(body, str) else json.dumps(body), encoding="utf-8")
    return path


def notes(result) -> list[str]:
    return [line for line in result.err.splitlines() if ": note: " in line]


ONE_LINE = '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}, ' \
           '"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"Subscription": [{"Protocol": "sqs", ' \
           '"Endpoint": {"Fn::GetAtt": ["Queue", "Arn"]}}]}}}}'


@pytest.mark.parametrize("name", ["t.json", "t.template", "t.yaml", "t.yml"])
def test_a_one_line_json_template_is_read_as_a_template(tmp_path, name):
    path = write(tmp_path, ONE_LINE, name)
    result = run("check", path, "--format", "json")
    assert_contract(result, (0, 1))
    (case,) = json.loads(result.out)["cases"]
    assert case["case"] == "t"
    assert_contract(run("check", tmp_path), (0, 1))  # found in a folder too


def test_json_with_tabs_on_one_line_is_read(tmp_path):
    path = write(tmp_path, ONE_LINE.replace(" ", "\t"), "t.json")
    assert_contract(run("import", path), (0,))


def test_cloudformation_tags_are_still_refused_in_a_case(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text((CASES / "myblog.yaml").read_text().replace("title:", "label_of: !Ref Something\ntitle:", 1))
    result = run("validate", path)
    assert_contract(result, (2,))
    assert "tag '!Ref' is not allowed in a case file" in result.err and f"{path}:3:11:" in result.err


FOREACH = """\
    AWSTemplateFormatVersion: '2010-09-09'
    Transform: AWS::LanguageExtensions
    Parameters:
      Names: {Type: CommaDelimitedList, Default: "orders, invoices"}
      Later: {Type: CommaDelimitedList}
    Resources:
      Fn::ForEach::Topics:
        - Topic
        - [Success, Failure]
        - 'Topic${Topic}':
            Type: AWS::SNS::Topic
            Properties: {TopicName: !Ref Topic}
      Fn::ForEach::Queues:
        - Name
        - !Ref Names
        - 'Queue&{Name}':
            Type: AWS::SQS::Queue
            Properties: {QueueName: !Sub '${Name}-queue'}
      Fn::ForEach::Unknown:
        - X
        - !Ref Later
        - 'Bucket${X}': {Type: AWS::S3::Bucket}
      Fn::ForEach::Nested:
        - Outer
        - [A, B]
        - Fn::ForEach::Inner:
            - Inner
            - ['1', '2']
            - 'Table${Outer}${Inner}':
                Type: AWS::DynamoDB::Table
                Properties:
                  KeySchema: [{AttributeName: !Sub 'k${Inner}', KeyType: HASH}]
      Included:
        Fn::Transform: {Name: AWS::Include, Parameters: {Location: s3://bucket/snippet.yaml}}
      Worker:
        Type: AWS::Lambda::Function
        Properties: {Handler: a.b, Runtime: python3.12, Role: arn:aws:iam::1:role/r}
    """


def test_foreach_loops_over_known_collections_are_expanded(tmp_path):
    imported = import_template(write(tmp_path, FOREACH))
    services = {s.id: s for s in imported.architecture.services}
    assert {"topic-success", "topic-failure", "queueorders", "queueinvoices", "worker",
            "table-a1", "table-a2", "table-b1", "table-b2"} <= set(services)
    assert services["table-b2"].partition_key.name == "k2"
    assert not any(s.startswith("bucket") for s in services)
    text_notes = [(n.line, n.message) for n in imported.notes]
    assert any(line == 19 and "`Fn::ForEach::Unknown`" in message and "parameter 'Later', which has no `Default`" in message
               for line, message in text_notes), text_notes
    assert any(line == 33 and "'Included' is given by `Fn::Transform`" in message for line, message in text_notes), text_notes
    # findings on what a loop made point at the loop's template
    result = run("check", write(tmp_path, FOREACH), "--format", "json")
    located = {f["target"]: f["line"] for case in json.loads(result.out)["cases"] for f in case["findings"]}
    assert located.get("queueorders") == 16


def test_a_malformed_loop_is_left_out_with_a_note(tmp_path):
    path = write(tmp_path, {"Resources": {"Fn::ForEach::Bad": "oops", "Q": {"Type": "AWS::SQS::Queue"}}}, "t.json")
    result = run("import", path)
    assert_contract(result, (0,))
    assert any("`Fn::ForEach::Bad` is not [identifier, collection" in line and f"{path}:1:" in line for line in notes(result))


def test_a_template_of_loops_over_unknown_collections_only_is_refused_located(tmp_path):
    path = write(tmp_path, {"Resources": {"Fn::ForEach::A": ["X", {"Ref": "P"}, {"Q${X}": {"Type": "AWS::SQS::Queue"}}]}}, "t.json")
    result = run("import", path)
    assert_contract(result, (2,))
    assert "`Resources` is empty once what archcase cannot expand is left out" in result.err


SHAPES = """\
    AWSTemplateFormatVersion: '2010-09-09'
    Transform: AWS::Serverless-2016-10-31
    Globals: [Function]
    Parameters: just text
    Metadata:
      archcase: not a mapping
    Resources:
      MyFunction:
        Type: AWS::Serverless::Function
        Metadata: {archcase: [1, 2]}
        Properties:
          Handler: app.handler
          Runtime: python3.12
          Events: [{Type: SQS}]
          Environment: {Variables: [A, B]}
      Cdn:
        Type: AWS::CloudFront::Distribution
        Properties:
          DistributionConfig:
            DefaultCacheBehavior: allow-all
            Origins: [just-a-name, {Id: o, DomainName: example.com}]
      Deploy:
        Type: AWS::ApiGateway::Deployment
        Properties: {RestApiId: x, StageDescription: [a]}
      Queue:
        Type: AWS::SQS::Queue
        Properties: a string
    """


def test_wrong_shapes_are_left_out_with_located_notes_in_user_terms(tmp_path):
    path = write(tmp_path, SHAPES)
    result = run("import", path)
    assert_contract(result, (0,))
    found = notes(result)
    expected = [
        (3, "`Globals` is a list; CloudFormation expects a mapping of sections"),
        (4, "`Parameters` is the text 'just text'; CloudFormation expects a mapping of parameter names to parameters"),
        (6, "`Metadata.archcase` is the text 'not a mapping'; archcase expects a mapping of archcase's case fields"),
        (10, "`Metadata.archcase` of 'MyFunction' is a list; archcase expects a mapping"),
        (14, "`Properties.Events` of 'MyFunction' is a list; SAM expects a mapping of event names to events"),
        (15, "`Properties.Environment.Variables` of 'MyFunction' is a list; SAM expects a mapping of variable names to values"),
        (20, "`Properties.DistributionConfig.DefaultCacheBehavior` of 'Cdn' is the text 'allow-all'; CloudFormation expects"),
        (21, "`Properties.DistributionConfig.Origins[0]` of 'Cdn' is the text 'just-a-name'; CloudFormation expects an origin"),
        (24, "`Properties.StageDescription` of 'Deploy' is a list; CloudFormation expects a mapping"),
        (27, "`Properties` of 'Queue' is the text 'a string'; CloudFormation expects a mapping of the AWS::SQS::Queue properties"),
    ]
    for line, message in expected:
        assert any(n.startswith(f"{path}:{line}:") and message in n for n in found), (line, message, found)
    assert "left out of the import" in result.err and "    fix: give " in result.err
    assert "kind: lambda" in result.out and "kind: cloudfront" in result.out  # the import went on


def test_a_resource_without_a_type_is_refused_located(tmp_path):
    path = write(tmp_path, {"Resources": {"A": {"Type": ["AWS::S3::Bucket"]}, "B": "text", "C": {"Properties": {}}}}, "t.json")
    result = run("import", path)
    assert_contract(result, (2,))
    lines = errors(result)
    assert any("`Type` of resource 'A' is a list, not a resource type" in line for line in lines)
    assert any("resource 'B' is the text 'text', not a mapping with a `Type`" in line for line in lines)
    assert any("resource 'C' has no `Type`" in line for line in lines)


def test_a_reader_failing_on_an_unforeseen_shape_costs_only_the_property(tmp_path, monkeypatch):
    original = registry.SETTINGS_READERS[SqsQueue]

    def fragile(t, r):  # a reader that trusts `Tuning` to be a mapping
        found = original(t, r)
        if "Tuning" in r.properties:
            found["visibility_timeout_s"] = r.properties["Tuning"].get("Seconds", 30)
        return found

    monkeypatch.setitem(registry.SETTINGS_READERS, SqsQueue, fragile)
    path = write(tmp_path, """\
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Properties:
              FifoQueue: true
              Tuning: [not, a, mapping]
        """)
    imported = import_template(path)
    (queue,) = imported.architecture.services
    assert queue.fifo is True  # the other properties are still read
    (note,) = [n for n in imported.notes if "Tuning" in n.message]
    assert (note.line, note.severity) == (6, "note")
    assert "`Properties.Tuning` of 'Queue' is a list" in note.message and "left out" in note.message
    monkeypatch.setenv("ARCHCASE_DEBUG", "1")
    with pytest.raises(AttributeError):
        import_template(path)


def test_nothing_unforeseen_reaches_the_user_as_python_text(tmp_path, monkeypatch):
    from archcase.importer import template

    def broken(self):
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr(template.Template, "_bucket_names", broken)
    path = write(tmp_path, "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n")
    result = run("import", path)
    assert_contract(result, (2,))
    assert f"{path}:1:1: error: archcase could not import this template" in result.err
    result = run("check", path)
    assert_contract(result, (2,))


def test_an_import_refuses_to_overwrite_its_own_template(tmp_path):
    path = write(tmp_path, ONE_LINE, "t.json")
    before = path.read_bytes()
    link = tmp_path / "link.json"
    link.symlink_to(path)
    hard = tmp_path / "hard.json"
    os.link(path, hard)
    for out in (path, link, hard, tmp_path / "." / "t.json"):
        result = run("import", path, "--out", out)
        assert_contract(result, (2,))
        assert f"{out}:1:1: error: --out is the template being imported" in result.err
    assert path.read_bytes() == before


def test_an_import_into_a_folder_is_refused_and_writes_nothing(tmp_path):
    path = write(tmp_path, ONE_LINE, "t.json")
    result = run("import", path, "--out", tmp_path)
    assert_contract(result, (2,))
    assert "it is a folder" in result.err


def test_a_failed_import_writes_nothing(tmp_path):
    path = write(tmp_path, "Resources: [not, a, mapping]\n")
    out = tmp_path / "case.yaml"
    assert_contract(run("import", path, "--out", out), (2,))
    assert not out.exists()


@pytest.mark.parametrize("body", ["${" * 200_000, "${a" * 100_000, "${!" * 100_000, "$" * 300_000 + "{x}", "${a}" * 100_000])
def test_fn_sub_text_is_read_in_linear_time(body):
    start = time.perf_counter()
    list(references({"Fn::Sub": body}))
    text({"Fn::Sub": body}, {"a": {"Default": "v"}})
    assert time.perf_counter() - start < 2


def test_a_template_with_a_huge_fn_sub_imports_quickly(tmp_path):
    path = write(tmp_path, {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${" * 400_000}}}}},
                 "t.json")
    start = time.perf_counter()
    assert_contract(run("import", path), (0,))
    assert time.perf_counter() - start < 10


@pytest.mark.parametrize(("value", "expected"), [("1e999", None), ("-1e999", None), ("1.0e+999", None), ("nan", None), ("inf", None),
                                               ("9" * 400, None), ("0x10", None), ("", None), ("12abc", None), (float("inf"), None),
                                               ("42", 42), ("2.5", 2), ("-3", -3), (7, 7)])
def test_numbers_out_of_range_are_unknown_not_an_error(value, expected):
    assert number(value) == expected


def test_out_of_range_numbers_in_a_template_read_as_unknown_values(tmp_path):
    unknown = write(tmp_path, """\
        Parameters: {Given: {Type: Number}}
        Resources:
          Queue:
            Type: AWS::SQS::Queue
            Properties: {VisibilityTimeout: !Ref Given, MessageRetentionPeriod: !Ref Given}
        """, "unknown.yaml")
    for value in ("1e999", "'-1e999'", ".inf", "-.inf", ".nan", "'" + "9" * 500 + "'"):
        path = write(tmp_path, f"Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties: {{VisibilityTimeout: {value}, "
                               f"MessageRetentionPeriod: {value}}}\n", "odd.yaml")
        imported = import_template(path)
        assert imported.architecture.services == import_template(unknown).architecture.services, value
        assert not imported.notes, value


def test_unknown_rule_ids_are_refused_by_every_command(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text((CASES / "software-updates.yaml").read_text().replace("rule: AC108", "rule: AC180"))
    for command in ("validate", "check", "render", "emit", "build"):
        result = run(command, case, *(["--out", tmp_path / "out"] if command in ("render", "emit", "build") else []))
        assert_contract(result, (2,))
        assert "unknown rule id 'AC180'" in result.err and ":66:11: error" in result.err, command
    assert not (tmp_path / "out").exists()


def test_unknown_rule_ids_in_a_template_are_located_in_its_metadata(tmp_path):
    path = write(tmp_path, """\
        Metadata:
          archcase:
            suppressions:
              - {rule: AC999, target: queue, reason: Because this queue is a test fixture and nothing else.}
        Resources:
          Queue: {Type: AWS::SQS::Queue}
        """)
    result = run("validate", path)
    assert_contract(result, (2,))
    assert f"{path}:4:16: error: unknown rule id 'AC999'" in result.err


def test_an_invalid_case_in_metadata_is_refused_where_it_is_written(tmp_path):
    path = write(tmp_path, """\
        Metadata:
          archcase:
            case: Not An Id
            requirements:
              - {id: r1, question: Why?, rules: [AC101], colour: blue}
        Resources:
          Queue: {Type: AWS::SQS::Queue}
        """)
    with pytest.raises(CaseError) as caught:
        import_template(path)
    located = {(d.line, d.message.split(": ", 1)[1][:40]) for d in caught.value.diagnostics}
    assert any(line == 3 for line, _ in located) and any(line == 5 for line, _ in located), located
