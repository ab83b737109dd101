"""athena_query: S3 notifications via SQS to Athena report queries (moto), with bounded polling."""

from __future__ import annotations

import json
from typing import Any

import pytest
from athena_query import app
from moto.athena.models import athena_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_api import state_manager

from .conftest import REGION, aws_client, fail_calls, load_event

DATA_MESSAGE, TEST_MESSAGE = "a1f3c9d2-6b7e-4f80-9a1b-2c3d4e5f6a7b", "b2e4d0e3-7c8f-4091-8b2c-3d4e5f6a7b8c"
OBJECT = "s3://ingestion-bucket-123456789012/raw/2024/06/10/06/delivery-1-2024-06-10-06-13-20-3b9f1c2d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


@pytest.fixture
def athena(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    client = aws_client("athena")
    client.create_work_group(
        Name="analytics",
        Configuration={
            "ResultConfiguration": {"OutputLocation": "s3://reporting-bucket-123456789012/reports/"},
            "EnforceWorkGroupConfiguration": True,
        },
    )
    monkeypatch.setenv("ANALYTICS_WORKGROUP", "analytics")
    monkeypatch.setenv("ANALYTICS_DATABASE", "ingestion")
    monkeypatch.setattr(app, "_sleep", lambda seconds: None)
    return athena_backends[DEFAULT_ACCOUNT_ID][REGION]


def executions(backend: Any) -> list[Any]:
    return list(backend.executions.values())


def data_message(key: str, message_id: str) -> dict[str, Any]:
    record = load_event("athena_query", "new_data.json")["Records"][0]
    body = json.loads(record["body"])
    body["Records"][0]["s3"]["object"]["key"] = key
    return {**record, "messageId": message_id, "body": json.dumps(body)}


def test_a_report_query_runs_for_the_new_object_and_the_test_event_is_skipped(athena: Any, context: Any) -> None:
    assert app.handler(load_event("athena_query", "new_data.json"), context) == {"batchItemFailures": []}
    [execution] = executions(athena)
    assert execution.workgroup.name == "analytics"
    assert execution.context == {"Database": "ingestion"}
    assert f"\"$path\" IN ('{OBJECT}')" in execution.query and 'FROM "raw"' in execution.query
    assert execution.config is None  # results go where the workgroup says: the reporting bucket


def test_keys_are_url_decoded_and_quotes_escaped(athena: Any, context: Any) -> None:
    event = {"Records": [data_message("raw/it%27s+new.json", "m-1")]}
    app.handler(event, context)
    [execution] = executions(athena)
    assert "'s3://ingestion-bucket-123456789012/raw/it''s new.json'" in execution.query


def test_failed_queries_are_reported(athena: Any, context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    real_start = app._athena().start_query_execution

    def start_then_fail(**kwargs: Any) -> Any:  # moto's queries always succeed; make the second one fail
        started = real_start(**kwargs)
        if "second" in kwargs["QueryString"]:
            athena.executions[started["QueryExecutionId"]].status = "FAILED"
        return started

    monkeypatch.setattr(app._athena(), "start_query_execution", start_then_fail)
    event = {"Records": [data_message("raw/first.json", "m-1"), data_message("raw/second.json", "m-2")]}
    assert app.handler(event, context) == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}


def test_polling_waits_for_running_queries(athena: Any, context: Any) -> None:
    state_manager.set_transition(model_name="athena::execution", transition={"progression": "manual", "times": 2})
    try:
        assert app.handler(load_event("athena_query", "new_data.json"), context) == {"batchItemFailures": []}
    finally:
        state_manager.unset_transition("athena::execution")
    assert executions(athena)[0].status == "SUCCEEDED"


def test_queries_still_running_at_the_deadline_are_stopped_and_reported(athena: Any, context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    state_manager.set_transition(model_name="athena::execution", transition={"progression": "manual", "times": 1000})
    context.remaining_ms = 6_000  # one second of budget after the safety margin
    now = [0.0]
    monkeypatch.setattr(app, "_clock", lambda: now[0])
    monkeypatch.setattr(app, "_sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))
    try:
        result = app.handler(load_event("athena_query", "new_data.json"), context)
    finally:
        state_manager.unset_transition("athena::execution")
    assert result == {"batchItemFailures": [{"itemIdentifier": DATA_MESSAGE}]}
    assert executions(athena)[0].status == "CANCELLED"
    assert now[0] <= 1.0


@pytest.mark.parametrize(
    "body", ["not json", "[]", json.dumps({"Records": "nope"}), json.dumps({"Records": [{"eventName": "ObjectCreated:Put", "s3": {}}]})]
)
def test_malformed_messages_are_failures(athena: Any, context: Any, body: str) -> None:
    event = load_event("athena_query", "new_data.json")
    event["Records"][0]["body"] = body
    assert app.handler(event, context) == {"batchItemFailures": [{"itemIdentifier": DATA_MESSAGE}]}
    assert executions(athena) == []


def test_throttled_start_is_reported(athena: Any, context: Any) -> None:
    fail_calls(app._athena(), "StartQueryExecution", "TooManyRequestsException")
    assert app.handler(load_event("athena_query", "new_data.json"), context) == {"batchItemFailures": [{"itemIdentifier": DATA_MESSAGE}]}


def test_the_request_token_changes_with_each_delivery() -> None:
    record = load_event("athena_query", "new_data.json")["Records"][0]
    first = app.request_token(record)
    assert first == app.request_token(record) and 32 <= len(first) <= 128
    record["attributes"]["ApproximateReceiveCount"] = "2"
    assert app.request_token(record) != first
