"""orders_api: orders stored in DynamoDB and announced on SNS (checked through a subscribed SQS queue)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from orders_api import app

from .conftest import ALICE, BOB, aws_client, body_of, fail_calls, load_event


@pytest.fixture
def orders(table_factory: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    table = table_factory("ORDERS_TABLE", "orders", "order_id")
    sns, sqs = aws_client("sns"), aws_client("sqs")
    topic = sns.create_topic(Name="order-events")["TopicArn"]
    queue_url = sqs.create_queue(QueueName="order-events-tap")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    monkeypatch.setenv("ORDER_EVENTS_TOPIC_ARN", topic)
    return {"table": table, "queue": queue_url}


def published(queue_url: str) -> list[dict[str, Any]]:
    """The SNS envelopes the topic delivered to the tap queue."""
    messages = aws_client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def call(event: dict[str, Any], context: Any) -> tuple[int, Any]:
    result = app.handler(event, context)
    return result["statusCode"], body_of(result)


def test_place_order_stores_then_publishes(orders: dict[str, Any], context: Any) -> None:
    status, body = call(load_event("orders_api", "place_order.json"), context)
    assert status == 201
    assert body["total"] == "45.48" and body["items"][0]["unit_price"] == "19.99"
    stored = orders["table"].get_item(Key={"order_id": body["order_id"]})["Item"]
    assert stored["customer_id"] == ALICE and stored["total"] == Decimal("45.48") and stored["status"] == "PLACED"
    [envelope] = published(orders["queue"])
    assert json.loads(envelope["Message"]) == body
    assert envelope["MessageAttributes"]["event_type"] == {"Type": "String", "Value": "order_placed"}
    assert envelope["MessageAttributes"]["total"] == {"Type": "Number", "Value": "45.48"}


def test_retry_with_the_same_idempotency_key_is_the_same_order(orders: dict[str, Any], context: Any) -> None:
    first_status, first = call(load_event("orders_api", "place_order.json"), context)
    second_status, second = call(load_event("orders_api", "place_order.json"), context)
    assert (first_status, second_status) == (201, 200)
    assert first == second
    assert len(orders["table"].scan()["Items"]) == 1
    assert len(published(orders["queue"])) == 2  # re-published: subscribers are idempotent per order


def test_same_key_different_order_conflicts(orders: dict[str, Any], context: Any) -> None:
    call(load_event("orders_api", "place_order.json"), context)
    event = load_event("orders_api", "place_order.json")
    body = json.loads(event["body"])
    body["items"][0]["quantity"] = 3
    event["body"] = json.dumps(body)
    assert call(event, context)[0] == 409


def test_the_same_key_from_another_customer_is_another_order(orders: dict[str, Any], context: Any) -> None:
    _, mine = call(load_event("orders_api", "place_order.json"), context)
    event = load_event("orders_api", "place_order.json")
    event["requestContext"]["authorizer"]["claims"]["sub"] = BOB
    status, theirs = call(event, context)
    assert status == 201 and theirs["order_id"] != mine["order_id"]


def test_orders_without_a_key_are_distinct(orders: dict[str, Any], context: Any) -> None:
    event = load_event("orders_api", "place_order.json")
    del event["headers"]["Idempotency-Key"]
    assert call(event, context)[1]["order_id"] != call(event, context)[1]["order_id"]


def test_publish_failure_is_503_and_the_retry_completes_it(orders: dict[str, Any], context: Any) -> None:
    fail_calls(app._sns(), "Publish", "ThrottledException")
    result = app.handler(load_event("orders_api", "place_order.json"), context)
    assert result["statusCode"] == 503 and "retry with the same Idempotency-Key" in body_of(result)["error"]
    assert len(orders["table"].scan()["Items"]) == 1
    assert published(orders["queue"]) == []
    app._sns.cache_clear()  # the topic is reachable again
    status, body = call(load_event("orders_api", "place_order.json"), context)
    assert status == 200 and len(published(orders["queue"])) == 1


def test_get_own_order(orders: dict[str, Any], context: Any) -> None:
    _, placed = call(load_event("orders_api", "place_order.json"), context)
    event = load_event("orders_api", "get_order.json")
    event["pathParameters"] = {"id": placed["order_id"]}
    assert call(event, context) == (200, placed)


def test_another_customers_order_is_not_found(orders: dict[str, Any], context: Any) -> None:
    _, placed = call(load_event("orders_api", "place_order.json"), context)
    event = load_event("orders_api", "get_order.json")
    event["pathParameters"] = {"id": placed["order_id"]}
    event["requestContext"]["authorizer"]["claims"]["sub"] = BOB
    assert call(event, context) == (404, {"error": "order not found"})


def test_missing_order_is_404(orders: dict[str, Any], context: Any) -> None:
    assert call(load_event("orders_api", "get_order.json"), context)[0] == 404


def test_invalid_order_id_is_400(orders: dict[str, Any], context: Any) -> None:
    event = load_event("orders_api", "get_order.json")
    event["pathParameters"] = {"id": "1 OR 1=1"}
    assert call(event, context)[0] == 400


def _with(change: dict[str, Any]) -> dict[str, Any]:
    body = json.loads(load_event("orders_api", "place_order.json")["body"])
    body.update(change)
    return body


LINE = {"product_id": "sku-1", "quantity": 1, "unit_price": "1.00"}
ADDRESS = _with({})["shipping_address"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (_with({"items": []}), "items must be a list"),
        (_with({"items": [{**LINE, "quantity": 0}]}), "quantity"),
        (_with({"items": [{**LINE, "quantity": True}]}), "quantity"),
        (_with({"items": [{**LINE, "unit_price": "-1"}]}), "unit_price"),
        (_with({"items": [{**LINE, "unit_price": 0.001}]}), "unit_price"),
        (_with({"items": [{**LINE, "unit_price": "NaN"}]}), "unit_price"),
        (_with({"items": [{**LINE, "product_id": "a/b"}]}), "product_id"),
        (_with({"items": [LINE, LINE]}), "only once"),
        (_with({"items": [{**LINE, "discount": "1"}]}), "exactly product_id"),
        (_with({"currency": "euro"}), "currency"),
        (_with({"shipping_address": {**ADDRESS, "country": "Ireland"}}), "country"),
        (_with({"shipping_address": {k: v for k, v in ADDRESS.items() if k != "city"}}), "city"),
        (_with({"customer_id": BOB}), "unknown field"),
    ],
)
def test_invalid_orders_are_400_and_store_nothing(orders: dict[str, Any], context: Any, body: dict[str, Any], fragment: str) -> None:
    event = load_event("orders_api", "place_order.json")
    event["body"] = json.dumps(body)
    status, answer = call(event, context)
    assert status == 400 and fragment in answer["error"]
    assert orders["table"].scan()["Items"] == [] and published(orders["queue"]) == []


def test_invalid_idempotency_key_is_400(orders: dict[str, Any], context: Any) -> None:
    event = load_event("orders_api", "place_order.json")
    event["headers"]["Idempotency-Key"] = "has spaces"
    assert call(event, context)[0] == 400


def test_throttled_write_is_503_and_publishes_nothing(orders: dict[str, Any], context: Any) -> None:
    fail_calls(app._orders_table().meta.client, "PutItem")
    assert call(load_event("orders_api", "place_order.json"), context)[0] == 503
    assert published(orders["queue"]) == []
