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

import base64
import binascii
import functools
import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.conditions import Key
from botocore.config import Config
from botocore.exceptions import ClientError

LOGGER = logging.getLogger("todo_api")
_CONTEXT: dict[str, Any] = {}
BOTO_CONFIG = Config(retries={"mode": "standard"})
RETRYABLE_ERRORS = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "SlowDown",
        "ServiceUnavailable",
    }
)
SUB_RE = re.compile(r"[A-Za-z0-9-]{1,128}")
TITLE_MAX = 200
NOTES_MAX = 2000
PAGE_DEFAULT = 50
PAGE_MAX = 100


# --- logging: one JSON object per line ---------------------------------------------------------


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            **_CONTEXT,
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _StdoutHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
            sys.stdout.flush()
        except Exception:  # pragma: no cover - logging must never break the handler
            self.handleError(record)


def _configure_logging() -> None:
    if not LOGGER.handlers:
        stream = _StdoutHandler()
        stream.setFormatter(_JsonFormatter())
        LOGGER.addHandler(stream)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False


_configure_logging()


def log(level: int, message: str, *, exc_info: bool = False, **fields: Any) -> None:
    LOGGER.log(level, message, exc_info=exc_info, extra={"fields": fields})


# --- AWS clients, built once per container -----------------------------------------------------


def _region() -> str | None:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")


def _dax_resource(endpoint: str) -> Any:
    """A boto3-compatible DynamoDB resource that talks to the DAX cluster at `endpoint`."""
    from amazondax import AmazonDaxClient  # runtime requirement only when a cache is configured

    return AmazonDaxClient.resource(endpoint_url=endpoint, region_name=_region(), config=BOTO_CONFIG)


@functools.cache
def _table() -> Any:
    name = os.environ["TODOS_TABLE"]
    endpoint = os.environ.get("TODO_CACHE_ENDPOINT", "").strip()
    resource = _dax_resource(endpoint) if endpoint else boto3.resource("dynamodb", region_name=_region(), config=BOTO_CONFIG)
    return resource.Table(name)


# --- HTTP plumbing -----------------------------------------------------------------------------


class ApiError(Exception):
    """An error the client should see: status code and a message safe to show."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"statusCode": status, "headers": {"Content-Type": "application/json", **(headers or {})}}
    result["body"] = "" if body is None else json.dumps(body, default=_json_default)
    return result


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return response(status, {"error": message}, headers)


def caller_id(event: dict[str, Any]) -> str:
    """The Cognito `sub` of the caller, from the user pool authorizer's claims."""
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}
    sub = claims.get("sub")
    if not isinstance(sub, str) or not SUB_RE.fullmatch(sub):
        raise ApiError(401, "authentication required")
    return sub


def json_body(event: dict[str, Any]) -> dict[str, Any]:
    raw = event.get("body")
    if raw is None or raw == "":
        raise ApiError(400, "a JSON request body is required")
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ApiError(400, "request body is not valid base64 UTF-8") from exc
    try:
        body = json.loads(raw)
    except (json.JSONDecodeError, TypeError) as exc:
        raise ApiError(400, "request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "request body must be a JSON object")
    return body


def path_id(event: dict[str, Any]) -> str:
    value = (event.get("pathParameters") or {}).get("id")
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise ApiError(400, "the to-do id must be a UUID") from exc


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


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


def encode_page_token(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(str(last_key["todo_id"]).encode()).decode().rstrip("=")


def decode_page_token(token: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        return str(uuid.UUID(raw))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "invalid page token") from exc


def page_limit(params: dict[str, str]) -> int:
    raw = params.get("limit")
    if raw is None:
        return PAGE_DEFAULT
    if not raw.isdigit() or not 1 <= int(raw) <= PAGE_MAX:
        raise ApiError(400, f"limit must be an integer from 1 to {PAGE_MAX}")
    return int(raw)


# --- routes ------------------------------------------------------------------------------------


def list_todos(event: dict[str, Any], user_id: str) -> dict[str, Any]:
    params = event.get("queryStringParameters") or {}
    query: dict[str, Any] = {"KeyConditionExpression": Key("user_id").eq(user_id), "Limit": page_limit(params)}
    if params.get("next"):
        query["ExclusiveStartKey"] = {"user_id": user_id, "todo_id": decode_page_token(params["next"])}
    result = _table().query(**query)
    items = [to_public(item) for item in result.get("Items", [])]
    return response(200, {"items": items, "next": encode_page_token(result.get("LastEvaluatedKey"))})


def create_todo(event: dict[str, Any], user_id: str) -> dict[str, Any]:
    fields = validate_todo(json_body(event))
    now = _now()
    item = {"user_id": user_id, "todo_id": str(uuid.uuid4()), **fields, "created_at": now, "updated_at": now}
    _table().put_item(Item=item, ConditionExpression="attribute_not_exists(todo_id)")
    log(logging.INFO, "to-do created", user_id=user_id, todo_id=item["todo_id"])
    return response(201, to_public(item), {"Location": f"/todos/{item['todo_id']}"})


def get_todo(event: dict[str, Any], user_id: str) -> dict[str, Any]:
    todo_id = path_id(event)
    item = _table().get_item(Key={"user_id": user_id, "todo_id": todo_id}).get("Item")
    if item is None:
        raise ApiError(404, "to-do not found")
    return response(200, to_public(item))


def replace_todo(event: dict[str, Any], user_id: str) -> dict[str, Any]:
    todo_id = path_id(event)
    fields = validate_todo(json_body(event))
    try:
        result = _table().update_item(
            Key={"user_id": user_id, "todo_id": todo_id},
            UpdateExpression="SET #title = :title, #notes = :notes, #done = :done, #updated = :updated",
            ConditionExpression="attribute_exists(todo_id)",
            ExpressionAttributeNames={"#title": "title", "#notes": "notes", "#done": "done", "#updated": "updated_at"},
            ExpressionAttributeValues={":title": fields["title"], ":notes": fields["notes"], ":done": fields["done"], ":updated": _now()},
            ReturnValues="ALL_NEW",
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise ApiError(404, "to-do not found") from exc
        raise
    log(logging.INFO, "to-do updated", user_id=user_id, todo_id=todo_id)
    return response(200, to_public(result["Attributes"]))


def delete_todo(event: dict[str, Any], user_id: str) -> dict[str, Any]:
    todo_id = path_id(event)
    try:
        _table().delete_item(Key={"user_id": user_id, "todo_id": todo_id}, ConditionExpression="attribute_exists(todo_id)")
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise ApiError(404, "to-do not found") from exc
        raise
    log(logging.INFO, "to-do deleted", user_id=user_id, todo_id=todo_id)
    return response(204)


Route = Callable[[dict[str, Any], str], dict[str, Any]]
ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/todos"): list_todos,
    ("POST", "/todos"): create_todo,
    ("GET", "/todos/{id}"): get_todo,
    ("PUT", "/todos/{id}"): replace_todo,
    ("DELETE", "/todos/{id}"): delete_todo,
}


def route_for(event: dict[str, Any]) -> Route:
    method, resource = event.get("httpMethod"), event.get("resource")
    found = ROUTES.get((method, resource))
    if found is not None:
        return found
    allowed = sorted(m for m, r in ROUTES if r == resource)
    if allowed:
        raise ApiError(405, f"method {method} not allowed on {resource}", {"Allow": ", ".join(allowed)})
    raise ApiError(404, "no such route")


# --- entry point -------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _CONTEXT.clear()
    _CONTEXT["request_id"] = getattr(context, "aws_request_id", None)
    _CONTEXT["route"] = f"{event.get('httpMethod')} {event.get('resource')}"
    try:
        route = route_for(event)
        user_id = caller_id(event)
        return route(event, user_id)
    except ApiError as exc:
        log(logging.INFO, "request rejected", status=exc.status, reason=exc.message)
        return error_response(exc.status, exc.message, exc.headers)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in RETRYABLE_ERRORS:
            log(logging.WARNING, "throttled by AWS", error_code=code)
            return error_response(503, "service busy, retry later", {"Retry-After": "1"})
        log(logging.ERROR, "AWS call failed", exc_info=True, error_code=code)
        return error_response(500, "internal error")
    except Exception:
        log(logging.ERROR, "unhandled error", exc_info=True)
        return error_response(500, "internal error")
