"""CloudFront signed URL generator (paid content): GET /content/{key}/url for premium users only.

The caller (Cognito `sub` claim) must have `premium = true` in PREMIUM_USERS_TABLE (else 403). The
answer is a CloudFront signed URL with a canned policy for `https://<CONTENT_CDN_DOMAIN>/<key>`,
valid for URL_EXPIRES_S seconds, signed (RSA-SHA1, as CloudFront requires) with the private key whose
PEM text is the SecureString SSM parameter named by CONTENT_CDN_PRIVATE_KEY_PARAMETER. The key is read
with decryption and cached for a quarter of an hour, so a rotated key is picked up without a deploy.
CONTENT_CDN_KEY_PAIR_ID is the CloudFront public key id (key group) or legacy key pair id.

Environment: PREMIUM_USERS_TABLE, CONTENT_CDN_DOMAIN, CONTENT_CDN_PRIVATE_KEY_PARAMETER,
CONTENT_CDN_KEY_PAIR_ID, URL_EXPIRES_S (default 300).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

LOGGER = logging.getLogger("signed_url")
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
HOST_RE = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
KEY_MAX = 1024
MAX_EXPIRES_S = 7 * 24 * 3600
KEY_CACHE_TTL_S = 900


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


# --- AWS clients and the signing key, built once per container ---------------------------------


def _region() -> str | None:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")


@functools.cache
def _premium_users_table() -> Any:
    dynamodb = boto3.resource("dynamodb", region_name=_region(), config=BOTO_CONFIG)
    return dynamodb.Table(os.environ["PREMIUM_USERS_TABLE"])


@functools.cache
def _ssm() -> Any:
    return boto3.client("ssm", region_name=_region(), config=BOTO_CONFIG)


@functools.lru_cache(maxsize=4)
def _load_private_key(parameter: str, period: int) -> rsa.RSAPrivateKey:
    """The RSA key in the SecureString parameter; `period` changes every KEY_CACHE_TTL_S seconds."""
    pem = _ssm().get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"]
    key = serialization.load_pem_private_key(pem.encode("ascii"), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"the key in {parameter} is not an RSA private key")
    log(logging.INFO, "signing key loaded", parameter=parameter)
    return key


def private_key() -> rsa.RSAPrivateKey:
    return _load_private_key(os.environ["CONTENT_CDN_PRIVATE_KEY_PARAMETER"], int(time.time() // KEY_CACHE_TTL_S))


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


# --- pure logic --------------------------------------------------------------------------------


def content_key(event: dict[str, Any]) -> str:
    """The object key from the path, URL-decoded once, refused if it could escape or confuse the path."""
    raw = (event.get("pathParameters") or {}).get("key")
    key = urllib.parse.unquote(raw) if isinstance(raw, str) else ""
    if not key or len(key) > KEY_MAX:
        raise ApiError(400, f"the content key must be 1 to {KEY_MAX} characters")
    if key.startswith("/") or ".." in key or "\\" in key or any(ord(c) < 0x20 or ord(c) == 0x7F for c in key):
        raise ApiError(400, "the content key must not start with '/' or contain '..', backslashes or control characters")
    return key


def content_url(domain: str, key: str) -> str:
    if not HOST_RE.fullmatch(domain):
        raise ValueError("CONTENT_CDN_DOMAIN must be a bare host name such as d111111abcdef8.cloudfront.net")
    return f"https://{domain}/{urllib.parse.quote(key, safe='/-_.~')}"


def expires_s() -> int:
    raw = os.environ.get("URL_EXPIRES_S", "300")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_EXPIRES_S:
        raise ValueError(f"URL_EXPIRES_S must be an integer from 1 to {MAX_EXPIRES_S}")
    return int(raw)


def rsa_sha1_signer(key: rsa.RSAPrivateKey) -> Callable[[bytes], bytes]:
    def sign(message: bytes) -> bytes:
        return key.sign(message, padding.PKCS1v15(), hashes.SHA1())  # CloudFront signatures are RSA-SHA1

    return sign


def sign_url(url: str, key_pair_id: str, key: rsa.RSAPrivateKey, expires_at: datetime) -> str:
    """A CloudFront signed URL with a canned policy (Expires, Signature, Key-Pair-Id)."""
    return CloudFrontSigner(key_pair_id, rsa_sha1_signer(key)).generate_presigned_url(url, date_less_than=expires_at)


def is_premium(table: Any, user_id: str) -> bool:
    item = table.get_item(Key={"user_id": user_id}, ConsistentRead=True).get("Item") or {}
    return item.get("premium") is True


# --- routes ------------------------------------------------------------------------------------


def signed_content_url(event: dict[str, Any]) -> dict[str, Any]:
    user_id = caller_id(event)
    key = content_key(event)
    if not is_premium(_premium_users_table(), user_id):
        raise ApiError(403, "premium content requires a premium subscription")
    url = content_url(os.environ["CONTENT_CDN_DOMAIN"], key)
    expires_at = (datetime.now(UTC) + timedelta(seconds=expires_s())).replace(microsecond=0)
    signed = sign_url(url, os.environ["CONTENT_CDN_KEY_PAIR_ID"], private_key(), expires_at)
    log(logging.INFO, "signed URL issued", user_id=user_id, key=key, expires_at=expires_at.isoformat())
    return response(200, {"url": signed, "expires_at": expires_at.isoformat()}, {"Cache-Control": "private, no-store"})


Route = Callable[[dict[str, Any]], dict[str, Any]]
ROUTES: dict[tuple[str, str], Route] = {("GET", "/content/{key}/url"): signed_content_url}


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
