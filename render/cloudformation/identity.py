"""Cognito user pools (with an app client), identity pools with an authenticated role whose permissions come
from the pool's `grants` flows, scoped to each user's own prefix or partition key."""

from __future__ import annotations

from ...models.flows import Federates, Grants
from ...models.identity import CognitoIdentityPool, CognitoUserPool
from . import iam
from .context import Context, Fragment, att_of, lid, ref_of
from .marks import emits
from .policy import Statement
from .template import Json, get_att, sub


@emits(CognitoUserPool)
def emit_user_pool(pool: CognitoUserPool, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    properties: Json = {
        "UserPoolName": sub(f"${{AWS::StackName}}-{pool.id}"),
        "UsernameAttributes": ["email"],
        "AutoVerifiedAttributes": ["email"],
        "MfaConfiguration": {"off": "OFF", "optional": "OPTIONAL", "on": "ON"}[pool.mfa],
        "Policies": {"PasswordPolicy": {"MinimumLength": pool.password_min_length, "RequireLowercase": True,
                                        "RequireUppercase": True, "RequireNumbers": True, "RequireSymbols": True,
                                        "TemporaryPasswordValidityDays": 3}},
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": not pool.self_sign_up},
        "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
        "DeletionProtection": "ACTIVE" if pool.deletion_protection else "INACTIVE",
    }
    if pool.mfa != "off":
        properties["EnabledMfas"] = ["SOFTWARE_TOKEN_MFA"]
    if pool.advanced_security:
        properties["UserPoolAddOns"] = {"AdvancedSecurityMode": "ENFORCED"}
    out.resource(lid(pool), "AWS::Cognito::UserPool", properties, DeletionPolicy="Retain", UpdateReplacePolicy="Retain")
    out.resource(lid(pool, "Client"), "AWS::Cognito::UserPoolClient", {
        "UserPoolId": ref_of(pool),
        "ClientName": f"{pool.id}-app",
        "GenerateSecret": False,
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "PreventUserExistenceErrors": "ENABLED",
        "EnableTokenRevocation": True,
        "AccessTokenValidity": 60, "IdTokenValidity": 60, "RefreshTokenValidity": 30,
        "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
    })
    out.output(lid(pool, "Id"), ref_of(pool), f"Id of the {pool.id} user pool")
    out.output(lid(pool, "ClientId"), ref_of(pool, "Client"), f"App client id of the {pool.id} user pool")
    return out


@emits(CognitoIdentityPool)
def emit_identity_pool(pool: CognitoIdentityPool, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    providers = [{"ClientId": ref_of(f.target, "Client"), "ProviderName": att_of(f.target, "ProviderName"),
                  "ServerSideTokenCheck": True} for f in ctx.graph.outgoing(pool.id, Federates, to=CognitoUserPool)]
    out.resource(lid(pool), "AWS::Cognito::IdentityPool", {
        "AllowUnauthenticatedIdentities": pool.allow_unauthenticated,
        "AllowClassicFlow": pool.classic_flow,
        "CognitoIdentityProviders": providers,
    })
    def trust(amr: str) -> Json:
        return {"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": ref_of(pool)},
                              "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr}}}

    role_id = lid(pool, "AuthenticatedRole")
    out.resource(role_id, "AWS::IAM::Role", {
        "Description": f"Signed-in users of {pool.id}: each reaches only their own data.",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust("authenticated")]}})
    statements: list[Statement] = []
    for flow in ctx.graph.outgoing(pool.id, Grants):
        statements += out.permissions(flow)
    if statements:
        iam.policy(out, role_id, statements)
    roles = {"authenticated": get_att(role_id, "Arn")}
    if pool.allow_unauthenticated:  # guests get credentials only through a role of their own: one allowed nothing
        out.resource(lid(pool, "GuestRole"), "AWS::IAM::Role", {
            "Description": f"Guests of {pool.id}: allowed nothing until a policy says what.",
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [trust("unauthenticated")]}})
        roles["unauthenticated"] = get_att(lid(pool, "GuestRole"), "Arn")
    out.resource(lid(pool, "Roles"), "AWS::Cognito::IdentityPoolRoleAttachment", {"IdentityPoolId": ref_of(pool), "Roles": roles})
    out.output(lid(pool, "Id"), ref_of(pool), f"Id of the {pool.id} identity pool")
    return out
