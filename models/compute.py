"""Compute: Lambda functions, EC2 Auto Scaling groups, EC2 instances and ECS services."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from . import catalogue
from .base import BroadPermission, Service, did_you_mean

PYTHON_RUNTIMES = ("python3.14", "python3.13", "python3.12", "python3.11", "python3.10", "python3.9", "python3.8")
Runtime = Literal[
    "python3.14", "python3.13", "python3.12", "python3.11", "python3.10", "python3.9", "python3.8", "python3.7",
    "python3.6",
    "python2.7", "nodejs24.x", "nodejs22.x", "nodejs20.x", "nodejs18.x", "nodejs16.x", "nodejs14.x", "nodejs12.x", "nodejs10.x",
    "nodejs8.10", "nodejs6.10", "nodejs4.3", "nodejs", "java21", "java17", "java11", "java8.al2", "java8",
    "dotnet8", "dotnet6", "dotnetcore3.1", "dotnetcore2.1", "ruby3.4", "ruby3.3", "ruby3.2", "ruby2.7", "ruby2.5",
    "go1.x", "provided.al2023", "provided.al2", "provided",
]
"""Lambda runtime identifiers. archcase emits and packages Python handlers; the others describe imported
functions. Deprecated runtimes are accepted so existing functions can be described (checks flag them)."""
PYTHON_HANDLER = r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)+$"
"""A bundled Python handler path: `package.module.function`."""
RetentionDays = Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
                        3653]
"""The retention periods CloudWatch Logs accepts, in days."""
ENVIRONMENT_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9_]+")
"""What Lambda accepts as an environment variable name (`[a-zA-Z]([a-zA-Z0-9_])+`: two characters at least)."""
RESERVED_ENVIRONMENT = frozenset({
    "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
})
"""Environment variables the Lambda runtime sets itself and refuses in a function's configuration (Lambda
Developer Guide, "Defined runtime environment variables")."""
ENVIRONMENT_BYTES = 4096
"""Lambda's limit on a function's environment variables: 4 KB, names and values together."""


class LambdaFunction(Service):
    """An AWS Lambda function running a bundled handler from `handlers/`."""

    kind: Literal["lambda"] = "lambda"

    handler: Annotated[str, Field(pattern=r"^\S{1,128}$")] | None
    """Python handler as `module.function`, relative to the handler's folder in `handlers/`
    (for example `todo_api.app.handler`: folder `handlers/todo_api`, module `app`, function `handler`).
    Imported functions keep the template's handler (any runtime's form); container-image functions have none."""
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
    log_retention_days: RetentionDays = 30
    """How long the function's CloudWatch logs are kept, in days (one of the periods CloudWatch Logs offers)."""
    invoked_from_outside: bool = False
    """Something outside the case invokes the function, as its template says: a permission for a principal with
    no source in the template, a function URL, an event source named by ARN or parameter, a role only something
    outside acts as (read from imported templates; AC311 passes)."""
    broad_permissions: list[BroadPermission] = []
    """IAM permissions the function's role holds beyond its flows, as `ACTION on RESOURCE` (read from imported
    templates; archcase emits roles from flows only, so a case that lists any is not emitted)."""
    environment: dict[str, str] = {}
    """Extra environment variables (names of reached resources are added by the emitter). Names are letters,
    digits and underscores, starting with a letter, and not one Lambda reserves (`AWS_REGION`, ...); names and
    values together at most 4 KB."""

    @field_validator("environment")
    @classmethod
    def _environment_accepted_by_lambda(cls, environment: dict[str, str]) -> dict[str, str]:
        problems = []
        for name in environment:
            if name in RESERVED_ENVIRONMENT:
                problems.append(f"{name!r} is set by the Lambda runtime itself (reserved); choose another name")
            elif not ENVIRONMENT_NAME.fullmatch(name):
                problems.append(f"{name!r} is not a variable name Lambda accepts: two or more letters, digits and "
                                "underscores, starting with a letter" if name else "a variable name is empty")
        size = sum(len(name.encode()) + len(value.encode()) for name, value in environment.items())
        if size > ENVIRONMENT_BYTES:
            problems.append(f"names and values take {size} bytes, above Lambda's {ENVIRONMENT_BYTES} bytes")
        if problems:
            raise ValueError("; ".join(problems))
        return environment

    @property
    def handler_package(self) -> str:
        """Folder name under `handlers/` that holds this function's code."""
        return (self.handler or "").split(".", 1)[0]


class Ec2Compute(Service):
    """What EC2 instances run with, whether one instance or an Auto Scaling group's: the settings and the rules
    (IMDSv2, EBS encryption, the role's permissions) the two kinds share. Not a kind itself."""

    instance_type: Annotated[str, Field(examples=["t3.micro", "m7g.large"])] = "t3.micro"
    """EC2 instance type, one offered in the regions templates are checked for (us-east-1, eu-west-1)."""
    imdsv2_required: bool = True
    """Require IMDSv2 session tokens for instance metadata."""
    ebs_encrypted: bool = True
    """Encrypt the instances' EBS volumes."""
    serves: Literal["dynamic", "static"] = "dynamic"
    """What the instances serve: `static` means files that rarely or never change (cacheable at the edge)."""
    broad_permissions: list[BroadPermission] = []
    """IAM permissions the instances' role holds beyond its flows, as `ACTION on RESOURCE` (read from imported
    templates; archcase emits roles from flows only, so a case that lists any is not emitted)."""

    @field_validator("instance_type")
    @classmethod
    def _offered(cls, value: str) -> str:
        offered = catalogue.instance_types()
        if value not in offered:
            hint = did_you_mean(value, offered) or "e.g. 't3.micro', 'm7g.large'"
            raise ValueError(f"'{value}' is not an EC2 instance type offered in {' and '.join(catalogue.LINT_REGIONS)}: {hint}")
        return value


class AutoScalingGroup(Ec2Compute):
    """An EC2 Auto Scaling group running an existing (non-serverless) application."""

    kind: Literal["autoscaling-group"] = "autoscaling-group"

    min_size: Annotated[int, Field(ge=0)] = 2
    """Minimum number of instances."""
    max_size: Annotated[int, Field(ge=1)] = 6
    """Maximum number of instances."""
    availability_zones: Annotated[int, Field(ge=1, le=6)] = 2
    """Number of Availability Zones the group spans."""

    @model_validator(mode="after")
    def _sizes_in_order(self) -> AutoScalingGroup:
        if self.min_size > self.max_size:
            raise ValueError(f"min_size {self.min_size} is more than max_size {self.max_size}")
        return self


class Ec2Instance(Ec2Compute):
    """A single EC2 instance (`AWS::EC2::Instance`) running an existing application: one server in one
    Availability Zone, not replaced when it fails (an Auto Scaling group is)."""

    kind: Literal["ec2-instance"] = "ec2-instance"


class EcsService(Service):
    """An Amazon ECS service (`AWS::ECS::Service`): the containers of its task definition kept running as
    `desired_count` tasks, on Fargate or on the cluster's EC2 instances. Its task definition and cluster belong to it;
    its task role allows what its flows need (an emitted task definition has one only when they need something)."""

    kind: Literal["ecs-service"] = "ecs-service"

    launch_type: Literal["fargate", "ec2"] = "fargate"
    """Where the tasks run: on Fargate (each task its own micro VM) or on EC2 instances of the cluster."""
    desired_count: Annotated[int, Field(ge=0, le=10000)] = 2
    """Number of tasks the service keeps running."""
    logging: bool | None = True
    """Every container sends its output to a log driver (`awslogs`, `awsfirelens`, ...). Null: not known from the
    template."""
    read_only_root_filesystem: bool | None = True
    """Every container's root filesystem is read-only (writes go to volumes). Null: not known from the template."""
    privileged: bool | None = False
    """A container runs privileged (root on the host); EC2 launch type only: Fargate refuses it. Null: not known
    from the template."""
    public_ip: bool | None = False
    """The tasks' network interfaces get public IP addresses (`AssignPublicIp`); Fargate only: tasks on EC2
    instances never get one. Null: not known from the template."""
    container_insights: bool | None = True
    """The cluster collects CloudWatch Container Insights metrics. Null: the cluster is not in the template (the
    default cluster, or one named by a parameter or import)."""
    broad_permissions: list[BroadPermission] = []
    """IAM permissions the task role holds beyond its flows, as `ACTION on RESOURCE` (read from imported templates;
    archcase emits roles from flows only, so a case that lists any is not emitted)."""

    @model_validator(mode="after")
    def _possible_on_launch_type(self) -> EcsService:
        if self.launch_type == "fargate" and self.privileged:
            raise ValueError("Fargate runs no privileged container: set `privileged: false`, or `launch_type: ec2`")
        if self.launch_type == "ec2" and self.public_ip:
            raise ValueError("tasks on EC2 instances get no public IP address of their own (AssignPublicIp is for Fargate): "
                             "set `public_ip: false`, or `launch_type: fargate`")
        return self
