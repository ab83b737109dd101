"""API Gateway HTTP APIs and WebSocket APIs (API Gateway v2)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from .base import Service

Route = Annotated[str, Field(pattern=r"^(GET|HEAD|OPTIONS|POST|PUT|PATCH|DELETE|ANY) /\S*$")]
"""An HTTP API route, as `METHOD /path` (the routes of an `invokes` flow have this form too)."""


class HttpApi(Service):
    """An API Gateway v2 API: an HTTP API with its `$default` stage, or a WebSocket API (emitted with a route per
    function it invokes, keyed by the function's id, and a `live` stage; without authorization on `$connect`). Its
    routes are those of its `invokes` flows (Lambda proxy integrations); its authorizer is its `authorizes` flow: a
    Cognito user pool (a JWT authorizer) or a function (a Lambda authorizer)."""

    kind: Literal["http-api"] = "http-api"

    protocol: Literal["HTTP", "WEBSOCKET"] = "HTTP"
    """`HTTP` (request and response) or `WEBSOCKET` (two-way messages over a connection)."""
    public_routes: list[Route] = []
    """Routes that take no authorization although the API has an authorizer or IAM authorization (a health check,
    a sign-up form): every other route is checked by the API's authorizer, or by IAM (a set: kept sorted)."""
    iam_authorization: bool = False
    """Routes without an authorizer require requests signed with AWS credentials (`AWS_IAM`)."""
    access_logging: bool = True
    """Write access logs of the default stage to CloudWatch Logs."""
    throttle_rate_per_s: Annotated[float, Field(gt=0, le=1e9)] | None = 1000
    """Steady-state request rate limit of every route of the default stage; unset leaves only the account's limit."""
    throttle_burst: Annotated[int, Field(gt=0, le=1_000_000_000)] | None = 2000
    """Burst limit of every route of the default stage; unset leaves only the account's limit."""

    @field_validator("public_routes")
    @classmethod
    def _routes_sorted(cls, routes: list[str]) -> list[str]:
        return sorted(set(routes), key=lambda route: (route.split(" ", 1)[1], route))
