"""What archcase prints holds no control character from its input: escape sequences, carriage returns, bells
and the like in cases, templates and file names are shown as escapes (`\\x1b`), never sent to the terminal,
and cannot start a line of their own."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from archcase.cli import main

from ..conftest import REPO
from .output_support import UNSAFE, hostile_cases, hostile_data, write_case


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


@given(hostile_cases())
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_validate_check_render_and_emit_print_no_control_character_from_the_case(case):
    _, data = case
    with tempfile.TemporaryDirectory() as folder:
        path = write_case(Path(folder), data)
        out = str(Path(folder) / "out")
        commands = [("validate", str(path)), ("check", str(path)), ("check", str(path), "--format", "junit"),
                    ("check", str(path), "--format", "sarif"), ("render", str(path), "--format", "mermaid,dot", "--out", out),
                    ("emit", str(path), "--out", out, "--handlers", str(REPO / "handlers"))]
        for command in commands:
            code, stdout, stderr = run(*command)
            assert code in (0, 1, 2), (command, stderr)
            assert "Traceback" not in stderr
            assert not UNSAFE.search(stdout), (command, UNSAFE.search(stdout))
            assert not UNSAFE.search(stderr), (command, UNSAFE.search(stderr))


def test_a_diagnostic_quoting_bad_input_prints_it_escaped_on_its_own_line(tmp_path, cli):
    data = hostile_data("mytodolist", ["plain words of text"])
    data["services"][0]["kind"] = "lamb\x1b[2J\x1b[Hda\nok: everything is fine"
    result = cli("validate", str(write_case(tmp_path, data)))
    assert result.code == 2
    assert not UNSAFE.search(result.err)
    assert "lamb\\x1b[2J\\x1b[Hda\\x0aok: everything is fine" in result.err
    assert not any(line.startswith("ok:") for line in result.err.splitlines())


def test_a_file_name_with_control_characters_is_printed_escaped(tmp_path, cli):
    data = hostile_data("mytodolist", ["plain words of text"])
    folder = tmp_path / "cases"
    folder.mkdir()
    write_case(folder, data, "\x1b]0;owned\x07\rcase.yaml")
    result = cli("validate", str(folder))
    assert result.code == 0 and not UNSAFE.search(result.out)
    assert "\\x1b]0;owned\\x07\\x0dcase.yaml" in result.out
    result = cli("render", str(folder), "--format", "mermaid", "--out", str(tmp_path / "\x1b[31mout"))
    assert result.code == 0 and not UNSAFE.search(result.out) and "wrote " in result.out and "\\x1b[31mout" in result.out


def test_notes_and_check_of_a_hostile_template_print_no_control_character(tmp_path, cli):
    template = tmp_path / "template.json"
    template.write_text(json.dumps({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "\x1b]0;owned\x07Shop\r\nok: fake line \x1b[31m{{resolve:ssm:/secret}}",
        "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}},
            "Odd\x1b[31mId": {"Type": "AWS::Some::Thing", "Properties": {"Description": "\x9b31m\u202e"}},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {
                "Handler": "a.b", "Runtime": "python3.12", "Code": {"ZipFile": "x"}, "Description": "\x1b[2J",
                "Environment": {"Variables": {"T": {"Ref": "Table"}, "X": {"Fn::ImportValue": "\x1b[31mexp"}}}}},
        },
    }, indent=2))
    imported = cli("import", str(template))
    assert imported.code == 0 and "note:" in imported.err and not UNSAFE.search(imported.err)
    assert "not modelled" in imported.err  # the notes were printed, escaped
    for command in (("check", str(template)), ("validate", str(template)),
                    ("render", str(template), "--format", "mermaid,dot", "--out", str(tmp_path / "out"))):
        result = cli(*command)
        assert result.code in (0, 1), (command, result.err)
        assert "note:" in result.err or command[0] != "check"
        assert not UNSAFE.search(result.err), (command, result.err)
        assert not UNSAFE.search(result.out), (command, result.out)
    mermaid = (tmp_path / "out" / "template" / "diagram.mmd").read_text(encoding="utf-8")
    assert mermaid.splitlines()[0] == "%% \\x1b]0;owned\\x07Shop"
