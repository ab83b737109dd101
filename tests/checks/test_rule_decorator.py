"""@rule takes what a rule looks at from its check function's first parameter annotation."""

import pytest

from archcase.checks.rule import PASS, rule, rule_of
from archcase.models.flows import Reads, Triggers, Writes
from archcase.models.services import AutoScalingGroup, LambdaFunction

META = dict(severity="low", title="t", rationale="r", remediation="m", docs="https://docs.aws.amazon.com/")


def test_single_service_class():
    @rule("AC990", **META)
    def check(fn: LambdaFunction, g):
        return PASS

    r = rule_of(check)
    assert (r.on, r.kinds, r.targets) == ("service", ("lambda",), (LambdaFunction,))


def test_union_keeps_the_written_order():
    @rule("AC991", **META)
    def check(s: AutoScalingGroup | LambdaFunction, g):
        return PASS

    r = rule_of(check)
    assert (r.on, r.kinds, r.targets) == ("service", ("autoscaling-group", "lambda"), (AutoScalingGroup, LambdaFunction))


def test_flow_classes():
    @rule("AC992", **META)
    def check(flow: Writes | Triggers, g):
        return PASS

    assert (rule_of(check).on, rule_of(check).kinds) == ("flow", ("writes", "triggers"))


def test_unannotated_first_parameter_is_refused_naming_the_function():
    with pytest.raises(ValueError, match=r"AC993 \(.*bare\).*first parameter 'x' has no annotation"):
        @rule("AC993", **META)
        def bare(x, g):
            return PASS


def test_services_and_flows_mixed_are_refused():
    with pytest.raises(ValueError, match=r"mixed.*mixes services and flows"):
        @rule("AC994", **META)
        def mixed(x: LambdaFunction | Reads, g):
            return PASS
