"""Query runner (big data ingestion): new-data notifications from SQS to Athena report queries.

Each SQS body is an S3 event notification for objects Firehose delivered to the ingestion bucket
(`s3:TestEvent` messages, sent when the notification is configured, are skipped). For each message the
function starts one Athena query in workgroup ANALYTICS_WORKGROUP on database ANALYTICS_DATABASE: a
per-device report over exactly the new objects (`"$path"`) of the table `raw` (the JSON lines the
transformer writes under `raw/`). Results go where the workgroup's result configuration says (the
reporting bucket). All queries of a batch run in parallel; the function polls them, bounded by the
time the invocation has left, and reports the messages whose query failed, was cancelled or did not
finish in time (those are stopped) as partial batch failures, so SQS redelivers them and finally moves
them to the dead-letter queue. Malformed bodies are failures too.

The start request's idempotency token is derived from the SQS message id and its receive count, so a
retry inside one delivery cannot start a query twice, while a redelivery starts a fresh one.

Environment: ANALYTICS_WORKGROUP, ANALYTICS_DATABASE.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import re
import time
import urllib.parse
from collections.abc import Callable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from handler_kit import aws
from handler_kit.batch import batch_response
from handler_kit.log import JsonLog

log = JsonLog("athena_query")
LOGGER = log.logger
SOURCE_TABLE = "raw"
BUCKET_RE = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
SAFETY_MARGIN_S = 5.0  # time kept back to stop unfinished queries and answer
DEFAULT_BUDGET_S = 50.0  # without a Lambda context (tests, local runs)
POLL_INITIAL_S = 0.5
POLL_MAX_S = 4.0
DONE = {"SUCCEEDED", "FAILED", "CANCELLED"}

# the clock and the pause between polls, replaceable in tests
_sleep: Callable[[float], None] = time.sleep
_clock: Callable[[], float] = time.monotonic


# --- AWS clients, built once per container -----------------------------------------------------


@functools.cache
def _athena() -> Any:
    return aws.client("athena")


# --- pure logic --------------------------------------------------------------------------------


class Malformed(ValueError):
    """The message is not an S3 event notification."""


def new_objects(body: str) -> list[str] | None:
    """The s3:// URIs of the objects an SQS body announces; None for an s3:TestEvent."""
    try:
        message = json.loads(body)
    except (json.JSONDecodeError, TypeError) as exc:
        raise Malformed("body is not JSON") from exc
    if not isinstance(message, dict):
        raise Malformed("body is not a JSON object")
    if message.get("Event") == "s3:TestEvent":
        return None
    records = message.get("Records")
    if not isinstance(records, list):
        raise Malformed("body is not an S3 event notification")
    uris = []
    for record in records:
        if not isinstance(record, dict) or not str(record.get("eventName", "")).startswith("ObjectCreated:"):
            continue
        s3 = record.get("s3") or {}
        bucket, key = (s3.get("bucket") or {}).get("name"), (s3.get("object") or {}).get("key")
        if not isinstance(bucket, str) or not BUCKET_RE.fullmatch(bucket) or not isinstance(key, str) or not key:
            raise Malformed("a record has no valid bucket or key")
        key = urllib.parse.unquote_plus(key)
        if any(ord(c) < 0x20 for c in key):
            raise Malformed("a key contains control characters")
        uris.append(f"s3://{bucket}/{key}")
    return uris


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def report_query(uris: list[str]) -> str:
    """A per-device report over exactly the given objects of the raw table."""
    paths = ", ".join(sql_string(uri) for uri in sorted(set(uris)))
    return (
        "SELECT device_id, count(*) AS records, min(event_time) AS first_event, max(event_time) AS last_event, "
        f'"$path" AS source FROM "{SOURCE_TABLE}" WHERE "$path" IN ({paths}) GROUP BY device_id, "$path" ORDER BY device_id'
    )


def request_token(record: dict[str, Any]) -> str:
    receive_count = (record.get("attributes") or {}).get("ApproximateReceiveCount", "1")
    return hashlib.sha256(f"{record.get('messageId')}:{receive_count}".encode()).hexdigest()


def wait_for(athena: Any, query_ids: dict[str, str], deadline: float) -> dict[str, str]:
    """Poll until every query finished or the deadline passed; returns message id -> final state.

    Queries still running at the deadline are stopped and reported as TIMED_OUT.
    """
    states: dict[str, str] = {}
    pause = POLL_INITIAL_S
    while True:
        for message_id, query_id in query_ids.items():
            if message_id in states:
                continue
            status = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
            if status["State"] in DONE:
                states[message_id] = status["State"]
                if status["State"] != "SUCCEEDED":
                    log(
                        logging.ERROR,
                        "query did not succeed",
                        message_id=message_id,
                        query_execution_id=query_id,
                        state=status["State"],
                        reason=status.get("StateChangeReason"),
                    )
        pending = [m for m in query_ids if m not in states]
        if not pending:
            return states
        if _clock() + pause > deadline:
            for message_id in pending:
                log(logging.ERROR, "query timed out; stopping it", message_id=message_id, query_execution_id=query_ids[message_id])
                try:
                    athena.stop_query_execution(QueryExecutionId=query_ids[message_id])
                except (ClientError, BotoCoreError):
                    log(logging.WARNING, "could not stop the query", exc_info=True, query_execution_id=query_ids[message_id])
                states[message_id] = "TIMED_OUT"
            return states
        _sleep(pause)
        pause = min(pause * 2, POLL_MAX_S)


def deadline_for(context: Any) -> float:
    remaining = context.get_remaining_time_in_millis() / 1000 if hasattr(context, "get_remaining_time_in_millis") else DEFAULT_BUDGET_S
    return _clock() + max(0.0, remaining - SAFETY_MARGIN_S)


# --- entry point -------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    log.start(context)
    deadline = deadline_for(context)
    workgroup, database = os.environ["ANALYTICS_WORKGROUP"], os.environ["ANALYTICS_DATABASE"]
    failures: list[str] = []
    started: dict[str, str] = {}
    for record in event.get("Records", []):
        message_id = record.get("messageId", "")
        try:
            uris = new_objects(record.get("body", ""))
            if not uris:
                log(logging.INFO, "nothing to query (test event or no new objects)", message_id=message_id)
                continue
            started[message_id] = _athena().start_query_execution(
                QueryString=report_query(uris),
                QueryExecutionContext={"Database": database},
                WorkGroup=workgroup,
                ClientRequestToken=request_token(record),
            )["QueryExecutionId"]
            log(logging.INFO, "report query started", message_id=message_id, query_execution_id=started[message_id], objects=uris)
        except Malformed as exc:
            log(logging.ERROR, "malformed message", message_id=message_id, reason=str(exc))
            failures.append(message_id)
        except (ClientError, BotoCoreError) as exc:
            log(logging.ERROR, "query could not be started", exc_info=True, message_id=message_id, error_code=aws.error_code(exc))
            failures.append(message_id)
    if started:
        try:
            states = wait_for(_athena(), started, deadline)
        except (ClientError, BotoCoreError):
            log(logging.ERROR, "could not poll the queries", exc_info=True)
            states = {}
        failures.extend(m for m in started if states.get(m) != "SUCCEEDED")
    return batch_response(failures)
