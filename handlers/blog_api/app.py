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
import logging
import os
import re
import uuid
from typing import Any

from handler_kit import aws, now_iso
from handler_kit.http import (
    ApiError,
    Route,
    caller_id,
    claims_of,
    decode_page_token,
    encode_page_token,
    json_body,
    page_limit,
    path_uuid,
    response,
    serve,
)
from handler_kit.log import JsonLog

log = JsonLog("blog_api")
LOGGER = log.logger
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


# --- AWS clients, built once per container -----------------------------------------------------


def _dax_resource(endpoint: str) -> Any:
    """A boto3-compatible DynamoDB resource that talks to the DAX cluster at `endpoint`."""
    from amazondax import AmazonDaxClient  # runtime requirement only when a cache is configured

    return AmazonDaxClient.resource(endpoint_url=endpoint, region_name=aws.region(), config=aws.BOTO_CONFIG)


@functools.cache
def _dynamodb() -> Any:
    return aws.resource("dynamodb")


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
    return aws.client("s3")


def upload_prefix() -> str:
    prefix = os.environ.get("UPLOAD_PREFIX", "uploads/")
    return prefix if not prefix or prefix.endswith("/") else prefix + "/"


# --- domain logic (pure functions of their inputs) ---------------------------------------------


def caller_groups(event: dict[str, Any]) -> set[str]:
    """The caller's Cognito groups: REST API authorizers pass `cognito:groups` as text, e.g. "a,b" or "[a b]"."""
    raw = claims_of(event).get("cognito:groups")
    if isinstance(raw, list):
        return {str(group) for group in raw}
    if isinstance(raw, str):
        return {group for group in re.split(r"[\s,]+", raw.strip("[]")) if group}
    return set()


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


def to_public(item: dict[str, Any], *, with_body: bool = True) -> dict[str, Any]:
    post = {"id": item["post_id"], "title": item.get("title"), "author_id": item.get("author_id"), "created_at": item.get("created_at")}
    if with_body:
        post["body"] = item.get("body")
    return post


# --- routes ------------------------------------------------------------------------------------


def list_posts(event: dict[str, Any]) -> dict[str, Any]:
    params = event.get("queryStringParameters") or {}
    scan: dict[str, Any] = {
        "Limit": page_limit(params, PAGE_DEFAULT, PAGE_MAX),
        "ProjectionExpression": "#id, #title, #author, #created",
        "ExpressionAttributeNames": {"#id": "post_id", "#title": "title", "#author": "author_id", "#created": "created_at"},
    }
    if params.get("next"):
        scan["ExclusiveStartKey"] = {"post_id": decode_page_token(params["next"])}
    result = _posts_table().scan(**scan)
    items = sorted((to_public(i, with_body=False) for i in result.get("Items", [])), key=lambda p: p["created_at"] or "", reverse=True)
    return response(200, {"items": items, "next": encode_page_token(result.get("LastEvaluatedKey"), "post_id")})


def get_post(event: dict[str, Any]) -> dict[str, Any]:
    item = _posts_table().get_item(Key={"post_id": path_uuid(event, "post")}).get("Item")
    if item is None:
        raise ApiError(404, "post not found")
    return response(200, to_public(item))


def create_post(event: dict[str, Any]) -> dict[str, Any]:
    author = caller_id(event)
    if AUTHORS_GROUP not in caller_groups(event):
        raise ApiError(403, f"only members of the '{AUTHORS_GROUP}' group may publish posts")
    fields = validate_post(json_body(event))
    item = {"post_id": str(uuid.uuid4()), "author_id": author, **fields, "created_at": now_iso()}
    _posts_table().put_item(Item=item, ConditionExpression="attribute_not_exists(post_id)")
    log(logging.INFO, "post published", post_id=item["post_id"], author_id=author)
    return response(201, to_public(item), {"Location": f"/posts/{item['post_id']}"})


def register_user(event: dict[str, Any]) -> dict[str, Any]:
    user_id = caller_id(event)
    subscriber = validate_subscriber(json_body(event))
    item = {"user_id": user_id, **subscriber, "subscribed_at": now_iso()}
    if not aws.put_new(_users_table(), item, "user_id"):
        raise ApiError(409, "already subscribed")
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


ROUTES: dict[tuple[str, str], Route] = {
    ("GET", "/posts"): list_posts,
    ("GET", "/posts/{id}"): get_post,
    ("POST", "/posts"): create_post,
    ("POST", "/users"): register_user,
    ("POST", "/photos"): upload_photo,
}


# --- entry point -------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return serve(event, context, ROUTES, log)
