"""Orders service (Microservices): place and read orders behind API Gateway with a Cognito authorizer.

Routes: POST /orders (store the order, then publish an "order placed" event), GET /orders/{id}.

The order is stored first (conditional put), then published to the order events topic, whose
subscribers (shipping queue, billing function) are idempotent per order. A client that sends an
`Idempotency-Key` header can retry a POST safely: the same key (for the same caller and the same
body) names the same order, and a retry re-publishes its event, so a publish that failed after the
order was stored (answered 503) is completed by the retry. The same key with a different body is 409.

Environment: ORDERS_TABLE (partition key `order_id`), ORDER_EVENTS_TOPIC_ARN.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from handler_kit import aws, now_iso
from handler_kit.http import ApiError, Route, caller_id, json_body, path_uuid, response, serve
from handler_kit.log import JsonLog

log = JsonLog("orders_api")
LOGGER = log.logger
PRODUCT_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
CURRENCY_RE = re.compile(r"[A-Z]{3}")
COUNTRY_RE = re.compile(r"[A-Z]{2}")
IDEMPOTENCY_KEY_RE = re.compile(r"[\x21-\x7e]{1,128}")
ORDER_NAMESPACE = uuid.UUID("6f1c2d7e-8a9b-4c3d-9e0f-1a2b3c4d5e6f")
MAX_ITEMS = 50
MAX_QUANTITY = 1000
MAX_UNIT_PRICE = Decimal("1000000")
CENT = Decimal("0.01")
ADDRESS_FIELDS = {"name": True, "line1": True, "line2": False, "city": True, "postal_code": True, "country": True}
EVENT_TYPE = "order_placed"


# --- AWS clients, built once per container -----------------------------------------------------


@functools.cache
def _orders_table() -> Any:
    return aws.table(os.environ["ORDERS_TABLE"])


@functools.cache
def _sns() -> Any:
    return aws.client("sns")


# --- HTTP plumbing (the shared part is handler_kit.http) ----------------------------------------


def header(event: dict[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name.lower():
            return value if isinstance(value, str) else None
    return None


# --- domain logic (pure functions of their inputs) ---------------------------------------------


def money(value: Any, field: str) -> Decimal:
    """A non-negative amount with at most two decimals, from a JSON number or a decimal string."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise ApiError(400, f"{field} must be a decimal amount")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ApiError(400, f"{field} must be a decimal amount") from exc
    if not amount.is_finite() or amount < 0 or amount > MAX_UNIT_PRICE or amount != amount.quantize(CENT):
        raise ApiError(400, f"{field} must be an amount from 0 to {MAX_UNIT_PRICE} with at most two decimals")
    return amount.quantize(CENT)


def validate_item(raw: Any, index: int) -> dict[str, Any]:
    where = f"items[{index}]"
    if not isinstance(raw, dict) or set(raw) != {"product_id", "quantity", "unit_price"}:
        raise ApiError(400, f"{where} must have exactly product_id, quantity and unit_price")
    product, quantity = raw["product_id"], raw["quantity"]
    if not isinstance(product, str) or not PRODUCT_RE.fullmatch(product):
        raise ApiError(400, f"{where}.product_id must be 1-64 letters, digits, '-' or '_'")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise ApiError(400, f"{where}.quantity must be an integer from 1 to {MAX_QUANTITY}")
    return {"product_id": product, "quantity": quantity, "unit_price": money(raw["unit_price"], f"{where}.unit_price")}


def validate_address(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise ApiError(400, "shipping_address must be an object")
    unknown = sorted(set(raw) - set(ADDRESS_FIELDS))
    if unknown:
        raise ApiError(400, f"unknown shipping_address field(s): {', '.join(unknown)}")
    address = {}
    for field, required in ADDRESS_FIELDS.items():
        value = raw.get(field)
        if value is None and not required:
            continue
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            raise ApiError(400, f"shipping_address.{field} is required: a non-empty string of at most 200 characters")
        address[field] = value.strip()
    if not COUNTRY_RE.fullmatch(address["country"]):
        raise ApiError(400, "shipping_address.country must be an ISO 3166 alpha-2 code such as DE")
    return address


def validate_order(body: dict[str, Any]) -> dict[str, Any]:
    """The order a POST body describes: items, shipping address and currency, with its total."""
    unknown = sorted(set(body) - {"items", "shipping_address", "currency"})
    if unknown:
        raise ApiError(400, f"unknown field(s): {', '.join(unknown)}")
    raw_items = body.get("items")
    if not isinstance(raw_items, list) or not 1 <= len(raw_items) <= MAX_ITEMS:
        raise ApiError(400, f"items must be a list of 1 to {MAX_ITEMS} order lines")
    items = [validate_item(raw, i) for i, raw in enumerate(raw_items)]
    if len({item["product_id"] for item in items}) != len(items):
        raise ApiError(400, "each product_id may appear only once")
    currency = body.get("currency", "EUR")
    if not isinstance(currency, str) or not CURRENCY_RE.fullmatch(currency):
        raise ApiError(400, "currency must be an ISO 4217 code such as EUR")
    total = sum((item["unit_price"] * item["quantity"] for item in items), Decimal("0")).quantize(CENT)
    return {"items": items, "shipping_address": validate_address(body.get("shipping_address")), "currency": currency, "total": total}


def request_hash(order: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(order, sort_keys=True, default=str).encode()).hexdigest()


def new_order_id(customer: str, idempotency_key: str | None) -> str:
    if idempotency_key is None:
        return str(uuid.uuid4())
    return str(uuid.uuid5(ORDER_NAMESPACE, f"{customer}:{idempotency_key}"))


def to_public(item: dict[str, Any]) -> dict[str, Any]:
    """The order as the API returns it and as the event carries it (amounts as decimal strings)."""
    return {
        "order_id": item["order_id"],
        "customer_id": item["customer_id"],
        "status": item["status"],
        "currency": item["currency"],
        "items": [
            {"product_id": i["product_id"], "quantity": int(i["quantity"]), "unit_price": str(Decimal(i["unit_price"]).quantize(CENT))}
            for i in item["items"]
        ],
        "total": str(Decimal(item["total"]).quantize(CENT)),
        "shipping_address": item["shipping_address"],
        "created_at": item["created_at"],
    }


def order_event(item: dict[str, Any]) -> dict[str, Any]:
    """The SNS publish request for an "order placed" event: the order JSON plus filterable attributes."""
    order = to_public(item)
    return {
        "Message": json.dumps(order, sort_keys=True),
        "MessageAttributes": {
            "event_type": {"DataType": "String", "StringValue": EVENT_TYPE},
            "currency": {"DataType": "String", "StringValue": order["currency"]},
            "total": {"DataType": "Number", "StringValue": order["total"]},
        },
    }


# --- routes ------------------------------------------------------------------------------------


def place_order(event: dict[str, Any]) -> dict[str, Any]:
    customer = caller_id(event)
    key = header(event, "Idempotency-Key")
    if key is not None and not IDEMPOTENCY_KEY_RE.fullmatch(key):
        raise ApiError(400, "Idempotency-Key must be 1-128 printable ASCII characters")
    order = validate_order(json_body(event, parse_float=Decimal))
    digest = request_hash(order)
    item = {
        "order_id": new_order_id(customer, key),
        "customer_id": customer,
        "status": "PLACED",
        **order,
        "created_at": now_iso(),
        "request_hash": digest,
    }
    table = _orders_table()
    status = 201
    if aws.put_new(table, item, "order_id"):
        log(logging.INFO, "order stored", order_id=item["order_id"], customer_id=customer, total=str(order["total"]))
    else:
        existing = table.get_item(Key={"order_id": item["order_id"]}, ConsistentRead=True).get("Item")
        if not existing or existing.get("customer_id") != customer or existing.get("request_hash") != digest:
            raise ApiError(409, "this Idempotency-Key was already used for a different order")
        log(logging.INFO, "order already stored: idempotent retry", order_id=item["order_id"])
        item, status = existing, 200
    try:
        published = _sns().publish(TopicArn=os.environ["ORDER_EVENTS_TOPIC_ARN"], **order_event(item))
    except (ClientError, BotoCoreError) as exc:
        log(logging.ERROR, "order stored but its event was not published", exc_info=True, order_id=item["order_id"])
        raise ApiError(
            503, f"order {item['order_id']} is stored but not yet confirmed; retry with the same Idempotency-Key", {"Retry-After": "1"}
        ) from exc
    log(logging.INFO, "order placed event published", order_id=item["order_id"], sns_message_id=published.get("MessageId"))
    return response(status, to_public(item), {"Location": f"/orders/{item['order_id']}"})


def get_order(event: dict[str, Any]) -> dict[str, Any]:
    customer = caller_id(event)
    order_id = path_uuid(event, "order")
    item = _orders_table().get_item(Key={"order_id": order_id}).get("Item")
    if item is None or item.get("customer_id") != customer:  # another customer's order does not exist for you
        raise ApiError(404, "order not found")
    return response(200, to_public(item))


ROUTES: dict[tuple[str, str], Route] = {
    ("POST", "/orders"): place_order,
    ("GET", "/orders/{id}"): get_order,
}


# --- entry point -------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return serve(event, context, ROUTES, log)
