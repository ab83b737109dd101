"""blog_api: posts (optionally through DAX), subscriber sign-up and photo uploads, against moto."""

from __future__ import annotations

import base64
import io
import json
import re
from typing import Any

import boto3
import pytest
from blog_api import app
from PIL import Image

from .conftest import ALICE, REGION, body_of, fail_calls, load_event

SAMPLE_POST = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
BUCKET = "myblog-photos"


@pytest.fixture
def blog(table_factory: Any, bucket_factory: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.delenv("POSTS_CACHE_ENDPOINT", raising=False)
    monkeypatch.delenv("UPLOAD_PREFIX", raising=False)
    monkeypatch.setenv("PHOTOS_BUCKET", BUCKET)
    return {
        "posts": table_factory("POSTS_TABLE", "posts", "post_id", stream=True),
        "users": table_factory("USERS_TABLE", "users", "user_id", stream=True),
        "photos": bucket_factory(BUCKET),
    }


def call(event: dict[str, Any], context: Any) -> tuple[int, Any]:
    result = app.handler(event, context)
    return result["statusCode"], body_of(result)


def seed_post(table: Any, post_id: str = SAMPLE_POST, created: str = "2024-06-01T00:00:00.000+00:00") -> None:
    table.put_item(Item={"post_id": post_id, "author_id": ALICE, "title": f"Post {post_id[:4]}", "body": "Hello", "created_at": created})


def test_list_posts_newest_first_without_bodies(blog: dict[str, Any], context: Any) -> None:
    seed_post(blog["posts"], "00000000-0000-4000-8000-000000000001", "2024-06-01T00:00:00.000+00:00")
    seed_post(blog["posts"], "00000000-0000-4000-8000-000000000002", "2024-06-02T00:00:00.000+00:00")
    status, body = call(load_event("blog_api", "list_posts.json"), context)
    assert status == 200
    assert [p["id"][-1] for p in body["items"]] == ["2", "1"]
    assert all("body" not in p for p in body["items"])


def test_get_post(blog: dict[str, Any], context: Any) -> None:
    seed_post(blog["posts"])
    status, body = call(load_event("blog_api", "get_post.json"), context)
    assert status == 200 and body["id"] == SAMPLE_POST and body["body"] == "Hello"


def test_missing_post_is_404(blog: dict[str, Any], context: Any) -> None:
    status, body = call(load_event("blog_api", "get_post.json"), context)
    assert (status, body) == (404, {"error": "post not found"})


def test_author_publishes_a_post(blog: dict[str, Any], context: Any) -> None:
    status, body = call(load_event("blog_api", "create_post.json"), context)
    assert status == 201
    stored = blog["posts"].get_item(Key={"post_id": body["id"]})["Item"]
    assert stored["author_id"] == ALICE and stored["title"] == "Serverless at the edge"


@pytest.mark.parametrize("groups", [None, "readers", "[readers admins]", "authorsX"])
def test_non_authors_may_not_publish(blog: dict[str, Any], context: Any, groups: str | None) -> None:
    event = load_event("blog_api", "create_post.json")
    claims = event["requestContext"]["authorizer"]["claims"]
    claims.pop("cognito:groups")
    if groups is not None:
        claims["cognito:groups"] = groups
    status, _ = call(event, context)
    assert status == 403
    assert blog["posts"].scan()["Items"] == []


def test_groups_claim_formats() -> None:
    def event(groups: Any) -> dict[str, Any]:
        return {"requestContext": {"authorizer": {"claims": {"cognito:groups": groups}}}}

    assert app.caller_groups(event("authors,admins")) == {"authors", "admins"}
    assert app.caller_groups(event("[authors admins]")) == {"authors", "admins"}
    assert app.caller_groups(event(["authors"])) == {"authors"}
    assert app.caller_groups({}) == set()


def test_invalid_post_is_400(blog: dict[str, Any], context: Any) -> None:
    event = load_event("blog_api", "create_post.json")
    event["body"] = json.dumps({"title": "No body"})
    status, body = call(event, context)
    assert status == 400 and body["error"].startswith("body is required")


def test_register_subscriber(blog: dict[str, Any], context: Any) -> None:
    status, body = call(load_event("blog_api", "register_user.json"), context)
    assert status == 201
    stored = blog["users"].get_item(Key={"user_id": ALICE})["Item"]
    assert stored["email"] == "alice@example.com" and stored["name"] == "Alice"
    assert "welcomed_at" not in stored  # the welcome email function sets that


def test_second_registration_conflicts_and_keeps_the_first(blog: dict[str, Any], context: Any) -> None:
    assert call(load_event("blog_api", "register_user.json"), context)[0] == 201
    event = load_event("blog_api", "register_user.json")
    event["body"] = json.dumps({"email": "other@example.com"})
    assert call(event, context)[0] == 409
    assert blog["users"].get_item(Key={"user_id": ALICE})["Item"]["email"] == "alice@example.com"


@pytest.mark.parametrize(
    "email", ["", "alice", "alice@", "@example.com", "alice@example", "a b@example.com", "alice..x@example.com", "x" * 250 + "@ex.com", 42]
)
def test_invalid_email_is_400(blog: dict[str, Any], context: Any, email: Any) -> None:
    event = load_event("blog_api", "register_user.json")
    event["body"] = json.dumps({"email": email})
    status, body = call(event, context)
    assert (status, body) == (400, {"error": "email must be a valid email address"})
    assert blog["users"].scan()["Items"] == []


def test_email_domain_is_lower_cased() -> None:
    assert app.validate_email("Alice.Smith+blog@Example.COM") == "Alice.Smith+blog@example.com"


def test_photo_upload_stores_the_image_under_the_callers_prefix(blog: dict[str, Any], context: Any) -> None:
    event = load_event("blog_api", "upload_photo.json")
    status, body = call(event, context)
    assert status == 201
    assert re.fullmatch(rf"uploads/{ALICE}/[0-9a-f-]{{36}}\.png", body["key"])
    stored = blog["photos"].Object(body["key"]).get()
    assert stored["ContentType"] == "image/png"
    assert stored["Body"].read() == base64.b64decode(event["body"])


def test_photo_upload_honours_upload_prefix_and_plain_base64_text(
    blog: dict[str, Any], context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPLOAD_PREFIX", "incoming")
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG")
    event = load_event("blog_api", "upload_photo.json")
    event["isBase64Encoded"] = False  # a client that sent base64 text without a binary media type
    event["body"] = base64.encodebytes(buffer.getvalue()).decode()  # with line breaks
    status, body = call(event, context)
    assert status == 201 and body["key"].startswith(f"incoming/{ALICE}/") and body["key"].endswith(".jpg")
    assert blog["photos"].Object(body["key"]).get()["ContentType"] == "image/jpeg"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (None, 400),
        ("not base64!", 400),
        (base64.b64encode(b"%PDF-1.7 not an image").decode(), 415),
        (base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * (5 * 1024 * 1024)).decode(), 413),
    ],
)
def test_bad_photo_uploads_store_nothing(blog: dict[str, Any], context: Any, body: str | None, status: int) -> None:
    event = load_event("blog_api", "upload_photo.json")
    event["body"] = body
    assert call(event, context)[0] == status
    assert list(blog["photos"].objects.all()) == []


def test_throttled_post_read_is_503(blog: dict[str, Any], context: Any) -> None:
    fail_calls(app._posts_table().meta.client, "GetItem", "ThrottlingException")
    result = app.handler(load_event("blog_api", "get_post.json"), context)
    assert result["statusCode"] == 503 and result["headers"]["Retry-After"] == "1"


def test_s3_slowdown_is_503(blog: dict[str, Any], context: Any) -> None:
    fail_calls(app._s3(), "PutObject", "SlowDown")
    assert call(load_event("blog_api", "upload_photo.json"), context)[0] == 503


def test_posts_go_through_dax_when_configured(blog: dict[str, Any], context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    endpoint = "daxs://posts-cache.abc123.dax-clusters.eu-west-1.amazonaws.com"
    monkeypatch.setenv("POSTS_CACHE_ENDPOINT", endpoint)
    opened: list[str] = []

    def fake_dax(url: str) -> Any:  # DAX has no moto data plane: stand in with moto's DynamoDB
        opened.append(url)
        return boto3.resource("dynamodb", region_name=REGION)

    monkeypatch.setattr(app, "_dax_resource", fake_dax)
    status, created = call(load_event("blog_api", "create_post.json"), context)
    assert status == 201
    event = load_event("blog_api", "get_post.json")
    event["pathParameters"] = {"id": created["id"]}
    assert call(event, context)[1]["title"] == "Serverless at the edge"
    # subscribers are written straight to DynamoDB: the users table has no cache
    assert call(load_event("blog_api", "register_user.json"), context)[0] == 201
    assert opened == [endpoint]
