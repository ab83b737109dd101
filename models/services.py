"""Every service kind, written out as one union so that type checkers and pydantic see the same list.

Adding a kind starts here: its model class (in the module of its area) joins `ServiceModel`. The
completeness test (tests/test_kinds.py) then names every registry the new class is still missing from.
"""

from __future__ import annotations

from typing import Annotated, TypeAlias, get_args

from pydantic import Field

from .analytics import Athena, Firehose, KinesisStream
from .base import Model, Service
from .clients import Browser, IotDevice, MobileApp, QuickSight, Redshift
from .compute import AutoScalingGroup, Ec2Instance, EcsService, LambdaFunction
from .data import DaxCluster, DynamoDbTable, EfsFileSystem, ElastiCache, RdsDatabase, S3Bucket
from .edge import Alb, ApiGateway, Clb, CloudFront
from .events import EventRule
from .generic import Generic
from .http_api import HttpApi
from .identity import CognitoIdentityPool, CognitoUserPool, Secret, Sts
from .messaging import Ses, SnsTopic, SqsQueue
from .workflows import StateMachine

ServiceModel: TypeAlias = (
    MobileApp | Browser | IotDevice
    | CloudFront | ApiGateway | HttpApi | Alb | Clb
    | CognitoUserPool | CognitoIdentityPool | Sts
    | Secret
    | LambdaFunction | AutoScalingGroup | Ec2Instance | EcsService | StateMachine
    | DynamoDbTable | DaxCluster | S3Bucket | RdsDatabase | ElastiCache | EfsFileSystem
    | SqsQueue | SnsTopic | Ses | EventRule
    | KinesisStream | Firehose | Athena
    | QuickSight | Redshift
    | Generic
)
"""Any service of an architecture (the type of `Architecture.services`' items)."""

AnyService = Annotated[ServiceModel, Field(discriminator="kind")]
"""`ServiceModel` as pydantic validates it: the member is chosen by the `kind` tag."""

SERVICE_CLASSES: tuple[type[Service], ...] = get_args(ServiceModel)
"""The service classes, in the order of the union (the order of the JSON Schema and the reference)."""


def kind_of(cls: type[Model]) -> str:
    """The `kind` tag of a service class (or of a flow class: both carry it as their `kind` default)."""
    return str(cls.model_fields["kind"].default)


def kinds(*classes: type[Service]) -> frozenset[str]:
    """The kind tags of some service classes."""
    return frozenset(kind_of(cls) for cls in classes)


SERVICE_KINDS: dict[str, type[Service]] = {kind_of(cls): cls for cls in SERVICE_CLASSES}
"""Service class by kind tag."""

MODELLED: frozenset[str] = frozenset(SERVICE_KINDS) - {kind_of(Generic)}
"""Every modelled service kind (all but `generic`, which stands for resource types archcase does not model)."""

__all__ = [
    "MODELLED", "SERVICE_CLASSES", "SERVICE_KINDS", "Alb", "AnyService", "ApiGateway", "Athena", "AutoScalingGroup",
    "Browser", "Clb", "CloudFront", "CognitoIdentityPool", "CognitoUserPool", "DaxCluster", "DynamoDbTable",
    "Ec2Instance", "EcsService", "EfsFileSystem", "ElastiCache", "EventRule",
    "Firehose", "Generic", "HttpApi", "IotDevice", "KinesisStream", "LambdaFunction", "MobileApp", "QuickSight", "RdsDatabase", "Redshift",
    "S3Bucket", "Secret", "Ses", "ServiceModel", "SnsTopic", "SqsQueue", "StateMachine", "Sts", "kind_of", "kinds",
]
