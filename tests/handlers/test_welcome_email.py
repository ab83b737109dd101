"""welcome_email: users-table stream records to SES, once per user, with partial batch failures."""

from __future__ import annotations

from typing import Any

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from welcome_email import app

from .conftest import ALICE, BOB, REGION, aws_client, fail_calls, load_event, log_lines

SENDER = "welcome@myblog.example.com"
ALICE_SEQ, BOB_SEQ = "111000000000000000001", "111000000000000000003"


@pytest.fixture
def users(table_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    table = table_factory("USERS_TABLE", "users", "user_id", stream=True)
    monkeypatch.setenv("EMAIL_SENDER", SENDER)
    aws_client("ses").verify_domain_identity(Domain="myblog.example.com")
    # the items the sample stream records were produced by
    table.put_item(Item={"user_id": ALICE, "email": "alice@example.com", "name": "Alice"})
    table.put_item(Item={"user_id": BOB, "email": "bob@example.org"})
    return table


def sent() -> list[Any]:
    return ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages


def test_sends_one_welcome_per_inserted_user(users: Any, context: Any) -> None:
    result = app.handler(load_event("welcome_email", "users_stream.json"), context)
    assert result == {"batchItemFailures": []}
    messages = sorted(sent(), key=lambda m: m.destinations["ToAddresses"])
    assert [m.destinations["ToAddresses"] for m in messages] == [["alice@example.com"], ["bob@example.org"]]
    assert all(m.source == SENDER and m.subject == app.SUBJECT for m in messages)
    assert "Hello Alice," in messages[0].body
    assert "welcomed_at" in users.get_item(Key={"user_id": ALICE})["Item"]


def test_a_redelivered_batch_sends_nothing_again(users: Any, context: Any) -> None:
    event = load_event("welcome_email", "users_stream.json")
    app.handler(event, context)
    assert app.handler(event, context) == {"batchItemFailures": []}
    assert len(sent()) == 2


def test_modify_and_remove_records_are_skipped(users: Any, context: Any) -> None:
    event = load_event("welcome_email", "users_stream.json")
    event["Records"] = [r for r in event["Records"] if r["eventName"] != "INSERT"]
    assert app.handler(event, context) == {"batchItemFailures": []}
    assert sent() == []
    assert "welcomed_at" not in users.get_item(Key={"user_id": ALICE})["Item"]


def test_a_deleted_user_is_not_resurrected_nor_emailed(users: Any, context: Any) -> None:
    users.delete_item(Key={"user_id": BOB})
    app.handler(load_event("welcome_email", "users_stream.json"), context)
    assert [m.destinations["ToAddresses"] for m in sent()] == [["alice@example.com"]]
    assert "Item" not in users.get_item(Key={"user_id": BOB})


def test_malformed_records_are_logged_and_not_retried(users: Any, context: Any, capsys: pytest.CaptureFixture[str]) -> None:
    event = load_event("welcome_email", "users_stream.json")
    del event["Records"][0]["dynamodb"]["NewImage"]["email"]
    event["Records"][2]["dynamodb"]["NewImage"]["email"] = {"S": "not an address"}
    assert app.handler(event, context) == {"batchItemFailures": []}
    assert sent() == []
    logged = [line for line in log_lines(capsys.readouterr().out) if line["message"] == "malformed stream record skipped"]
    assert [line["sequence_number"] for line in logged] == [ALICE_SEQ, BOB_SEQ]
    assert all(line["level"] == "ERROR" and line["request_id"] == context.aws_request_id for line in logged)


def test_send_failure_releases_the_marker_and_reports_the_record(users: Any, context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_SENDER", "someone@unverified.example")  # SES rejects unverified senders
    result = app.handler(load_event("welcome_email", "users_stream.json"), context)
    assert result == {"batchItemFailures": [{"itemIdentifier": ALICE_SEQ}, {"itemIdentifier": BOB_SEQ}]}
    assert "welcomed_at" not in users.get_item(Key={"user_id": ALICE})["Item"]
    # the retry, once SES accepts the sender, does welcome the user
    monkeypatch.setenv("EMAIL_SENDER", SENDER)
    assert app.handler(load_event("welcome_email", "users_stream.json"), context) == {"batchItemFailures": []}
    assert len(sent()) == 2


def test_only_the_failing_record_is_reported(users: Any, context: Any) -> None:
    ses = app._ses()
    real_send = ses.send_email

    def send(**kwargs: Any) -> Any:
        if kwargs["Destination"]["ToAddresses"] == ["bob@example.org"]:
            raise RuntimeError("connection reset")
        return real_send(**kwargs)

    ses.send_email = send
    result = app.handler(load_event("welcome_email", "users_stream.json"), context)
    assert result == {"batchItemFailures": [{"itemIdentifier": BOB_SEQ}]}
    assert [m.destinations["ToAddresses"] for m in sent()] == [["alice@example.com"]]
    assert "welcomed_at" not in users.get_item(Key={"user_id": BOB})["Item"]


def test_throttled_marker_update_is_reported_and_nothing_sent(users: Any, context: Any) -> None:
    fail_calls(app._users_table().meta.client, "UpdateItem")
    result = app.handler(load_event("welcome_email", "users_stream.json"), context)
    assert result == {"batchItemFailures": [{"itemIdentifier": ALICE_SEQ}, {"itemIdentifier": BOB_SEQ}]}
    assert sent() == []


def test_compose_escapes_the_name_in_html() -> None:
    message = app.compose({"user_id": "u", "email": "a@b.cd", "name": "<script>x</script>"})
    assert "<script>" not in message["Body"]["Html"]["Data"]
    assert "&lt;script&gt;" in message["Body"]["Html"]["Data"]
