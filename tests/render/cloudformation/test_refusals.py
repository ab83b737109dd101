"""A valid case that no template can be written for is refused up front, with what it lacks, rather than
written as a template CloudFormation rejects."""

from __future__ import annotations

import pytest

from ...strategies import HANDLERS

CLIENTS_ONLY = """\
name: nothing-here
title: Only clients and a resource archcase does not model
services:
  - {id: app, kind: mobile-app}
  - {id: thing, kind: generic, resource_type: "AWS::Test::Thing"}
flows:
  - {from: app, to: thing, kind: uses}
"""


def test_emit_refuses_a_case_with_nothing_to_deploy(cli, write_case, tmp_path):
    out = tmp_path / "out"
    result = cli("emit", str(write_case(CLIENTS_ONLY)), "--out", str(out))
    assert result.code == 2
    assert "nothing in the case is deployed by a stack" in result.err
    assert "Traceback" not in result.err and not out.exists()


def test_build_draws_such_a_case_and_says_there_is_no_template(cli, write_case, tmp_path):
    out = tmp_path / "out"
    result = cli("build", str(write_case(CLIENTS_ONLY)), "--out", str(out))
    assert result.code == 0, result.err
    assert "warning: nothing-here: no template.yaml: nothing in the case is deployed by a stack" in result.err
    written = {p.name for p in (out / "nothing-here").iterdir()}
    assert "template.yaml" not in written and {"model.json", "report.html", "diagram.svg"} <= written


def test_emit_refuses_a_function_on_a_deprecated_runtime_and_names_its_successor(cli, write_case, tmp_path):
    path = write_case("""
        name: old
        title: A function on a runtime Lambda has deprecated
        services:
          - {id: worker, kind: lambda, handler: todo_api.app.handler, runtime: python3.9}
        """)
    out = tmp_path / "out"
    result = cli("emit", str(path), "--out", str(out), "--handlers", str(HANDLERS))
    assert result.code == 2
    assert f"{path}:4:" in result.err
    assert "runtime python3.9 was deprecated on 2025-12-15" in result.err and "set runtime: python3.14" in result.err
    assert not out.exists()


def test_emit_refuses_a_role_with_broad_permissions_located_at_its_service(cli, write_case, tmp_path):
    path = write_case("""
        name: broad
        title: A function whose imported role allows every DynamoDB action
        services:
          - {id: fn, kind: lambda, handler: todo_api.app.handler, broad_permissions: ["dynamodb:* on *"]}
    """)
    out = tmp_path / "out"
    result = cli("emit", str(path), "--out", str(out))
    assert result.code == 2 and not out.exists()
    assert "service 'fn': its role allows dynamodb:* on *, and archcase emits roles from the case's flows only" in result.err
    assert ":5:" in result.err  # the line of the service


@pytest.mark.parametrize(("service", "message"), [
    ("{id: stream, kind: firehose, external_destination: true}",
     "service 'stream': it delivers to a destination outside the case (`external_destination`), and archcase emits delivery "
     "streams to a bucket of the case only"),
    ("{id: queries, kind: athena, database: logs, external_results: true}",
     "service 'queries': its results go to a location outside the case (`external_results`), and archcase emits results to "
     "a bucket of the case only"),
])
def test_emit_refuses_a_destination_or_result_location_outside_the_case_located_at_its_service(cli, write_case, tmp_path,
                                                                                               service, message):
    kind = "delivers" if "firehose" in service else "writes"
    path = write_case(f"""
        name: outside
        title: A service whose imported template sends its data outside it
        services:
          - {{id: lake, kind: s3}}
          - {service}
        flows:
          - {{from: {service.split(",")[0].split(": ")[1]}, to: lake, kind: {kind}}}
    """)
    out = tmp_path / "out"
    result = cli("emit", str(path), "--out", str(out))
    assert result.code == 2 and not out.exists()
    assert message in result.err
    assert ":5:" in result.err  # the line of the service


def test_emit_refuses_a_trigger_from_a_table_without_a_stream_located_at_the_flow(cli, write_case, tmp_path):
    """AC412 reports such a table; a template would name the stream ARN of a table that has none (found by the
    generated deploy test: CloudFormation cannot resolve the attribute)."""
    path = write_case("""
        name: no-stream
        title: A table with no stream triggers a function
        services:
          - {id: fn, kind: lambda, handler: todo_api.app.handler}
          - {id: items, kind: dynamodb, partition_key: {name: pk}}
        flows:
          - {from: items, to: fn, kind: triggers}
    """)
    out = tmp_path / "out"
    result = cli("emit", str(path), "--out", str(out), "--handlers", str(HANDLERS))
    assert result.code == 2 and not out.exists()
    assert "table 'items' has no stream" in result.err and "set `stream: NEW_IMAGE`" in result.err
    assert ":7:" in result.err  # the line of the flow


@pytest.mark.parametrize(("holder", "expected"), [
    ("{id: holder, kind: sns}", "service 'holder': a topic's dead-letter queue is set on its subscriptions"),
    ('{id: holder, kind: eventbridge-rule, schedule: "rate(1 day)"}',
     "service 'holder': a dead-letter queue is set on each target, and the rule has none"),
])
def test_emit_refuses_a_dead_letter_queue_with_nothing_to_set_it_on(cli, write_case, tmp_path, holder, expected):
    """Found by the generated round trip (the rule's in a clean-clone CI run): SNS keeps a dead-letter queue per
    subscription and EventBridge per target, so one on a topic with no subscription, or a rule with no target, was
    written nowhere and lost on import."""
    path = write_case(f"""
        name: lost-dlq
        title: A dead-letter queue with nothing to set it on
        services:
          - {holder}
          - {{id: failed, kind: sqs}}
        flows:
          - {{from: holder, to: failed, kind: dead-letter}}
    """)
    out = tmp_path / "out"
    result = cli("emit", str(path), "--out", str(out))
    assert result.code == 2 and not out.exists()
    assert expected in result.err
    assert ":4:" in result.err  # the line of the topic or rule
