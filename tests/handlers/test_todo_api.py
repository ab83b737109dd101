"""todo_api: the caller's to-dos in DynamoDB (optionally through DAX), driven by the sample events."""

from __future__ import annotations

import json
import sys
from typing import Any

import boto3
import pytest
from todo_api import app

from .conftest import ALICE, BOB, REGION, body_of, fail_calls, load_event

TABLE = "todos"
SAMPLE_ID = "3f2b8c1e-5d4a-4e6f-9a7b-0c1d2e3f4a5b"  # the id in the sample events


@pytest.fixture
def todos(table_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("TODO_CACHE_ENDPOINT", raising=False)
    return table_factory("TODOS_TABLE", TABLE, "user_id", "todo_id")


def seed(table: Any, user_id: str, todo_id: str = SAMPLE_ID, title: str = "Water the plants") -> None:
    table.put_item(
        Item={
            "user_id": user_id,
            "todo_id": todo_id,
            "title": title,
            "notes": "",
            "done": False,
            "created_at": "2024-06-01T00:00:00.000+00:00",
            "updated_at": "2024-06-01T00:00:00.000+00:00",
        }
    )


def call(event: dict[str, Any], context: Any) -> tuple[int, Any]:
    result = app.handler(event, context)
    return result["statusCode"], body_of(result)


def test_create_stores_the_todo_under_the_caller(todos: Any, context: Any) -> None:
    status, body = call(load_event("todo_api", "create_todo.json"), context)
    assert status == 201
    stored = todos.get_item(Key={"user_id": ALICE, "todo_id": body["id"]})["Item"]
    assert stored["title"] == "Buy milk"
    assert stored["notes"] == "semi-skimmed, 2 l"
    assert stored["done"] is False
    assert "user_id" not in body


def test_list_returns_only_the_callers_todos(todos: Any, context: Any) -> None:
    seed(todos, ALICE, title="mine")
    seed(todos, BOB, title="not mine")
    status, body = call(load_event("todo_api", "list_todos.json"), context)
    assert status == 200
    assert [item["title"] for item in body["items"]] == ["mine"]
    assert body["next"] is None


def test_list_pages_with_a_token(todos: Any, context: Any) -> None:
    ids = sorted(f"00000000-0000-4000-8000-00000000000{i}" for i in range(3))
    for todo_id in ids:
        seed(todos, ALICE, todo_id)
    event = load_event("todo_api", "list_todos.json")
    event["queryStringParameters"] = {"limit": "2"}
    status, first = call(event, context)
    assert status == 200 and len(first["items"]) == 2 and first["next"]
    event["queryStringParameters"] = {"limit": "2", "next": first["next"]}
    status, second = call(event, context)
    assert status == 200
    assert [i["id"] for i in first["items"] + second["items"]] == ids


@pytest.mark.parametrize("params", [{"limit": "0"}, {"limit": "101"}, {"limit": "ten"}, {"next": "!!not-a-token!!"}])
def test_list_rejects_bad_paging_parameters(todos: Any, context: Any, params: dict[str, str]) -> None:
    event = load_event("todo_api", "list_todos.json")
    event["queryStringParameters"] = params
    status, body = call(event, context)
    assert status == 400 and body["error"]


def test_get_own_todo(todos: Any, context: Any) -> None:
    seed(todos, ALICE)
    status, body = call(load_event("todo_api", "get_todo.json"), context)
    assert status == 200
    assert body["id"] == SAMPLE_ID and body["title"] == "Water the plants"


def test_another_users_todo_is_not_found(todos: Any, context: Any) -> None:
    seed(todos, BOB)
    for name in ("get_todo.json", "replace_todo.json", "delete_todo.json"):
        status, body = call(load_event("todo_api", name), context)
        assert status == 404, name
    assert todos.get_item(Key={"user_id": BOB, "todo_id": SAMPLE_ID})["Item"]["title"] == "Water the plants"


def test_missing_todo_is_404(todos: Any, context: Any) -> None:
    status, body = call(load_event("todo_api", "get_todo.json"), context)
    assert status == 404 and body == {"error": "to-do not found"}


def test_replace_updates_the_stored_item(todos: Any, context: Any) -> None:
    seed(todos, ALICE)
    status, body = call(load_event("todo_api", "replace_todo.json"), context)
    assert status == 200 and body["done"] is True
    stored = todos.get_item(Key={"user_id": ALICE, "todo_id": SAMPLE_ID})["Item"]
    assert stored["title"] == "Buy milk" and stored["done"] is True
    assert stored["updated_at"] > stored["created_at"]


def test_replace_of_a_missing_todo_creates_nothing(todos: Any, context: Any) -> None:
    status, _ = call(load_event("todo_api", "replace_todo.json"), context)
    assert status == 404
    assert todos.scan()["Items"] == []


def test_delete_removes_the_item(todos: Any, context: Any) -> None:
    seed(todos, ALICE)
    result = app.handler(load_event("todo_api", "delete_todo.json"), context)
    assert result["statusCode"] == 204 and result["body"] == ""
    assert "Item" not in todos.get_item(Key={"user_id": ALICE, "todo_id": SAMPLE_ID})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (None, "a JSON request body is required"),
        ("{not json", "request body is not valid JSON"),
        ("[1, 2]", "request body must be a JSON object"),
        (json.dumps({"notes": "no title"}), "title is required and must be a non-empty string"),
        (json.dumps({"title": "   "}), "title is required and must be a non-empty string"),
        (json.dumps({"title": "x" * 201}), "title must be at most 200 characters"),
        (json.dumps({"title": "ok", "done": "yes"}), "done must be true or false"),
        (json.dumps({"title": "ok", "owner": BOB}), "unknown field(s): owner"),
    ],
)
def test_create_rejects_invalid_input(todos: Any, context: Any, body: str | None, message: str) -> None:
    event = load_event("todo_api", "create_todo.json")
    event["body"] = body
    status, answer = call(event, context)
    assert (status, answer) == (400, {"error": message})
    assert todos.scan()["Items"] == []


def test_invalid_id_is_400(todos: Any, context: Any) -> None:
    event = load_event("todo_api", "get_todo.json")
    event["pathParameters"] = {"id": "../other-user"}
    status, body = call(event, context)
    assert status == 400 and "UUID" in body["error"]


def test_throttling_answers_503_with_retry_after(todos: Any, context: Any) -> None:
    refused = fail_calls(app._table().meta.client, "PutItem")
    result = app.handler(load_event("todo_api", "create_todo.json"), context)
    assert result["statusCode"] == 503
    assert result["headers"]["Retry-After"] == "1"
    assert refused == ["PutItem"]
    assert todos.scan()["Items"] == []


def test_reads_and_writes_go_through_dax_when_configured(todos: Any, context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = "daxs://todo-cache.abc123.dax-clusters.eu-west-1.amazonaws.com"
    monkeypatch.setenv("TODO_CACHE_ENDPOINT", endpoint)
    opened: list[str] = []

    def fake_dax(url: str) -> Any:  # DAX has no moto data plane: stand in with moto's DynamoDB
        opened.append(url)
        return boto3.resource("dynamodb", region_name=REGION)

    monkeypatch.setattr(app, "_dax_resource", fake_dax)
    status, created = call(load_event("todo_api", "create_todo.json"), context)
    assert status == 201
    event = load_event("todo_api", "get_todo.json")
    event["pathParameters"] = {"id": created["id"]}
    status, fetched = call(event, context)
    assert status == 200 and fetched["title"] == "Buy milk"
    assert opened == [endpoint]  # one DAX resource per container, reused
    assert todos.get_item(Key={"user_id": ALICE, "todo_id": created["id"]})["Item"]["title"] == "Buy milk"


def test_plain_dynamodb_without_a_cache_endpoint(todos: Any, context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TODO_CACHE_ENDPOINT", "")

    def no_dax(url: str) -> Any:
        raise AssertionError("DAX must not be used without TODO_CACHE_ENDPOINT")

    monkeypatch.setattr(app, "_dax_resource", no_dax)
    status, _ = call(load_event("todo_api", "create_todo.json"), context)
    assert status == 201
    assert "amazondax" not in sys.modules
