"""Search indexer (Microservices): catalog changes from a Kinesis stream to an inverted index in DynamoDB.

Each Kinesis record's `data` is base64 JSON: `{"action": "upsert", "product_id", "name", "description",
"category", "price"}` or `{"action": "delete", "product_id"}`. The index table has partition key `term`
and sort key `product_id`: one item per (word, product), holding what a result list shows. A bookkeeping
item per product (term `#product`, which no word can be) lists the terms indexed for it, so an update
removes the words a product lost and a delete removes all of them.

Records are applied in order; at the first failure the function stops and reports that record's
sequence number (`FunctionResponseTypes: [ReportBatchItemFailures]`): Lambda retries from there, so a
product's changes are never applied out of order. Malformed records are logged and skipped, since a
retry cannot fix them and would block the shard.

Environment: SEARCH_INDEX_TABLE (partition key `term`, sort key `product_id`).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import logging
import os
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from handler_kit import aws, now_iso
from handler_kit.batch import batch_response
from handler_kit.log import JsonLog

log = JsonLog("search_indexer")
LOGGER = log.logger
PRODUCT_KEY = "#product"
PRODUCT_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
WORD_RE = re.compile(r"\w+")
STOPWORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of", "on", "or", "the", "to", "with"}
)
MAX_TERMS = 200
MAX_TERM_LENGTH = 64


# --- AWS clients, built once per container -----------------------------------------------------


@functools.cache
def _index_table() -> Any:
    return aws.table(os.environ["SEARCH_INDEX_TABLE"])


# --- pure logic --------------------------------------------------------------------------------


class Malformed(ValueError):
    """A record that can never be applied."""


def decode_change(record: dict[str, Any]) -> dict[str, Any]:
    """The catalog change a Kinesis record carries, validated."""
    try:
        change = json.loads(base64.b64decode((record.get("kinesis") or {})["data"], validate=True), parse_float=Decimal)
    except (KeyError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Malformed(f"data is not base64 JSON: {exc}") from exc
    if not isinstance(change, dict):
        raise Malformed("the change is not a JSON object")
    action, product = change.get("action"), change.get("product_id")
    if action not in ("upsert", "delete"):
        raise Malformed("action must be 'upsert' or 'delete'")
    if not isinstance(product, str) or not PRODUCT_RE.fullmatch(product):
        raise Malformed("product_id missing or invalid")
    if action == "upsert":
        if not isinstance(change.get("name"), str) or not change["name"].strip():
            raise Malformed("an upsert needs a name")
        for field in ("description", "category"):
            if not isinstance(change.get(field, ""), str):
                raise Malformed(f"{field} must be text")
        if "price" in change:
            try:
                change["price"] = Decimal(str(change["price"]))
            except InvalidOperation as exc:
                raise Malformed("price is not a number") from exc
            if not change["price"].is_finite():
                raise Malformed("price is not a number")
    return change


def terms_of(change: dict[str, Any]) -> set[str]:
    """The searchable words of a product: name, category and description, case-folded, no stop words."""
    text = " ".join(str(change.get(field) or "") for field in ("name", "category", "description"))
    words = {w for w in WORD_RE.findall(text.casefold()) if len(w) > 1 and w not in STOPWORDS and len(w) <= MAX_TERM_LENGTH}
    return set(sorted(words)[:MAX_TERMS])


def entry_for(change: dict[str, Any], term: str, now: str) -> dict[str, Any]:
    entry = {"term": term, "product_id": change["product_id"], "name": change["name"].strip(), "updated_at": now}
    if change.get("category"):
        entry["category"] = change["category"]
    if "price" in change:
        entry["price"] = change["price"]
    return entry


def indexed_terms(table: Any, product: str) -> set[str]:
    item = table.get_item(Key={"term": PRODUCT_KEY, "product_id": product}, ConsistentRead=True).get("Item") or {}
    return set(item.get("terms") or [])


def apply_upsert(table: Any, change: dict[str, Any], now: str) -> dict[str, int]:
    product = change["product_id"]
    old, new = indexed_terms(table, product), terms_of(change)
    # record every term that may exist first, so a crash half-way leaves nothing untracked
    table.put_item(Item={"term": PRODUCT_KEY, "product_id": product, "terms": sorted(old | new), "updated_at": now})
    with table.batch_writer() as batch:
        for term in sorted(new):
            batch.put_item(Item=entry_for(change, term, now))
        for term in sorted(old - new):
            batch.delete_item(Key={"term": term, "product_id": product})
    table.put_item(Item={"term": PRODUCT_KEY, "product_id": product, "terms": sorted(new), "updated_at": now})
    return {"indexed": len(new), "removed": len(old - new)}


def apply_delete(table: Any, change: dict[str, Any]) -> dict[str, int]:
    product = change["product_id"]
    old = indexed_terms(table, product)
    with table.batch_writer() as batch:
        for term in sorted(old):
            batch.delete_item(Key={"term": term, "product_id": product})
    table.delete_item(Key={"term": PRODUCT_KEY, "product_id": product})
    return {"indexed": 0, "removed": len(old)}


def apply(table: Any, change: dict[str, Any], now: str) -> dict[str, int]:
    return apply_upsert(table, change, now) if change["action"] == "upsert" else apply_delete(table, change)


# --- entry point -------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    log.start(context)
    for record in event.get("Records", []):
        sequence = str((record.get("kinesis") or {}).get("sequenceNumber", ""))
        try:
            change = decode_change(record)
        except Malformed as exc:
            log(logging.ERROR, "malformed catalog change skipped", sequence_number=sequence, reason=str(exc))
            continue
        try:
            counts: dict[str, Any] = apply(_index_table(), change, now_iso())
        except Exception as exc:
            code = aws.error_code(exc)
            log(logging.ERROR, "indexing failed; retrying from this record", exc_info=True, sequence_number=sequence, error_code=code)
            return batch_response([sequence])
        log(logging.INFO, "catalog change indexed", sequence_number=sequence, product_id=change["product_id"], **counts)
    return batch_response([])
