"""Front doors: API Gateway REST APIs and load balancers."""

from __future__ import annotations

from ...models.flows import Authenticates, Authorizes, Calls, Invokes
from ...models.graph import Graph
from ...models.services import Alb, ApiGateway, AutoScalingGroup, Clb, CognitoUserPool
from ..rule import NOT_APPLICABLE, Outcome, fail, passes_if, rule

APIGW = "https://docs.aws.amazon.com/apigateway/latest/developerguide/"
ELB = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/"


@rule("AC201", severity="high", title="An API requires authorization",
      rationale="An API whose methods need no authorization lets anyone on the internet call the backend.",
      remediation="Add an `authorizes` flow from the API to a Cognito user pool (or an authorizer function).",
      docs=APIGW + "apigateway-control-access-to-api.html",
      cdk_nag=("AwsSolutions-APIG4",), checkov=("CKV_AWS_59",))
def api_authorized(api: ApiGateway, g: Graph) -> Outcome:
    if not g.outgoing(api.id, Invokes):
        return NOT_APPLICABLE
    authorized = bool(g.outgoing(api.id, Authorizes)) or api.authorization != "authorizers"
    return passes_if(authorized, f"API '{api.id}' lets callers in without authorization")


@rule("AC202", severity="high", title="API users authenticate through a managed service",
      rationale="""The seed's answer for user authentication is Cognito: callers sign in to a user pool and the
      API checks their tokens with a Cognito user pool authorizer, so no custom identity code is needed.""",
      remediation="Have clients `authenticates` with a Cognito user pool and the API `authorizes` with the same pool.",
      docs=APIGW + "apigateway-integrate-with-cognito.html", cdk_nag=("AwsSolutions-COG4",))
def api_users_use_cognito(api: ApiGateway, g: Graph) -> Outcome:
    callers = [f.source for f in g.incoming(api.id, Calls) if g.source(f).external]
    if not callers:
        return NOT_APPLICABLE
    pools = {f.target for f in g.outgoing(api.id, Authorizes, to=CognitoUserPool)}
    if not pools:
        return fail(f"API '{api.id}' has no Cognito user pool authorizer")
    strays = [c for c in callers if not {f.target for f in g.outgoing(c, Authenticates)} & pools]
    return passes_if(not strays, f"{', '.join(strays)} call API '{api.id}' without signing in to its user pool")


@rule("AC203", severity="medium", title="An API writes access logs",
      rationale="Access logs record who called what, which you need to investigate incidents and abuse.",
      remediation="Set `access_logging: true`.",
      docs=APIGW + "set-up-logging.html", cdk_nag=("AwsSolutions-APIG1",), checkov=("CKV_AWS_76",))
def api_access_logs(api: ApiGateway, g: Graph) -> Outcome:
    return passes_if(api.access_logging, f"API '{api.id}' writes no access logs")


@rule("AC204", severity="low", title="An API traces requests with X-Ray",
      rationale="Tracing shows where time goes across API Gateway, Lambda and the data stores.",
      remediation="Set `tracing: true`.",
      docs=APIGW + "apigateway-xray.html", checkov=("CKV_AWS_73",))
def api_tracing(api: ApiGateway, g: Graph) -> Outcome:
    return passes_if(api.tracing, f"API '{api.id}' is not traced")


@rule("AC205", severity="medium", title="A read-heavy API caches its GET responses",
      rationale="""When users mostly read, caching REST responses at the API Gateway level answers repeated
      reads without invoking the backend (the seed's answer for MyTodoList). Read-heavy means expected reads
      at least `read_heavy_ratio` (5) times the writes and at least `read_heavy_min_reads_per_s` (100).""",
      remediation="Give every stage a `cache` whose `methods` include GET.",
      docs=APIGW + "api-gateway-caching.html", checkov=("CKV_AWS_120",))
def read_heavy_api_cached(api: ApiGateway, g: Graph) -> Outcome:
    if not g.is_read_heavy(api):
        return NOT_APPLICABLE
    uncached = [s.name for s in api.stages if s.cache is None or "GET" not in s.cache.methods]
    return passes_if(not uncached, f"read-heavy API '{api.id}' does not cache GET on stage {', '.join(uncached)}")


@rule("AC206", severity="medium", title="API response caches are encrypted",
      rationale="Cached responses hold the same data as the backend and deserve the same protection.",
      remediation="Set `encrypted: true` on every stage cache.",
      docs=APIGW + "api-gateway-caching.html", checkov=("CKV_AWS_225",))
def api_cache_encrypted(api: ApiGateway, g: Graph) -> Outcome:
    caches = [(s.name, s.cache) for s in api.stages if s.cache is not None]
    if not caches:
        return NOT_APPLICABLE
    plain = [name for name, cache in caches if not cache.encrypted]
    return passes_if(not plain, f"API '{api.id}' caches unencrypted on stage {', '.join(plain)}")


@rule("AC207", severity="high", title="An API accepts TLS 1.2 or later only",
      rationale="TLS 1.0 and 1.1 are deprecated; API clients all support TLS 1.2.",
      remediation="Set `min_tls: TLS_1_2`.",
      docs=APIGW + "apigateway-custom-domain-tls-version.html")
def api_tls12(api: ApiGateway, g: Graph) -> Outcome:
    return passes_if(api.min_tls == "TLS_1_2", f"API '{api.id}' accepts {api.min_tls}")


@rule("AC208", severity="high", title="Requests travel over HTTPS",
      rationale="HTTPS end to end: every call from a client or service to a front door is encrypted.",
      remediation="Set `protocol: https` on the flow (and an HTTPS listener on the target).",
      docs="https://docs.aws.amazon.com/wellarchitected/latest/security-pillar/sec_protect_data_transit_encrypt.html")
def calls_over_https(flow: Calls, g: Graph) -> Outcome:
    return passes_if(flow.protocol == "https", f"'{flow.source}' calls '{flow.target}' over plain HTTP")


def _plain_listeners(lb: Alb | Clb) -> list[int]:
    return [lst.port for lst in lb.listeners if lst.protocol == "HTTP" and not lst.redirect_to_https]


@rule("AC209", severity="high", title="Load balancer listeners use HTTPS",
      rationale="An HTTP listener that does not redirect to HTTPS serves traffic in clear text.",
      remediation="Use HTTPS listeners; keep HTTP only with `redirect_to_https: true`.",
      docs=ELB + "create-https-listener.html", cdk_nag=("AwsSolutions-ELB5",), checkov=("CKV_AWS_2",))
def lb_https(lb: Alb | Clb, g: Graph) -> Outcome:
    ports = _plain_listeners(lb)
    return passes_if(not ports, f"load balancer '{lb.id}' serves plain HTTP on port {', '.join(map(str, ports))}")


@rule("AC210", severity="medium", title="Load balancers use a TLS 1.2+ security policy",
      rationale="Older security policies still offer TLS 1.0/1.1 and weak ciphers.",
      remediation="Use `ELBSecurityPolicy-TLS13-1-2-2021-06` (ALB) or `ELBSecurityPolicy-TLS-1-2-2017-01` (CLB).",
      docs=ELB + "describe-ssl-policies.html", checkov=("CKV_AWS_103",))
def lb_tls_policy(lb: Alb | Clb, g: Graph) -> Outcome:
    modern = "TLS13" in lb.tls_policy or "TLS-1-2" in lb.tls_policy or "TLS12" in lb.tls_policy
    return passes_if(modern, f"load balancer '{lb.id}' uses security policy {lb.tls_policy}")


@rule("AC211", severity="medium", title="Load balancers write access logs",
      rationale="Access logs are the record of every request the load balancer handled.",
      remediation="Set `access_logging: true`.",
      docs=ELB + "enable-access-logging.html", cdk_nag=("AwsSolutions-ELB2",), checkov=("CKV_AWS_91", "CKV_AWS_92"))
def lb_logs(lb: Alb | Clb, g: Graph) -> Outcome:
    return passes_if(lb.access_logging, f"load balancer '{lb.id}' writes no access logs")


@rule("AC212", severity="low", title="Application load balancers drop invalid headers",
      rationale="Dropping malformed HTTP headers closes request smuggling paths to the targets.",
      remediation="Set `drop_invalid_headers: true`.",
      docs=ELB + "application-load-balancers.html", checkov=("CKV_AWS_131",))
def alb_drops_invalid_headers(lb: Alb, g: Graph) -> Outcome:
    return passes_if(lb.drop_invalid_headers, f"load balancer '{lb.id}' forwards invalid headers")


@rule("AC213", severity="low", title="HTTP traffic goes through an Application Load Balancer",
      rationale="Classic Load Balancers are the previous generation: no HTTP/2, host or path routing, or WAF.",
      remediation="Migrate to `kind: alb`.",
      docs="https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/migrate-classic-load-balancer.html",
      cdk_nag=("AwsSolutions-ELB1",))
def prefer_alb(lb: Clb, g: Graph) -> Outcome:
    return fail(f"'{lb.id}' is a Classic Load Balancer")


@rule("AC214", severity="medium",
      title="Load balancers and EC2 fleets span two or more Availability Zones",
      rationale="One Availability Zone is a single point of failure for the whole service.",
      remediation="Set `availability_zones: 2` or more.",
      docs="https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-availability-zone-balanced.html",
      cdk_nag=("AwsSolutions-ELB4",))
def multi_az(service: Alb | Clb | AutoScalingGroup, g: Graph) -> Outcome:
    return passes_if(service.availability_zones >= 2, f"'{service.id}' runs in a single Availability Zone")


@rule("AC215", severity="medium", title="Application load balancers have deletion protection",
      rationale="An accidental delete of the load balancer takes the whole service offline.",
      remediation="Set `deletion_protection: true`.",
      docs=ELB + "application-load-balancers.html#deletion-protection", checkov=("CKV_AWS_150",))
def alb_deletion_protection(lb: Alb, g: Graph) -> Outcome:
    return passes_if(lb.deletion_protection, f"load balancer '{lb.id}' can be deleted by accident")


@rule("AC216", severity="medium", title="REST API routes are declared",
      rationale="""Declared routes are what archcase writes the API's OpenAPI (Swagger) document from: it lets
      you generate client SDKs and clone the API into another environment. A route-less integration can do neither.""",
      remediation="List the routes each function serves on its `invokes` flow, such as `routes: [\"GET /todos\"]`.",
      docs=APIGW + "api-gateway-export-api.html")
def api_routes_declared(api: ApiGateway, g: Graph) -> Outcome:
    integrations = g.outgoing(api.id, Invokes)
    if not integrations:
        return NOT_APPLICABLE
    bare = [f.target for f in integrations if not f.routes]
    return passes_if(not bare, f"API '{api.id}' invokes {', '.join(bare)} with no declared routes")
