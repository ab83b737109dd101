"""handler_kit, the code every handler shares: JSON logs, AWS clients and errors, API answers, batch results."""

from __future__ import annotations

import base64
import json
import logging
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError
from handler_kit import now_iso
from handler_kit.aws import client, condition_failed, error_code, is_retryable, put_new, region, table
from handler_kit.batch import batch_response
from handler_kit.http import (
    ApiError,
    caller_id,
    claims_of,
    decode_page_token,
    encode_page_token,
    error_response,
    json_body,
    page_limit,
    path_uuid,
    response,
    route_for,
    serve,
)
from handler_kit.log import JsonLog

from .conftest import ALICE, REGION, body_of, client_error, fail_calls, log_lines, make_table

ISO_MS_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00")
TODO_ID = "3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"


class Context:
    aws_request_id = "req-1"


def api_event(method: str = "GET", resource: str = "/things", **extra: Any) -> dict[str, Any]:
    return {"httpMethod": method, "resource": resource, "requestContext": {"authorizer": {"claims": {"sub": ALICE}}}, **extra}


# --- now_iso -----------------------------------------------------------------------------------


def test_now_iso_is_utc_to_the_millisecond() -> None:
    stamp = now_iso()
    assert ISO_MS_UTC.fullmatch(stamp)
    assert abs(datetime.fromisoformat(stamp) - datetime.now(UTC)) < timedelta(seconds=5)


# --- log ---------------------------------------------------------------------------------------


def test_log_lines_carry_level_message_logger_time_context_and_fields(capsys: pytest.CaptureFixture[str]) -> None:
    log = JsonLog("kit_test_fields")
    log.start(Context(), route="GET /things")
    log(logging.WARNING, "slow", order_id="o-1", count=2, when=datetime(2024, 1, 2, tzinfo=UTC))
    [line] = log_lines(capsys.readouterr().out)
    assert set(line) == {"level", "message", "logger", "time", "request_id", "route", "order_id", "count", "when"}
    assert line["level"] == "WARNING" and line["message"] == "slow" and line["logger"] == "kit_test_fields"
    assert ISO_MS_UTC.fullmatch(line["time"])
    assert (line["request_id"], line["route"], line["order_id"], line["count"]) == ("req-1", "GET /things", "o-1", 2)
    assert line["when"] == "2024-01-02 00:00:00+00:00"  # anything JSON cannot hold is written as text


def test_log_is_info_and_above_and_not_through_the_root_logger(capsys: pytest.CaptureFixture[str]) -> None:
    log = JsonLog("kit_test_level")
    log(logging.DEBUG, "hidden")
    log(logging.INFO, "shown")
    assert [line["message"] for line in log_lines(capsys.readouterr().out)] == ["shown"]
    assert log.logger.level == logging.INFO and not log.logger.propagate


def test_start_replaces_the_previous_invocations_context(capsys: pytest.CaptureFixture[str]) -> None:
    log = JsonLog("kit_test_context")
    log.start(Context(), route="GET /a")
    log.start(object())  # no aws_request_id: a context without one
    log(logging.INFO, "second")
    [line] = log_lines(capsys.readouterr().out)
    assert line["request_id"] is None and "route" not in line


def test_each_log_keeps_its_own_context(capsys: pytest.CaptureFixture[str]) -> None:
    one, two = JsonLog("kit_test_one"), JsonLog("kit_test_two")
    one.start(Context(), route="GET /one")
    two.start(Context(), source="two")
    one(logging.INFO, "from one")
    [first] = log_lines(capsys.readouterr().out)
    assert first["route"] == "GET /one" and "source" not in first


def test_a_second_log_of_the_same_name_writes_each_line_once(capsys: pytest.CaptureFixture[str]) -> None:
    JsonLog("kit_test_again")
    log = JsonLog("kit_test_again")
    log.start(Context())
    log(logging.INFO, "once")
    [line] = log_lines(capsys.readouterr().out)
    assert line["request_id"] == "req-1"


def test_exceptions_go_in_the_exception_field_on_the_same_line(capsys: pytest.CaptureFixture[str]) -> None:
    log = JsonLog("kit_test_exception")
    try:
        raise ValueError("line one\nline two")
    except ValueError:
        log(logging.ERROR, "failed\nbadly", exc_info=True)
    [line] = log_lines(capsys.readouterr().out)
    assert line["message"] == "failed\nbadly"
    assert line["exception"].startswith("Traceback") and "ValueError: line one\nline two" in line["exception"]


# --- aws ---------------------------------------------------------------------------------------


def test_clients_use_the_region_and_standard_retries() -> None:
    sqs = client("sqs")
    assert sqs.meta.region_name == REGION
    assert sqs.meta.config.retries["mode"] == "standard"
    things = table("things")
    assert things.name == "things" and things.meta.client.meta.config.retries["mode"] == "standard"


def test_region_prefers_aws_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "us-east-2")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    assert region() == "us-east-2"
    monkeypatch.delenv("AWS_REGION")
    assert region() == "ap-south-1"
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert region() is None


def test_error_code_of_aws_and_other_errors() -> None:
    assert error_code(client_error("AccessDeniedException")) == "AccessDeniedException"
    assert error_code(RuntimeError("boom")) == "RuntimeError"


@pytest.mark.parametrize(
    "code",
    [
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "SlowDown",
        "ServiceUnavailable",
    ],
)
def test_throttling_errors_are_retryable(code: str) -> None:
    assert is_retryable(client_error(code))


@pytest.mark.parametrize(
    "error",
    [
        client_error("AccessDeniedException"),
        client_error("ConditionalCheckFailedException"),
        client_error("ValidationException"),
        TimeoutError(),
    ],
    ids=["AccessDenied", "ConditionalCheckFailed", "Validation", "not an AWS error"],
)
def test_other_errors_are_not_retryable(error: Exception) -> None:
    assert not is_retryable(error)


def test_condition_failed() -> None:
    assert condition_failed(client_error("ConditionalCheckFailedException"))
    assert not condition_failed(client_error("ProvisionedThroughputExceededException"))


def test_put_new_writes_once_and_keeps_the_first_item(aws: None) -> None:
    things = make_table("kit-things", "thing_id")
    assert put_new(things, {"thing_id": "t-1", "version": 1}, "thing_id")
    assert not put_new(things, {"thing_id": "t-1", "version": 2}, "thing_id")
    assert things.get_item(Key={"thing_id": "t-1"})["Item"]["version"] == 1


def test_put_new_raises_other_errors(aws: None) -> None:
    make_table("kit-busy", "thing_id")
    busy = table("kit-busy")  # a client of its own: the refusal must not reach the shared test client
    fail_calls(busy.meta.client, "PutItem")
    with pytest.raises(ClientError) as caught:
        put_new(busy, {"thing_id": "t-1"}, "thing_id")
    assert error_code(caught.value) == "ProvisionedThroughputExceededException"


# --- http: answers -----------------------------------------------------------------------------


def test_response_is_json_with_headers() -> None:
    result = response(201, {"id": "x"}, {"Location": "/things/x"})
    assert result == {
        "statusCode": 201,
        "headers": {"Content-Type": "application/json", "Location": "/things/x"},
        "body": '{"id": "x"}',
    }


def test_response_without_a_body_has_an_empty_body() -> None:
    assert response(204) == {"statusCode": 204, "headers": {"Content-Type": "application/json"}, "body": ""}


def test_response_writes_dynamodb_numbers_and_sets() -> None:
    body = json.loads(response(200, {"n": Decimal("3"), "x": Decimal("2.5"), "tags": {"b", "a"}})["body"])
    assert body == {"n": 3, "x": 2.5, "tags": ["a", "b"]}
    assert isinstance(body["n"], int)
    with pytest.raises(TypeError, match="not JSON serialisable: object"):
        response(200, {"bad": object()})


def test_error_response() -> None:
    result = error_response(503, "service busy, retry later", {"Retry-After": "1"})
    assert result["statusCode"] == 503 and result["headers"]["Retry-After"] == "1"
    assert body_of(result) == {"error": "service busy, retry later"}


# --- http: the caller and the request ----------------------------------------------------------


def test_caller_id_is_the_sub_claim() -> None:
    assert caller_id(api_event()) == ALICE
    assert claims_of({}) == {} and claims_of({"requestContext": {"authorizer": None}}) == {}


@pytest.mark.parametrize("claims", [None, {}, {"sub": ""}, {"sub": "../../x"}, {"sub": 42}, {"sub": "x" * 129}])
def test_no_valid_sub_is_401(claims: dict[str, Any] | None) -> None:
    event = api_event()
    event["requestContext"]["authorizer"] = None if claims is None else {"claims": claims}
    with pytest.raises(ApiError) as caught:
        caller_id(event)
    assert (caught.value.status, caught.value.message) == (401, "authentication required")


def test_json_body_reads_plain_and_base64_bodies() -> None:
    assert json_body({"body": '{"a": 1.5}'}) == {"a": 1.5}
    encoded = base64.b64encode(b'{"a": 1.10}').decode()
    assert json_body({"body": encoded, "isBase64Encoded": True}, parse_float=Decimal) == {"a": Decimal("1.10")}


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({}, "a JSON request body is required"),
        ({"body": ""}, "a JSON request body is required"),
        ({"body": "not base64!", "isBase64Encoded": True}, "request body is not valid base64 UTF-8"),
        ({"body": "{nope"}, "request body is not valid JSON"),
        ({"body": "[1, 2]"}, "request body must be a JSON object"),
    ],
)
def test_bad_json_bodies_are_400(event: dict[str, Any], message: str) -> None:
    with pytest.raises(ApiError) as caught:
        json_body(event)
    assert (caught.value.status, caught.value.message) == (400, message)


def test_path_uuid() -> None:
    assert path_uuid({"pathParameters": {"id": TODO_ID.upper()}}, "to-do") == TODO_ID
    for params in ({"id": "nope"}, None):
        with pytest.raises(ApiError) as caught:
            path_uuid({"pathParameters": params}, "to-do")
        assert (caught.value.status, caught.value.message) == (400, "the to-do id must be a UUID")


def test_page_limit() -> None:
    assert page_limit({}, 20, 100) == 20
    assert page_limit({"limit": "100"}, 20, 100) == 100
    for raw in ("0", "101", "-1", "ten"):
        with pytest.raises(ApiError) as caught:
            page_limit({"limit": raw}, 20, 100)
        assert (caught.value.status, caught.value.message) == (400, "limit must be an integer from 1 to 100")


def test_page_tokens_round_trip_and_reject_anything_else() -> None:
    token = encode_page_token({"user_id": ALICE, "todo_id": TODO_ID}, "todo_id")
    assert token and "=" not in token and decode_page_token(token) == TODO_ID
    assert encode_page_token(None, "todo_id") is None and encode_page_token({}, "todo_id") is None
    for bad in ("!!!", base64.urlsafe_b64encode(b"not-a-uuid").decode()):
        with pytest.raises(ApiError) as caught:
            decode_page_token(bad)
        assert (caught.value.status, caught.value.message) == (400, "invalid page token")


# --- http: routes and serve --------------------------------------------------------------------


def things(event: dict[str, Any]) -> dict[str, Any]:
    return response(200, {"caller": caller_id(event)})


ROUTES = {("GET", "/things"): things, ("POST", "/things"): things, ("DELETE", "/things/{id}"): things}


def test_route_for_finds_the_route() -> None:
    assert route_for(ROUTES, api_event("POST", "/things")) is things


def test_route_for_a_known_resource_and_another_method_is_405_with_allow() -> None:
    with pytest.raises(ApiError) as caught:
        route_for(ROUTES, api_event("PATCH", "/things"))
    assert (caught.value.status, caught.value.message) == (405, "method PATCH not allowed on /things")
    assert caught.value.headers == {"Allow": "GET, POST"}


def test_route_for_an_unknown_resource_is_404() -> None:
    with pytest.raises(ApiError) as caught:
        route_for(ROUTES, api_event("GET", "/admin"))
    assert (caught.value.status, caught.value.message, caught.value.headers) == (404, "no such route", {})


def serve_with(route: Any, capsys: pytest.CaptureFixture[str], method: str = "GET") -> tuple[dict[str, Any], list[dict[str, Any]]]:
    result = serve(api_event(method), Context(), {("GET", "/things"): route}, JsonLog("kit_test_serve"))
    return result, log_lines(capsys.readouterr().out)


def test_serve_answers_with_the_route(capsys: pytest.CaptureFixture[str]) -> None:
    result, lines = serve_with(things, capsys)
    assert (result["statusCode"], body_of(result), lines) == (200, {"caller": ALICE}, [])


def test_serve_turns_api_errors_into_json_errors(capsys: pytest.CaptureFixture[str]) -> None:
    def conflict(event: dict[str, Any]) -> dict[str, Any]:
        raise ApiError(409, "already there", {"X-Why": "dup"})

    result, [line] = serve_with(conflict, capsys)
    assert (result["statusCode"], body_of(result), result["headers"]["X-Why"]) == (409, {"error": "already there"}, "dup")
    assert (line["level"], line["message"], line["status"], line["reason"]) == ("INFO", "request rejected", 409, "already there")
    assert (line["request_id"], line["route"], line["logger"]) == ("req-1", "GET /things", "kit_test_serve")


def test_serve_answers_405_and_404_for_unknown_routes(capsys: pytest.CaptureFixture[str]) -> None:
    result, _ = serve_with(things, capsys, method="PUT")
    assert (result["statusCode"], result["headers"]["Allow"]) == (405, "GET")
    result = serve(api_event("GET", "/admin"), Context(), ROUTES, JsonLog("kit_test_serve"))
    assert (result["statusCode"], body_of(result)) == (404, {"error": "no such route"})


def test_serve_answers_throttling_with_503_and_retry_after(capsys: pytest.CaptureFixture[str]) -> None:
    def throttled(event: dict[str, Any]) -> dict[str, Any]:
        raise client_error("ProvisionedThroughputExceededException", "GetItem")

    result, [line] = serve_with(throttled, capsys)
    assert (result["statusCode"], body_of(result)) == (503, {"error": "service busy, retry later"})
    assert result["headers"]["Retry-After"] == "1"
    assert (line["level"], line["error_code"]) == ("WARNING", "ProvisionedThroughputExceededException")


def test_serve_answers_other_aws_errors_with_500_and_logs_them(capsys: pytest.CaptureFixture[str]) -> None:
    def denied(event: dict[str, Any]) -> dict[str, Any]:
        raise client_error("AccessDeniedException", "GetItem")

    result, [line] = serve_with(denied, capsys)
    assert (result["statusCode"], body_of(result)) == (500, {"error": "internal error"})
    assert (line["level"], line["message"], line["error_code"]) == ("ERROR", "AWS call failed", "AccessDeniedException")
    assert "AccessDeniedException" in line["exception"]


def test_serve_answers_unexpected_errors_with_500_without_internals(capsys: pytest.CaptureFixture[str]) -> None:
    def broken(event: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("secret-internal-detail")

    result, [line] = serve_with(broken, capsys)
    assert (result["statusCode"], body_of(result)) == (500, {"error": "internal error"})
    assert "secret" not in json.dumps(result)
    assert line["message"] == "unhandled error" and "secret-internal-detail" in line["exception"]


# --- batch -------------------------------------------------------------------------------------


def test_batch_response_names_the_failed_items() -> None:
    assert batch_response(["m-1", "m-2"]) == {"batchItemFailures": [{"itemIdentifier": "m-1"}, {"itemIdentifier": "m-2"}]}
    sequence = "49590338271490256608559692538361571095921575989136588898"  # Kinesis / DynamoDB Streams items
    assert batch_response(s for s in [sequence]) == {"batchItemFailures": [{"itemIdentifier": sequence}]}


def test_batch_response_without_failures() -> None:
    assert batch_response([]) == {"batchItemFailures": []}
