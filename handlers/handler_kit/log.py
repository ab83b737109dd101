"""Logs as one JSON object per line on stdout: level, message, logger, time, the invocation's fields."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any


class JsonFormatter(logging.Formatter):
    """A record as one JSON line; `context` holds the current invocation's fields (request_id, ...)."""

    def __init__(self, context: dict[str, Any]) -> None:
        super().__init__()
        self.context = context

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            **self.context,
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class StdoutHandler(logging.Handler):
    """Writes to the current sys.stdout (looked up per record, so captured output sees it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stdout.write(self.format(record) + "\n")
            sys.stdout.flush()
        except Exception:  # pragma: no cover - logging must never break the handler
            self.handleError(record)


def json_logger(name: str, context: dict[str, Any]) -> logging.Logger:
    """The logger `name` at INFO, writing JSON lines with `context` to stdout, not through the root logger."""
    logger = logging.getLogger(name)
    stream = next((h for h in logger.handlers if isinstance(h, StdoutHandler)), None)
    if stream is None:
        stream = StdoutHandler()
        logger.addHandler(stream)
    stream.setFormatter(JsonFormatter(context))
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


class JsonLog:
    """A handler's log: `log(logging.INFO, "order stored", order_id=...)` writes one JSON line.

    `start(context, **fields)` begins an invocation: its fields (the Lambda `request_id` and any given)
    go into every line until the next `start`.
    """

    def __init__(self, name: str) -> None:
        self.context: dict[str, Any] = {}
        self.logger = json_logger(name, self.context)

    def start(self, lambda_context: Any, **fields: Any) -> None:
        self.context.clear()
        self.context["request_id"] = getattr(lambda_context, "aws_request_id", None)
        self.context.update(fields)

    def __call__(self, level: int, message: str, *, exc_info: bool = False, **fields: Any) -> None:
        self.logger.log(level, message, exc_info=exc_info, extra={"fields": fields})
