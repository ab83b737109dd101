"""APIs whose stages the template does not make: the settings of a stage (access logs, tracing, throttling) are
then given wherever the API is deployed (another stack, the console, a pipeline), not known from this template.

`unstaged` names such APIs, with the settings a stage would decide; the import reads them once more with those
settings as a case file defaults them (what a deployment following the best practices gives), so a finding on
them is undecided with the reason, never a failure on a guess.
"""

from __future__ import annotations

from .template import Template

STAGE_SETTINGS: dict[str, tuple[str, ...]] = {
    "AWS::ApiGateway::RestApi": ("access_logging", "tracing"),
    "AWS::ApiGatewayV2::Api": ("access_logging", "throttle_rate_per_s", "throttle_burst"),
}
"""API types whose stages are separate resources, and the settings of the API's model its stages give."""


def unstaged(t: Template) -> dict[str, tuple[tuple[str, ...], str]]:
    """The APIs of the template no stage of which it makes, by logical id: the settings their stages decide,
    and why they are not known. An HTTP API made with `Target` has the `$default` stage AWS makes with it
    (auto-deployed, no access logs, no throttling): known, so not named."""
    found = {}
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
