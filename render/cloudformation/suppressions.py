"""checkov checks that generated templates fail on purpose, each with its reason, written into the failing
resource's `Metadata` (where checkov reads skips). Kept in one table so every exception is visible and
reviewed in one place; each applies only to resources the predicate picks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .template import Json


@dataclass(frozen=True)
class Suppression:
    type: str
    check: str
    reason: str
    applies: Callable[[str, Json], bool] = lambda _lid, _resource: True


def _props(resource: Json) -> Json:
    properties: Json = resource.get("Properties", {})
    return properties


SUPPRESSIONS: tuple[Suppression, ...] = (
    Suppression("AWS::Lambda::Function", "CKV_AWS_115",
                "Reserved concurrency is a capacity decision made per function in the case (reserved_concurrency); "
                "reserving by default would take capacity from the account's shared pool.",
                lambda _l, r: "ReservedConcurrentExecutions" not in _props(r)),
    Suppression("AWS::Lambda::Function", "CKV_AWS_116",
                "Not invoked asynchronously: failures of API calls return to the caller, and failed queue or stream "
                "batches go to the queue's redrive policy or the event source mapping's on-failure destination.",
                lambda _l, r: "DeadLetterConfig" not in _props(r)),
    Suppression("AWS::Lambda::Function", "CKV_AWS_117",
                "Reaches only AWS APIs over HTTPS with IAM authorization; VPC placement would add NAT cost and cold "
                "starts without narrowing access. Functions that reach VPC resources (DAX) set in_vpc in the case.",
                lambda _l, r: "VpcConfig" not in _props(r)),
    Suppression("AWS::Lambda::Function", "CKV_AWS_173",
                "Environment variables hold resource names and ARNs only, never secrets (signing keys stay in SSM "
                "Parameter Store); Lambda encrypts them at rest with the AWS managed key."),
    Suppression("AWS::Logs::LogGroup", "CKV_AWS_158",
                "CloudWatch Logs encrypts every log group at rest; a customer-managed KMS key needs a key policy for "
                "the Region's logs service principal, an account-level choice archcase does not make per case."),
    Suppression("AWS::DynamoDB::Table", "CKV_AWS_119",
                "Encrypted with the AWS managed key (encryption: aws-managed in the case); a customer-managed key is "
                "a case setting (encryption: customer-managed) for data that needs its own key policy.",
                lambda _l, r: _props(r).get("SSESpecification", {}).get("SSEType") != "KMS"
                or "KMSMasterKeyId" not in _props(r).get("SSESpecification", {})),
    Suppression("AWS::SQS::Queue", "CKV_AWS_27",
                "Encrypted with SQS-managed keys (SSE-SQS, SqsManagedSseEnabled: true), which this check does not "
                "recognise.", lambda _l, r: _props(r).get("SqsManagedSseEnabled") is True),
    Suppression("AWS::ApiGateway::Stage", "CKV_AWS_120",
                "Response caching is enabled where the case marks the API read-heavy (a stage cache); caching "
                "write-heavy or per-user responses would serve stale or other users' data.",
                lambda _l, r: not _props(r).get("CacheClusterEnabled")),
    Suppression("AWS::CloudFront::Distribution", "CKV_AWS_174",
                "The minimum TLS version (min_tls, TLS 1.2 by default) applies with the custom-domain certificate "
                "parameters; without them the default *.cloudfront.net certificate is used, for test environments."),
    Suppression("AWS::CloudFront::Distribution", "CKV_AWS_68",
                "AWS WAF is opt-in per distribution in the case (waf: true adds a web ACL parameter); a web ACL is "
                "account-specific and lives in us-east-1.",
                lambda _l, r: "WebACLId" not in _props(r).get("DistributionConfig", {})),
    Suppression("AWS::S3::Bucket", "CKV_AWS_18",
                "This is the access-log bucket: logging it into itself would loop.",
                lambda lid, _r: lid == "AccessLogs"),
)


def apply(document: Json) -> None:
    """Write the applicable suppressions into each resource's `Metadata.checkov.skip`."""
    for lid, resource in document.get("Resources", {}).items():
        skip = [{"id": s.check, "comment": s.reason} for s in SUPPRESSIONS
                if s.type == resource["Type"] and s.applies(lid, resource)]
        if not skip:
            continue
        metadata = {**resource.get("Metadata", {}), "checkov": {"skip": skip}}
        ordered = {key: value for key, value in resource.items() if key in ("Type", "Condition", "DependsOn")}
        ordered["Metadata"] = metadata
        ordered.update((key, value) for key, value in resource.items() if key not in ordered)
        resource.clear()
        resource.update(ordered)
