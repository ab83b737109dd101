"""CloudFront distributions (origins from `origin` flows, OAC/OAI, key groups for signed URLs, TLS, logging,
WAF) and load balancers (ALB with target group and listeners, CLB)."""

from __future__ import annotations

from ...models.compute import AutoScalingGroup, Ec2Instance, EcsService
from ...models.contract import ALL_VIEWER_EXCEPT_HOST, CACHING_DISABLED, CACHING_OPTIMIZED
from ...models.data import S3Bucket
from ...models.edge import Alb, ApiGateway, Clb, CloudFront, LoadBalancer, SignedUrls
from ...models.flows import Origin, Signs, Targets
from ...models.text import cfn_text, sub_literal
from .context import Context, Fragment, att_of, lid, ref_of
from .data import access_log_bucket
from .marks import emits
from .template import NO_VALUE, Json, get_att, ref, sub

ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
"""What CloudFront forwards to an API origin: an API takes writes too (a static origin only reads)."""


@emits(CloudFront)
def emit_cloudfront(cdn: CloudFront, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    cdn_id = lid(cdn)
    origins = ctx.graph.outgoing(cdn.id, Origin)
    if not origins:
        raise ctx.fail(cdn, "a distribution needs at least one `origin` flow (to an S3 bucket or a load balancer)")
    domain = out.parameter(lid(cdn, "DomainName"), {
        "Type": "String", "Default": "", "Description": f"Custom domain of {cdn.id} (empty: the cloudfront.net name)."})
    certificate = out.parameter(lid(cdn, "CertificateArn"), {
        "Type": "String", "Default": "",
        "Description": f"ACM certificate (us-east-1) for the custom domain of {cdn.id}; needed with a domain."})
    has_domain = out.condition(lid(cdn, "HasDomain"), {"Fn::And": [
        {"Fn::Not": [{"Fn::Equals": [domain, ""]}]}, {"Fn::Not": [{"Fn::Equals": [certificate, ""]}]}]})
    key_groups: list[Json] = []
    if cdn.signed_urls:
        key_groups = [ref(_key_group(out, cdn, cdn.signed_urls))]
    origin_list = [_origin(out, cdn, flow) for flow in origins]
    behaviours = [_behaviour(out, cdn, flow, key_groups) for flow in origins]
    default = next((b for f, b in zip(origins, behaviours, strict=True) if f.path_pattern == "*"), behaviours[0])
    others = [{"PathPattern": f.path_pattern, **b} for f, b in zip(origins, behaviours, strict=True)
              if b is not default]
    config: Json = {
        "Enabled": True,
        "Comment": cfn_text(cdn.label or cdn.id, 128),
        "HttpVersion": cdn.http_version,
        "IPV6Enabled": True,
        "PriceClass": cdn.price_class,
        "Origins": origin_list,
        "DefaultCacheBehavior": default,
        "Aliases": {"Fn::If": [has_domain, [domain], NO_VALUE]},
        "ViewerCertificate": {"Fn::If": [has_domain,
                                         {"AcmCertificateArn": certificate, "SslSupportMethod": "sni-only",
                                          "MinimumProtocolVersion": cdn.min_tls},
                                         {"CloudFrontDefaultCertificate": True}]},
    }
    if others:
        config["CacheBehaviors"] = others
    if any(isinstance(ctx.service(f.target), S3Bucket) for f in origins):
        config["DefaultRootObject"] = "index.html"
    if cdn.access_logging:
        config["Logging"] = {"Bucket": get_att(access_log_bucket(out), "DomainName"), "Prefix": f"cloudfront/{cdn.id}/",
                             "IncludeCookies": False}
    if cdn.waf:
        acl = out.parameter(lid(cdn, "WebAclArn"), {
            "Type": "String", "Default": "",
            "Description": f"ARN of the AWS WAF web ACL (CLOUDFRONT scope, us-east-1) protecting {cdn.id}."})
        has_acl = out.condition(lid(cdn, "HasWebAcl"), {"Fn::Not": [{"Fn::Equals": [acl, ""]}]})
        config["WebACLId"] = {"Fn::If": [has_acl, acl, NO_VALUE]}
    out.resource(cdn_id, "AWS::CloudFront::Distribution", {"DistributionConfig": config})
    out.output(lid(cdn, "DomainNameOutput"), get_att(cdn_id, "DomainName"), f"Domain name of the {cdn.id} distribution")
    return out


def _origin(out: Fragment, cdn: CloudFront, flow: Origin) -> Json:
    target = out.ctx.service(flow.target)
    origin_id = target.id
    if isinstance(target, S3Bucket):
        origin: Json = {"Id": origin_id, "DomainName": get_att(lid(target), "RegionalDomainName")}
        access = flow.access
        if access == "oai":
            oai = lid(cdn, "OriginAccessIdentity")
            out.resource(oai, "AWS::CloudFront::CloudFrontOriginAccessIdentity", {
                "CloudFrontOriginAccessIdentityConfig": {"Comment": f"{cdn.id} reads its S3 origins"}}, shared=True)
            origin["S3OriginConfig"] = {"OriginAccessIdentity": sub(f"origin-access-identity/cloudfront/${{{oai}}}")}
        elif access == "oac":
            oac = lid(cdn, "OriginAccessControl")
            out.resource(oac, "AWS::CloudFront::OriginAccessControl", {"OriginAccessControlConfig": {
                "Name": sub(f"${{AWS::StackName}}-{cdn.id}"), "OriginAccessControlOriginType": "s3",
                "SigningBehavior": "always", "SigningProtocol": "sigv4"}}, shared=True)
            origin["S3OriginConfig"] = {"OriginAccessIdentity": ""}
            origin["OriginAccessControlId"] = get_att(oac, "Id")
        else:
            origin["S3OriginConfig"] = {"OriginAccessIdentity": ""}
        return origin
    custom: Json = {"OriginProtocolPolicy": "https-only" if flow.protocol == "https" else "http-only",
                    "OriginSSLProtocols": ["TLSv1.2"], "HTTPSPort": 443, "HTTPPort": 80}
    if isinstance(target, ApiGateway):
        # a REST API has no DNSName attribute: its domain is `<api id>.execute-api.<region>.<suffix>`, and every
        # path is under its first stage's name (a parameter, see api.py)
        api = lid(target)
        return {"Id": origin_id, "DomainName": sub(f"${{{api}}}.execute-api.${{AWS::Region}}.${{AWS::URLSuffix}}"),
                "OriginPath": sub(f"/${{{lid(target, 'StageName')}}}"), "CustomOriginConfig": custom}
    return {"Id": origin_id, "DomainName": get_att(lid(target), "DNSName"), "CustomOriginConfig": custom}


def _behaviour(out: Fragment, cdn: CloudFront, flow: Origin, key_groups: list[Json]) -> Json:
    static = _static(out.ctx, flow.target)
    behaviour: Json = {
        "TargetOriginId": flow.target,
        "ViewerProtocolPolicy": cdn.viewer_protocol,
        "Compress": True,
        "AllowedMethods": ALL_METHODS if isinstance(out.ctx.service(flow.target), ApiGateway) else ["GET", "HEAD", "OPTIONS"],
        "CachedMethods": ["GET", "HEAD"],
    }
    caching = _cache_policy(out, cdn) if static else CACHING_DISABLED
    if isinstance(out.ctx.service(flow.target), S3Bucket):
        behaviour["CachePolicyId"] = caching
    else:
        behaviour.update(CachePolicyId=caching, OriginRequestPolicyId=ALL_VIEWER_EXCEPT_HOST)
    if key_groups:
        behaviour["TrustedKeyGroups"] = key_groups
    return behaviour


def _static(ctx: Context, target: str) -> bool:
    """Whether an origin serves files that rarely change: a bucket, or a load balancer in front of instance
    groups that all serve static files."""
    origin = ctx.service(target)
    if isinstance(origin, S3Bucket):
        return True
    if isinstance(origin, LoadBalancer):
        groups = [ctx.service(f.target) for f in ctx.graph.outgoing(target, Targets)]
        return bool(groups) and all(isinstance(g, (AutoScalingGroup, Ec2Instance)) and g.serves == "static" for g in groups)
    return False


def _cache_policy(out: Fragment, cdn: CloudFront) -> Json | str:
    """AWS's CachingOptimized policy, or one of the distribution's own when its TTLs differ from that policy's."""
    if (cdn.default_ttl_s, cdn.max_ttl_s) == (86400, 31536000):
        return CACHING_OPTIMIZED
    return ref(out.resource(lid(cdn, "CachePolicy"), "AWS::CloudFront::CachePolicy", {"CachePolicyConfig": {
        "Name": sub(f"${{AWS::StackName}}-{cdn.id}"), "Comment": f"TTLs of {cdn.id}",
        "DefaultTTL": cdn.default_ttl_s, "MaxTTL": cdn.max_ttl_s, "MinTTL": 0,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": True, "EnableAcceptEncodingBrotli": True,
            "CookiesConfig": {"CookieBehavior": "none"}, "HeadersConfig": {"HeaderBehavior": "none"},
            "QueryStringsConfig": {"QueryStringBehavior": "none"}}}}, shared=True))


def _key_group(out: Fragment, cdn: CloudFront, signed_urls: SignedUrls) -> str:
    """The public key and key group that verify signed URLs; the private key stays in SSM Parameter Store,
    named by a parameter, for the functions that sign."""
    pem = out.parameter(lid(cdn, "PublicKeyPem"), {
        "Type": "String",
        "Description": f"PEM-encoded RSA public key verifying the signed URLs of {cdn.id} "
                      "(openssl rsa -pubout -in private_key.pem).",
    })
    if out.ctx.graph.incoming(cdn.id, Signs):  # the key the signers read; with none, nothing would use it (W2001)
        out.parameter(lid(cdn, "PrivateKeyParameter"), {
            "Type": "String", "Default": f"/{out.ctx.architecture.name}/{cdn.id}/signing-key", "AllowedPattern": "^/[A-Za-z0-9_./-]+$",
            "Description": "Name of the SSM SecureString parameter holding the matching private key (created outside "
                           "the stack, so the key never passes through CloudFormation).",
        })
    key = out.resource(lid(cdn, "PublicKey"), "AWS::CloudFront::PublicKey", {"PublicKeyConfig": {
        "Name": sub(f"${{AWS::StackName}}-{cdn.id}"), "CallerReference": sub(f"${{AWS::StackName}}-{cdn.id}"),
        "EncodedKey": pem, "Comment": f"verifies signed URLs of {cdn.id}"}})
    return out.resource(lid(cdn, "KeyGroup"), "AWS::CloudFront::KeyGroup", {"KeyGroupConfig": {
        "Name": sub(f"${{AWS::StackName}}-{sub_literal(signed_urls.key_group)}"), "Items": [ref(key)],
        "Comment": f"trusted signers of {cdn.id}"}})


def _balancer_security_group(out: Fragment, balancer: LoadBalancer) -> str:
    ports = sorted({listener.port for listener in balancer.listeners})
    cidr = out.parameter(lid(balancer, "IngressCidr"), {
        "Type": "String", "Default": "0.0.0.0/0", "AllowedPattern": r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$",
        "Description": f"Addresses allowed to reach {balancer.id} (narrow it to CloudFront or your clients)."})
    targets = out.ctx.graph.outgoing(balancer.id, Targets)
    return out.resource(lid(balancer, "SecurityGroup"), "AWS::EC2::SecurityGroup", {
        "GroupDescription": f"{balancer.id}: its listeners, and its targets",
        "VpcId": out.vpc(),
        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "CidrIp": cidr,
                                  "Description": f"listener {p}"} for p in ports],
        "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": f.port, "ToPort": f.port,
                                 "CidrIp": "10.0.0.0/8", "Description": f"to {f.target}"} for f in targets]
        or [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8", "Description": "to targets"}],
    })


def _certificate(out: Fragment, balancer: LoadBalancer) -> Json:
    return out.parameter(lid(balancer, "CertificateArn"), {
        "Type": "String", "AllowedPattern": "^arn:aws[a-z-]*:acm:.+",
        "Description": f"ACM certificate for the HTTPS listeners of {balancer.id}."})


@emits(Alb)
def emit_alb(alb: Alb, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    alb_id = lid(alb)
    group = _balancer_security_group(out, alb)
    attributes: list[Json] = [{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": str(alb.drop_invalid_headers).lower()},
                  {"Key": "deletion_protection.enabled", "Value": str(alb.deletion_protection).lower()}]
    if alb.access_logging:
        bucket = out.parameter(lid(alb, "LogBucket"), {
            "Type": "String", "Description": f"Existing S3 bucket that admits Elastic Load Balancing access logs of {alb.id} "
                                             "(its policy must allow the regional ELB log delivery principal)."})
        attributes += [{"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": bucket},
                       {"Key": "access_logs.s3.prefix", "Value": f"alb/{alb.id}"}]
    out.resource(alb_id, "AWS::ElasticLoadBalancingV2::LoadBalancer", {
        "Type": "application", "Scheme": alb.scheme, "Subnets": out.subnets(),
        "SecurityGroups": [ref(group)], "LoadBalancerAttributes": attributes})
    targets = ctx.graph.outgoing(alb.id, Targets)
    target = targets[0] if targets else None
    instances = [{"Id": ref(lid(f.target)), "Port": f.port} for f in targets if isinstance(ctx.service(f.target), Ec2Instance)]
    tasks = [f.target for f in targets if isinstance(ctx.service(f.target), EcsService)]
    if tasks and len(tasks) < len(targets):
        raise ctx.fail(alb, f"its one target group registers ECS tasks by IP address ('{tasks[0]}') and instances by id "
                            f"('{next(f.target for f in targets if f.target not in tasks)}'): archcase emits one target group per "
                            "load balancer, so put the ECS services and the instances behind separate load balancers")
    group_properties: Json = {
        "VpcId": out.vpc(), "TargetType": "ip" if tasks else "instance",
        "Protocol": (target.protocol if target else "http").upper(), "Port": target.port if target else 80,
        "HealthCheckPath": "/", "HealthCheckProtocol": (target.protocol if target else "http").upper(),
    }
    if instances:  # single instances are registered here; Auto Scaling groups register their own
        group_properties["Targets"] = instances
    out.resource(lid(alb, "TargetGroup"), "AWS::ElasticLoadBalancingV2::TargetGroup", group_properties)
    for listener in alb.listeners:
        properties: Json = {"LoadBalancerArn": ref(alb_id), "Port": listener.port, "Protocol": listener.protocol}
        if listener.protocol == "HTTPS":
            properties.update(SslPolicy=alb.tls_policy, Certificates=[{"CertificateArn": _certificate(out, alb)}],
                              DefaultActions=[{"Type": "forward", "TargetGroupArn": ref_of(alb, "TargetGroup")}])
        elif listener.redirect_to_https:
            properties["DefaultActions"] = [{"Type": "redirect", "RedirectConfig": {
                "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
        else:
            properties["DefaultActions"] = [{"Type": "forward", "TargetGroupArn": ref_of(alb, "TargetGroup")}]
        out.resource(lid(alb, f"Listener{listener.port}"), "AWS::ElasticLoadBalancingV2::Listener", properties)
    out.output(lid(alb, "DnsName"), get_att(alb_id, "DNSName"), f"DNS name of the {alb.id} load balancer")
    return out


@emits(Clb)
def emit_clb(clb: Clb, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    group = _balancer_security_group(out, clb)
    targets = ctx.graph.outgoing(clb.id, Targets)
    instance_port = str(targets[0].port) if targets else "80"
    instance_protocol = targets[0].protocol.upper() if targets else "HTTP"
    listeners = []
    for listener in clb.listeners:
        body: Json = {"LoadBalancerPort": str(listener.port), "Protocol": listener.protocol,
                      "InstancePort": instance_port, "InstanceProtocol": instance_protocol}
        if listener.protocol == "HTTPS":
            body.update(SSLCertificateId=_certificate(out, clb), PolicyNames=[f"{lid(clb)}TlsPolicy"])
        listeners.append(body)
    properties: Json = {
        "Scheme": clb.scheme, "Subnets": out.subnets(), "SecurityGroups": [ref(group)],
        "Listeners": listeners, "CrossZone": True,
        "HealthCheck": {"Target": f"{instance_protocol}:{instance_port}/", "HealthyThreshold": "3",
                        "UnhealthyThreshold": "5", "Interval": "30", "Timeout": "5"},
        "ConnectionDrainingPolicy": {"Enabled": clb.connection_draining, "Timeout": 300},
    }
    instances = [ref(lid(f.target)) for f in targets if isinstance(ctx.service(f.target), Ec2Instance)]
    if instances:  # single instances are named here; Auto Scaling groups name the load balancer
        properties["Instances"] = instances
    if any(listener.protocol == "HTTPS" for listener in clb.listeners):
        properties["Policies"] = [{"PolicyName": f"{lid(clb)}TlsPolicy", "PolicyType": "SSLNegotiationPolicyType",
                                   "Attributes": [{"Name": "Reference-Security-Policy", "Value": clb.tls_policy}]}]
    if clb.access_logging:
        bucket = out.parameter(lid(clb, "LogBucket"), {
            "Type": "String", "Description": f"Existing S3 bucket that admits Elastic Load Balancing access logs of {clb.id}."})
        properties["AccessLoggingPolicy"] = {"Enabled": True, "S3BucketName": bucket, "S3BucketPrefix": f"clb/{clb.id}",
                                             "EmitInterval": 60}
    out.resource(lid(clb), "AWS::ElasticLoadBalancing::LoadBalancer", properties)
    out.output(lid(clb, "DnsName"), att_of(clb, "DNSName"), f"DNS name of the {clb.id} load balancer")
    return out
