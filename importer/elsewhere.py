"""Settings a template leaves to something outside it: the stages of an API it makes none of (access logs, tracing
and throttling are then given wherever the API is deployed: another stack, the console, a pipeline), and the sign-in
factors of a user pool whose sign-in is a custom challenge (its functions decide what a user must show).

`elsewhere` names such services, with the settings decided elsewhere; the import reads them once more with those
settings as a case file defaults them (what following the best practices gives), so a finding on them is
undecided with the reason, never a failure on a guess.
"""

from __future__ import annotations

from .template import Template

STAGE_SETTINGS: dict[str, tuple[str, ...]] = {
    "AWS::ApiGateway::RestApi": ("access_logging", "tracing"),
    "AWS::ApiGatewayV2::Api": ("access_logging", "throttle_rate_per_s", "throttle_burst"),
}
"""API types whose stages are separate resources, and the settings of the API's model its stages give."""


CUSTOM_CHALLENGE = ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")
"""The triggers of a user pool's custom authentication flow (passwordless one-time codes, passkeys, ...)."""


def elsewhere(t: Template) -> dict[str, tuple[tuple[str, ...], str]]:
    """The services of the template some of whose settings something outside it decides, by logical id: those
    settings, and why they are not known. An HTTP API made with `Target` has the `$default` stage AWS makes with it
    (auto-deployed, no access logs, no throttling): known, so not named."""
    found: dict[str, tuple[tuple[str, ...], str]] = {}
    for lid, resource in t.resources.items():
        config = resource.properties.get("LambdaConfig")
        if resource.type == "AWS::Cognito::UserPool" and isinstance(config, dict) and all(config.get(k) for k in CUSTOM_CHALLENGE):
            found[lid] = (("mfa", "password_min_length"),
                          "its sign-in is a custom challenge (LambdaConfig DefineAuthChallenge, CreateAuthChallenge, "
                          "VerifyAuthChallengeResponse): the factors a user shows are its functions' to decide")
    for lid, resource in t.resources.items():
        settings = STAGE_SETTINGS.get(resource.type)
        if settings is None or "Target" in resource.properties:
            continue
        if resource.type == "AWS::ApiGateway::RestApi":
            staged = t.owned(lid, "AWS::ApiGateway::Stage") or [
                d for d in t.owned(lid, "AWS::ApiGateway::Deployment") if d.properties.get("StageName")]
            what = "no AWS::ApiGateway::Stage, and no Deployment with a StageName"
        else:
            staged = t.owned(lid, "AWS::ApiGatewayV2::Stage")
            what = "no AWS::ApiGatewayV2::Stage, and no Target"
        if not staged:
            found[lid] = (settings, f"its stages are made outside this template ({what})")
    return found
