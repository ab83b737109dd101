"""Front doors: CloudFront, API Gateway and load balancers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import Model, Rate, Service

ELB_POLICY = r"^ELBSecurityPolicy-[A-Za-z0-9-]{1,100}$"
"""The form of Elastic Load Balancing's predefined security policies, the only ones a template can name."""
HttpMethod = Literal["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]


class SignedUrls(Model):
    """Restrict a distribution to viewers holding a CloudFront signed URL or signed cookie."""

    key_group: str
    """Name of the trusted key group whose public keys verify the signatures."""
    mode: Literal["urls", "cookies"] = "urls"
    """Whether viewers present signed URLs or signed cookies."""


class CloudFront(Service):
    """A CloudFront distribution. Origins are the `origin` flows leaving it."""

    kind: Literal["cloudfront"] = "cloudfront"

    viewer_protocol: Literal["redirect-to-https", "https-only", "allow-all"] = "redirect-to-https"
    """Viewer protocol policy of the behaviours."""
    min_tls: Literal["TLSv1.3_2025", "TLSv1.2_2025", "TLSv1.2_2021", "TLSv1.2_2019", "TLSv1.2_2018", "TLSv1.1_2016",
                     "TLSv1_2016", "TLSv1"] = "TLSv1.2_2021"
    """Minimum TLS protocol version offered to viewers."""
    signed_urls: SignedUrls | None = None
    """Require signed URLs or cookies (trusted key group) for every behaviour; set for paid content."""
    default_ttl_s: Annotated[int, Field(ge=0)] = 86400
    """Default time an object stays in the edge caches, in seconds."""
    max_ttl_s: Annotated[int, Field(ge=0)] = 31536000
    """Upper bound on caching time at the edge, in seconds."""
    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"] = "PriceClass_All"
    """Edge locations used: `PriceClass_All` serves a global audience from everywhere."""
    access_logging: bool = True
    """Write standard access logs."""
    waf: bool = False
    """Attach an AWS WAF web ACL."""
    http_version: Literal["http1.1", "http2", "http2and3", "http3"] = "http2and3"
    """Highest HTTP version offered to viewers."""

    @model_validator(mode="after")
    def _ttls_ordered(self) -> CloudFront:
        if self.default_ttl_s > self.max_ttl_s:
            raise ValueError(f"default_ttl_s ({self.default_ttl_s}) is above max_ttl_s ({self.max_ttl_s})")
        return self


class StageCache(Model):
    """API Gateway stage cache (a dedicated cache cluster)."""

    size_gb: Literal[0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237] = 0.5  # type: ignore[valid-type]  # float literals: pydantic reads them, PEP 586 has none
    """Cache cluster size in GB (one of the sizes API Gateway offers)."""
    ttl_s: Annotated[int, Field(ge=0, le=3600)] = 300
    """Time a response stays cached, in seconds (API Gateway allows 0 to 3600)."""
    methods: list[HttpMethod] = ["GET"]
    """HTTP methods whose responses are cached."""
    encrypted: bool = True
    """Encrypt cached responses."""


class Stage(Model):
    """A deployment stage of a REST API."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,128}$")] = "prod"
    """Stage name, as it appears in the invoke URL."""
    cache: StageCache | None = None
    """Stage cache; set it for read-heavy APIs."""
    throttle_rate_per_s: Annotated[float, Field(gt=0, le=1e9)] = 1000
    """Steady-state request rate limit for the stage."""
    throttle_burst: Annotated[int, Field(gt=0)] = 2000
    """Burst limit for the stage."""


class ApiGateway(Service):
    """An API Gateway REST API. Routes come from its `invokes` flows; its authorizer from `authorizes`."""

    kind: Literal["api-gateway"] = "api-gateway"

    endpoint_type: Literal["edge", "regional", "private"] = "regional"
    """Endpoint configuration of the API."""
    stages: Annotated[list[Stage], Field(min_length=1)] = [Stage()]
    """Deployment stages."""
    min_tls: Literal["TLS_1_2", "TLS_1_0"] = "TLS_1_2"
    """Minimum TLS version on custom domains."""
    access_logging: bool = True
    """Write access logs of every stage to CloudWatch Logs."""
    tracing: bool = True
    """Enable AWS X-Ray tracing on every stage."""
    authorization: Literal["authorizers", "iam", "outside"] = "authorizers"
    """How callers are authorized: `authorizers`, as the API's `authorizes` flows say (none when it has none);
    `iam`, every request signed with IAM credentials (`AWS_IAM`, SigV4); `outside`, every method names an
    authorizer whose user pool or function is not in the case (read from templates; not emitted)."""
    expected_reads_per_s: Rate | None = None
    """Expected read (GET) requests per second at peak; with writes, tells whether the API is read-heavy."""
    expected_writes_per_s: Rate | None = None
    """Expected write requests per second at peak."""

    @model_validator(mode="after")
    def _stage_names_unique(self) -> ApiGateway:
        names = [stage.name for stage in self.stages]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"stage names must be unique; repeated: {', '.join(duplicates)}")
        return self


class Listener(Model):
    """A load balancer listener."""

    protocol: Literal["HTTPS", "HTTP"] = "HTTPS"
    """Listener protocol; HTTP listeners should only redirect to HTTPS."""
    port: Annotated[int, Field(ge=1, le=65535)] = 443
    """Listener port."""
    redirect_to_https: bool = False
    """For an HTTP listener: answer every request with a redirect to HTTPS."""

    @model_validator(mode="after")
    def _redirects_only_from_http(self) -> Listener:
        if self.redirect_to_https and self.protocol == "HTTPS":
            raise ValueError("redirect_to_https is for an HTTP listener: an HTTPS listener already is HTTPS")
        return self


class LoadBalancer(Service):

    scheme: Literal["internet-facing", "internal"] = "internet-facing"
    """Whether the load balancer has public addresses."""
    listeners: Annotated[list[Listener], Field(min_length=1)] = [Listener()]
    """Listeners."""
    tls_policy: Annotated[str, Field(pattern=ELB_POLICY)] = "ELBSecurityPolicy-TLS13-1-2-2021-06"
    """Security policy of the HTTPS listeners (one of the predefined `ELBSecurityPolicy-...` policies)."""
    access_logging: bool = True
    """Write access logs to S3."""
    availability_zones: Annotated[int, Field(ge=1, le=6)] = 2
    """Number of Availability Zones the load balancer spans."""

    @model_validator(mode="after")
    def _one_listener_per_port(self) -> LoadBalancer:
        ports = [listener.port for listener in self.listeners]
        repeated = sorted({port for port in ports if ports.count(port) > 1})
        if repeated:
            raise ValueError(f"two listeners on one port: {', '.join(map(str, repeated))} (a port takes one listener)")
        return self


class Alb(LoadBalancer):
    """An Application Load Balancer."""

    kind: Literal["alb"] = "alb"

    drop_invalid_headers: bool = True
    """Drop HTTP headers that are not valid."""
    deletion_protection: bool = True
    """Refuse deletion while enabled."""


class Clb(LoadBalancer):
    """A Classic Load Balancer (previous generation)."""

    kind: Literal["clb"] = "clb"

    tls_policy: Annotated[str, Field(pattern=ELB_POLICY)] = "ELBSecurityPolicy-TLS-1-2-2017-01"
    """Predefined security policy of the HTTPS listeners (`ELBSecurityPolicy-...`)."""
    connection_draining: bool = True
    """Let in-flight requests finish when an instance leaves."""

    @model_validator(mode="after")
    def _cannot_redirect(self) -> Clb:
        if any(listener.redirect_to_https for listener in self.listeners):
            raise ValueError("a Classic Load Balancer cannot redirect HTTP to HTTPS (only an ALB can): "
                             "remove redirect_to_https, or use kind: alb")
        return self
