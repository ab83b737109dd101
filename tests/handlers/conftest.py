"""Fixtures for the Lambda handlers: imports, fake AWS credentials, moto resources and sample events.

Handlers are imported as top-level packages (`todo_api.app`), exactly as the Lambda runtime sees them,
so `handlers/` goes on sys.path. Every AWS call runs against moto (`mock_aws`); nothing reaches AWS.
"""

from __future__ import annotations

import copy
import functools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

REPO = Path(__file__).resolve().parents[2]
HANDLERS = REPO / "handlers"
if str(HANDLERS) not in sys.path:
    sys.path.insert(0, str(HANDLERS))

REGION = "eu-west-1"
ALICE = "7d8ca528-4931-4254-9273-ea5ee853f271"  # the `sub` in the sample API events
BOB = "0b5f8f0e-2c1d-4d7e-8f5a-6b7c8d9e0f1a"


def handler_modules() -> list[ModuleType]:
    """The handler modules imported so far (their cached clients must not outlive a moto context)."""
    return [m for m in list(sys.modules.values()) if str(getattr(m, "__file__", "") or "").startswith(str(HANDLERS))]


def clear_handler_caches() -> None:
    for module in handler_modules():
        for value in list(vars(module).values()):
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a region, and no real endpoint or profile, for every handler test."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)


@pytest.fixture
def aws(aws_env: None) -> Iterator[None]:
    """A fresh moto account for one test; handler client caches are reset around it."""
    clear_handler_caches()
    # Keep boto3's default session across tests: its loaded service models make client creation cheap,
    # and the credentials it holds are the fake ones above anyway.
    with mock_aws(config={"core": {"reset_boto3_session": False}}):
        yield
    clear_handler_caches()


@pytest.fixture
def context() -> Any:
    class LambdaContext:
        function_name = "test-function"
        aws_request_id = "11111111-2222-3333-4444-555555555555"
        invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:test-function"
        memory_limit_in_mb = 128

        def __init__(self) -> None:
            self.remaining_ms = 60_000

        def get_remaining_time_in_millis(self) -> int:
            return self.remaining_ms

    return LambdaContext()


def load_event(handler: str, name: str) -> dict[str, Any]:
    """A deep copy of `handlers/<handler>/events/<name>`."""
    path = HANDLERS / handler / "events" / name
    return copy.deepcopy(json.loads(path.read_text(encoding="utf-8")))


def body_of(result: dict[str, Any]) -> Any:
    return json.loads(result["body"]) if result.get("body") else None


def log_lines(text: str) -> list[dict[str, Any]]:
    """Every stdout line must be one JSON object (the handlers' structured logs)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def client_error(code: str, operation: str = "Operation") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"simulated {code}"}}, operation)


def fail_calls(client: Any, operation: str, code: str = "ProvisionedThroughputExceededException") -> list[str]:
    """Make every `operation` call (e.g. "GetItem") made through `client` raise ClientError `code`.

    Hooks into botocore's event system, so it works with resources (`table.meta.client`) as well.
    Returns a list that records the calls it refused.
    """
    refused: list[str] = []

    def refuse(**kwargs: Any) -> None:
        refused.append(operation)
        raise client_error(code, operation)

    client.meta.events.register(f"before-call.*.{operation}", refuse)
    return refused


# --- moto resources --------------------------------------------------------------------------


@functools.cache
def aws_client(service: str) -> Any:
    """A test-side client; built once per session (cheap to reuse: moto intercepts it inside any mock_aws)."""
    return boto3.client(service, region_name=REGION)


@functools.cache
def aws_resource(service: str) -> Any:
    return boto3.resource(service, region_name=REGION)


def make_table(name: str, partition: str, sort: str | None = None, stream: bool = False) -> Any:
    dynamodb = aws_resource("dynamodb")
    keys = [{"AttributeName": partition, "KeyType": "HASH"}]
    attrs = [{"AttributeName": partition, "AttributeType": "S"}]
    if sort:
        keys.append({"AttributeName": sort, "KeyType": "RANGE"})
        attrs.append({"AttributeName": sort, "AttributeType": "S"})
    extra: dict[str, Any] = {}
    if stream:
        extra["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    return dynamodb.create_table(TableName=name, KeySchema=keys, AttributeDefinitions=attrs, BillingMode="PAY_PER_REQUEST", **extra)


@pytest.fixture
def table_factory(aws: None, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """Create a moto table and point the handler's environment variable at it."""

    def create(env: str, name: str, partition: str, sort: str | None = None, stream: bool = False) -> Any:
        table = make_table(name, partition, sort, stream)
        monkeypatch.setenv(env, name)
        return table

    return create


@pytest.fixture
def bucket_factory(aws: None) -> Callable[[str], Any]:
    def create(name: str) -> Any:
        aws_client("s3").create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
        return aws_resource("s3").Bucket(name)

    return create
