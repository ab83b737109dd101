"""signed_url: CloudFront signed URLs for premium users, signed with a key from SSM; signatures verified."""

from __future__ import annotations

import base64
import time
import urllib.parse
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from signed_url import app

from .conftest import ALICE, aws_client, body_of, fail_calls, load_event

DOMAIN = "d111111abcdef8.cloudfront.net"
PARAMETER = "/paid-content/cloudfront/private-key"
KEY_ID = "K2JCJMDEHXQW5F"


@pytest.fixture(scope="module")
def key_pair() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def paid(table_factory: Any, key_pair: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch) -> Any:
    table = table_factory("PREMIUM_USERS_TABLE", "premium-users", "user_id")
    pem = key_pair.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    aws_client("ssm").put_parameter(Name=PARAMETER, Value=pem, Type="SecureString")
    monkeypatch.setenv("CONTENT_CDN_DOMAIN", DOMAIN)
    monkeypatch.setenv("CONTENT_CDN_PRIVATE_KEY_PARAMETER", PARAMETER)
    monkeypatch.setenv("CONTENT_CDN_KEY_PAIR_ID", KEY_ID)
    monkeypatch.delenv("URL_EXPIRES_S", raising=False)
    table.put_item(Item={"user_id": ALICE, "premium": True, "premium_since": "2024-06-01T00:00:00.000+00:00"})
    return table


def verify(signed: str, public_key: rsa.RSAPublicKey) -> tuple[str, int]:
    """Check a canned-policy signed URL the way CloudFront does; returns (resource, expires)."""
    resource, _, query = signed.partition("?")
    params = dict(urllib.parse.parse_qsl(query))
    assert set(params) == {"Expires", "Signature", "Key-Pair-Id"} and params["Key-Pair-Id"] == KEY_ID
    policy = '{"Statement":[{"Resource":"%s","Condition":{"DateLessThan":{"AWS:EpochTime":%s}}}]}' % (resource, params["Expires"])  # noqa: UP031
    signature = base64.b64decode(params["Signature"].translate(str.maketrans("-_~", "+=/")))
    public_key.verify(signature, policy.encode(), padding.PKCS1v15(), hashes.SHA1())
    return resource, int(params["Expires"])


def test_premium_user_gets_a_url_that_verifies(paid: Any, key_pair: rsa.RSAPrivateKey, context: Any) -> None:
    result = app.handler(load_event("signed_url", "get_signed_url.json"), context)
    assert result["statusCode"] == 200 and result["headers"]["Cache-Control"] == "private, no-store"
    resource, expires = verify(body_of(result)["url"], key_pair.public_key())
    assert resource == f"https://{DOMAIN}/courses/serverless/lesson-01.mp4"
    assert abs(expires - (time.time() + 300)) < 5


def test_a_signature_from_another_key_does_not_verify(paid: Any, context: Any) -> None:
    result = app.handler(load_event("signed_url", "get_signed_url.json"), context)
    other = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
    with pytest.raises(InvalidSignature):
        verify(body_of(result)["url"], other)


def test_expiry_follows_url_expires_s(paid: Any, key_pair: rsa.RSAPrivateKey, context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("URL_EXPIRES_S", "60")
    _, expires = verify(body_of(app.handler(load_event("signed_url", "get_signed_url.json"), context))["url"], key_pair.public_key())
    assert abs(expires - (time.time() + 60)) < 5


def test_the_key_is_read_once_and_cached(paid: Any, context: Any) -> None:
    assert app.handler(load_event("signed_url", "get_signed_url.json"), context)["statusCode"] == 200
    aws_client("ssm").delete_parameter(Name=PARAMETER)
    assert app.handler(load_event("signed_url", "get_signed_url.json"), context)["statusCode"] == 200


def test_special_characters_are_encoded_in_the_signed_resource(paid: Any, key_pair: rsa.RSAPrivateKey, context: Any) -> None:
    event = load_event("signed_url", "get_signed_url.json")
    event["pathParameters"] = {"key": "films/caf%C3%A9 & co.mp4"}
    resource, _ = verify(body_of(app.handler(event, context))["url"], key_pair.public_key())
    assert resource == f"https://{DOMAIN}/films/caf%C3%A9%20%26%20co.mp4"


@pytest.mark.parametrize("item", [None, {"user_id": ALICE, "premium": False}, {"user_id": ALICE}])
def test_non_premium_users_are_forbidden(paid: Any, context: Any, item: dict[str, Any] | None) -> None:
    paid.delete_item(Key={"user_id": ALICE})
    if item:
        paid.put_item(Item=item)
    result = app.handler(load_event("signed_url", "get_signed_url.json"), context)
    assert result["statusCode"] == 403 and "url" not in body_of(result)


@pytest.mark.parametrize("key", ["..%2Fsecret.mp4", "a/../../b", "%2Fetc%2Fpasswd", "/abs", "a%5Cb", "a%00b", "", "x" * 1025])
def test_unsafe_keys_are_400(paid: Any, context: Any, key: str) -> None:
    event = load_event("signed_url", "get_signed_url.json")
    event["pathParameters"] = {"key": key}
    assert app.handler(event, context)["statusCode"] == 400


def test_throttled_premium_check_is_503(paid: Any, context: Any) -> None:
    fail_calls(app._premium_users_table().meta.client, "GetItem")
    assert app.handler(load_event("signed_url", "get_signed_url.json"), context)["statusCode"] == 503


def test_a_missing_key_parameter_is_500_without_details(paid: Any, context: Any) -> None:
    aws_client("ssm").delete_parameter(Name=PARAMETER)
    result = app.handler(load_event("signed_url", "get_signed_url.json"), context)
    assert result["statusCode"] == 500 and body_of(result) == {"error": "internal error"}
