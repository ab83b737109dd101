"""Identity: Cognito user pools, identity pools and STS."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .base import Service


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
