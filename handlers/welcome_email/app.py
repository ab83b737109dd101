"""Welcome email (MyBlog.com): DynamoDB Streams of the users table to Amazon SES.

Each INSERT record is a new subscriber; other records (MODIFY, REMOVE) are skipped. A user is welcomed
at most once: the function first sets `welcomed_at` on the user's item with a conditional UpdateItem
(`attribute_exists(user_id) AND attribute_not_exists(welcomed_at)`; a failed condition means already
welcomed, or the user is gone, and the record is skipped), then sends the email. If sending fails the
marker is removed again and the record is reported as a partial batch failure, so Lambda retries from
it (the event source mapping needs `FunctionResponseTypes: [ReportBatchItemFailures]`).

Records without a usable email are logged and skipped: retrying them can never succeed.

Environment: USERS_TABLE (partition key `user_id`), EMAIL_SENDER (a verified SES identity).
"""

from __future__ import annotations

import functools
import html
import logging
import os
import re
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError
from handler_kit import aws, now_iso
from handler_kit.batch import batch_response
from handler_kit.log import JsonLog

log = JsonLog("welcome_email")
LOGGER = log.logger
EMAIL_RE = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")
_DESERIALIZER = TypeDeserializer()
SUBJECT = "Welcome to MyBlog"


# --- AWS clients, built once per container -----------------------------------------------------


@functools.cache
def _users_table() -> Any:
    return aws.table(os.environ["USERS_TABLE"])


@functools.cache
def _ses() -> Any:
    return aws.client("ses")


# --- pure logic --------------------------------------------------------------------------------


class Malformed(ValueError):
    """A record that can never be processed (retrying it would not help)."""


def new_subscriber(record: dict[str, Any]) -> dict[str, str]:
    """user_id, email and name of the user an INSERT stream record creates."""
    image = (record.get("dynamodb") or {}).get("NewImage")
    if not isinstance(image, dict):
        raise Malformed("the record has no NewImage (is the stream view type NEW_IMAGE or NEW_AND_OLD_IMAGES?)")
    try:
        user = {key: _DESERIALIZER.deserialize(value) for key, value in image.items()}
    except (TypeError, ValueError, KeyError) as exc:
        raise Malformed(f"NewImage is not a DynamoDB item: {exc}") from exc
    user_id, email = user.get("user_id"), user.get("email")
    if not isinstance(user_id, str) or not user_id:
        raise Malformed("the new item has no user_id")
    if not isinstance(email, str) or len(email) > 254 or not EMAIL_RE.fullmatch(email):
        raise Malformed("the new item has no valid email")
    name = user.get("name")
    return {"user_id": user_id, "email": email, "name": name if isinstance(name, str) else ""}


def compose(user: dict[str, str]) -> dict[str, Any]:
    """The SES `Message` for a welcome email."""
    greeting = f"Hello {user['name']}," if user["name"] else "Hello,"
    text = f"{greeting}\n\nthank you for subscribing to MyBlog. New posts will reach you at this address.\n\nThe MyBlog team\n"
    page = (
        f"<p>{html.escape(greeting)}</p><p>thank you for subscribing to MyBlog. "
        "New posts will reach you at this address.</p><p>The MyBlog team</p>"
    )
    return {
        "Subject": {"Data": SUBJECT, "Charset": "UTF-8"},
        "Body": {"Text": {"Data": text, "Charset": "UTF-8"}, "Html": {"Data": page, "Charset": "UTF-8"}},
    }


def claim_welcome(table: Any, user_id: str, marker: str) -> bool:
    """Set `welcomed_at`; False when the user was already welcomed (or no longer exists)."""
    try:
        table.update_item(
            Key={"user_id": user_id},
            UpdateExpression="SET welcomed_at = :marker",
            ConditionExpression="attribute_exists(user_id) AND attribute_not_exists(welcomed_at)",
            ExpressionAttributeValues={":marker": marker},
        )
    except ClientError as exc:
        if aws.condition_failed(exc):
            return False
        raise
    return True


def release_welcome(table: Any, user_id: str, marker: str) -> None:
    """Remove our own `welcomed_at` marker again (only if it is still ours), so a retry sends the email."""
    try:
        table.update_item(
            Key={"user_id": user_id},
            UpdateExpression="REMOVE welcomed_at",
            ConditionExpression="welcomed_at = :marker",
            ExpressionAttributeValues={":marker": marker},
        )
    except ClientError:
        log(logging.ERROR, "could not remove the welcome marker; this user will not be welcomed on retry", exc_info=True, user_id=user_id)


def welcome(record: dict[str, Any], table: Any, ses: Any, sender: str) -> str:
    """Process one stream record; returns what happened. Raises on a retryable failure."""
    if record.get("eventName") != "INSERT":
        return "skipped"
    user = new_subscriber(record)
    marker = now_iso()
    if not claim_welcome(table, user["user_id"], marker):
        log(logging.INFO, "already welcomed, or no longer subscribed", user_id=user["user_id"])
        return "duplicate"
    try:
        sent = ses.send_email(Source=sender, Destination={"ToAddresses": [user["email"]]}, Message=compose(user))
    except Exception:
        release_welcome(table, user["user_id"], marker)
        raise
    log(logging.INFO, "welcome email sent", user_id=user["user_id"], ses_message_id=sent.get("MessageId"))
    return "sent"


# --- entry point -------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    log.start(context)
    sender = os.environ["EMAIL_SENDER"]
    failures: list[str] = []
    for record in event.get("Records", []):
        sequence = str((record.get("dynamodb") or {}).get("SequenceNumber", ""))
        try:
            outcome = welcome(record, _users_table(), _ses(), sender)
        except Malformed as exc:
            log(logging.ERROR, "malformed stream record skipped", sequence_number=sequence, event_id=record.get("eventID"), reason=str(exc))
            continue
        except Exception as exc:
            log(logging.ERROR, "welcome failed; will be retried", exc_info=True, sequence_number=sequence, error_code=aws.error_code(exc))
            failures.append(sequence)
            continue
        log(logging.INFO, "record processed", sequence_number=sequence, outcome=outcome, event_name=record.get("eventName"))
    return batch_response(failures)
