"""search_indexer: Kinesis catalog changes to the inverted index table, in order, with a checkpoint on failure."""

from __future__ import annotations

import base64
import json
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.conditions import Key
from search_indexer import app

from .conftest import fail_calls, load_event

SEQ = [f"4959049347718637880834528386384418001823651936710000{i:02d}" for i in (1, 2, 3)]


@pytest.fixture
def index(table_factory: Any) -> Any:
    return table_factory("SEARCH_INDEX_TABLE", "search-index", "term", "product_id")


def search(table: Any, term: str) -> list[str]:
    return sorted(i["product_id"] for i in table.query(KeyConditionExpression=Key("term").eq(term))["Items"])


def kinesis_event(*changes: Any) -> dict[str, Any]:
    template = load_event("search_indexer", "catalog_changes.json")["Records"][0]
    records = []
    for i, change in enumerate(changes):
        record = json.loads(json.dumps(template))
        data = change if isinstance(change, str) else base64.b64encode(json.dumps(change).encode()).decode()
        record["kinesis"]["data"] = data
        record["kinesis"]["sequenceNumber"] = SEQ[i]
        records.append(record)
    return {"Records": records}


def test_sample_changes_are_searchable(index: Any, context: Any) -> None:
    assert app.handler(load_event("search_indexer", "catalog_changes.json"), context) == {"batchItemFailures": []}
    assert search(index, "running") == ["sku-1001", "sku-2002"]
    assert search(index, "merino") == ["sku-2002"]
    assert search(index, "the") == [] and search(index, "for") == []  # stop words
    [hit] = index.query(KeyConditionExpression=Key("term").eq("shoes"))["Items"]
    assert hit["name"] == "Trail running shoes" and hit["price"] == Decimal("89.9") and hit["category"] == "Footwear"


def test_an_update_drops_the_words_a_product_lost(index: Any, context: Any) -> None:
    app.handler(load_event("search_indexer", "catalog_changes.json"), context)
    renamed = {"action": "upsert", "product_id": "sku-1001", "name": "Road running shoes"}
    app.handler(kinesis_event(renamed), context)
    assert search(index, "trail") == [] and search(index, "muddy") == []
    assert search(index, "road") == ["sku-1001"]
    assert index.query(KeyConditionExpression=Key("term").eq("shoes"))["Items"][0]["name"] == "Road running shoes"


def test_a_delete_removes_every_entry_of_the_product(index: Any, context: Any) -> None:
    app.handler(load_event("search_indexer", "catalog_changes.json"), context)
    app.handler(kinesis_event({"action": "delete", "product_id": "sku-2002"}), context)
    assert search(index, "merino") == [] and search(index, "running") == ["sku-1001"]
    assert [i for i in index.scan()["Items"] if i["product_id"] == "sku-2002"] == []


def test_deleting_an_unknown_product_is_harmless(index: Any, context: Any) -> None:
    assert app.handler(kinesis_event({"action": "delete", "product_id": "sku-9"}), context) == {"batchItemFailures": []}


@pytest.mark.parametrize(
    "bad",
    [
        "***not base64***",
        base64.b64encode(b"not json").decode(),
        {"action": "rename", "product_id": "sku-1"},
        {"action": "upsert", "product_id": "sku-1"},
        {"action": "upsert", "product_id": "a b", "name": "x"},
        {"action": "upsert", "product_id": "sku-1", "name": "x", "price": "free"},
    ],
)
def test_malformed_records_are_skipped_and_the_rest_applied(index: Any, context: Any, capsys: Any, bad: Any) -> None:
    good = {"action": "upsert", "product_id": "sku-7", "name": "Headlamp"}
    assert app.handler(kinesis_event(bad, good), context) == {"batchItemFailures": []}
    assert search(index, "headlamp") == ["sku-7"]
    assert "malformed catalog change skipped" in capsys.readouterr().out


def test_a_failure_stops_the_batch_and_reports_that_record(index: Any, context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    original = app.apply

    def flaky(table: Any, change: dict[str, Any], now: str) -> dict[str, int]:
        if change["product_id"] == "sku-2002":
            fail_calls(table.meta.client, "BatchWriteItem")
        return original(table, change, now)

    monkeypatch.setattr(app, "apply", flaky)
    result = app.handler(load_event("search_indexer", "catalog_changes.json"), context)
    assert result == {"batchItemFailures": [{"itemIdentifier": SEQ[1]}]}
    assert search(index, "shoes") == ["sku-1001"]  # the record before the failure was applied
    assert search(index, "merino") == []


def test_terms_are_bounded() -> None:
    change = {"name": "x", "description": " ".join(f"w{i}" for i in range(500)) + " " + "y" * 100}
    terms = app.terms_of(change)
    assert len(terms) == app.MAX_TERMS and all(len(t) <= app.MAX_TERM_LENGTH for t in terms)
