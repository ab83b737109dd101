"""Defects the generated cases (test_generated.py) found, kept as examples: each case here once emitted a
template cfn-lint rejected."""

from __future__ import annotations

import pytest

from archcase.models import Architecture
from archcase.render.cloudformation import lint
from archcase.render.cloudformation.emit import template_text

from ...strategies import HANDLERS

FOUND = {
    # a label reading like a substitution, written outside Fn::Sub (E1029) in DisplayName and in Metadata
    "substitution-in-labels": {"services": [
        {"id": "alerts", "kind": "sns", "label": "${AWS::Region} alerts", "description": "in ${AWS::AccountId}"},
        {"id": "jobs", "kind": "sqs", "label": "${Jobs}"}]},
    # a DAX cluster read by an Auto Scaling group: the group's own security group was added a second time
    "dax-read-by-instances": {"services": [
        {"id": "web", "kind": "autoscaling-group", "instance_type": "t3.micro"},
        {"id": "items", "kind": "dynamodb", "partition_key": {"name": "pk", "type": "S"}},
        {"id": "cache", "kind": "dax"}],
        "flows": [{"from": "web", "to": "cache", "kind": "reads"}, {"from": "cache", "to": "items", "kind": "caches"}]},
}


@pytest.mark.parametrize("name", sorted(FOUND))
def test_a_case_the_generator_found_emits_a_clean_template(name):
    case = Architecture.model_validate({"name": name, "title": name, **FOUND[name]})
    assert [str(p) for p in lint.problems(template_text(case, HANDLERS))] == []
