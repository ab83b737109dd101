"""Parties outside the account: users' devices and downstream consumers."""

from __future__ import annotations

from typing import ClassVar, Literal

from .base import Service

Audience = Literal["regional", "global"]


class Client(Service):
    external: ClassVar[bool] = True

    audience: Audience = "regional"
    """Where the users are: `global` means users on several continents (content should go through
    CloudFront, data through a DynamoDB global table)."""


class MobileApp(Client):
    """A mobile application used by end users."""

    kind: Literal["mobile-app"] = "mobile-app"


class Browser(Client):
    """A web browser or any HTTP client software used by end users."""

    kind: Literal["browser"] = "browser"


class IotDevice(Client):
    """A fleet of IoT devices producing data."""

    kind: Literal["iot-device"] = "iot-device"

    devices: int | None = None
    """Approximate number of devices in the fleet."""


class QuickSight(Service):
    """Amazon QuickSight dashboards reading analysed data (an external consumer; not emitted)."""

    external: ClassVar[bool] = True
    kind: Literal["quicksight"] = "quicksight"


class Redshift(Service):
    """An Amazon Redshift warehouse loading analysed data (an external consumer; not emitted)."""

    external: ClassVar[bool] = True
    kind: Literal["redshift"] = "redshift"
