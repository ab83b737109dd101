"""Record transformer (big data ingestion): Kinesis Data Firehose data transformation, no AWS calls.

Each incoming record's `data` is base64 JSON from an IoT device, e.g.
`{"device_id": "sensor-17", "timestamp": 1718000000123, "type": "reading", "temperature": 21.5}`.
Each gets one result, with the same `recordId`:
- `Ok`: one normalised JSON line (sorted keys, trailing newline) with `device_id`, `type` (default
  `reading`), `event_time` (ISO 8601 UTC, from `timestamp` in epoch seconds, epoch milliseconds or ISO
  text; the arrival time when absent), `arrival_time`, and the record's other fields unchanged;
- `Dropped`: heartbeat messages (`"type": "heartbeat"`), which carry no data worth storing;
- `ProcessingFailed`: anything else that is not a JSON object with a `device_id`, or has an unreadable
  timestamp; Firehose writes these, with their original data, under the error output prefix.

Environment: none.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import math
from datetime import UTC, datetime
from typing import Any

from handler_kit.log import JsonLog

log = JsonLog("firehose_transform")
LOGGER = log.logger
DROPPED_TYPES = frozenset({"heartbeat"})
RESERVED = ("device_id", "type", "event_time", "arrival_time", "timestamp")
MAX_DEVICE_ID = 128


# --- pure logic --------------------------------------------------------------------------------


class Rejected(ValueError):
    """The record cannot be transformed (result ProcessingFailed)."""


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event_time(value: Any, arrival: datetime) -> str:
    """ISO 8601 UTC from epoch seconds, epoch milliseconds or ISO text; the arrival time when absent."""
    if value is None:
        return iso(arrival)
    if isinstance(value, bool):
        raise Rejected("timestamp is not a time")
    if isinstance(value, int | float):
        if not math.isfinite(value) or value < 0:
            raise Rejected("timestamp is not a time")
        seconds = value / 1000 if value >= 1e11 else value  # 1e11 s is the year 5138: larger values are milliseconds
        try:
            return iso(datetime.fromtimestamp(seconds, UTC))
        except (OverflowError, OSError, ValueError) as exc:
            raise Rejected("timestamp is out of range") from exc
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise Rejected("timestamp is not ISO 8601") from exc
        return iso(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    raise Rejected("timestamp is not a time")


def transform(data: str, arrival_ms: Any) -> tuple[str, bytes | None]:
    """(result, new payload) for one record's base64 `data`; the payload is None unless the result is Ok."""
    try:
        message = json.loads(base64.b64decode(data, validate=True).decode("utf-8"))
    except (binascii.Error, TypeError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Rejected(f"not base64 UTF-8 JSON: {exc}") from exc
    if not isinstance(message, dict):
        raise Rejected("not a JSON object")
    kind = message.get("type", "reading")
    if not isinstance(kind, str) or not kind:
        raise Rejected("type must be a non-empty string")
    if kind.lower() in DROPPED_TYPES:
        return "Dropped", None
    device = message.get("device_id")
    if not isinstance(device, str) or not device.strip() or len(device) > MAX_DEVICE_ID:
        raise Rejected("device_id missing or invalid")
    arrival = datetime.fromtimestamp(arrival_ms / 1000, UTC) if isinstance(arrival_ms, int | float) else datetime.now(UTC)
    out = {key: value for key, value in message.items() if key not in RESERVED}
    out.update(device_id=device.strip(), type=kind, event_time=event_time(message.get("timestamp"), arrival), arrival_time=iso(arrival))
    try:
        line = json.dumps(out, sort_keys=True, separators=(",", ":"), allow_nan=False) + "\n"
    except ValueError as exc:  # NaN or Infinity readings: not valid JSON for the query engine
        raise Rejected("non-finite number in the record") from exc
    return "Ok", line.encode("utf-8")


def transform_record(record: dict[str, Any]) -> dict[str, str]:
    record_id, data = record.get("recordId", ""), record.get("data", "")
    try:
        result, payload = transform(data, record.get("approximateArrivalTimestamp"))
    except Rejected as exc:
        log(logging.WARNING, "record failed transformation", record_id=record_id, reason=str(exc))
        return {"recordId": record_id, "result": "ProcessingFailed", "data": data}
    if payload is None:
        return {"recordId": record_id, "result": result, "data": data}
    return {"recordId": record_id, "result": result, "data": base64.b64encode(payload).decode("ascii")}


# --- entry point -------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    log.start(context)
    records = [transform_record(record) for record in event.get("records", [])]
    counts: dict[str, Any] = {name: sum(r["result"] == name for r in records) for name in ("Ok", "Dropped", "ProcessingFailed")}
    log(logging.INFO, "batch transformed", invocation_id=event.get("invocationId"), **counts)
    return {"records": records}
