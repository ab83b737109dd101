"""Every limit of `models.limits` around its value: just under is read, just over is refused with a located
message naming the limit, before the work it bounds is done (a file's size by stat, in no time)."""

from __future__ import annotations

import json
import os
import time

import pytest
import yaml

from archcase.importer.source import read_json
from archcase.models import limits, yamlsafe

from ..conftest import CASES
from .input_checks import assert_contract, errors, run

SQS_TEMPLATE = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n"


def nested(depth: int, style: str) -> str:
    """`a:` holding lists nested so that the document is `depth` levels deep (the top mapping is one)."""
    inner = depth - 1
    if style == "flow":
        return "a: " + "[" * inner + "]" * inner + "\n"
    if style == "anchored":  # the same in flow style, with an anchor: read by the full reader
        return "x: &x 1\na: " + "[" * inner + "*x" + "]" * inner + "\n"
    lines = ["a:"]
    for level in range(inner - 1):
        lines.append("  " * (level + 1) + "-")
    lines.append("  " * inner + "- 1")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("style", ["flow", "block", "anchored"])
def test_nesting_up_to_the_limit_is_read_and_one_more_is_refused(style):
    assert yamlsafe.load(nested(limits.MAX_DEPTH, style)).data["a"]
    with pytest.raises(yamlsafe.YamlError, match="MAX_DEPTH") as caught:
        yamlsafe.load(nested(limits.MAX_DEPTH + 1, style))
    assert caught.value.line >= 1 and "flatten" in caught.value.hint


@pytest.mark.parametrize("depth", [limits.MAX_DEPTH + 1, 5_000, 200_000])
def test_deep_nesting_in_a_file_is_refused_with_the_limit_named(tmp_path, depth):
    path = tmp_path / "deep.yaml"
    path.write_text("a: " + "[" * depth + "]" * depth + "\n")
    for command in ("validate", "check", "import"):
        result = run(command, path)
        assert_contract(result, (2,))
        assert any("MAX_DEPTH" in line for line in errors(result)), result.err


def test_deep_json_is_refused_by_the_json_reader_too():
    depth = limits.MAX_DEPTH
    assert read_json('{"a": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}").data["a"]  # the object and depth - 1 arrays
    with pytest.raises(yamlsafe.YamlError, match="MAX_DEPTH"):
        read_json('{"a": ' + "[" * depth + "]" * depth + "}")


def fn_if(levels: int) -> dict:
    value: object = "x"
    for _ in range(levels):
        value = {"Fn::If": ["Cond", value, "y"]}
    return value  # type: ignore[return-value]


def test_nested_fn_if_is_read_under_the_limit_and_refused_over_it(tmp_path):
    # Resources > Queue > Properties > QueueName: four levels, then two per Fn::If (its mapping and its list)
    under = (limits.MAX_DEPTH - 5) // 2
    template = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": fn_if(under)}}}}
    path = tmp_path / "if.json"
    path.write_text(json.dumps(template))
    assert_contract(run("import", path), (0,))
    template["Resources"]["Queue"]["Properties"]["QueueName"] = fn_if(400)
    path.write_text(json.dumps(template))
    result = run("import", path)
    assert_contract(result, (2,))
    assert "MAX_DEPTH" in result.err


@pytest.mark.parametrize("writer", ["yaml", "json"])
def test_numbers_up_to_the_limit_are_read_and_longer_ones_refused(tmp_path, writer):
    for digits, code in ((limits.MAX_NUMBER_CHARS, 0), (limits.MAX_NUMBER_CHARS + 1, 2), (5_000, 2), (100_000, 2)):
        number = "9" * digits
        text = SQS_TEMPLATE + f"    Properties:\n      VisibilityTimeout: {number}\n" if writer == "yaml" else \
            '{"Resources":\t{"Queue": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": ' + number + "}}}}"
        path = tmp_path / f"n.{writer}"
        path.write_text(text)
        result = run("import", path)
        assert_contract(result, (code,))
        if code == 2:
            assert "MAX_NUMBER_CHARS" in result.err and f"{path}:" in result.err


def test_strings_up_to_the_limit_are_read_and_longer_ones_refused(tmp_path):
    for size, code in ((limits.MAX_STRING_CHARS, 0), (limits.MAX_STRING_CHARS + 1, 2)):
        path = tmp_path / "long.yaml"
        path.write_text(f"name: t\ntitle: T\nsummary: {'x' * size}\nservices:\n  - {{id: q, kind: sqs}}\n")
        result = run("validate", path)
        assert_contract(result, (code,))
        if code == 2:
            assert "MAX_STRING_CHARS" in result.err and f"{path}:3:10: error" in result.err


def alias_bomb(width: int, levels: int) -> str:
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    for i in range(1, levels + 1):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_aliases_may_expand_up_to_the_limit_and_no_further():
    # an anchored list of 999 values is 1,000 values (with the list); each use of its alias repeats them all
    uses = limits.MAX_ALIAS_EXPANSION // 1000
    anchor = f"base: &a [{', '.join(['x'] * 999)}]\n"
    assert len(yamlsafe.load(anchor + f"uses: [{', '.join(['*a'] * uses)}]\n").data["uses"]) == uses
    with pytest.raises(yamlsafe.YamlError, match="MAX_ALIAS_EXPANSION") as caught:
        yamlsafe.load(anchor + f"uses: [{', '.join(['*a'] * (uses + 1))}]\n")
    assert caught.value.line == 2


def test_an_alias_bomb_is_refused_as_the_count_passes_the_limit():
    start = time.perf_counter()
    with pytest.raises(yamlsafe.YamlError, match="MAX_ALIAS_EXPANSION"):
        yamlsafe.load(alias_bomb(10, 30))  # 10^30 values if expanded
    assert time.perf_counter() - start < 10


def test_a_large_case_without_aliases_is_not_an_alias_bomb(tmp_path):
    services = [{"id": f"q{i}", "kind": "sqs"} for i in range(10_000)]
    flows = [{"from": f"q{i}", "to": f"q{i + 1}", "kind": "dead-letter"} for i in range(0, 10_000, 2)]
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump({"name": "big", "title": "Big", "services": services, "flows": flows}))
    result = run("validate", path)
    assert_contract(result, (0,))
    assert "10000 services" in result.out


@pytest.mark.parametrize(("name", "command", "suffix"), [("MAX_CASE_BYTES", "validate", "yaml"), ("MAX_TEMPLATE_BYTES", "import", "yaml")])
def test_byte_limits_hold_at_their_value_and_can_be_raised_for_a_run(tmp_path, monkeypatch, name, command, suffix):
    text = (CASES / "mytodolist.yaml").read_text() if command == "validate" else SQS_TEMPLATE
    path = tmp_path / f"file.{suffix}"
    path.write_text(text)
    size = len(text.encode())
    monkeypatch.setenv(f"ARCHCASE_{name}", str(size))
    assert_contract(run(command, path), (0,))
    monkeypatch.setenv(f"ARCHCASE_{name}", str(size - 1))
    result = run(command, path)
    assert_contract(result, (2,))
    assert name in result.err and f"ARCHCASE_{name}" in result.err


@pytest.mark.parametrize(("command", "limit"), [("validate", limits.MAX_CASE_BYTES), ("check", limits.MAX_CASE_BYTES),
                                                ("import", limits.MAX_TEMPLATE_BYTES)])
def test_a_huge_sparse_file_is_refused_by_its_size_without_being_read(tmp_path, command, limit):
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(8 * 1024**3)  # 8 GiB that take no room: reading them would exhaust memory
    for size in (limit + 1, 8 * 1024**3):
        os.truncate(path, size)
        start = time.perf_counter()
        result = run(command, path)
        assert time.perf_counter() - start < 5
        assert_contract(result, (2,))
        assert "is larger than" in result.err and f"{path}:1:1: error:" in result.err


def test_foreach_may_make_resources_up_to_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_EXPANDED_RESOURCES", 12)
    loop = {"Fn::ForEach::Outer": ["A", ["a", "b", "c"], {"Fn::ForEach::Inner": ["B", ["1", "2", "3", "4"],
                                                                                  {"Q${A}${B}": {"Type": "AWS::SQS::Queue"}}]}]}
    path = tmp_path / "loops.json"
    path.write_text(json.dumps({"Transform": "AWS::LanguageExtensions", "Resources": loop}))
    result = run("import", path)
    assert_contract(result, (0,))
    assert result.out.count("kind: sqs") == 12
    monkeypatch.setattr(limits, "MAX_EXPANDED_RESOURCES", 11)
    result = run("import", path)
    assert_contract(result, (2,))
    assert "MAX_EXPANDED_RESOURCES" in result.err


def test_foreach_loops_that_would_make_millions_are_refused_quickly(tmp_path):
    collection = [str(i) for i in range(100)]
    loop: dict = {"Q${A}${B}${C}": {"Type": "AWS::SQS::Queue"}}
    for name in "CBA":
        loop = {f"Fn::ForEach::{name}": [name, collection, loop]}
    path = tmp_path / "million.json"
    path.write_text(json.dumps({"Resources": loop}))
    start = time.perf_counter()
    result = run("import", path)
    assert time.perf_counter() - start < 20
    assert_contract(result, (2,))
    assert "MAX_EXPANDED_RESOURCES" in result.err
