"""premium_registration: POST /premium marks the caller premium in DynamoDB."""

from __future__ import annotations

from typing import Any

import pytest
from premium_registration import app

from .conftest import ALICE, body_of, fail_calls, load_event


@pytest.fixture
def premium_users(table_factory: Any) -> Any:
    return table_factory("PREMIUM_USERS_TABLE", "premium-users", "user_id", stream=True)


def test_registration_marks_the_caller_premium(premium_users: Any, context: Any) -> None:
    result = app.handler(load_event("premium_registration", "register_premium.json"), context)
    assert result["statusCode"] == 201
    item = premium_users.get_item(Key={"user_id": ALICE})["Item"]
    assert item["premium"] is True and item["premium_since"] == body_of(result)["premium_since"]


def test_registering_again_keeps_the_first_date(premium_users: Any, context: Any) -> None:
    first = body_of(app.handler(load_event("premium_registration", "register_premium.json"), context))
    again = app.handler(load_event("premium_registration", "register_premium.json"), context)
    assert again["statusCode"] == 200 and body_of(again)["premium_since"] == first["premium_since"]
    assert premium_users.get_item(Key={"user_id": ALICE})["Item"]["premium_since"] == first["premium_since"]


def test_a_lapsed_user_becomes_premium_again(premium_users: Any, context: Any) -> None:
    premium_users.put_item(Item={"user_id": ALICE, "premium": False, "premium_since": "2023-01-01T00:00:00.000+00:00"})
    result = app.handler(load_event("premium_registration", "register_premium.json"), context)
    assert result["statusCode"] == 201
    assert premium_users.get_item(Key={"user_id": ALICE})["Item"]["premium"] is True


def test_a_body_is_refused(premium_users: Any, context: Any) -> None:
    event = load_event("premium_registration", "register_premium.json")
    event["body"] = '{"user_id": "someone-else"}'
    assert app.handler(event, context)["statusCode"] == 400
    assert premium_users.scan()["Count"] == 0


def test_throttling_is_503(premium_users: Any, context: Any) -> None:
    fail_calls(app._premium_users_table().meta.client, "UpdateItem")
    assert app.handler(load_event("premium_registration", "register_premium.json"), context)["statusCode"] == 503
