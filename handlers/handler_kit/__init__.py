"""What every handler shares: JSON logs, AWS clients, API Gateway answers and batch results.

Not a handler (no `app.py`, no events): the packager ships this folder inside every handler's zip, next
to the handler package, so handlers import it as the top-level `handler_kit`, exactly as they are
imported themselves. It needs nothing beyond the standard library and boto3/botocore, and never
imports archcase.

- `handler_kit.log`: `JsonLog`, one JSON object per line on stdout, with the invocation's fields.
- `handler_kit.aws`: clients and resources with botocore's `standard` retries, error codes.
- `handler_kit.http`: API Gateway (REST proxy) answers, the caller's `sub`, bodies, route dispatch.
- `handler_kit.batch`: partial batch failures for SQS, DynamoDB Streams and Kinesis.
"""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    """The current time in ISO 8601 UTC, to the millisecond (the timestamps the handlers store)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")
