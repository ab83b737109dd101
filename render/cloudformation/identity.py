"""Cognito user pools (with an app client), identity pools with an authenticated role whose permissions come
from the pool's `grants` flows, scoped to each user's own prefix or partition key."""

from __future__ import annotations

from ...models import Service
from . import iam
from .context import Emit
from .refs import bucket_arn
from .template import Json, get_att, ref, sub

USER = "${cognito-identity.amazonaws.com:sub}"
"""The IAM policy variable holding the caller's identity id."""


def emit_user_pool(emit: Emit, pool: Service) -> None:
    t = emit.template
    properties: Json = {
        "UserPoolName": sub(f"${{AWS::StackName}}-{pool.id}"),
        "UsernameAttributes": ["email"],
        "AutoVerifiedAttributes": ["email"],
        "MfaConfiguration": {"off": "OFF", "optional": "OPTIONAL", "on": "ON"}[pool.mfa],  # type: ignore[attr-defined]
        "Policies": {"PasswordPolicy": {"MinimumLength": pool.password_min_length, "RequireLowercase": True,  # type: ignore[attr-defined]
                                        "RequireUppercase": True, "RequireNumbers": True, "RequireSymbols": True,
                                        "TemporaryPasswordValidityDays": 3}},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": not pool.self_sign_up},  # type: ignore[attr-defined]
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        "DeletionProtection": "ACTIVE" if pool.deletion_protection else "INACTIVE",  # type: ignore[attr-defined]
    }
    if pool.mfa != "off":  # type: ignore[attr-defined]
        properties["EnabledMfas"] = ["SOFTWARE_TOKEN_MFA"]
    if pool.advanced_security:  # type: ignore[attr-defined]
        properties["UserPoolAddOns"] = {"AdvancedSecurityMode": "ENFORCED"}
    t.resource(emit.lid(pool), "AWS::Cognito::UserPool", properties, DeletionPolicy="Retain", UpdateReplacePolicy="Retain")
    t.resource(emit.lid(pool, "Client"), "AWS::Cognito::UserPoolClient", {
        "UserPoolId": emit.ref(pool),
        "ClientName": f"{pool.id}-app",
        "GenerateSecret": False,
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        "AccessTokenValidity": 60, "IdTokenValidity": 60, "RefreshTokenValidity": 30,
        "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
    })
    t.output(emit.lid(pool, "Id"), emit.ref(pool), f"Id of the {pool.id} user pool")
    t.output(emit.lid(pool, "ClientId"), emit.ref(pool, "Client"), f"App client id of the {pool.id} user pool")


def emit_identity_pool(emit: Emit, pool: Service) -> None:
    t = emit.template
    providers = [{"ClientId": emit.ref(f.target, "Client"), "ProviderName": emit.get_att(f.target, "ProviderName"),
                  "ServerSideTokenCheck": True} for f in emit.outgoing(pool, "federates", "cognito-user-pool")]
    t.resource(emit.lid(pool), "AWS::Cognito::IdentityPool", {
        "AllowUnauthenticatedIdentities": pool.allow_unauthenticated,  # type: ignore[attr-defined]
        "AllowClassicFlow": pool.classic_flow,  # type: ignore[attr-defined]
        "CognitoIdentityProviders": providers,
    })
    trust = {"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
             "Action": "sts:AssumeRoleWithWebIdentity",
             "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": emit.ref(pool)},
                           "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}}
    role_id = emit.lid(pool, "AuthenticatedRole")
    t.resource(role_id, "AWS::IAM::Role", {
        "Description": f"Signed-in users of {pool.id}: each reaches only their own data.",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust]}})
    statements: list[iam.Statement] = []
    for flow in emit.outgoing(pool, "grants"):
        statements += _grant(emit, flow)
    if statements:
        t.resource(f"{role_id}Policy", "AWS::IAM::Policy", {"PolicyName": f"{role_id}Policy", "Roles": [ref(role_id)],
                                                             "PolicyDocument": iam.document(statements)})
    t.resource(emit.lid(pool, "Roles"), "AWS::Cognito::IdentityPoolRoleAttachment", {
        "IdentityPoolId": emit.ref(pool), "Roles": {"authenticated": get_att(role_id, "Arn")}})
    t.output(emit.lid(pool, "Id"), emit.ref(pool), f"Id of the {pool.id} identity pool")


def _grant(emit: Emit, flow: object) -> list[iam.Statement]:
    target = emit.service(flow.target)  # type: ignore[attr-defined]
    actions: list[str] = list(flow.actions)  # type: ignore[attr-defined]
    per_user = flow.scope == "user"  # type: ignore[attr-defined]
    if target.kind == "s3":  # type: ignore[attr-defined]
        bucket_actions = [a for a in actions if a in ("s3:ListBucket", "s3:ListBucketVersions")]
        object_actions = [a for a in actions if a not in bucket_actions]
        statements = []
        if object_actions:
            own = "/${!cognito-identity.amazonaws.com:sub}/*" if per_user else "/*"  # `${!` is a literal `${` in Fn::Sub
            statements.append(iam.Statement(tuple(object_actions), (bucket_arn(emit, target, own),)))
        if bucket_actions:
            condition = {"StringLike": {"s3:prefix": [f"{USER}/*"]}} if per_user else None
            statements.append(iam.Statement(tuple(bucket_actions), (bucket_arn(emit, target),), condition))
        return statements
    condition = {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [USER]}} if per_user else None
    return [iam.Statement(tuple(actions), (get_att(emit.lid(target), "Arn"),), condition)]
