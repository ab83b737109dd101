"""API Gateway HTTP APIs and WebSocket APIs."""

from __future__ import annotations

from ...models.flows import Authorizes, Invokes
from ...models.graph import Graph
from ...models.services import HttpApi
from ..rule import NOT_APPLICABLE, PASS, Outcome, passes_if, rule

APIGW = "https://docs.aws.amazon.com/apigateway/latest/developerguide/"


@rule("AC217", severity="medium", title="An HTTP API writes access logs",
      rationale="Access logs record who called which route and what came back, which you need to investigate incidents and abuse.",
      remediation="Set `access_logging: true`.",
      docs=APIGW + "http-api-logging.html", checkov=("CKV_AWS_95",))
def http_api_access_logs(api: HttpApi, g: Graph) -> Outcome:
    return passes_if(api.access_logging, f"API '{api.id}' writes no access logs")


@rule("AC218", severity="high", title="HTTP API routes require authorization unless they are public",
      rationale="""A route with no authorizer and no IAM authorization lets anyone on the internet call its backend.
      Routes meant to be open (a health check, a sign-up form) are listed as `public_routes`. A WebSocket API
      authorizes each connection on its `$connect` route, and every message rides on a connection.""",
      remediation="Add an `authorizes` flow from the API to a Cognito user pool or an authorizer function, set "
                  "`iam_authorization: true`, or list the routes meant to be open in `public_routes`.",
      docs=APIGW + "http-api-access-control.html", cdk_nag=("AwsSolutions-APIG4",))
def http_api_routes_authorized(api: HttpApi, g: Graph) -> Outcome:
    if api.protocol == "WEBSOCKET":  # authorized once, on `$connect`: every message rides on the connection
        if not g.outgoing(api.id, Invokes):
            return NOT_APPLICABLE
        return passes_if(bool(g.outgoing(api.id, Authorizes)) or api.iam_authorization,
                         f"API '{api.id}' lets anyone connect: its `$connect` route takes no authorization")
    routes = sorted({route for flow in g.outgoing(api.id, Invokes) for route in flow.routes})
    if not routes:
        return NOT_APPLICABLE
    if g.outgoing(api.id, Authorizes) or api.iam_authorization:
        return PASS
    open_routes = [route for route in routes if route not in api.public_routes]
    return passes_if(not open_routes, f"API '{api.id}' lets anyone call {', '.join(open_routes)}")


@rule("AC219", severity="medium", title="An HTTP API throttles requests",
      rationale="""Without a stage limit, one caller can use the whole account's API Gateway quota (shared by every API
      of the account and Region) and run up the cost of the functions behind it.""",
      remediation="Set `throttle_rate_per_s` (and `throttle_burst`).",
      docs=APIGW + "http-api-throttling.html")
def http_api_throttled(api: HttpApi, g: Graph) -> Outcome:
    return passes_if(api.throttle_rate_per_s is not None, f"API '{api.id}' sets no throttling: only the account's limit applies")
