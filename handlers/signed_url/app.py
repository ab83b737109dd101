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
import logging
import os
import re
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.signers import CloudFrontSigner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from handler_kit import aws
from handler_kit.http import ApiError, Route, caller_id, response, serve
from handler_kit.log import JsonLog

log = JsonLog("signed_url")
LOGGER = log.logger
HOST_RE = re.compile(r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
KEY_MAX = 1024
MAX_EXPIRES_S = 7 * 24 * 3600
KEY_CACHE_TTL_S = 900


# --- AWS clients and the signing key, built once per container ---------------------------------


@functools.cache
def _premium_users_table() -> Any:
    return aws.table(os.environ["PREMIUM_USERS_TABLE"])


@functools.cache
def _ssm() -> Any:
    return aws.client("ssm")


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
    signed: str = CloudFrontSigner(key_pair_id, rsa_sha1_signer(key)).generate_presigned_url(url, date_less_than=expires_at)
    return signed


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


ROUTES: dict[tuple[str, str], Route] = {("GET", "/content/{key}/url"): signed_content_url}


# --- entry point -------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return serve(event, context, ROUTES, log)
