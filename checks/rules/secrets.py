"""Secrets: AWS Secrets Manager secrets, and how the services that use them get their values."""

from __future__ import annotations

from ...models.flows import Resolves
from ...models.graph import Graph
from ...models.identity import Secret
from ..rule import NOT_APPLICABLE, Outcome, passes_if, rule, unknown

SECRETS = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/"
MAX_ROTATION_DAYS = 90
"""The longest interval between rotations AWS Security Hub accepts by default (control SecretsManager.4)."""


@rule("AC511", severity="medium", title="Secrets are rotated automatically",
      rationale="A secret that is never rotated stays valid for as long as it exists: a copy that leaked (in a log, a "
                "laptop, a former colleague's notes) keeps working, and nobody notices.",
      remediation="Set `rotation: true` and let the secret invoke its rotation function (an `invokes` flow to a "
                  "function), or use a hosted rotation function for a database secret.",
      docs=SECRETS + "rotating-secrets.html", cdk_nag=("AwsSolutions-SMG4",))
def secret_rotated(secret: Secret, g: Graph) -> Outcome:
    return passes_if(secret.rotation, f"secret '{secret.id}' is never rotated")


@rule("AC512", severity="low", title=f"Secrets are rotated at least every {MAX_ROTATION_DAYS} days",
      rationale="Rotation limits how long a leaked value stays useful; a value that changes only a few times a year "
                "gives whoever copied it months.",
      remediation=f"Set `rotation_days` to {MAX_ROTATION_DAYS} or fewer.",
      docs=SECRETS + "rotate-secrets_schedule.html")
def secret_rotated_often(secret: Secret, g: Graph) -> Outcome:
    if not secret.rotation:
        return NOT_APPLICABLE  # AC511 says it
    if secret.rotation_days is None:
        return unknown(f"secret '{secret.id}' is rotated on a schedule whose interval in days is not known (a cron "
                       "expression, or a parameter)")
    return passes_if(secret.rotation_days <= MAX_ROTATION_DAYS,
                     f"secret '{secret.id}' is rotated only every {secret.rotation_days} days")


@rule("AC513", severity="high", title="No secret's resource policy lets anyone read it",
      rationale="A resource policy that allows `*` without a condition lets any AWS account ask for the secret; only "
                "its key policy stands between the value and the world.",
      remediation="Name the principals that need the secret in its resource policy (`resource_policy: restricted`), "
                  "or give them the permission in their own roles and remove the policy.",
      docs=SECRETS + "auth-and-access_resource-policies.html")
def secret_not_public(secret: Secret, g: Graph) -> Outcome:
    if secret.resource_policy == "none":
        return NOT_APPLICABLE
    return passes_if(secret.resource_policy != "public", f"secret '{secret.id}' has a resource policy that allows anyone")


@rule("AC514", severity="low", title="Secrets shared through a resource policy are encrypted with a customer managed key",
      rationale="A secret encrypted with the AWS managed key `aws/secretsmanager` can be decrypted only in its own "
                "account: a resource policy sharing it with another account grants access that fails, and the key's "
                "policy cannot be narrowed to the principals the secret is for.",
      remediation="Set `encryption: customer-managed` and allow the principals of the resource policy `kms:Decrypt` in "
                  "the key's policy.",
      docs=SECRETS + "auth-and-access_examples_cross.html", checkov=("CKV_AWS_149",))
def shared_secret_customer_key(secret: Secret, g: Graph) -> Outcome:
    if secret.resource_policy == "none":
        return NOT_APPLICABLE  # only the account's own roles read it: the AWS managed key serves them
    return passes_if(secret.encryption == "customer-managed",
                     f"secret '{secret.id}' is shared by a resource policy but encrypted with the AWS managed key")


@rule("AC515", severity="high", title="No secret is resolved into a function's environment or instances' user data",
      rationale="A dynamic reference (`{{resolve:secretsmanager:...}}`) in environment variables or user data writes the "
                "value itself into the configuration: anyone allowed `lambda:GetFunctionConfiguration` or "
                "`ec2:DescribeInstanceAttribute` reads it in clear text, and a rotation does not reach it until the next "
                "deployment.",
      remediation="Give the function the secret's ARN instead and read the value at run time (a `reads` flow: "
                  "`secretsmanager:GetSecretValue` on that secret only), caching it for a few minutes.",
      docs=SECRETS + "retrieving-secrets_lambda.html")
def secret_read_at_run_time(flow: Resolves, g: Graph) -> Outcome:
    where = "environment variables" if flow.into == "environment" else "user data"
    # into other settings (a database's password, a stream's access key): where dynamic references are meant to go
    return passes_if(flow.into == "settings", f"secret '{flow.target}' is resolved into the {where} of '{flow.source}', in clear text")
