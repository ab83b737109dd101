"""Premium user registration (paid content): POST /premium marks the caller as a premium user.

The caller is the Cognito user pool's `sub` claim. The item in PREMIUM_USERS_TABLE (partition key
`user_id`) gets `premium = true`; `premium_since` keeps the first registration's time, so registering
again is harmless (200 instead of 201). The signed URL generator reads the same item.

Environment: PREMIUM_USERS_TABLE.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

LOGGER = logging.getLogger("premium_registration")
_CONTEXT: dict[str, Any] = {}
BOTO_CONFIG = Config(retries={"mode": "standard"})
RETRYABLE_ERRORS = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "ServiceUnavailable",
    }
)
SUB_RE = re.compile(r"[A-Za-z0-9-]{1,128}")


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


@functools.cache
def _premium_users_table() -> Any:
    dynamodb = boto3.resource("dynamodb", region_name=_region(), config=BOTO_CONFIG)
    return dynamodb.Table(os.environ["PREMIUM_USERS_TABLE"])


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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


# --- routes ------------------------------------------------------------------------------------


def register_premium(event: dict[str, Any]) -> dict[str, Any]:
    user_id = caller_id(event)
    if event.get("body") not in (None, "", "{}"):
        raise ApiError(400, "POST /premium takes no request body")
    now = _now()
    result = _premium_users_table().update_item(
        Key={"user_id": user_id},
        UpdateExpression="SET premium = :true, premium_since = if_not_exists(premium_since, :now), updated_at = :now",
        ExpressionAttributeValues={":true": True, ":now": now},
        ReturnValues="ALL_OLD",
    )
    before = result.get("Attributes") or {}
    created = before.get("premium") is not True
    log(logging.INFO, "premium user registered" if created else "premium user already registered", user_id=user_id)
    return response(201 if created else 200, {"user_id": user_id, "premium": True, "premium_since": before.get("premium_since", now)})


Route = Callable[[dict[str, Any]], dict[str, Any]]
ROUTES: dict[tuple[str, str], Route] = {("POST", "/premium"): register_premium}


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
        return route_for(event)(event)
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
