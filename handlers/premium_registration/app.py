"""Premium user registration (paid content): POST /premium marks the caller as a premium user.

The caller is the Cognito user pool's `sub` claim. The item in PREMIUM_USERS_TABLE (partition key
`user_id`) gets `premium = true`; `premium_since` keeps the first registration's time, so registering
again is harmless (200 instead of 201). The signed URL generator reads the same item.

Environment: PREMIUM_USERS_TABLE.
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any

from handler_kit import aws, now_iso
from handler_kit.http import ApiError, Route, caller_id, response, serve
from handler_kit.log import JsonLog

log = JsonLog("premium_registration")
LOGGER = log.logger


# --- AWS clients, built once per container -----------------------------------------------------


@functools.cache
def _premium_users_table() -> Any:
    return aws.table(os.environ["PREMIUM_USERS_TABLE"])


# --- routes ------------------------------------------------------------------------------------


def register_premium(event: dict[str, Any]) -> dict[str, Any]:
    user_id = caller_id(event)
    if event.get("body") not in (None, "", "{}"):
        raise ApiError(400, "POST /premium takes no request body")
    now = now_iso()
    result = _premium_users_table().update_item(
        Key={"user_id": user_id},
        UpdateExpression="SET premium = :true, premium_since = if_not_exists(premium_since, :now), updated_at = :now",
        ExpressionAttributeValues={":true": True, ":now": now},
        ReturnValues="ALL_OLD",
    )
    before = result.get("Attributes") or {}
    created = before.get("premium") is not True
    log(logging.INFO, "premium user registered" if created else "premium user already registered", user_id=user_id)
    return response(201 if created else 200, {"user_id": user_id, "premium": True, "premium_since": before.get("premium_since", now)})


ROUTES: dict[tuple[str, str], Route] = {("POST", "/premium"): register_premium}


# --- entry point -------------------------------------------------------------------------------


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return serve(event, context, ROUTES, log)
