"""Identity and secrets: Cognito user pools, identity pools, STS and Secrets Manager secrets."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import Service
from .data import Region


class CognitoUserPool(Service):
    """A Cognito user pool: the managed directory users sign in to."""

    kind: Literal["cognito-user-pool"] = "cognito-user-pool"

    mfa: Literal["off", "optional", "on"] = "optional"
    """Multi-factor authentication setting."""
    password_min_length: Annotated[int, Field(ge=6, le=99)] = 12
    """Minimum password length."""
    advanced_security: bool = True
    """Enable threat protection (compromised credentials, adaptive authentication)."""
    self_sign_up: bool = True
    """Let users create their own accounts."""
    deletion_protection: bool = True
    """Refuse deletion while enabled."""


class CognitoIdentityPool(Service):
    """A Cognito identity pool: exchanges user-pool tokens for temporary AWS credentials from STS."""

    kind: Literal["cognito-identity-pool"] = "cognito-identity-pool"

    allow_unauthenticated: bool = False
    """Hand out credentials to guests who have not signed in."""
    classic_flow: bool = False
    """Allow the basic (classic) authentication flow."""


class Sts(Service):
    """AWS Security Token Service, issuing temporary credentials."""

    kind: Literal["sts"] = "sts"

    session_duration_s: Annotated[int, Field(ge=900, le=43200)] = 3600
    """Lifetime of issued credentials, in seconds."""


DEFAULT_ROTATION_DAYS = 30


class Secret(Service):
    """An AWS Secrets Manager secret: a credential or key that services read at run time (`reads`), that
    CloudFormation resolves into another resource's settings when it deploys (`resolves`), and that the function it
    `invokes` rotates on a schedule."""

    kind: Literal["secret"] = "secret"

    rotation: bool = True
    """Secrets Manager replaces the value on a schedule (a rotation schedule: through the function the secret
    invokes, or a hosted rotation function)."""
    rotation_days: Annotated[int, Field(ge=1, le=1000)] | None = DEFAULT_ROTATION_DAYS
    """Days between rotations (`AutomaticallyAfterDays`, or a `rate(N days)` schedule). Null: the secret is not
    rotated (filled in when `rotation` is false), or its schedule is a cron expression, not a number of days."""
    encryption: Literal["aws-managed", "customer-managed"] = "aws-managed"
    """The KMS key that encrypts the value: the AWS managed key `aws/secretsmanager`, or a customer managed key
    (which other accounts can be allowed to use: needed to share the secret across accounts)."""
    resource_policy: Literal["none", "restricted", "public"] = "none"
    """A resource policy on the secret: none, one that allows named principals only, or one that allows anyone
    (`Principal: "*"` without a condition)."""
    replica_regions: list[Region] = []
    """Further regions the secret is replicated to (`ReplicaRegions`), each replica rotated with the primary."""

    @model_validator(mode="before")
    @classmethod
    def _no_interval_without_rotation(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("rotation") is False and "rotation_days" not in data:
            return {**data, "rotation_days": None}
        return data

    @model_validator(mode="after")
    def _settings_agree(self) -> Secret:
        if not self.rotation and self.rotation_days is not None:
            raise ValueError("rotation_days is how often the secret is rotated, and rotation is false: "
                             "leave rotation_days out, or set rotation: true")
        if len(set(self.replica_regions)) != len(self.replica_regions):
            raise ValueError("replica_regions lists a region twice")
        return self
