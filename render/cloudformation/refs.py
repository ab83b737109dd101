"""How a template refers to each kind of service: its ARN, and what a function is told about it."""

from __future__ import annotations

from ...models import Service
from ...models.text import sub_literal
from .context import Emit
from .template import Json, get_att, ref, sub


def bucket_name(emit: Emit, bucket: Service) -> Json:
    return sub(emit.physical_name(bucket))


def bucket_arn(emit: Emit, bucket: Service, path: str = "") -> Json:
    """ARN of a bucket (or of objects under it, with `path` such as `/uploads/*`), built from its name so that
    it can be used before the bucket exists."""
    return sub(f"arn:${{AWS::Partition}}:s3:::{emit.physical_name(bucket)}{path}")


def arn(emit: Emit, service: Service) -> Json:
    """ARN of a service's main resource."""
    lid = emit.lid(service)
    kind = service.kind  # type: ignore[attr-defined]
    if kind == "s3":
        return bucket_arn(emit, service)
    if kind == "sns":
        return ref(lid)
    if kind == "ses":
        return sub(f"arn:${{AWS::Partition}}:ses:${{AWS::Region}}:${{AWS::AccountId}}:identity/{sub_literal(service.identity)}")  # type: ignore[attr-defined]
    if kind == "athena":
        return sub(f"arn:${{AWS::Partition}}:athena:${{AWS::Region}}:${{AWS::AccountId}}:workgroup/${{{lid}}}")
    return get_att(lid, "Arn")


def ssm_parameter_arn(parameter: str) -> Json:
    """ARN of the SSM parameter whose name is in the template parameter `parameter` (names start with `/`)."""
    return sub(f"arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter${{{parameter}}}")


def sender(emit: Emit, identity: Service) -> Json:
    """The From address for an SES identity: the address itself, or no-reply@ a domain identity (written as a
    reference to the identity, so the template says which identity a function sends from)."""
    if "@" in identity.identity:  # type: ignore[attr-defined]
        return emit.ref(identity)
    return sub(f"no-reply@${{{emit.lid(identity)}}}")
