"""Billing service (Microservices): "order placed" events from SNS to the invoices table.

SNS invokes the function asynchronously; `Records[].Sns.Message` is the order JSON. Each order gets
one invoice, written with a conditional put keyed by `order_id`, so a redelivered notification is a
no-op. Notifications whose `event_type` attribute is not `order_placed` are ignored. Any failure
raises: Lambda retries the asynchronous invocation, then sends the event to the dead-letter queue
(malformed messages too, so they can be inspected there).

Environment: INVOICES_TABLE (partition key `order_id`).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from handler_kit import aws, now_iso
from handler_kit.log import JsonLog

log = JsonLog("billing")
LOGGER = log.logger
CENT = Decimal("0.01")
ORDER_PLACED = "order_placed"  # the `event_type` message attribute of the events this service acts on


# --- AWS clients, built once per container -----------------------------------------------------


@functools.cache
def _invoices_table() -> Any:
    return aws.table(os.environ["INVOICES_TABLE"])


# --- pure logic --------------------------------------------------------------------------------


class Malformed(ValueError):
    """The notification does not carry a billable order."""


def _amount(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise Malformed(f"{field} is not a decimal amount") from exc
    if isinstance(value, bool) or not amount.is_finite() or amount < 0:
        raise Malformed(f"{field} is not a non-negative amount")
    return amount.quantize(CENT)


def invoice_for(order: Any, now: str) -> dict[str, Any]:
    """The invoice for an order; its lines must add up to the order's total."""
    if not isinstance(order, dict):
        raise Malformed("the message is not a JSON object")
    try:
        order_id = str(uuid.UUID(str(order.get("order_id"))))
    except ValueError as exc:
        raise Malformed("order_id missing or not a UUID") from exc
    customer, currency, items = order.get("customer_id"), order.get("currency"), order.get("items")
    if not isinstance(customer, str) or not customer:
        raise Malformed("customer_id missing")
    if not isinstance(currency, str) or len(currency) != 3:
        raise Malformed("currency missing")
    if not isinstance(items, list) or not items:
        raise Malformed("items missing")
    lines = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("product_id"), str):
            raise Malformed(f"items[{i}] has no product_id")
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise Malformed(f"items[{i}].quantity is not a positive integer")
        unit_price = _amount(item.get("unit_price"), f"items[{i}].unit_price")
        lines.append({"product_id": item["product_id"], "quantity": quantity, "unit_price": unit_price, "amount": unit_price * quantity})
    total = sum((line["amount"] for line in lines), Decimal("0")).quantize(CENT)
    if total != _amount(order.get("total"), "total"):
        raise Malformed(f"the lines add up to {total}, not to the order's total {order.get('total')}")
    return {
        "order_id": order_id,
        "invoice_id": f"INV-{uuid.uuid4().hex[:12].upper()}",
        "customer_id": customer,
        "currency": currency,
        "lines": lines,
        "total": total,
        "issued_at": now,
        "status": "ISSUED",
    }


def bill(record: dict[str, Any], table: Any) -> str | None:
    sns = record.get("Sns") or {}
    kind = ((sns.get("MessageAttributes") or {}).get("event_type") or {}).get("Value")
    if kind not in (None, ORDER_PLACED):
        log(logging.INFO, "not an order placed event: ignored", event_type=kind, sns_message_id=sns.get("MessageId"))
        return None
    message = sns.get("Message")
    try:
        order = json.loads(message) if isinstance(message, str) else None
    except json.JSONDecodeError as exc:
        raise Malformed("the SNS message is not JSON") from exc
    invoice = invoice_for(order, now_iso())
    order_id: str = invoice["order_id"]
    if aws.put_new(table, invoice, "order_id"):  # False: this order was already invoiced
        log(logging.INFO, "invoice issued", order_id=order_id, invoice_id=invoice["invoice_id"], total=str(invoice["total"]))
        return order_id
    log(logging.INFO, "order already invoiced", order_id=order_id)
    return order_id


# --- entry point -------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    log.start(context)
    billed = []
    for record in event.get("Records", []):
        sns_message_id = (record.get("Sns") or {}).get("MessageId")
        try:
            order_id = bill(record, _invoices_table())
        except Exception:
            log(logging.ERROR, "billing failed: retried, then dead-lettered", exc_info=True, sns_message_id=sns_message_id)
            raise
        if order_id is not None:
            billed.append(order_id)
    return {"billed": billed}
