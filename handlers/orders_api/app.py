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

import base64
import binascii
import functools
import hashlib
import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

LOGGER = logging.getLogger("orders_api")
_CONTEXT: dict[str, Any] = {}
BOTO_CONFIG = Config(retries={"mode": "standard"})
RETRYABLE_ERRORS = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "ServiceUnavailable",
    }
)
SUB_RE = re.compile(r"[A-Za-z0-9-]{1,128}")
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


# --- logging: one JSON object per line ---------------------------------------------------------


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            **_CONTEXT,
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class _StdoutHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
            sys.stdout.flush()
        except Exception:  # pragma: no cover - logging must never break the handler
            self.handleError(record)


def _configure_logging() -> None:
    if not LOGGER.handlers:
        stream = _StdoutHandler()
        stream.setFormatter(_JsonFormatter())
        LOGGER.addHandler(stream)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False


_configure_logging()


def log(level: int, message: str, *, exc_info: bool = False, **fields: Any) -> None:
    LOGGER.log(level, message, exc_info=exc_info, extra={"fields": fields})


# --- AWS clients, built once per container -----------------------------------------------------


def _region() -> str | None:
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")


@functools.cache
def _orders_table() -> Any:
    dynamodb = boto3.resource("dynamodb", region_name=_region(), config=BOTO_CONFIG)
    return dynamodb.Table(os.environ["ORDERS_TABLE"])


@functools.cache
def _sns() -> Any:
    return boto3.client("sns", region_name=_region(), config=BOTO_CONFIG)


# --- HTTP plumbing -----------------------------------------------------------------------------


class ApiError(Exception):
    """An error the client should see: status code and a message safe to show."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def response(status: int, body: Any = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"statusCode": status, "headers": {"Content-Type": "application/json", **(headers or {})}}
    result["body"] = "" if body is None else json.dumps(body, default=_json_default)
    return result


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return response(status, {"error": message}, headers)


def caller_id(event: dict[str, Any]) -> str:
    """The Cognito `sub` of the caller, from the user pool authorizer's claims."""
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("claims") or {}
    sub = claims.get("sub")
    if not isinstance(sub, str) or not SUB_RE.fullmatch(sub):
        raise ApiError(401, "authentication required")
    return sub


def json_body(event: dict[str, Any]) -> dict[str, Any]:
    """The JSON object body; numbers with a fraction are read as Decimal, exactly as written."""
    raw = event.get("body")
    if raw is None or raw == "":
        raise ApiError(400, "a JSON request body is required")
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ApiError(400, "request body is not valid base64 UTF-8") from exc
    try:
        body = json.loads(raw, parse_float=Decimal)
    except (json.JSONDecodeError, TypeError) as exc:
        raise ApiError(400, "request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "request body must be a JSON object")
    return body


def header(event: dict[str, Any], name: str) -> str | None:
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


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
    order = validate_order(json_body(event))
    digest = request_hash(order)
    item = {
        "order_id": new_order_id(customer, key),
        "customer_id": customer,
        "status": "PLACED",
        **order,
        "created_at": _now(),
        "request_hash": digest,
    }
    table = _orders_table()
    status = 201
    try:
        table.put_item(Item=item, ConditionExpression="attribute_not_exists(order_id)")
        log(logging.INFO, "order stored", order_id=item["order_id"], customer_id=customer, total=str(order["total"]))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        existing = table.get_item(Key={"order_id": item["order_id"]}, ConsistentRead=True).get("Item")
        if not existing or existing.get("customer_id") != customer or existing.get("request_hash") != digest:
            raise ApiError(409, "this Idempotency-Key was already used for a different order") from exc
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
    raw_id = (event.get("pathParameters") or {}).get("id")
    try:
        order_id = str(uuid.UUID(str(raw_id)))
    except ValueError as exc:
        raise ApiError(400, "the order id must be a UUID") from exc
    item = _orders_table().get_item(Key={"order_id": order_id}).get("Item")
    if item is None or item.get("customer_id") != customer:  # another customer's order does not exist for you
        raise ApiError(404, "order not found")
    return response(200, to_public(item))


Route = Callable[[dict[str, Any]], dict[str, Any]]
ROUTES: dict[tuple[str, str], Route] = {
    ("POST", "/orders"): place_order,
    ("GET", "/orders/{id}"): get_order,
}


def route_for(event: dict[str, Any]) -> Route:
    method, resource = event.get("httpMethod"), event.get("resource")
    found = ROUTES.get((method, resource))
    if found is not None:
        return found
    allowed = sorted(m for m, r in ROUTES if r == resource)
    if allowed:
        raise ApiError(405, f"method {method} not allowed on {resource}", {"Allow": ", ".join(allowed)})
    raise ApiError(404, "no such route")


# --- entry point -------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _CONTEXT.clear()
    _CONTEXT["request_id"] = getattr(context, "aws_request_id", None)
    _CONTEXT["route"] = f"{event.get('httpMethod')} {event.get('resource')}"
    try:
        return route_for(event)(event)
    except ApiError as exc:
        log(logging.INFO, "request rejected", status=exc.status, reason=exc.message)
        return error_response(exc.status, exc.message, exc.headers)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in RETRYABLE_ERRORS:
            log(logging.WARNING, "throttled by AWS", error_code=code)
            return error_response(503, "service busy, retry later", {"Retry-After": "1"})
        log(logging.ERROR, "AWS call failed", exc_info=True, error_code=code)
        return error_response(500, "internal error")
    except Exception:
        log(logging.ERROR, "unhandled error", exc_info=True)
        return error_response(500, "internal error")
