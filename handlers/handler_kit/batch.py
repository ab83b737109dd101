"""Partial batch failures for SQS, DynamoDB Streams and Kinesis event sources.

The event source mapping needs `FunctionResponseTypes: [ReportBatchItemFailures]`; Lambda then retries
(or, for SQS, redelivers) only the items named.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def batch_response(failed: Iterable[str]) -> dict[str, Any]:
    """`{"batchItemFailures": [{"itemIdentifier": ...}]}` for the message ids or sequence numbers that failed."""
    return {"batchItemFailures": [{"itemIdentifier": item} for item in failed]}
