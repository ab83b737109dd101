"""The HTTP contract every API handler keeps: JSON errors, 401/404/405, and 500 without internals."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from .conftest import body_of, load_event, log_lines

# (handler, a sample event of a route that needs the caller's identity)
API_HANDLERS = [
    ("todo_api", "create_todo.json"),
    ("blog_api", "create_post.json"),
    ("orders_api", "place_order.json"),
    ("premium_registration", "register_premium.json"),
    ("signed_url", "get_signed_url.json"),
]


def app_of(name: str) -> Any:
    return importlib.import_module(f"{name}.app")


@pytest.mark.parametrize(("name", "sample"), API_HANDLERS)
def test_unknown_method_on_a_known_resource_is_405_with_allow(aws: None, context: Any, name: str, sample: str) -> None:
    event = load_event(name, sample)
    event["httpMethod"] = "PATCH"
    result = app_of(name).handler(event, context)
    assert result["statusCode"] == 405
    assert result["headers"]["Allow"] and "PATCH" not in result["headers"]["Allow"]
    assert result["headers"]["Content-Type"] == "application/json" and body_of(result)["error"]


@pytest.mark.parametrize(("name", "sample"), API_HANDLERS)
def test_unknown_resource_is_404(aws: None, context: Any, name: str, sample: str) -> None:
    event = load_event(name, sample)
    event["resource"] = "/admin"
    result = app_of(name).handler(event, context)
    assert (result["statusCode"], body_of(result)) == (404, {"error": "no such route"})


@pytest.mark.parametrize(("name", "sample"), API_HANDLERS)
@pytest.mark.parametrize("claims", [None, {}, {"sub": ""}, {"sub": "../../x"}])
def test_no_authenticated_caller_is_401(aws: None, context: Any, name: str, sample: str, claims: dict[str, str] | None) -> None:
    event = load_event(name, sample)
    event["requestContext"]["authorizer"] = None if claims is None else {"claims": claims}
    result = app_of(name).handler(event, context)
    assert (result["statusCode"], body_of(result)) == (401, {"error": "authentication required"})


@pytest.mark.parametrize(("name", "sample"), API_HANDLERS)
def test_unexpected_errors_are_500_without_internals_and_logged(
    aws: None, context: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch, name: str, sample: str
) -> None:
    app = app_of(name)
    event = load_event(name, sample)

    def broken(*args: Any) -> Any:
        raise RuntimeError("secret-internal-detail arn:aws:dynamodb:eu-west-1:123456789012:table/x")

    monkeypatch.setitem(app.ROUTES, (event["httpMethod"], event["resource"]), broken)
    result = app.handler(event, context)
    assert (result["statusCode"], body_of(result)) == (500, {"error": "internal error"})
    assert "secret" not in json.dumps(result)
    [line] = [entry for entry in log_lines(capsys.readouterr().out) if entry["level"] == "ERROR"]
    assert "secret-internal-detail" in line["exception"] and line["request_id"] == context.aws_request_id
