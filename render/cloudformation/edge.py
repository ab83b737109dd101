"""CloudFront distributions (origins from `origin` flows, OAC/OAI, key groups for signed URLs, TLS, logging,
WAF) and load balancers (ALB with target group and listeners, CLB)."""

from __future__ import annotations

from ...models import Flow, Service
from ...models.contract import ALL_VIEWER_EXCEPT_HOST, CACHING_DISABLED, CACHING_OPTIMIZED
from ...models.text import cfn_text, sub_literal
from .context import Emit
from .data import access_log_bucket
from .template import NO_VALUE, Json, get_att, ref, sub


def emit_cloudfront(emit: Emit, cdn: Service) -> None:
    t = emit.template
    lid = emit.lid(cdn)
    origins = emit.outgoing(cdn, "origin")
    if not origins:
        raise emit.fail(cdn, "a distribution needs at least one `origin` flow (to an S3 bucket or a load balancer)")
    domain = t.parameter(emit.lid(cdn, "DomainName"), {
        "Type": "String", "Default": "", "Description": f"Custom domain of {cdn.id} (empty: the cloudfront.net name)."})
    certificate = t.parameter(emit.lid(cdn, "CertificateArn"), {
        "Type": "String", "Default": "",
        "Description": f"ACM certificate (us-east-1) for the custom domain of {cdn.id}; needed with a domain."})
    has_domain = t.condition(emit.lid(cdn, "HasDomain"), {"Fn::And": [
        {"Fn::Not": [{"Fn::Equals": [domain, ""]}]}, {"Fn::Not": [{"Fn::Equals": [certificate, ""]}]}]})
    key_groups: list[Json] = []
    if cdn.signed_urls:  # type: ignore[attr-defined]
        key_groups = [ref(_key_group(emit, cdn))]
    origin_list = [_origin(emit, cdn, flow) for flow in origins]
    behaviours = [_behaviour(emit, cdn, flow, key_groups) for flow in origins]
    default = next((b for f, b in zip(origins, behaviours, strict=True) if f.path_pattern == "*"), behaviours[0])  # type: ignore[attr-defined]
    others = [{"PathPattern": f.path_pattern, **b} for f, b in zip(origins, behaviours, strict=True)  # type: ignore[attr-defined]
              if b is not default]
    config: Json = {
        "Enabled": True,
        "Comment": cfn_text(cdn.label or cdn.id, 128),
        "HttpVersion": cdn.http_version,  # type: ignore[attr-defined]
        "IPV6Enabled": True,
        "PriceClass": cdn.price_class,  # type: ignore[attr-defined]
        "Origins": origin_list,
        "DefaultCacheBehavior": default,
        "Aliases": {"Fn::If": [has_domain, [domain], NO_VALUE]},
        "ViewerCertificate": {"Fn::If": [has_domain,
                                         {"AcmCertificateArn": certificate, "SslSupportMethod": "sni-only",
                                          "MinimumProtocolVersion": cdn.min_tls},  # type: ignore[attr-defined]
                                         {"CloudFrontDefaultCertificate": True}]},
    }
    if others:
        config["CacheBehaviors"] = others
    if any(emit.kind(f.target) == "s3" for f in origins):
        config["DefaultRootObject"] = "index.html"
    if cdn.access_logging:  # type: ignore[attr-defined]
        config["Logging"] = {"Bucket": get_att(access_log_bucket(emit), "DomainName"), "Prefix": f"cloudfront/{cdn.id}/",
                             "IncludeCookies": False}
    if cdn.waf:  # type: ignore[attr-defined]
        acl = t.parameter(emit.lid(cdn, "WebAclArn"), {
            "Type": "String", "Default": "",
            "Description": f"ARN of the AWS WAF web ACL (CLOUDFRONT scope, us-east-1) protecting {cdn.id}."})
        has_acl = t.condition(emit.lid(cdn, "HasWebAcl"), {"Fn::Not": [{"Fn::Equals": [acl, ""]}]})
        config["WebACLId"] = {"Fn::If": [has_acl, acl, NO_VALUE]}
    t.resource(lid, "AWS::CloudFront::Distribution", {"DistributionConfig": config})
    t.output(emit.lid(cdn, "DomainNameOutput"), get_att(lid, "DomainName"), f"Domain name of the {cdn.id} distribution")


def _origin(emit: Emit, cdn: Service, flow: Flow) -> Json:
    target = emit.service(flow.target)
    origin_id = target.id
    if target.kind == "s3":  # type: ignore[attr-defined]
        origin: Json = {"Id": origin_id, "DomainName": get_att(emit.lid(target), "RegionalDomainName")}
        access = flow.access  # type: ignore[attr-defined]
        if access == "oai":
            oai = emit.lid(cdn, "OriginAccessIdentity")
            if oai not in emit.template.resources:
                emit.template.resource(oai, "AWS::CloudFront::CloudFrontOriginAccessIdentity", {
                    "CloudFrontOriginAccessIdentityConfig": {"Comment": f"{cdn.id} reads its S3 origins"}})
            origin["S3OriginConfig"] = {"OriginAccessIdentity": sub(f"origin-access-identity/cloudfront/${{{oai}}}")}
        elif access == "oac":
            oac = emit.lid(cdn, "OriginAccessControl")
            if oac not in emit.template.resources:
                emit.template.resource(oac, "AWS::CloudFront::OriginAccessControl", {"OriginAccessControlConfig": {
                    "Name": sub(f"${{AWS::StackName}}-{cdn.id}"), "OriginAccessControlOriginType": "s3",
                    "SigningBehavior": "always", "SigningProtocol": "sigv4"}})
            origin["S3OriginConfig"] = {"OriginAccessIdentity": ""}
            origin["OriginAccessControlId"] = get_att(oac, "Id")
        else:
            origin["S3OriginConfig"] = {"OriginAccessIdentity": ""}
        return origin
    return {"Id": origin_id, "DomainName": get_att(emit.lid(target), "DNSName"),
            "CustomOriginConfig": {"OriginProtocolPolicy": "https-only" if flow.protocol == "https" else "http-only",  # type: ignore[attr-defined]
                                   "OriginSSLProtocols": ["TLSv1.2"], "HTTPSPort": 443, "HTTPPort": 80}}


def _behaviour(emit: Emit, cdn: Service, flow: Flow, key_groups: list[Json]) -> Json:
    static = _static(emit, flow.target)
    behaviour: Json = {
        "TargetOriginId": flow.target,
        "ViewerProtocolPolicy": cdn.viewer_protocol,  # type: ignore[attr-defined]
        "Compress": True,
        "AllowedMethods": ["GET", "HEAD", "OPTIONS"],
        "CachedMethods": ["GET", "HEAD"],
    }
    caching = _cache_policy(emit, cdn) if static else CACHING_DISABLED
    if emit.kind(flow.target) == "s3":
        behaviour["CachePolicyId"] = caching
    else:
        behaviour.update(CachePolicyId=caching, OriginRequestPolicyId=ALL_VIEWER_EXCEPT_HOST)
    if key_groups:
        behaviour["TrustedKeyGroups"] = key_groups
    return behaviour


def _static(emit: Emit, target: str) -> bool:
    """Whether an origin serves files that rarely change: a bucket, or a load balancer in front of groups that
    all serve static files."""
    if emit.kind(target) == "s3":
        return True
    if emit.kind(target) in ("alb", "clb"):
        groups = [emit.service(f.target) for f in emit.graph.outgoing(target, "targets")]
        return bool(groups) and all(getattr(g, "serves", "dynamic") == "static" for g in groups)
    return getattr(emit.service(target), "serves", "dynamic") == "static"


def _cache_policy(emit: Emit, cdn: Service) -> Json:
    """AWS's CachingOptimized policy, or one of the distribution's own when its TTLs differ from that policy's."""
    if (cdn.default_ttl_s, cdn.max_ttl_s) == (86400, 31536000):  # type: ignore[attr-defined]
        return CACHING_OPTIMIZED
    lid = emit.lid(cdn, "CachePolicy")
    if lid not in emit.template.resources:
        emit.template.resource(lid, "AWS::CloudFront::CachePolicy", {"CachePolicyConfig": {
            "Name": sub(f"${{AWS::StackName}}-{cdn.id}"), "Comment": f"TTLs of {cdn.id}",
            "DefaultTTL": cdn.default_ttl_s, "MaxTTL": cdn.max_ttl_s, "MinTTL": 0,  # type: ignore[attr-defined]
            "ParametersInCacheKeyAndForwardedToOrigin": {
                "EnableAcceptEncodingGzip": True, "EnableAcceptEncodingBrotli": True,
                "CookiesConfig": {"CookieBehavior": "none"}, "HeadersConfig": {"HeaderBehavior": "none"},
                "QueryStringsConfig": {"QueryStringBehavior": "none"}}}})
    return ref(lid)


def _key_group(emit: Emit, cdn: Service) -> str:
    """The public key and key group that verify signed URLs; the private key stays in SSM Parameter Store,
    named by a parameter, for the functions that sign."""
    t = emit.template
    pem = t.parameter(emit.lid(cdn, "PublicKeyPem"), {
        "Type": "String",
        "Description": f"PEM-encoded RSA public key verifying the signed URLs of {cdn.id} "
                      "(openssl rsa -pubout -in private_key.pem).",
    })
    t.parameter(emit.lid(cdn, "PrivateKeyParameter"), {
        "Type": "String", "Default": f"/{emit.architecture.name}/{cdn.id}/signing-key", "AllowedPattern": "^/[A-Za-z0-9_./-]+$",
        "Description": "Name of the SSM SecureString parameter holding the matching private key (created outside "
                       "the stack, so the key never passes through CloudFormation).",
    })
    key = t.resource(emit.lid(cdn, "PublicKey"), "AWS::CloudFront::PublicKey", {"PublicKeyConfig": {
        "Name": sub(f"${{AWS::StackName}}-{cdn.id}"), "CallerReference": sub(f"${{AWS::StackName}}-{cdn.id}"),
        "EncodedKey": pem, "Comment": f"verifies signed URLs of {cdn.id}"}})
    return t.resource(emit.lid(cdn, "KeyGroup"), "AWS::CloudFront::KeyGroup", {"KeyGroupConfig": {
        "Name": sub(f"${{AWS::StackName}}-{sub_literal(cdn.signed_urls.key_group)}"), "Items": [ref(key)],  # type: ignore[attr-defined]
        "Comment": f"trusted signers of {cdn.id}"}})


def _balancer_security_group(emit: Emit, balancer: Service) -> str:
    ports = sorted({listener.port for listener in balancer.listeners})  # type: ignore[attr-defined]
    cidr = emit.template.parameter(emit.lid(balancer, "IngressCidr"), {
        "Type": "String", "Default": "0.0.0.0/0", "AllowedPattern": r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$",
        "Description": f"Addresses allowed to reach {balancer.id} (narrow it to CloudFront or your clients)."})
    targets = emit.outgoing(balancer, "targets")
    return emit.template.resource(emit.lid(balancer, "SecurityGroup"), "AWS::EC2::SecurityGroup", {
        "GroupDescription": f"{balancer.id}: its listeners, and its targets",
        "VpcId": emit.vpc(),
        "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": p, "ToPort": p, "CidrIp": cidr,
                                  "Description": f"listener {p}"} for p in ports],
        "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": f.port, "ToPort": f.port,  # type: ignore[attr-defined]
                                 "CidrIp": "10.0.0.0/8", "Description": f"to {f.target}"} for f in targets]
        or [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.0.0.0/8", "Description": "to targets"}],
    })


def _certificate(emit: Emit, balancer: Service) -> Json:
    return emit.template.parameter(emit.lid(balancer, "CertificateArn"), {
        "Type": "String", "AllowedPattern": "^arn:aws[a-z-]*:acm:.+",
        "Description": f"ACM certificate for the HTTPS listeners of {balancer.id}."})


def emit_alb(emit: Emit, alb: Service) -> None:
    t = emit.template
    lid = emit.lid(alb)
    group = _balancer_security_group(emit, alb)
    attributes = [{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": str(alb.drop_invalid_headers).lower()},  # type: ignore[attr-defined]
                  {"Key": "deletion_protection.enabled", "Value": str(alb.deletion_protection).lower()}]  # type: ignore[attr-defined]
    if alb.access_logging:  # type: ignore[attr-defined]
        bucket = t.parameter(emit.lid(alb, "LogBucket"), {
            "Type": "String", "Description": f"Existing S3 bucket that admits Elastic Load Balancing access logs of {alb.id} "
                                             "(its policy must allow the regional ELB log delivery principal)."})
        attributes += [{"Key": "access_logs.s3.enabled", "Value": "true"}, {"Key": "access_logs.s3.bucket", "Value": bucket},
                       {"Key": "access_logs.s3.prefix", "Value": f"alb/{alb.id}"}]
    t.resource(lid, "AWS::ElasticLoadBalancingV2::LoadBalancer", {
        "Type": "application", "Scheme": alb.scheme, "Subnets": emit.subnets(),  # type: ignore[attr-defined]
        "SecurityGroups": [ref(group)], "LoadBalancerAttributes": attributes})
    targets = emit.outgoing(alb, "targets")
    target = targets[0] if targets else None
    t.resource(emit.lid(alb, "TargetGroup"), "AWS::ElasticLoadBalancingV2::TargetGroup", {
        "VpcId": emit.vpc(), "TargetType": "instance",
        "Protocol": (target.protocol if target else "http").upper(), "Port": target.port if target else 80,  # type: ignore[attr-defined]
        "HealthCheckPath": "/", "HealthCheckProtocol": (target.protocol if target else "http").upper(),  # type: ignore[attr-defined]
    })
    for listener in alb.listeners:  # type: ignore[attr-defined]
        properties: Json = {"LoadBalancerArn": ref(lid), "Port": listener.port, "Protocol": listener.protocol}
        if listener.protocol == "HTTPS":
            properties.update(SslPolicy=alb.tls_policy, Certificates=[{"CertificateArn": _certificate(emit, alb)}],  # type: ignore[attr-defined]
                              DefaultActions=[{"Type": "forward", "TargetGroupArn": emit.ref(alb, "TargetGroup")}])
        elif listener.redirect_to_https:
            properties["DefaultActions"] = [{"Type": "redirect", "RedirectConfig": {
                "Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}]
        else:
            properties["DefaultActions"] = [{"Type": "forward", "TargetGroupArn": emit.ref(alb, "TargetGroup")}]
        t.resource(emit.lid(alb, f"Listener{listener.port}"), "AWS::ElasticLoadBalancingV2::Listener", properties)
    t.output(emit.lid(alb, "DnsName"), get_att(lid, "DNSName"), f"DNS name of the {alb.id} load balancer")


def emit_clb(emit: Emit, clb: Service) -> None:
    t = emit.template
    group = _balancer_security_group(emit, clb)
    targets = emit.outgoing(clb, "targets")
    instance_port = str(targets[0].port) if targets else "80"  # type: ignore[attr-defined]
    instance_protocol = targets[0].protocol.upper() if targets else "HTTP"  # type: ignore[attr-defined]
    listeners = []
    for listener in clb.listeners:  # type: ignore[attr-defined]
        body: Json = {"LoadBalancerPort": str(listener.port), "Protocol": listener.protocol,
                      "InstancePort": instance_port, "InstanceProtocol": instance_protocol}
        if listener.protocol == "HTTPS":
            body.update(SSLCertificateId=_certificate(emit, clb), PolicyNames=[f"{emit.lid(clb)}TlsPolicy"])
        listeners.append(body)
    properties: Json = {
        "Scheme": clb.scheme, "Subnets": emit.subnets(), "SecurityGroups": [ref(group)],  # type: ignore[attr-defined]
        "Listeners": listeners, "CrossZone": True,
        "HealthCheck": {"Target": f"{instance_protocol}:{instance_port}/", "HealthyThreshold": "3",
                        "UnhealthyThreshold": "5", "Interval": "30", "Timeout": "5"},
        "ConnectionDrainingPolicy": {"Enabled": clb.connection_draining, "Timeout": 300},  # type: ignore[attr-defined]
    }
    if any(listener.protocol == "HTTPS" for listener in clb.listeners):  # type: ignore[attr-defined]
        properties["Policies"] = [{"PolicyName": f"{emit.lid(clb)}TlsPolicy", "PolicyType": "SSLNegotiationPolicyType",
                                   "Attributes": [{"Name": "Reference-Security-Policy", "Value": clb.tls_policy}]}]  # type: ignore[attr-defined]
    if clb.access_logging:  # type: ignore[attr-defined]
        bucket = t.parameter(emit.lid(clb, "LogBucket"), {
            "Type": "String", "Description": f"Existing S3 bucket that admits Elastic Load Balancing access logs of {clb.id}."})
        properties["AccessLoggingPolicy"] = {"Enabled": True, "S3BucketName": bucket, "S3BucketPrefix": f"clb/{clb.id}",
                                             "EmitInterval": 60}
    t.resource(emit.lid(clb), "AWS::ElasticLoadBalancing::LoadBalancer", properties)
    t.output(emit.lid(clb, "DnsName"), get_att(emit.lid(clb), "DNSName"), f"DNS name of the {clb.id} load balancer")
