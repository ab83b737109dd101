"""Deploying a case: package its handlers, then create or update its stack through a change set, reporting
stack events as they arrive, and raise with the failing resource's reason when the stack does not settle.

Credentials and Region come from the standard AWS configuration chain; the endpoint is a setting
(`--endpoint-url`, or AWS_ENDPOINT_URL), so the same code deploys to AWS or to a local emulator."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

TEMPLATE_BODY_LIMIT = 51_200
"""Largest template CloudFormation accepts inline; larger ones go through the artifact bucket."""
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]
DONE = ("CREATE_COMPLETE", "UPDATE_COMPLETE")
FAILED = ("CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "UPDATE_ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED",
          "DELETE_COMPLETE", "DELETE_FAILED")


class DeployError(RuntimeError):
    """The stack did not reach a complete state; the message names the failing resources and why."""


@dataclass
class Outcome:
    stack: str
    status: str
    changed: bool
    outputs: dict[str, str] = field(default_factory=dict)


def clients(endpoint_url: str | None, region: str | None = None) -> tuple[Any, Any]:
    """S3 and CloudFormation clients from the standard configuration chain, at `endpoint_url` if given."""
    import boto3

    session = boto3.session.Session(region_name=region)
    return (session.client("s3", endpoint_url=endpoint_url), session.client("cloudformation", endpoint_url=endpoint_url))


def deploy(cloudformation: Any, s3: Any, stack: str, template: str, bucket: str, parameters: Mapping[str, str],
           on_event: Callable[[dict[str, Any]], None] = lambda _e: None, poll_s: float = 2.0, timeout_s: float = 3600) -> Outcome:
    """Create or update `stack` from `template` through a change set and wait until it settles."""
    exists = _status(cloudformation, stack) not in (None, "REVIEW_IN_PROGRESS")
    source: dict[str, str] = {"TemplateBody": template}
    if len(template.encode()) > TEMPLATE_BODY_LIMIT:
        key = f"templates/{stack}.yaml"
        s3.put_object(Bucket=bucket, Key=key, Body=template.encode())
        source = {"TemplateURL": f"https://{bucket}.s3.amazonaws.com/{key}"}
    name = f"archcase-{int(time.time())}"
    seen = {e["EventId"] for e in _events(cloudformation, stack)} if exists else set()
    change_set = cloudformation.create_change_set(
        StackName=stack, ChangeSetName=name, ChangeSetType="UPDATE" if exists else "CREATE", Capabilities=CAPABILITIES,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in sorted(parameters.items())], **source)
    described = _wait_for_change_set(cloudformation, change_set["Id"], poll_s, timeout_s)
    if described["Status"] == "FAILED":
        reason = described.get("StatusReason", "")
        if "didn't contain changes" in reason or "No updates" in reason:
            cloudformation.delete_change_set(ChangeSetName=change_set["Id"])
            return Outcome(stack, _status(cloudformation, stack) or "", False, _outputs(cloudformation, stack))
        raise DeployError(f"change set for {stack} failed: {reason}")
    cloudformation.execute_change_set(ChangeSetName=change_set["Id"])
    deadline = time.monotonic() + timeout_s
    while True:
        for event in reversed(_events(cloudformation, stack)):
            if event["EventId"] not in seen:
                seen.add(event["EventId"])
                on_event(event)
        status = _status(cloudformation, stack) or ""
        if status in DONE:
            return Outcome(stack, status, True, _outputs(cloudformation, stack))
        if status in FAILED:
            raise DeployError(f"stack {stack} ended {status}: " + "; ".join(_failures(cloudformation, stack)))
        if time.monotonic() > deadline:
            raise DeployError(f"stack {stack} still {status} after {timeout_s:.0f} s")
        time.sleep(poll_s)


def _wait_for_change_set(cloudformation: Any, change_set: str, poll_s: float, timeout_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        described: dict[str, Any] = cloudformation.describe_change_set(ChangeSetName=change_set)
        if described["Status"] in ("CREATE_COMPLETE", "FAILED"):
            return described
        if time.monotonic() > deadline:
            raise DeployError(f"change set still {described['Status']} after {timeout_s:.0f} s")
        time.sleep(poll_s)


def _status(cloudformation: Any, stack: str) -> str | None:
    from botocore.exceptions import ClientError

    try:
        stacks = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            return None
        raise
    return stacks[0]["StackStatus"] if stacks else None


def _events(cloudformation: Any, stack: str) -> list[dict[str, Any]]:
    """Stack events, newest first (as CloudFormation returns them)."""
    from botocore.exceptions import ClientError

    try:
        return list(cloudformation.describe_stack_events(StackName=stack)["StackEvents"])
    except ClientError:
        return []


def _failures(cloudformation: Any, stack: str) -> list[str]:
    failed = [e for e in reversed(_events(cloudformation, stack)) if e.get("ResourceStatus", "").endswith("_FAILED")]
    return [f"{e['LogicalResourceId']} ({e.get('ResourceType', '')}): {e.get('ResourceStatusReason', 'no reason given')}"
            for e in failed] or ["no resource reported a failure"]


def _outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    stacks = cloudformation.describe_stacks(StackName=stack)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])} if stacks else {}


def describe(event: Mapping[str, Any]) -> str:
    """One line per stack event: time, status, resource, reason."""
    stamp: Any = event.get("Timestamp")  # a datetime from boto3
    when = stamp.strftime("%H:%M:%S") if hasattr(stamp, "strftime") else ""
    reason = f"  {event['ResourceStatusReason']}" if event.get("ResourceStatusReason") else ""
    return f"{when} {event.get('ResourceStatus', ''):<22} {event.get('LogicalResourceId', '')} ({event.get('ResourceType', '')}){reason}"
