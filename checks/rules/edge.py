"""CloudFront and content delivery: origin access, signed URLs, HTTPS, and the seed's edge practices."""

from __future__ import annotations

from ...models.base import Service
from ...models.flows import Authorizes, Calls, DeadLetter, Grants, Origin, Reads, Signs, Targets
from ...models.graph import Graph
from ...models.services import (
    Alb,
    AutoScalingGroup,
    Browser,
    Clb,
    CloudFront,
    DynamoDbTable,
    Ec2Instance,
    IotDevice,
    MobileApp,
    S3Bucket,
)
from ..rule import NOT_APPLICABLE, PASS, Outcome, fail, passes_if, rule

CF = "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/"
S3_ORIGIN_ACCESS = CF + "private-content-restricting-access-to-s3.html"


@rule("AC101", severity="high", title="CloudFront reaches S3 only through an origin access control or identity",
      rationale="""Without an origin access control (OAC) or identity (OAI), the bucket must be readable by
      everyone for CloudFront to fetch from it, so users can bypass the CDN, its caching and its access rules.""",
      remediation="Set `access: oac` (or `oai`) on the origin flow to the bucket.",
      docs=S3_ORIGIN_ACCESS, cdk_nag=("AwsSolutions-CFR6", "AwsSolutions-CFR7"))
def s3_origin_uses_origin_access(flow: Origin, g: Graph) -> Outcome:
    if not isinstance(g.target(flow), S3Bucket):
        return NOT_APPLICABLE
    return passes_if(flow.access != "none",
                     f"CloudFront fetches from bucket '{flow.target}' with no origin access control or identity")


@rule("AC102", severity="high", title="A bucket behind CloudFront admits only the distribution",
      rationale="""The bucket policy should admit only the distribution's origin identity: a bucket that is
      also public or served as a website can be read directly, bypassing CloudFront.""",
      remediation="Keep `block_public_access: true` and `website_hosting: false` on buckets that are CloudFront origins.",
      docs=S3_ORIGIN_ACCESS, cdk_nag=("AwsSolutions-S5",))
def origin_bucket_is_private(bucket: S3Bucket, g: Graph) -> Outcome:
    if not g.incoming(bucket.id, Origin):
        return NOT_APPLICABLE
    open_ways = [w for w, on in (("public access", not bucket.block_public_access),
                                 ("a website endpoint", bucket.website_hosting)) if on]
    readers = [f.source for f in g.incoming(bucket.id, Reads) if g.source(f).external]
    if readers:
        open_ways.append(f"direct reads by {', '.join(readers)}")
    return passes_if(not open_ways, f"bucket '{bucket.id}' is a CloudFront origin but also open through "
                                    f"{' and '.join(open_ways)}")


@rule("AC103", severity="high", title="No S3 static website endpoint",
      rationale="""S3 website endpoints speak HTTP only and need a public bucket policy. CloudFront with an
      origin access control serves the same content over HTTPS from a private bucket.""",
      remediation="Set `website_hosting: false` and serve the content through CloudFront with `access: oac`.",
      docs="https://docs.aws.amazon.com/AmazonS3/latest/userguide/WebsiteEndpoints.html")
def no_website_endpoint(bucket: S3Bucket, g: Graph) -> Outcome:
    return passes_if(not bucket.website_hosting, f"bucket '{bucket.id}' is served as an HTTP-only website endpoint")


@rule("AC104", severity="high", title="CloudFront viewers use HTTPS",
      rationale="Allowing plain HTTP exposes content and cookies or signed URLs to anyone on the path.",
      remediation="Set `viewer_protocol: redirect-to-https` or `https-only`.",
      docs=CF + "using-https-viewers-to-cloudfront.html", checkov=("CKV_AWS_34",))
def viewer_https(cdn: CloudFront, g: Graph) -> Outcome:
    return passes_if(cdn.viewer_protocol != "allow-all", f"distribution '{cdn.id}' allows viewers over plain HTTP")


@rule("AC105", severity="high", title="CloudFront offers viewers TLS 1.2 or later only",
      rationale="TLS 1.0 and 1.1 are deprecated and vulnerable; modern clients all speak TLS 1.2.",
      remediation="Set `min_tls: TLSv1.2_2021`.",
      docs=CF + "secure-connections-supported-viewer-protocols-ciphers.html",
      cdk_nag=("AwsSolutions-CFR4",), checkov=("CKV_AWS_174",))
def viewer_tls12(cdn: CloudFront, g: Graph) -> Outcome:
    return passes_if(cdn.min_tls.startswith(("TLSv1.2", "TLSv1.3")), f"distribution '{cdn.id}' accepts {cdn.min_tls}")


@rule("AC106", severity="medium", title="CloudFront reaches custom origins over HTTPS",
      rationale="HTTPS to the viewer is not HTTPS end to end unless CloudFront also uses it to reach the origin.",
      remediation="Set `protocol: https` on origin flows to load balancers and APIs.",
      docs=CF + "using-https-cloudfront-to-custom-origin.html", cdk_nag=("AwsSolutions-CFR5",))
def origin_https(flow: Origin, g: Graph) -> Outcome:
    if isinstance(g.target(flow), S3Bucket):
        return NOT_APPLICABLE
    return passes_if(flow.protocol == "https", f"CloudFront reaches origin '{flow.target}' over plain HTTP")


@rule("AC107", severity="medium", title="CloudFront writes access logs",
      rationale="Access logs are how you investigate abuse of signed URLs, cache misses and traffic spikes.",
      remediation="Set `access_logging: true`.",
      docs=CF + "AccessLogs.html", cdk_nag=("AwsSolutions-CFR3",), checkov=("CKV_AWS_86",))
def cloudfront_logging(cdn: CloudFront, g: Graph) -> Outcome:
    return passes_if(cdn.access_logging, f"distribution '{cdn.id}' writes no access logs")


@rule("AC108", severity="low", title="A public distribution has AWS WAF in front",
      rationale="A web application firewall filters common exploits and floods before they reach the origin.",
      remediation="Set `waf: true` (a web ACL with the AWS managed rule groups).",
      docs="https://docs.aws.amazon.com/waf/latest/developerguide/cloudfront-features.html",
      cdk_nag=("AwsSolutions-CFR2",), checkov=("CKV_AWS_68",))
def cloudfront_waf(cdn: CloudFront, g: Graph) -> Outcome:
    return passes_if(cdn.waf, f"distribution '{cdn.id}' has no web application firewall")


def _paid_origins(cdn: CloudFront, g: Graph) -> list[str]:
    buckets = (g.target_as(f, S3Bucket) for f in g.outgoing(cdn.id, Origin))
    return [bucket.id for bucket in buckets if bucket is not None and bucket.content == "paid"]


@rule("AC109", severity="critical", title="Paid content is served only with CloudFront signed URLs or cookies",
      rationale="""A distribution in front of paid content must refuse requests that carry no valid signature
      from a trusted key group, or anyone with the link gets the content for free.""",
      remediation="Set `signed_urls: {key_group: ...}` on the distribution that serves the paid bucket.",
      docs=CF + "PrivateContent.html")
def paid_content_signed(cdn: CloudFront, g: Graph) -> Outcome:
    paid = _paid_origins(cdn, g)
    if not paid:
        return NOT_APPLICABLE
    return passes_if(cdn.signed_urls is not None,
                     f"distribution '{cdn.id}' serves paid content from {', '.join(paid)} without signed URLs")


@rule("AC110", severity="high", title="No S3 presigned URLs for paid content",
      rationale="""S3 presigned URLs are not efficient for global access: every download comes from the
      bucket's region and bypasses the CDN's caching. The seed answers: use CloudFront signed URLs.""",
      remediation="Sign CloudFront URLs for the distribution in front of the bucket (a `signs` flow to the cloudfront).",
      docs=CF + "PrivateContent.html")
def no_s3_presigned_paid(flow: Signs, g: Graph) -> Outcome:
    bucket = g.target_as(flow, S3Bucket)
    if bucket is None:
        return PASS  # CloudFront signed URLs: the right way
    return passes_if(bucket.content != "paid",
                     f"'{flow.source}' hands out S3 presigned URLs for paid bucket '{flow.target}'")


@rule("AC111", severity="high", title="Paid content is reachable only through CloudFront",
      rationale="""Paid content must have one way in: the distribution that checks signatures. Direct reads,
      grants or a missing distribution defeat it.""",
      remediation="Make a CloudFront distribution with signed URLs the bucket's only reader (an `origin` flow).",
      docs=CF + "private-content-restricting-access-to-s3.html")
def paid_content_behind_cdn(bucket: S3Bucket, g: Graph) -> Outcome:
    if bucket.content != "paid":
        return NOT_APPLICABLE
    if not g.incoming(bucket.id, Origin):
        return fail(f"paid bucket '{bucket.id}' has no CloudFront distribution in front of it")
    bypass = [f.source for f in g.incoming(bucket.id)
              if isinstance(f, Grants) or (isinstance(f, Reads) and g.source(f).external)]
    return passes_if(not bypass, f"paid bucket '{bucket.id}' is also reached directly by {', '.join(sorted(set(bypass)))}")


@rule("AC112", severity="medium", title="Someone can issue the signed URLs a distribution requires",
      rationale="A distribution that requires signed URLs but has no signer serves nobody.",
      remediation="Add the function that generates signed URLs, with a `signs` flow to the distribution.",
      docs=CF + "private-content-trusted-signers.html",
      outside="who signs the URLs (usually application code outside the stack, holding the private key)")
def signer_exists(cdn: CloudFront, g: Graph) -> Outcome:
    if cdn.signed_urls is None:
        return NOT_APPLICABLE
    return passes_if(bool(g.incoming(cdn.id, Signs)), f"distribution '{cdn.id}' requires signed URLs but nothing signs them")


@rule("AC113", severity="medium", title="Signed URLs are short-lived",
      rationale="A signed URL works for anyone who has it until it expires: keep the window short.",
      remediation="Lower `expires_s` on the signs flow (the limit is the `signed_url_max_expiry_s` setting, 3600 by default).",
      docs=CF + "private-content-creating-signed-url-canned-policy.html")
def signed_url_expiry(flow: Signs, g: Graph) -> Outcome:
    limit = g.settings.signed_url_max_expiry_s
    return passes_if(flow.expires_s <= limit, f"signed URLs from '{flow.source}' live {flow.expires_s} s (limit {limit} s)")


@rule("AC114", severity="medium",
      title="A global audience gets content through CloudFront",
      rationale="""Users on several continents should be served from edge locations near them; reading S3 or
      a single-region load balancer directly is slow and costly for them.""",
      remediation="Put a CloudFront distribution in front of the content and have clients call it.",
      docs=CF + "Introduction.html")
def global_audience_uses_cdn(client: MobileApp | Browser | IotDevice, g: Graph) -> Outcome:
    if client.audience != "global":
        return NOT_APPLICABLE
    direct = [f.target for f in g.outgoing(client.id, Reads, to=S3Bucket)]
    direct += [f.target for f in g.outgoing(client.id, Calls, to=(Alb, Clb))]
    if direct:
        return fail(f"global users '{client.id}' reach {', '.join(direct)} directly instead of through CloudFront")
    return passes_if(bool(g.outgoing(client.id, Calls, to=CloudFront)),
                     f"global users '{client.id}' get nothing through CloudFront")


@rule("AC115", severity="medium", title="Data served to a global audience lives in a global table",
      rationale="""A DynamoDB global table replicates to regions near the users, so reads stay fast and the data
      survives a regional outage.""",
      remediation="List the users' regions in `replica_regions` (and set `stream: NEW_AND_OLD_IMAGES`).",
      docs="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GlobalTables.html")
def global_data_in_global_table(table: DynamoDbTable, g: Graph) -> Outcome:
    audiences = _audiences_reaching(table.id, g)
    if "global" not in audiences:
        return NOT_APPLICABLE
    return passes_if(table.is_global, f"table '{table.id}' serves global users but is in one region only")


def _audiences_reaching(service_id: str, g: Graph) -> set[str]:
    """Audiences of the clients whose requests can reach a service (following flows backwards)."""
    seen, todo = {service_id}, [service_id]
    audiences: set[str] = set()
    while todo:
        current = todo.pop()
        for flow in g.incoming(current):
            if isinstance(flow, (DeadLetter, Authorizes)):
                continue
            source = g.source(flow)
            if isinstance(source, (MobileApp, Browser, IotDevice)):  # the services that have an audience
                audiences.add(source.audience)
            elif flow.source not in seen:
                seen.add(flow.source)
                todo.append(flow.source)
    return audiences


@rule("AC116", severity="high", title="Static content served from EC2 has CloudFront in front",
      rationale="""Static or rarely changing files served from EC2 behind a load balancer should be cached at
      the edge: the seed's answer to a costly software update rush is CloudFront in front of the ELB, with no
      change to the application.""",
      remediation="Add a CloudFront distribution with the load balancer as its origin, and point clients at it.",
      docs=CF + "DownloadDistS3AndCustomOrigins.html")
def static_ec2_behind_cdn(group: AutoScalingGroup | Ec2Instance, g: Graph) -> Outcome:
    if group.serves != "static":
        return NOT_APPLICABLE
    balancers = [f.source for f in g.incoming(group.id, Targets)]
    if not balancers:
        return fail(f"'{group.id}' serves static content with no load balancer or CloudFront in front")
    uncached = [lb for lb in balancers if not g.incoming(lb, Origin)]
    direct = [f"{f.source} -> {lb}" for lb in balancers for f in g.incoming(lb, Calls) if g.source(f).external]
    if uncached:
        return fail(f"static content of '{group.id}' is served through {', '.join(uncached)} with no CloudFront in front")
    return passes_if(not direct, f"clients bypass CloudFront: {', '.join(direct)}")


@rule("AC117", severity="medium", title="CloudFront caches static content at the edge",
      rationale="A distribution in front of static content that caches nothing offloads nothing from the origin.",
      remediation="Set `default_ttl_s` above zero (a day or more for files that never change).",
      docs=CF + "Expiration.html")
def edge_caching(cdn: CloudFront, g: Graph) -> Outcome:
    if not any(_serves_static(origin, g) for origin in g.outgoing(cdn.id, Origin)):
        return NOT_APPLICABLE
    return passes_if(cdn.default_ttl_s > 0, f"distribution '{cdn.id}' caches nothing (default_ttl_s: 0)")


def _serves_static(origin: Origin, g: Graph) -> bool:
    """Whether an origin holds content worth caching: a content bucket, or EC2 serving static files."""
    bucket = g.target_as(origin, S3Bucket)
    if bucket is not None:
        return bucket.content in ("public", "paid")
    return any(_serves_static_files(g.target(t)) for t in g.outgoing(origin.target, Targets))


def _serves_static_files(target: Service) -> bool:
    return isinstance(target, (AutoScalingGroup, Ec2Instance)) and target.serves == "static"


@rule("AC118", severity="high", title="Signed URLs are issued only after checking entitlement",
      rationale="""The signed-URL generator must check that the caller is entitled (a premium user, in the
      seed's design: looked up in DynamoDB) before signing; otherwise any signed-in user gets paid content.""",
      remediation="Give the signing function a `reads` flow to the table that records who has paid.",
      docs=CF + "private-content-creating-signed-url-custom-policy.html")
def signer_checks_entitlement(flow: Signs, g: Graph) -> Outcome:
    cdn = g.target_as(flow, CloudFront)
    if cdn is None or not _paid_origins(cdn, g):
        return NOT_APPLICABLE
    return passes_if(bool(g.outgoing(flow.source, Reads, to=DynamoDbTable)),
                     f"'{flow.source}' signs URLs for paid content without looking up who has paid")
