"""shipping_worker: SQS messages (SNS envelopes or raw orders) to shipments, with partial batch failures."""

from __future__ import annotations

import json
from typing import Any

import pytest
from shipping_worker import app

from .conftest import fail_calls, load_event

FIRST, SECOND = "059f36b4-87a3-44ab-83d2-661975830a7d", "2e1424d4-f796-459a-8184-9c92662be6da"
ORDER_1, ORDER_2 = "1c9a7f3e-2b4d-4e5f-8a6b-7c8d9e0f1a2b", "2d0b8e4f-3c5e-4f6a-9b7c-8d9e0f1a2b3c"


@pytest.fixture
def shipments(table_factory: Any) -> Any:
    return table_factory("SHIPMENTS_TABLE", "shipments", "order_id")


def test_each_order_becomes_a_pending_shipment(shipments: Any, context: Any) -> None:
    assert app.handler(load_event("shipping_worker", "order_events.json"), context) == {"batchItemFailures": []}
    stored = shipments.get_item(Key={"order_id": ORDER_1})["Item"]
    assert stored["status"] == "PENDING" and stored["shipping_address"]["city"] == "Dublin"
    assert stored["items"] == [{"product_id": "sku-1001", "quantity": 2}, {"product_id": "sku-2002", "quantity": 1}]
    assert "Item" in shipments.get_item(Key={"order_id": ORDER_2})


def test_raw_message_delivery_bodies_are_accepted(shipments: Any, context: Any) -> None:
    event = load_event("shipping_worker", "order_events.json")
    for record in event["Records"]:
        record["body"] = json.loads(record["body"])["Message"]
    assert app.handler(event, context) == {"batchItemFailures": []}
    assert len(shipments.scan()["Items"]) == 2


def test_redelivery_keeps_the_first_shipment(shipments: Any, context: Any) -> None:
    event = load_event("shipping_worker", "order_events.json")
    app.handler(event, context)
    first = shipments.get_item(Key={"order_id": ORDER_1})["Item"]["shipment_id"]
    assert app.handler(event, context) == {"batchItemFailures": []}
    assert shipments.get_item(Key={"order_id": ORDER_1})["Item"]["shipment_id"] == first


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps({"Type": "Notification", "Message": "not json either"}),
        json.dumps({"Type": "Notification", "Message": json.dumps({"order_id": "x"})}),
        json.dumps({"order_id": ORDER_1, "items": [{"product_id": "p", "quantity": 1}]}),
        json.dumps({"order_id": ORDER_1, "items": [], "shipping_address": {"name": "a", "line1": "b", "city": "c", "country": "IE"}}),
        json.dumps([1, 2]),
    ],
)
def test_malformed_bodies_are_reported_as_failures(shipments: Any, context: Any, body: str) -> None:
    event = load_event("shipping_worker", "order_events.json")
    event["Records"][0]["body"] = body
    assert app.handler(event, context) == {"batchItemFailures": [{"itemIdentifier": FIRST}]}
    assert [i["order_id"] for i in shipments.scan()["Items"]] == [ORDER_2]


def test_throttled_writes_are_reported_per_message(shipments: Any, context: Any) -> None:
    fail_calls(app._shipments_table().meta.client, "PutItem")
    result = app.handler(load_event("shipping_worker", "order_events.json"), context)
    assert result == {"batchItemFailures": [{"itemIdentifier": FIRST}, {"itemIdentifier": SECOND}]}
    assert shipments.scan()["Items"] == []


def test_other_event_types_are_ignored(shipments: Any, context: Any) -> None:
    event = load_event("shipping_worker", "order_events.json")
    envelope = json.loads(event["Records"][0]["body"])
    envelope["MessageAttributes"]["event_type"]["Value"] = "order_cancelled"
    event["Records"][0]["body"] = json.dumps(envelope)
    raw = event["Records"][1]
    raw["body"] = json.loads(raw["body"])["Message"]  # raw delivery: attributes arrive as SQS message attributes
    raw["messageAttributes"] = {"event_type": {"stringValue": "order_cancelled", "dataType": "String"}}
    assert app.handler(event, context) == {"batchItemFailures": []}
    assert shipments.scan()["Items"] == []
