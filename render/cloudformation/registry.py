"""What the emitter knows per kind, collected from the registrations beside the code (`marks`) over an explicit
list of modules, with the kinds and flows left out and why.

Every service class has an emitter or a reason in `NOT_EMITTED`; every emitted class has an ARN or a reason in
`NO_ARN`; every (flow class, target class) pair a flow allows between emitted services has IAM statements or
a reason in `NEEDS_NO_PERMISSION`; every flow from a function has environment variables or a reason in
`NO_ENVIRONMENT`. tests/test_kinds.py walks every kind against these tables and names what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, cast

from ...models.analytics import Firehose
from ...models.base import Service
from ...models.clients import Browser, IotDevice, MobileApp, QuickSight, Redshift
from ...models.compute import AutoScalingGroup, Ec2Instance, EcsService, LambdaFunction
from ...models.data import EfsFileSystem, S3Bucket
from ...models.edge import Alb, ApiGateway, Clb, CloudFront
from ...models.flows import (
                             Authorizes,
                             Calls,
                             DeadLetter,
                             Delivers,
                             Federates,
                             Flow,
                             Invokes,
                             Mounts,
                             Notifies,
                             Origin,
                             Resolves,
                             Subscribes,
                             Targets,
                             Triggers,
)
from ...models.generic import Generic
from ...models.http_api import HttpApi
from ...models.identity import CognitoIdentityPool, CognitoUserPool, Secret, Sts
from ...models.messaging import SnsTopic, SqsQueue
from . import (
                             analytics,
                             api,
                             caches,
                             compute,
                             containers,
                             data,
                             databases,
                             edge,
                             environment,
                             events,
                             files,
                             http_api,
                             iam,
                             identity,
                             messaging,
                             refs,
                             secrets,
                             workflows,
)
from .context import ArnOf, Context, Fragment, Permits, Polls, Tables, Tells
from .marks import arn_of, emits, permits, polls, tells

Emitter = Callable[[Any, Context], Fragment]

MODULES: tuple[ModuleType, ...] = (analytics, api, caches, compute, containers, data, databases, edge, environment, events, files,
                                   http_api, iam, identity, messaging, refs, secrets, workflows)
"""The modules whose registrations count (explicitly: importing a module registers nothing)."""

EMITTERS = cast(dict[type[Service], Emitter], emits.collect(MODULES))
"""The emitter of every deployable service class: (service, context) -> fragment."""

NOT_EMITTED: dict[type[Service], str] = {
    MobileApp: "a client: users' devices are not deployed by a stack",
    Browser: "a client: users' browsers are not deployed by a stack",
    IotDevice: "a client: devices are provisioned outside the stack",
    QuickSight: "an external consumer: QuickSight data sources are set up in QuickSight",
    Redshift: "an external consumer: the warehouse exists outside this stack",
    Sts: "AWS STS is a global service with nothing to create; the identity pool's role is what it issues",
    Generic: "a resource type archcase does not model (kept from an imported template): it has no emitter",
}
"""Service classes deliberately left out of templates, and why."""

ARNS = cast(dict[type[Service], ArnOf], arn_of.collect(MODULES))
"""How a template writes the ARN of each class that flows reach with permissions, queues and event sources."""

NO_ARN: dict[type[Service], str] = {
    CloudFront: "no permission, event source or policy names a distribution by ARN (bucket policies use its id)",
    HttpApi: "callers reach an HTTP API over HTTPS; a function's permission names it in an `execute-api` ARN built in compute.py",
    ApiGateway: "callers reach an API over HTTPS; identity-pool grants on an API name it by `execute-api` ARN, "
                "which is not emitted yet",
    Alb: "reached over HTTP(S) through its DNS name; no permission names it",
    Clb: "reached over HTTP(S) through its DNS name; no permission names it",
    AutoScalingGroup: "nothing reaches an Auto Scaling group by ARN (its ARN holds a generated id)",
    Ec2Instance: "reached over the network (load balancers register it by id); nothing names an instance by ARN",
    EcsService: "reached over the network (ECS registers its tasks' addresses in target groups); no flow names it by ARN",
    CognitoIdentityPool: "nothing reaches an identity pool by ARN; its role attachment takes the pool id",
}
"""Emitted classes that nothing refers to by ARN, and why."""

PERMISSIONS = cast(dict[tuple[type[Flow], type[Service]], Permits], permits.collect(MODULES))
"""IAM statements the source of a (flow class, target class) needs, added to the source's role."""

_HTTP = "an HTTP(S) call to a public endpoint: no IAM permission (the endpoint's own auth applies)"
NEEDS_NO_PERMISSION: dict[tuple[type[Flow], type[Service]], str] = {
    (Calls, ApiGateway): _HTTP, (Calls, HttpApi): _HTTP, (Calls, CloudFront): _HTTP, (Calls, Alb): _HTTP, (Calls, Clb): _HTTP,
    (Authorizes, CognitoUserPool): "the API or load balancer validates tokens against the pool: no IAM permission",
    (Authorizes, LambdaFunction): "a Lambda authorizer is invoked by API Gateway under a Lambda permission resource "
                                  "(compute.py, for HTTP APIs); REST APIs do not emit Lambda authorizers yet",
    (Federates, CognitoUserPool): "the identity pool trusts the user pool's tokens: configuration, no IAM permission",
    (Triggers, LambdaFunction): "the function's own role polls queues and streams (@polls in iam.py); S3 pushes "
                                "under a Lambda permission resource (compute.py)",
    (Origin, S3Bucket): "CloudFront reads through its origin access control, granted in the bucket policy (data.py)",
    (Origin, ApiGateway): "CloudFront calls the API over HTTPS: no IAM permission",
    (Origin, Alb): "CloudFront calls the load balancer over HTTP(S): no IAM permission",
    (Origin, Clb): "CloudFront calls the load balancer over HTTP(S): no IAM permission",
    (Subscribes, SqsQueue): "SNS sends under the queue's policy (messaging.py), not a role",
    (Subscribes, LambdaFunction): "SNS invokes under a Lambda permission resource (compute.py), not a role",
    (Notifies, SqsQueue): "S3 sends under the queue's policy (messaging.py), not a role",
    (Notifies, SnsTopic): "S3 publishes under the topic's policy (messaging.py), not a role",
    (Targets, AutoScalingGroup): "the load balancer forwards over the network: no IAM permission",
    (Targets, Ec2Instance): "the load balancer forwards over the network: no IAM permission",
    (Targets, EcsService): "the load balancer forwards over the network: no IAM permission",
    (Targets, LambdaFunction): "the load balancer invokes under a Lambda permission resource, not a role (archcase "
                               "does not emit Lambda targets yet)",
    (Delivers, Firehose): "the delivery stream's own role reads its source stream (analytics.py)",
    (Resolves, Secret): "CloudFormation resolves the secret as whoever deploys the stack; archcase refuses to emit it (secrets.py)",
}
"""(flow class, target class) pairs that need no IAM permission on the source's role, and why. Pairs in
`PERMISSIONS` may still need none from some sources (an API invoking a function uses a Lambda permission
resource): the statements are added only to the roles of the services that have one."""

POLLS = cast(dict[type[Service], Polls], polls.collect(MODULES))
"""What a function's role needs to poll each class of source that triggers it through an event source mapping."""

ENVIRONMENT = cast(dict[tuple[type[Flow], type[Service]], Tells], tells.collect(MODULES))
"""The environment variables a function is given for a (flow class, target class) it has."""

_URL = "not told yet: the endpoint's URL is a stack output, not passed to functions (the code must be configured)"
NO_ENVIRONMENT: dict[tuple[type[Flow], type[Service]], str] = {
    (Calls, ApiGateway): _URL, (Calls, HttpApi): _URL, (Calls, CloudFront): _URL, (Calls, Alb): _URL, (Calls, Clb): _URL,
    (Invokes, LambdaFunction): "not told yet: the invoked function's name is not passed to the caller",
    (DeadLetter, SqsQueue): "Lambda itself sends failed events to the dead-letter queue; the code never does",
    (Mounts, EfsFileSystem): "Lambda mounts the file system at /mnt/<file system id> (FileSystemConfigs): a path, not a variable",
    (Resolves, Secret): "the value itself would be the variable: archcase refuses to emit it, a reads flow tells the ARN",
}
"""Flows from a function that give it no environment variable, and why."""

TABLES = Tables(arns=ARNS, permissions=PERMISSIONS, polls=POLLS, environment=ENVIRONMENT)
"""The tables emitters look up through their context."""

