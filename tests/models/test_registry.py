"""Registry-wide invariants: every kind is reachable, documented and connectable."""

import typing

import pytest

from archcase.models import FLOW_KINDS, SERVICE_KINDS, AnyFlow, AnyService, Model, document
from archcase.models.flows import MODELLED

from ..kinds import FLOWS, SERVICES


def _union_members(annotated):
    union = typing.get_args(annotated)[0]
    return set(typing.get_args(union))


def test_unions_hold_exactly_the_kind_classes_written_in_models():
    """The unions pydantic validates against are the classes found by walking `Service` and `Flow` subclasses
    in every module of the models package (not the tuples built from the unions themselves)."""
    assert _union_members(AnyService) == set(SERVICES)
    assert _union_members(AnyFlow) == set(FLOWS)
    assert {cls.model_fields["kind"].default for cls in SERVICES} == set(SERVICE_KINDS)


def test_kinds_are_unique_lower_case_and_hyphenated():
    for kind in [*SERVICE_KINDS, *FLOW_KINDS]:
        assert kind == kind.lower() and "_" not in kind and " " not in kind


def test_seed_services_are_all_modelled():
    seed_kinds = {
        "mobile-app", "browser", "iot-device", "api-gateway", "lambda", "dynamodb", "dax", "s3", "cloudfront",
        "cognito-user-pool", "cognito-identity-pool", "sts", "ses", "sqs", "sns", "kinesis-stream", "firehose",
        "athena", "alb", "clb", "autoscaling-group", "quicksight", "redshift",
    }
    added_since = {"step-functions", "http-api", "rds", "eventbridge-rule", "elasticache", "efs", "ec2-instance", "secret", "ecs-service"}
    assert seed_kinds | added_since == set(SERVICE_KINDS) - {"generic"}


def test_modelled_kinds_are_every_kind_but_generic():
    assert set(SERVICE_KINDS) - {"generic"} == MODELLED


def test_issue_flow_kinds_are_all_modelled():
    required = {"calls", "authenticates", "authorizes", "federates", "grants", "invokes", "reads", "writes",
                "caches", "triggers", "sends-email", "origin", "signs", "publishes", "subscribes", "puts-records",
                "delivers", "transforms", "notifies", "queries", "targets"}
    assert required <= set(FLOW_KINDS)


@pytest.mark.parametrize("kind", sorted(FLOW_KINDS))
def test_every_flow_kind_allows_pairs_of_known_kinds_only(kind):
    allowed = FLOW_KINDS[kind].allowed
    assert allowed, f"{kind} allows no pair"
    assert {k for pair in allowed for k in pair} <= set(SERVICE_KINDS)


def test_every_service_kind_takes_part_in_some_flow():
    connected = {k for cls in FLOW_KINDS.values() for pair in cls.allowed for k in pair}
    assert connected == set(SERVICE_KINDS)


def _all_models():
    seen, todo = set(), [*SERVICE_KINDS.values(), *FLOW_KINDS.values()]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for field in cls.model_fields.values():
            for arg in typing.get_args(field.annotation) + (field.annotation,):
                if isinstance(arg, type) and issubclass(arg, Model):
                    todo.append(arg)
    return seen


@pytest.mark.parametrize("cls", sorted(_all_models(), key=lambda c: c.__name__), ids=lambda c: c.__name__)
def test_every_model_and_field_is_documented(cls):
    document(Model)
    assert cls.__doc__ and cls.__doc__.strip()
    undocumented = [name for name, field in cls.model_fields.items() if name != "kind" and not field.description]
    assert undocumented == []
