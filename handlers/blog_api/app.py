"""Blog service (MyBlog.com): posts, subscriber sign-up and photo uploads behind API Gateway.

Routes:
- GET /posts, GET /posts/{id}: read posts (through DAX when POSTS_CACHE_ENDPOINT is set).
- POST /posts: publish a post; the caller must be in the Cognito group `authors` (else 403).
- POST /users: register the caller as a subscriber (a validated email); the new item in USERS_TABLE
  is what triggers the welcome email through the table's stream.
- POST /photos: store a base64 image body under `<UPLOAD_PREFIX><caller sub>/<uuid>.<ext>`; the
  thumbnail generator picks it up from there.

Environment: POSTS_TABLE (partition key `post_id`), POSTS_CACHE_ENDPOINT (optional DAX endpoint),
USERS_TABLE (partition key `user_id`), PHOTOS_BUCKET, UPLOAD_PREFIX (default `uploads/`).
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
from botocore.config import Config
from botocore.exceptions import ClientError

LOGGER = logging.getLogger("blog_api")
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
EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
AUTHORS_GROUP = "authors"
TITLE_MAX = 200
BODY_MAX = 100_000
NAME_MAX = 100
PAGE_DEFAULT = 20
PAGE_MAX = 100
PHOTO_MAX_BYTES = 5 * 1024 * 1024
# (magic prefix, extension, content type); WebP is "RIFF....WEBP"
IMAGE_SIGNATURES = (
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"GIF87a", "gif", "image/gif"),
    (b"GIF89a", "gif", "image/gif"),
)


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
def _dynamodb() -> Any:
    return boto3.resource("dynamodb", region_name=_region(), config=BOTO_CONFIG)


@functools.cache
def _posts_table() -> Any:
    name = os.environ["POSTS_TABLE"]
    endpoint = os.environ.get("POSTS_CACHE_ENDPOINT", "").strip()
    return (_dax_resource(endpoint) if endpoint else _dynamodb()).Table(name)


@functools.cache
def _users_table() -> Any:
    return _dynamodb().Table(os.environ["USERS_TABLE"])


@functools.cache
def _s3() -> Any:
    return boto3.client("s3", region_name=_region(), config=BOTO_CONFIG)


def upload_prefix() -> str:
    prefix = os.environ.get("UPLOAD_PREFIX", "uploads/")
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


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


def claims_of(event: dict[str, Any]) -> dict[str, Any]:
    return ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}


def caller_id(event: dict[str, Any]) -> str:
    """The Cognito `sub` of the caller, from the user pool authorizer's claims."""
    sub = claims_of(event).get("sub")
    if not isinstance(sub, str) or not SUB_RE.fullmatch(sub):
        raise ApiError(401, "authentication required")
    return sub


def caller_groups(event: dict[str, Any]) -> set[str]:
    """The caller's Cognito groups: REST API authorizers pass `cognito:groups` as text, e.g. "a,b" or "[a b]"."""
    raw = claims_of(event).get("cognito:groups")
    if isinstance(raw, list):
        return {str(group) for group in raw}
    if isinstance(raw, str):
        return {group for group in re.split(r"[\s,]+", raw.strip("[]")) if group}
    return set()


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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _condition_failed(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


# --- domain logic (pure functions of their inputs) ---------------------------------------------


def validate_post(body: dict[str, Any]) -> dict[str, str]:
    unknown = sorted(set(body) - {"title", "body"})
    if unknown:
        raise ApiError(400, f"unknown field(s): {', '.join(unknown)}")
    title, text = body.get("title"), body.get("body")
    if not isinstance(title, str) or not title.strip() or len(title) > TITLE_MAX:
        raise ApiError(400, f"title is required: a non-empty string of at most {TITLE_MAX} characters")
    if not isinstance(text, str) or not text.strip() or len(text) > BODY_MAX:
        raise ApiError(400, f"body is required: a non-empty string of at most {BODY_MAX} characters")
    return {"title": title.strip(), "body": text}


def validate_email(value: Any) -> str:
    """A plausible address (RFC 5321 lengths, dotted domain); the domain part is lower-cased."""
    if not isinstance(value, str) or len(value) > 254 or not EMAIL_RE.fullmatch(value.strip()):
        raise ApiError(400, "email must be a valid email address")
    local, domain = value.strip().rsplit("@", 1)
    if local.startswith(".") or local.endswith(".") or ".." in local:
        raise ApiError(400, "email must be a valid email address")
    return f"{local}@{domain.lower()}"


def validate_subscriber(body: dict[str, Any]) -> dict[str, str]:
    unknown = sorted(set(body) - {"email", "name"})
    if unknown:
        raise ApiError(400, f"unknown field(s): {', '.join(unknown)}")
    subscriber = {"email": validate_email(body.get("email"))}
    name = body.get("name")
    if name is not None:
        if not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX:
            raise ApiError(400, f"name must be a non-empty string of at most {NAME_MAX} characters")
        subscriber["name"] = name.strip()
    return subscriber


def sniff_image(data: bytes) -> tuple[str, str] | None:
    """(extension, content type) of a JPEG, PNG, GIF or WebP image, from its first bytes."""
    for magic, ext, content_type in IMAGE_SIGNATURES:
        if data.startswith(magic):
            return ext, content_type
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp"
    return None


def decode_photo(event: dict[str, Any]) -> bytes:
    """The image bytes of a POST /photos body: base64, whether or not API Gateway flagged it so."""
    raw = event.get("body")
    if not raw:
        raise ApiError(400, "a base64-encoded image body is required")
    if len(raw) > PHOTO_MAX_BYTES * 4 // 3 + 4:
        raise ApiError(413, f"images must be at most {PHOTO_MAX_BYTES} bytes")
    try:
        data = base64.b64decode(re.sub(r"\s+", "", raw), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(400, "the image body must be base64-encoded") from exc
    if not data:
        raise ApiError(400, "a base64-encoded image body is required")
    if len(data) > PHOTO_MAX_BYTES:
        raise ApiError(413, f"images must be at most {PHOTO_MAX_BYTES} bytes")
    return data


def photo_key(prefix: str, user_id: str, ext: str) -> str:
    return f"{prefix}{user_id}/{uuid.uuid4()}.{ext}"


def encode_page_token(last_key: dict[str, Any] | None) -> str | None:
    if not last_key:
        return None
    return base64.urlsafe_b64encode(str(last_key["post_id"]).encode()).decode().rstrip("=")


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


def post_id_of(event: dict[str, Any]) -> str:
    value = (event.get("pathParameters") or {}).get("id")
    try:
        return str(uuid.UUID(str(value)))
    except ValueError as exc:
        raise ApiError(400, "the post id must be a UUID") from exc


def to_public(item: dict[str, Any], *, with_body: bool = True) -> dict[str, Any]:
    post = {"id": item["post_id"], "title": item.get("title"), "author_id": item.get("author_id"), "created_at": item.get("created_at")}
    if with_body:
        post["body"] = item.get("body")
    return post


# --- routes ------------------------------------------------------------------------------------


def list_posts(event: dict[str, Any]) -> dict[str, Any]:
    params = event.get("queryStringParameters") or {}
    scan: dict[str, Any] = {
        "Limit": page_limit(params),
        "ProjectionExpression": "#id, #title, #author, #created",
        "ExpressionAttributeNames": {"#id": "post_id", "#title": "title", "#author": "author_id", "#created": "created_at"},
    }
    if params.get("next"):
        scan["ExclusiveStartKey"] = {"post_id": decode_page_token(params["next"])}
    result = _posts_table().scan(**scan)
    items = sorted((to_public(i, with_body=False) for i in result.get("Items", [])), key=lambda p: p["created_at"] or "", reverse=True)
    return response(200, {"items": items, "next": encode_page_token(result.get("LastEvaluatedKey"))})


def get_post(event: dict[str, Any]) -> dict[str, Any]:
    item = _posts_table().get_item(Key={"post_id": post_id_of(event)}).get("Item")
    if item is None:
        raise ApiError(404, "post not found")
    return response(200, to_public(item))


def create_post(event: dict[str, Any]) -> dict[str, Any]:
    author = caller_id(event)
    if AUTHORS_GROUP not in caller_groups(event):
        raise ApiError(403, f"only members of the '{AUTHORS_GROUP}' group may publish posts")
    fields = validate_post(json_body(event))
    item = {"post_id": str(uuid.uuid4()), "author_id": author, **fields, "created_at": _now()}
    _posts_table().put_item(Item=item, ConditionExpression="attribute_not_exists(post_id)")
    log(logging.INFO, "post published", post_id=item["post_id"], author_id=author)
    return response(201, to_public(item), {"Location": f"/posts/{item['post_id']}"})


def register_user(event: dict[str, Any]) -> dict[str, Any]:
    user_id = caller_id(event)
    subscriber = validate_subscriber(json_body(event))
    item = {"user_id": user_id, **subscriber, "subscribed_at": _now()}
    try:
        _users_table().put_item(Item=item, ConditionExpression="attribute_not_exists(user_id)")
    except ClientError as exc:
        if _condition_failed(exc):
            raise ApiError(409, "already subscribed") from exc
        raise
    log(logging.INFO, "subscriber registered", user_id=user_id)
    return response(201, {"user_id": user_id, **subscriber, "subscribed_at": item["subscribed_at"]})


def upload_photo(event: dict[str, Any]) -> dict[str, Any]:
    user_id = caller_id(event)
    data = decode_photo(event)
    kind = sniff_image(data)
    if kind is None:
        raise ApiError(415, "the body must be a JPEG, PNG, GIF or WebP image")
    ext, content_type = kind
    key = photo_key(upload_prefix(), user_id, ext)
    _s3().put_object(Bucket=os.environ["PHOTOS_BUCKET"], Key=key, Body=data, ContentType=content_type, Metadata={"uploaded-by": user_id})
    log(logging.INFO, "photo stored", key=key, bytes=len(data), content_type=content_type)
    return response(201, {"key": key})


Route = Callable[[dict[str, Any]], dict[str, Any]]
ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/posts"): list_posts,
    ("GET", "/posts/{id}"): get_post,
    ("POST", "/posts"): create_post,
    ("POST", "/users"): register_user,
    ("POST", "/photos"): upload_photo,
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
