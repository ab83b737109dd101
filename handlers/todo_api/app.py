"""To-do service (MyTodoList): the caller's own to-dos behind API Gateway with a Cognito authorizer.

Routes: GET /todos, POST /todos, GET /todos/{id}, PUT /todos/{id}, DELETE /todos/{id}.

Environment:
- TODOS_TABLE: DynamoDB table, partition key `user_id` (S), sort key `todo_id` (S).
- TODO_CACHE_ENDPOINT: optional DAX cluster endpoint; when set, reads and writes go through DAX.

The caller is the Cognito user pool's `sub` claim; every key the handler builds starts with it, so a
user only ever reads or changes their own to-dos (another user's id answers 404, never 403, so ids
do not leak).
"""

from __future__ import annotations

import functools
import logging
import os
import uuid
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from handler_kit import aws, now_iso
from handler_kit.http import (
    ApiError,
    Route,
    caller_id,
    decode_page_token,
    encode_page_token,
    json_body,
    page_limit,
    path_uuid,
    response,
    serve,
)
from handler_kit.log import JsonLog

log = JsonLog("todo_api")
LOGGER = log.logger
TITLE_MAX = 200
NOTES_MAX = 2000
PAGE_DEFAULT = 50
PAGE_MAX = 100


# --- AWS clients, built once per container -----------------------------------------------------


def _dax_resource(endpoint: str) -> Any:
    """A boto3-compatible DynamoDB resource that talks to the DAX cluster at `endpoint`."""
    from amazondax import AmazonDaxClient  # runtime requirement only when a cache is configured

    return AmazonDaxClient.resource(endpoint_url=endpoint, region_name=aws.region(), config=aws.BOTO_CONFIG)


@functools.cache
def _table() -> Any:
    name = os.environ["TODOS_TABLE"]
    endpoint = os.environ.get("TODO_CACHE_ENDPOINT", "").strip()
    resource = _dax_resource(endpoint) if endpoint else aws.resource("dynamodb")
    return resource.Table(name)


# --- domain logic (pure functions of their inputs) ---------------------------------------------


def validate_todo(body: dict[str, Any]) -> dict[str, Any]:
    """The to-do fields from a POST or PUT body: `title` (required), `notes`, `done`."""
    unknown = sorted(set(body) - {"title", "notes", "done"})
    if unknown:
        raise ApiError(400, f"unknown field(s): {', '.join(unknown)}")
    title = body.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ApiError(400, "title is required and must be a non-empty string")
    if len(title) > TITLE_MAX:
        raise ApiError(400, f"title must be at most {TITLE_MAX} characters")
    notes = body.get("notes", "")
    if not isinstance(notes, str) or len(notes) > NOTES_MAX:
        raise ApiError(400, f"notes must be a string of at most {NOTES_MAX} characters")
    done = body.get("done", False)
    if not isinstance(done, bool):
        raise ApiError(400, "done must be true or false")
    return {"title": title.strip(), "notes": notes, "done": done}


def to_public(item: dict[str, Any]) -> dict[str, Any]:
    """The API representation of a stored to-do (the owner's id stays private)."""
    return {
        "id": item["todo_id"],
        "title": item.get("title", ""),
        "notes": item.get("notes", ""),
        "done": bool(item.get("done", False)),
        "created_at": item.get("created_at"),
        "updated_at": item.get("updated_at"),
    }


# --- routes ------------------------------------------------------------------------------------


def list_todos(event: dict[str, Any]) -> dict[str, Any]:
    user_id = caller_id(event)
    params = event.get("queryStringParameters") or {}
    query: dict[str, Any] = {"KeyConditionExpression": Key("user_id").eq(user_id), "Limit": page_limit(params, PAGE_DEFAULT, PAGE_MAX)}
    if params.get("next"):
        query["ExclusiveStartKey"] = {"user_id": user_id, "todo_id": decode_page_token(params["next"])}
    result = _table().query(**query)
    items = [to_public(item) for item in result.get("Items", [])]
    return response(200, {"items": items, "next": encode_page_token(result.get("LastEvaluatedKey"), "todo_id")})


def create_todo(event: dict[str, Any]) -> dict[str, Any]:
    user_id = caller_id(event)
    fields = validate_todo(json_body(event))
    now = now_iso()
    item = {"user_id": user_id, "todo_id": str(uuid.uuid4()), **fields, "created_at": now, "updated_at": now}
    _table().put_item(Item=item, ConditionExpression="attribute_not_exists(todo_id)")
    log(logging.INFO, "to-do created", user_id=user_id, todo_id=item["todo_id"])
    return response(201, to_public(item), {"Location": f"/todos/{item['todo_id']}"})


def get_todo(event: dict[str, Any]) -> dict[str, Any]:
    user_id = caller_id(event)
    todo_id = path_uuid(event, "to-do")
    item = _table().get_item(Key={"user_id": user_id, "todo_id": todo_id}).get("Item")
    if item is None:
        raise ApiError(404, "to-do not found")
    return response(200, to_public(item))


def replace_todo(event: dict[str, Any]) -> dict[str, Any]:
    user_id = caller_id(event)
    todo_id = path_uuid(event, "to-do")
    fields = validate_todo(json_body(event))
    now = now_iso()
    try:
        result = _table().update_item(
            Key={"user_id": user_id, "todo_id": todo_id},
            UpdateExpression="SET #title = :title, #notes = :notes, #done = :done, #updated = :updated",
            ConditionExpression="attribute_exists(todo_id)",
            ExpressionAttributeNames={"#title": "title", "#notes": "notes", "#done": "done", "#updated": "updated_at"},
            ExpressionAttributeValues={":title": fields["title"], ":notes": fields["notes"], ":done": fields["done"], ":updated": now},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if aws.condition_failed(exc):
            raise ApiError(404, "to-do not found") from exc
        raise
    log(logging.INFO, "to-do updated", user_id=user_id, todo_id=todo_id)
    return response(200, to_public(result["Attributes"]))


def delete_todo(event: dict[str, Any]) -> dict[str, Any]:
    user_id = caller_id(event)
    todo_id = path_uuid(event, "to-do")
    try:
        _table().delete_item(Key={"user_id": user_id, "todo_id": todo_id}, ConditionExpression="attribute_exists(todo_id)")
    except ClientError as exc:
        if aws.condition_failed(exc):
            raise ApiError(404, "to-do not found") from exc
        raise
    log(logging.INFO, "to-do deleted", user_id=user_id, todo_id=todo_id)
    return response(204)


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/todos"): list_todos,
    ("POST", "/todos"): create_todo,
    ("GET", "/todos/{id}"): get_todo,
    ("PUT", "/todos/{id}"): replace_todo,
    ("DELETE", "/todos/{id}"): delete_todo,
}


# --- entry point -------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return serve(event, context, ROUTES, log)
