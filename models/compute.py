"""Compute: Lambda functions and EC2 Auto Scaling groups."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from .base import Service

Runtime = Literal["python3.13", "python3.12", "python3.11", "python3.10", "python3.9", "python3.8"]
"""Python runtimes; deprecated ones are accepted so existing functions can be described (checks flag them)."""


class LambdaFunction(Service):
    """An AWS Lambda function running a bundled handler from `handlers/`."""

    group: ClassVar[str] = "compute"
    kind: Literal["lambda"] = "lambda"

    handler: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$")]
    """Python handler as `module.function`, relative to the handler's folder in `handlers/`
    (for example `todo_api.app.handler`: folder `handlers/todo_api`, module `app`, function `handler`)."""
    runtime: Runtime = "python3.12"
    """Lambda runtime identifier."""
    architecture: Literal["arm64", "x86_64"] = "arm64"
    """Instruction set the function runs on."""
    memory_mb: Annotated[int, Field(ge=128, le=10240)] = 256
    """Memory size in MB (128 to 10240)."""
    timeout_s: Annotated[int, Field(ge=1, le=900)] = 10
    """Timeout in seconds (1 to 900)."""
    reserved_concurrency: Annotated[int, Field(ge=0)] | None = None
    """Reserved concurrent executions; unset means the account's unreserved pool."""
    tracing: bool = True
    """Enable AWS X-Ray active tracing."""
    in_vpc: bool = False
    """Attach the function to the VPC (needed to reach a DAX cluster)."""
    log_retention_days: Annotated[int, Field(ge=1)] = 30
    """How long the function's CloudWatch logs are kept."""
    environment: dict[str, str] = {}
    """Extra environment variables (names of reached resources are added by the emitter)."""

    @property
    def handler_package(self) -> str:
        """Folder name under `handlers/` that holds this function's code."""
        return self.handler.split(".", 1)[0]


class AutoScalingGroup(Service):
    """An EC2 Auto Scaling group running an existing (non-serverless) application."""

    group: ClassVar[str] = "compute"
    kind: Literal["autoscaling-group"] = "autoscaling-group"

    instance_type: str = "t3.micro"
    """EC2 instance type."""
    min_size: Annotated[int, Field(ge=0)] = 2
    """Minimum number of instances."""
    max_size: Annotated[int, Field(ge=1)] = 6
    """Maximum number of instances."""
    availability_zones: Annotated[int, Field(ge=1, le=6)] = 2
    """Number of Availability Zones the group spans."""
    imdsv2_required: bool = True
    """Require IMDSv2 session tokens for instance metadata."""
    ebs_encrypted: bool = True
    """Encrypt the instances' EBS volumes."""
    serves: Literal["dynamic", "static"] = "dynamic"
    """What the instances serve: `static` means files that rarely or never change (cacheable at the edge)."""
