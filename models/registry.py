"""The registries of service and flow kinds, and the tagged unions built from them."""

from __future__ import annotations

from typing import Annotated, Union

from pydantic import Field

from .analytics import Athena, Firehose, KinesisStream
from .base import Service
from .clients import Browser, IotDevice, MobileApp, QuickSight, Redshift
from .compute import AutoScalingGroup, LambdaFunction
from .data import DaxCluster, DynamoDbTable, S3Bucket
from .edge import Alb, ApiGateway, Clb, CloudFront
from .flows import FLOW_CLASSES, Flow
from .generic import Generic
from .identity import CognitoIdentityPool, CognitoUserPool, Sts
from .messaging import Ses, SnsTopic, SqsQueue

SERVICE_CLASSES: tuple[type[Service], ...] = (
    MobileApp, Browser, IotDevice,
    CloudFront, ApiGateway, Alb, Clb,
    CognitoUserPool, CognitoIdentityPool, Sts,
    LambdaFunction, AutoScalingGroup,
    DynamoDbTable, DaxCluster, S3Bucket,
    SqsQueue, SnsTopic, Ses,
    KinesisStream, Firehose, Athena,
    QuickSight, Redshift,
    Generic,
)


def kind_of(cls: type[Service] | type[Flow]) -> str:
    """The `kind` tag of a service or flow class."""
    return str(cls.model_fields["kind"].default)


SERVICE_KINDS: dict[str, type[Service]] = {kind_of(cls): cls for cls in SERVICE_CLASSES}
FLOW_KINDS: dict[str, type[Flow]] = {kind_of(cls): cls for cls in FLOW_CLASSES}

AnyService = Annotated[Union[SERVICE_CLASSES], Field(discriminator="kind")]  # noqa: UP007
AnyFlow = Annotated[Union[FLOW_CLASSES], Field(discriminator="kind")]  # noqa: UP007
