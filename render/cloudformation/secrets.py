"""Secrets: a Secrets Manager secret whose value Secrets Manager generates (never written in the template), rotated by
the function it invokes, encrypted with the AWS managed key or a customer managed key given as a parameter, and
replicated to the regions the case names. A service that reads it is allowed `secretsmanager:GetSecretValue` on that
secret only and told its ARN; archcase writes no dynamic reference that would resolve it into a service's settings."""

from __future__ import annotations

from ...models.compute import LambdaFunction
from ...models.flows import Invokes, Reads, Resolves
from ...models.identity import Secret
from .context import Context, Fragment, env_name, lid
from .marks import arn_of, emits, permits, tells
from .policy import Statement
from .template import EmitError, Json, get_att, ref, sub

ROTATION_ACTIONS = ("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage")
"""What a rotation function does to the secret it rotates (the four steps of a rotation)."""


def generated_secret(out: Fragment, logical_id: str, description: str, **properties: Json) -> str:
    """A secret whose value Secrets Manager generates: 64 letters and digits (also the AUTH token of a cache)."""
    return out.resource(logical_id, "AWS::SecretsManager::Secret", {
        "Description": description, "GenerateSecretString": {"PasswordLength": 64, "ExcludePunctuation": True}, **properties})


def key_parameter(out: Fragment, secret: Secret) -> Json:
    """The ARN of the customer managed KMS key encrypting a secret: the account's own key, given as a parameter."""
    return out.parameter(lid(secret, "KeyArn"), {
        "Type": "String", "AllowedPattern": "^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[a-f0-9-]+$",
        "Description": f"ARN of the customer managed KMS key that encrypts the {secret.id} secret."})


@emits(Secret)
def emit_secret(secret: Secret, ctx: Context) -> Fragment:
    out = Fragment(ctx=ctx)
    for resolved in ctx.graph.incoming(secret.id, Resolves):
        raise EmitError(f"flow '{resolved.key}': archcase writes no dynamic reference resolving secret '{secret.id}' into the "
                        f"settings of '{resolved.source}' (the value would stand in its configuration)", resolved.key,
                        "read the secret at run time: a `reads` flow instead of `resolves`")
    rotators = ctx.graph.outgoing(secret.id, Invokes)
    if secret.rotation and not rotators:
        raise ctx.fail(secret, "a rotated secret needs its rotation function: add an `invokes` flow from the secret to a "
                               "function, or set `rotation: false` (AC511 reports it)")
    if secret.rotation and secret.rotation_days is None:
        raise ctx.fail(secret, "archcase emits rotation schedules in days: set `rotation_days`")
    if secret.encryption == "customer-managed" and secret.replica_regions:
        raise ctx.fail(secret, "a replica is encrypted with a key of its own region, and archcase emits one key parameter: "
                               "set `encryption: aws-managed`, or remove `replica_regions`")
    if secret.resource_policy == "public":
        raise ctx.fail(secret, "archcase emits no resource policy that lets anyone read a secret (AC513): set "
                               "`resource_policy: restricted` or `none`")
    properties: Json = {}
    if secret.encryption == "customer-managed":
        properties["KmsKeyId"] = key_parameter(out, secret)
    if secret.replica_regions:
        properties["ReplicaRegions"] = [{"Region": region} for region in secret.replica_regions]
    generated_secret(out, lid(secret), f"The {secret.id} secret", **properties)
    if secret.resource_policy == "restricted":
        out.resource(lid(secret, "Policy"), "AWS::SecretsManager::ResourcePolicy", {
            "SecretId": ref(lid(secret)), "BlockPublicPolicy": True, "ResourcePolicy": {"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"AWS": sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")},
                "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}})
    if secret.rotation:
        function = ctx.service(rotators[0].target)
        permission = out.resource(lid(secret, "RotationPermission"), "AWS::Lambda::Permission", {
            "FunctionName": get_att(lid(function), "Arn"), "Action": "lambda:InvokeFunction",
            "Principal": "secretsmanager.amazonaws.com", "SourceArn": ref(lid(secret))})
        out.resource(lid(secret, "Rotation"), "AWS::SecretsManager::RotationSchedule", {
            "SecretId": ref(lid(secret)), "RotationLambdaARN": get_att(lid(function), "Arn"),
            "RotationRules": {"AutomaticallyAfterDays": secret.rotation_days}}, DependsOn=permission)
    out.output(lid(secret, "Arn"), ref(lid(secret)), f"ARN of the {secret.id} secret")
    return out


@arn_of(Secret)
def _arn(out: Fragment, secret: Secret) -> Json:
    return ref(lid(secret))  # a secret's Ref is its ARN


def _decrypt(out: Fragment, secret: Secret) -> list[Statement]:
    """Decrypting with a customer managed key needs the key's permission too (the AWS managed key's policy allows
    every principal of the account that may read the secret)."""
    return [Statement(("kms:Decrypt",), (key_parameter(out, secret),))] if secret.encryption == "customer-managed" else []


@permits((Reads, Secret))
def _reads(out: Fragment, flow: Reads, secret: Secret) -> list[Statement]:
    return [Statement(("secretsmanager:GetSecretValue",), (ref(lid(secret)),)), *_decrypt(out, secret)]


@tells((Reads, Secret))
def _told(out: Fragment, flow: Reads, secret: Secret) -> Json:
    return {env_name(secret.id, "SECRET_ARN"): ref(lid(secret))}


def rotation_statements(out: Fragment, function: LambdaFunction) -> list[Statement]:
    """What a function needs on each secret it rotates (the secrets that invoke it)."""
    statements: list[Statement] = []
    for flow in out.ctx.graph.incoming(function.id, Invokes, (Secret,)):
        secret = out.ctx.service(flow.source)
        assert isinstance(secret, Secret)
        statements.append(Statement(ROTATION_ACTIONS, (ref(lid(secret)),)))
        if secret.encryption == "customer-managed":
            statements.append(Statement(("kms:Decrypt", "kms:GenerateDataKey"), (key_parameter(out, secret),)))
    return statements
