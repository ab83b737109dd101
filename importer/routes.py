"""API routes as the model holds them, read from templates."""

from __future__ import annotations

import re
from typing import Any

from .template import Template

ROUTE = re.compile(r"(GET|HEAD|OPTIONS|POST|PUT|PATCH|DELETE|ANY) /\S*")
"""The routes the model holds (WebSocket route keys, `$default` and `$connect`, are not read as routes)."""



def sam_route(t: Template, event: dict[str, Any]) -> str | None:
    """The route of a SAM `HttpApi` event (`ANY /path`), None for one that names none (the `$default` route)."""
    given = event.get("Properties")
    p: dict[str, Any] = given if isinstance(given, dict) else {}
    method, path = t.text(p.get("Method")), t.text(p.get("Path"))
    route = f"{(method or 'ANY').upper()} {path}" if path else None
    return route if route and ROUTE.fullmatch(route) else None
