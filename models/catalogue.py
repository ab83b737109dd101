"""Values AWS enumerates (EC2 instance types, DAX node types, Lambda runtimes and their deprecation dates), read
from cfn-lint's data files: the data archcase lints its templates with, so a value the model accepts is one the
lint accepts. The files are read on first use, without importing cfn-lint (which is slow to import)."""

from __future__ import annotations

import datetime
import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

LINT_REGIONS = ("us-east-1", "eu-west-1")
"""The regions templates are checked for: a value must be offered in each of them."""


@cache
def _data() -> Path:
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cfn-lint is not installed: archcase needs its data (pip install cfn-lint)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@cache
def _read(relative: str) -> Any:
    return json.loads((_data() / relative).read_text(encoding="utf-8"))


@cache
def offered(extension: str) -> frozenset[str]:
    """The values of a region-keyed enum of cfn-lint's schema extensions offered in every lint region."""
    data = _read(f"schemas/extensions/{extension}")
    return frozenset.intersection(*(frozenset(data[region]["enum"]) for region in LINT_REGIONS))


def instance_types() -> frozenset[str]:
    return offered("aws_ec2_instance/instancetype_enum.json")


def dax_node_types() -> frozenset[str]:
    return offered("aws_dax_cluster/nodetype_enum.json")


def runtime_deprecation(runtime: str, today: datetime.date | None = None) -> tuple[str, str | None] | None:
    """(date deprecated, successor) of a Lambda runtime deprecated by `today` (default: today), else None."""
    life = _read("AdditionalSpecs/LmbdRuntimeLifecycle.json").get(runtime)
    if not life or datetime.date.fromisoformat(life["deprecated"]) > (today or datetime.date.today()):
        return None
    return life["deprecated"], life.get("successor")


def iam_action_resources(service: str, action: str) -> tuple[str, ...]:
    """The resource types an IAM action can name (`('table',)` for `dynamodb:GetItem`); empty for an action that
    only takes `*` (`xray:PutTraceSegments`), and for one IAM does not know."""
    found = _read("AdditionalSpecs/Policies.json").get(service.lower(), {}).get("Actions", {}).get(action.lower(), {})
    return tuple(found.get("Resources", ()))


def iam_actions(service: str) -> frozenset[str]:
    """The actions (lower case) of an IAM service prefix (`s3`, `dynamodb`, ...); empty for an unknown prefix."""
    return frozenset(_read("AdditionalSpecs/Policies.json").get(service, {}).get("Actions", {}))
