"""archcase lints what it emits: a template cfn-lint reports anything on stops `emit` and `build` with the rule
and the service, exit 2, nothing written; `--no-lint` writes it anyway."""

from __future__ import annotations

import pytest

from archcase.models import Architecture
from archcase.models.messaging import SqsQueue
from archcase.render.cloudformation import lint
from archcase.render.cloudformation.context import Context, Fragment
from archcase.render.cloudformation.registry import EMITTERS

QUEUE_CASE = """\
name: lint-me
title: A queue and a topic
services:
  - {id: alerts, kind: sns}
  - {id: jobs, kind: sqs}
"""


@pytest.fixture
def broken_queue_emitter(monkeypatch: pytest.MonkeyPatch) -> None:
    """The queue emitter with a defect: a property SQS does not have (cfn-lint E3002)."""
    emit_sqs = EMITTERS[SqsQueue]

    def broken(queue: SqsQueue, ctx: Context) -> Fragment:
        fragment = emit_sqs(queue, ctx)
        fragment.resources["Jobs"]["Properties"]["Colour"] = "blue"
        return fragment

    monkeypatch.setitem(EMITTERS, SqsQueue, broken)


@pytest.mark.usefixtures("broken_queue_emitter")
@pytest.mark.parametrize("command", ["emit", "build"])
def test_a_template_cfn_lint_rejects_is_an_archcase_defect_and_nothing_is_written(cli, write_case, tmp_path, command):
    case = write_case(QUEUE_CASE)
    out = tmp_path / "out"
    result = cli(command, str(case), "--out", str(out))
    assert result.code == 2
    assert f"{case}:5:" in result.err  # the line of the queue the resource belongs to
    assert "archcase defect" in result.err and "E3002" in result.err and "Resources/Jobs/Properties" in result.err
    assert "Traceback" not in result.err
    assert not out.exists()


@pytest.mark.usefixtures("broken_queue_emitter")
def test_no_lint_writes_the_template_anyway(cli, write_case, tmp_path):
    out = tmp_path / "out"
    result = cli("emit", str(write_case(QUEUE_CASE)), "--out", str(out), "--no-lint")
    assert result.code == 0
    assert "Colour: blue" in (out / "lint-me" / "template.yaml").read_text()


def test_a_clean_template_passes(cli, write_case, tmp_path):
    out = tmp_path / "out"
    assert cli("emit", str(write_case(QUEUE_CASE)), "--out", str(out)).code == 0
    assert (out / "lint-me" / "template.yaml").is_file()


@pytest.mark.parametrize(("path", "owner"), [
    (("Resources", "TodoApiStage", "Properties"), "todo-api"),
    (("Resources", "TodoApi"), "todo-api"),
    (("Resources", "Todo"), "todo"),
    (("Resources", "AccessLogs"), None),
    (("Parameters", "TodoApiStageName"), None),
    ((), None),
])
def test_a_problem_belongs_to_the_service_with_the_longest_matching_logical_id(path, owner):
    architecture = Architecture.model_validate({"name": "t", "title": "T", "services": [
        {"id": "todo", "kind": "sqs"}, {"id": "todo-api", "kind": "sns"}]})
    assert lint.service_of(lint.Problem("E0000", "m", path, 1), architecture) == owner
