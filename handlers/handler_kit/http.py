"""API Gateway (REST proxy integration, Cognito user pool authorizer): JSON answers, the caller, bodies, routes.

An API handler is a table of routes, `{(method, resource): route}`, each route a function of the event,
and `handler(event, context)` returns `serve(event, context, ROUTES, log)`. Errors answer
`{"error": "..."}`: raise `ApiError(status, message)` anywhere below a route and `serve` turns it into
the answer; throttling by AWS becomes 503 with `Retry-After`, anything else 500 without internals (the
details go to the log).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from .aws import error_code, is_retryable
from .log import JsonLog

SUB_RE = re.compile(r"[A-Za-z0-9-]{1,128}")
Route = Callable[[dict[str, Any]], dict[str, Any]]


class ApiError(Exception):
    """An error the client should see: status code and a message safe to show."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def json_default(value: Any) -> Any:
    """DynamoDB numbers (Decimal) as JSON numbers, sets as sorted lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"statusCode": status, "headers": {"Content-Type": "application/json", **(headers or {})}}
    result["body"] = "" if body is None else json.dumps(body, default=json_default)
    return result


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return response(status, {"error": message}, headers)


def claims_of(event: dict[str, Any]) -> dict[str, Any]:
    """The Cognito user pool authorizer's claims (empty without an authenticated caller)."""
    return ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}


def caller_id(event: dict[str, Any]) -> str:
    """The Cognito `sub` of the caller, from the user pool authorizer's claims; 401 without one."""
    sub = claims_of(event).get("sub")
    if not isinstance(sub, str) or not SUB_RE.fullmatch(sub):
        raise ApiError(401, "authentication required")
    return sub


def json_body(event: dict[str, Any], parse_float: Callable[[str], Any] | None = None) -> dict[str, Any]:
    """The request body, which must be a JSON object (base64 when API Gateway flags it so); 400 otherwise.

    `parse_float` as in `json.loads` (`Decimal` reads numbers with a fraction exactly as written).
    """
    raw = event.get("body")
    if raw is None or raw == "":
        raise ApiError(400, "a JSON request body is required")
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ApiError(400, "request body is not valid base64 UTF-8") from exc
    try:
        body = json.loads(raw, parse_float=parse_float)
    except (json.JSONDecodeError, TypeError) as exc:
        raise ApiError(400, "request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "request body must be a JSON object")
    return body


def path_uuid(event: dict[str, Any], what: str) -> str:
    """The `{id}` path parameter as a canonical UUID; 400 ("the <what> id must be a UUID") otherwise."""
    value = (event.get("pathParameters") or {}).get("id")
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise ApiError(400, f"the {what} id must be a UUID") from exc


def page_limit(params: dict[str, str], default: int, most: int) -> int:
    """The `limit` query parameter: `default` when absent, else an integer from 1 to `most` (400 otherwise)."""
    raw = params.get("limit")
    if raw is None:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise ApiError(400, f"limit must be an integer from 1 to {most}")
    return int(raw)


def encode_page_token(last_key: dict[str, Any] | None, field: str) -> str | None:
    """The `next` token of a page: the UUID in `last_key[field]`, URL-safe base64; None on the last page."""
    if not last_key:
        return None
    return base64.urlsafe_b64encode(str(last_key[field]).encode()).decode().rstrip("=")


def decode_page_token(token: str) -> str:
    """The UUID a `next` token carries; 400 for anything else."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        return str(uuid.UUID(raw))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "invalid page token") from exc


def route_for(routes: Mapping[tuple[str, str], Route], event: dict[str, Any]) -> Route:
    """The route for the event's (httpMethod, resource); 405 with `Allow` for a known resource, else 404."""
    method, resource = event.get("httpMethod"), event.get("resource")
    found = routes.get((method, resource)) if isinstance(method, str) and isinstance(resource, str) else None
    if found is not None:
        return found
    allowed = sorted(m for m, r in routes if r == resource)
    if allowed:
        raise ApiError(405, f"method {method} not allowed on {resource}", {"Allow": ", ".join(allowed)})
    raise ApiError(404, "no such route")


def serve(event: dict[str, Any], context: Any, routes: Mapping[tuple[str, str], Route], log: JsonLog) -> dict[str, Any]:
    """A handler's whole invocation: start `log` (request id, route), answer with the route, errors as JSON."""
    log.start(context, route=f"{event.get('httpMethod')} {event.get('resource')}")
    try:
        return route_for(routes, event)(event)
    except ApiError as exc:
        log(logging.INFO, "request rejected", status=exc.status, reason=exc.message)
        return error_response(exc.status, exc.message, exc.headers)
    except ClientError as exc:
        code = error_code(exc) or ""
        if is_retryable(exc):
            log(logging.WARNING, "throttled by AWS", error_code=code)
            return error_response(503, "service busy, retry later", {"Retry-After": "1"})
        log(logging.ERROR, "AWS call failed", exc_info=True, error_code=code)
        return error_response(500, "internal error")
    except Exception:
        log(logging.ERROR, "unhandled error", exc_info=True)
        return error_response(500, "internal error")
