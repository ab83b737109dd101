"""Identity: Cognito user pools, identity pools, and users' direct access to AWS resources."""

from __future__ import annotations

from ...models.flows import AssumesRole, Federates, Grants, Reads, Writes
from ...models.graph import Graph
from ...models.services import (
    Browser,
    CognitoIdentityPool,
    CognitoUserPool,
    DynamoDbTable,
    IotDevice,
    MobileApp,
    S3Bucket,
    Sts,
)
from ..rule import NOT_APPLICABLE, Outcome, fail, passes_if, rule

COGNITO = "https://docs.aws.amazon.com/cognito/latest/developerguide/"


@rule("AC501", severity="medium", title="User pool passwords are at least 8 characters",
      rationale="Short passwords fall to guessing and credential stuffing.",
      remediation="Set `password_min_length: 12` (8 at the very least).",
      docs=COGNITO + "user-pool-settings-policies.html", cdk_nag=("AwsSolutions-COG1",))
def password_policy(pool: CognitoUserPool, g: Graph) -> Outcome:
    return passes_if(pool.password_min_length >= 8, f"user pool '{pool.id}' accepts {pool.password_min_length}-character passwords")


@rule("AC502", severity="medium", title="User pools offer multi-factor authentication",
      rationale="MFA stops an attacker who has a user's password.",
      remediation="Set `mfa: optional` or `on`.",
      docs=COGNITO + "user-pool-settings-mfa.html", cdk_nag=("AwsSolutions-COG2",))
def mfa(pool: CognitoUserPool, g: Graph) -> Outcome:
    return passes_if(pool.mfa != "off", f"user pool '{pool.id}' has MFA off")


@rule("AC503", severity="low", title="User pools use threat protection",
      rationale="Threat protection blocks sign-ins with compromised credentials and adapts to risky sign-ins.",
      remediation="Set `advanced_security: true`.",
      docs=COGNITO + "cognito-user-pool-settings-threat-protection.html", cdk_nag=("AwsSolutions-COG3",))
def advanced_security(pool: CognitoUserPool, g: Graph) -> Outcome:
    return passes_if(pool.advanced_security, f"user pool '{pool.id}' has no threat protection")


@rule("AC504", severity="high", title="Identity pools give credentials only to signed-in users",
      rationale="Guest access hands AWS credentials to anyone who asks.",
      remediation="Set `allow_unauthenticated: false`.",
      docs=COGNITO + "identity-pools.html", cdk_nag=("AwsSolutions-COG7",))
def no_guest_credentials(pool: CognitoIdentityPool, g: Graph) -> Outcome:
    return passes_if(not pool.allow_unauthenticated, f"identity pool '{pool.id}' gives credentials to guests")


@rule("AC505", severity="medium", title="Identity pools use the enhanced flow only",
      rationale="The basic (classic) flow lets clients ask for any role the pool trusts; the enhanced flow does not.",
      remediation="Set `classic_flow: false`.",
      docs=COGNITO + "authentication-flow.html")
def enhanced_flow(pool: CognitoIdentityPool, g: Graph) -> Outcome:
    return passes_if(not pool.classic_flow, f"identity pool '{pool.id}' allows the basic authentication flow")


@rule("AC506", severity="high",
      title="Identity pools federate a managed user pool and get credentials from STS",
      rationale="""Users should authenticate through a managed service: the identity pool trusts the Cognito
      user pool's tokens and exchanges them for temporary STS credentials, never long-lived keys.""",
      remediation="Add `federates` to the user pool and `assumes-role` to STS from the identity pool.",
      docs=COGNITO + "iam-roles.html")
def identity_pool_chain(pool: CognitoIdentityPool, g: Graph) -> Outcome:
    signs_in = g.outgoing(pool.id, Federates, to=CognitoUserPool)
    # a pool only guests use (browser telemetry for CloudWatch RUM, say) has no user pool to trust: AC504 judges its guests
    guests_only = pool.allow_unauthenticated and not g.outgoing(pool.id, Federates)
    missing = [what for what, flows in (("trusts no user pool", signs_in or guests_only),
                                        ("gets no temporary credentials from STS", g.outgoing(pool.id, AssumesRole, to=Sts)))
               if not flows]
    return passes_if(not missing, f"identity pool '{pool.id}' {' and '.join(missing)}")


def _direct_access(client: MobileApp | Browser | IotDevice, g: Graph, store_class: type[S3Bucket | DynamoDbTable]) -> Outcome:
    stores = sorted({f.target for f in g.outgoing(client.id, to=store_class) if isinstance(f, (Reads, Writes))})
    if not stores:
        return NOT_APPLICABLE
    pools = [f.target for f in g.outgoing(client.id, Federates, to=CognitoIdentityPool)]
    problems = []
    for store in stores:
        grants = [f for pool in pools for f in g.outgoing(pool, Grants) if f.target == store]
        if not grants:
            problems.append(f"'{store}' without temporary credentials from an identity pool")
        elif any(f.scope != "user" for f in grants):
            problems.append(f"'{store}' with credentials not scoped to the user")
    return passes_if(not problems, f"'{client.id}' reaches {'; '.join(problems)}")


@rule("AC507", severity="critical",
      title="Users reach S3 directly only with identity-pool credentials scoped to their own prefix",
      rationale="""Users may interact with their own folder in S3 directly, with temporary credentials from a
      Cognito identity pool whose role allows only `<bucket>/${cognito-identity.amazonaws.com:sub}/*`. A shared
      key or a bucket-wide grant lets every user read everyone's files.""",
      remediation="Federate the client with an identity pool that `grants` the bucket with `scope: user`.",
      docs="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_s3_cognito-bucket.html")
def direct_s3_access_scoped(client: MobileApp | Browser | IotDevice, g: Graph) -> Outcome:
    return _direct_access(client, g, S3Bucket)


@rule("AC508", severity="critical",
      title="Users reach DynamoDB directly only with credentials limited to their own items",
      rationale="""Direct DynamoDB access from an app must carry a `dynamodb:LeadingKeys` condition on the user's
      identity, so each user reads and writes only items under their own partition key.""",
      remediation="Federate the client with an identity pool that `grants` the table with `scope: user`.",
      docs="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html")
def direct_ddb_access_scoped(client: MobileApp | Browser | IotDevice, g: Graph) -> Outcome:
    return _direct_access(client, g, DynamoDbTable)


@rule("AC509", severity="high", title="Identity pool grants are scoped to the user",
      rationale="A grant over a whole bucket or table gives every signed-in user everyone's data.",
      remediation="Set `scope: user` on the grant.",
      docs=COGNITO + "iam-roles.html",
      outside="whether the granted data is kept per user (a table of shared figures needs no per-user scope)")
def grant_scoped(flow: Grants, g: Graph) -> Outcome:
    if not isinstance(g.target(flow), S3Bucket | DynamoDbTable):
        return NOT_APPLICABLE  # an API or a stream: what each user may do there is the service's to decide
    return passes_if(flow.scope == "user", f"identity pool '{flow.source}' grants all of '{flow.target}' to every user")


@rule("AC510", severity="medium", title="Per-user folders are reached with user-scoped credentials",
      rationale="A bucket of per-user folders must be reached through grants scoped to each user's own prefix.",
      remediation="Grant the bucket from an identity pool with `scope: user`, and have clients federate with it.",
      docs="https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_examples_s3_cognito-bucket.html")
def per_user_prefix_granted(bucket: S3Bucket, g: Graph) -> Outcome:
    if not bucket.per_user_prefixes:
        return NOT_APPLICABLE
    grants = g.incoming(bucket.id, Grants)
    if not grants:
        return fail(f"bucket '{bucket.id}' has per-user folders but no identity pool grants access to them")
    return passes_if(all(f.scope == "user" for f in grants), f"bucket '{bucket.id}' is granted beyond each user's folder")
