"""Shipping service (Microservices): order events from the shipping queue to the shipments table.

SQS event; each body is an "order placed" event from the order events topic. With raw message delivery
off the body is the SNS notification envelope and the order is the JSON text in its `Message`; with raw
delivery on, the body is the order itself: both are accepted. Each order becomes one shipment (a
conditional put keyed by `order_id`, so redelivered messages change nothing). Messages whose
`event_type` attribute is not `order_placed` are ignored. Failed and malformed
messages are reported as partial batch failures (`FunctionResponseTypes: [ReportBatchItemFailures]`):
SQS retries them, then moves them to the dead-letter queue.

Environment: SHIPMENTS_TABLE (partition key `order_id`).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import uuid
from typing import Any

from handler_kit import aws, now_iso
from handler_kit.batch import batch_response
from handler_kit.log import JsonLog

log = JsonLog("shipping_worker")
LOGGER = log.logger
ORDER_PLACED = "order_placed"  # the `event_type` message attribute of the events this service acts on


# --- AWS clients, built once per container -----------------------------------------------------


@functools.cache
def _shipments_table() -> Any:
    return aws.table(os.environ["SHIPMENTS_TABLE"])


# --- pure logic --------------------------------------------------------------------------------


class Malformed(ValueError):
    """The message does not carry a usable order."""


def order_from_record(record: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The order in an SQS record and its `event_type` attribute, if any.

    The body is an SNS notification envelope (attributes inside it) or, with raw message delivery,
    the order JSON itself (attributes become SQS message attributes).
    """
    kind = ((record.get("messageAttributes") or {}).get("event_type") or {}).get("stringValue")
    try:
        payload = json.loads(record.get("body", ""))
        if isinstance(payload, dict) and payload.get("Type") == "Notification" and "Message" in payload:
            kind = ((payload.get("MessageAttributes") or {}).get("event_type") or {}).get("Value", kind)
            payload = json.loads(payload["Message"])
    except (json.JSONDecodeError, TypeError) as exc:
        raise Malformed(f"body is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise Malformed("the order is not a JSON object")
    return payload, kind


def shipment_for(order: dict[str, Any], now: str) -> dict[str, Any]:
    """The shipment to create for an order; raises Malformed when the order lacks what shipping needs."""
    try:
        order_id = str(uuid.UUID(str(order.get("order_id"))))
    except ValueError as exc:
        raise Malformed("order_id missing or not a UUID") from exc
    address, items = order.get("shipping_address"), order.get("items")
    required = ("name", "line1", "city", "country")
    if not isinstance(address, dict) or not all(isinstance(address.get(f), str) and address[f] for f in required):
        raise Malformed("shipping_address missing or incomplete")
    if not isinstance(items, list) or not items:
        raise Malformed("items missing")
    lines = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("product_id"), str):
            raise Malformed("every item needs a product_id")
        quantity = item.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise Malformed("every item needs a positive integer quantity")
        lines.append({"product_id": item["product_id"], "quantity": quantity})
    return {
        "order_id": order_id,
        "shipment_id": str(uuid.uuid4()),
        "customer_id": str(order.get("customer_id", "")),
        "status": "PENDING",
        "shipping_address": {k: str(v) for k, v in address.items()},
        "items": lines,
        "created_at": now,
    }


# --- entry point -------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    log.start(context)
    failures: list[str] = []
    for record in event.get("Records", []):
        message_id = record.get("messageId", "")
        try:
            order, kind = order_from_record(record)
            if kind not in (None, ORDER_PLACED):
                log(logging.INFO, "not an order placed event: ignored", message_id=message_id, event_type=kind)
                continue
            shipment = shipment_for(order, now_iso())
            created = aws.put_new(_shipments_table(), shipment, "order_id")  # False: a redelivered message
        except Malformed as exc:
            log(logging.ERROR, "malformed order message", message_id=message_id, reason=str(exc))
            failures.append(message_id)
            continue
        except Exception as exc:
            log(logging.ERROR, "shipment not stored; will be retried", exc_info=True, message_id=message_id, error_code=aws.error_code(exc))
            failures.append(message_id)
            continue
        outcome = "shipment created" if created else "shipment already exists"
        log(logging.INFO, outcome, message_id=message_id, order_id=shipment["order_id"])
    return batch_response(failures)
