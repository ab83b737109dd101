"""AWS clients with botocore's `standard` retry mode, and reading the errors they raise.

The factories build a new client on every call: handlers cache their own small factories with
`functools.cache` (once per container), so tests can reset them per handler.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

BOTO_CONFIG = Config(retries={"mode": "standard"})
# Error codes that mean "throttled or briefly unavailable": worth a retry later, not a failure of the request.
RETRYABLE_ERRORS = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "SlowDown",
        "ServiceUnavailable",
    }
)


def region() -> str | None:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")


def client(service: str) -> Any:
    return boto3.client(service, region_name=region(), config=BOTO_CONFIG)


def resource(service: str) -> Any:
    return boto3.resource(service, region_name=region(), config=BOTO_CONFIG)


def table(name: str) -> Any:
    """The DynamoDB table `name` (a resource of its own)."""
    return resource("dynamodb").Table(name)


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a ClientError; for any other exception, its class name."""
    if isinstance(exc, ClientError):
        code: str | None = exc.response.get("Error", {}).get("Code")
        return code
    return type(exc).__name__


def is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, ClientError) and error_code(exc) in RETRYABLE_ERRORS


def condition_failed(exc: ClientError) -> bool:
    return error_code(exc) == "ConditionalCheckFailedException"


def put_new(table: Any, item: dict[str, Any], key: str) -> bool:
    """Put `item` unless an item with its `key` exists already; False then (nothing written)."""
    try:
        table.put_item(Item=item, ConditionExpression=f"attribute_not_exists({key})")
    except ClientError as exc:
        if condition_failed(exc):
            return False
        raise
    return True
