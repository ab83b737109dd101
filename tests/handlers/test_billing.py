"""billing: SNS "order placed" notifications to invoices, idempotent per order; failures raise."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from billing import app
from botocore.exceptions import ClientError

from .conftest import fail_calls, load_event

ORDER = "1c9a7f3e-2b4d-4e5f-8a6b-7c8d9e0f1a2b"


@pytest.fixture
def invoices(table_factory: Any) -> Any:
    return table_factory("INVOICES_TABLE", "invoices", "order_id")


def with_order(change: dict[str, Any]) -> dict[str, Any]:
    event = load_event("billing", "order_placed.json")
    sns = event["Records"][0]["Sns"]
    sns["Message"] = json.dumps({**json.loads(sns["Message"]), **change})
    return event


def test_the_order_is_invoiced(invoices: Any, context: Any) -> None:
    assert app.handler(load_event("billing", "order_placed.json"), context) == {"billed": [ORDER]}
    invoice = invoices.get_item(Key={"order_id": ORDER})["Item"]
    assert invoice["total"] == Decimal("45.48") and invoice["currency"] == "EUR"
    assert [line["amount"] for line in invoice["lines"]] == [Decimal("39.98"), Decimal("5.50")]
    assert invoice["invoice_id"].startswith("INV-")


def test_a_redelivered_notification_does_not_invoice_twice(invoices: Any, context: Any) -> None:
    event = load_event("billing", "order_placed.json")
    app.handler(event, context)
    first = invoices.get_item(Key={"order_id": ORDER})["Item"]["invoice_id"]
    app.handler(event, context)
    assert invoices.scan()["Count"] == 1
    assert invoices.get_item(Key={"order_id": ORDER})["Item"]["invoice_id"] == first


@pytest.mark.parametrize(
    "change",
    [
        {"total": "45.47"},
        {"order_id": "not-a-uuid"},
        {"items": []},
        {"currency": None},
        {"items": [{"product_id": "p", "quantity": 1, "unit_price": "x"}]},
    ],
)
def test_malformed_orders_raise_for_the_dead_letter_queue(invoices: Any, context: Any, change: dict[str, Any]) -> None:
    with pytest.raises(app.Malformed):
        app.handler(with_order(change), context)
    assert invoices.scan()["Count"] == 0


def test_a_message_that_is_not_json_raises(invoices: Any, context: Any) -> None:
    event = load_event("billing", "order_placed.json")
    event["Records"][0]["Sns"]["Message"] = "order 42 placed"
    with pytest.raises(app.Malformed, match="not JSON"):
        app.handler(event, context)


def test_throttling_raises_so_lambda_retries(invoices: Any, context: Any) -> None:
    fail_calls(app._invoices_table().meta.client, "PutItem")
    with pytest.raises(ClientError, match="ProvisionedThroughputExceeded"):
        app.handler(load_event("billing", "order_placed.json"), context)
    assert invoices.scan()["Count"] == 0


def test_other_event_types_are_ignored(invoices: Any, context: Any) -> None:
    event = load_event("billing", "order_placed.json")
    event["Records"][0]["Sns"]["MessageAttributes"]["event_type"]["Value"] = "order_cancelled"
    assert app.handler(event, context) == {"billed": []}
    assert invoices.scan()["Count"] == 0
