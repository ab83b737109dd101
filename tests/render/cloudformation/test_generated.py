"""Emit is total over valid cases, shown on cases generated from the model (tests/strategies.py), not on the six:

- every generated case either emits a template cfn-lint reports nothing on, or is refused with a located
  message (an EmitError naming the service, or the case as a whole);
- emitting twice gives byte-identical text;
- where a rule applies and passes, the template shows it (the agreement predicates of test_agreement.py);
- importing the emitted template gives the case back.

`make test` runs a few hundred cases; `make test-deep` (HYPOTHESIS_PROFILE=deep) runs many more.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings

from archcase.checks.engine import check
from archcase.importer import import_template
from archcase.models import Architecture
from archcase.render.cloudformation import lint
from archcase.render.cloudformation.emit import template, template_text
from archcase.render.cloudformation.template import EmitError
from archcase.render.cloudformation.yaml_out import dump

from ...importer.test_round_trip import differences
from ...strategies import HANDLERS, architectures
from .test_agreement import SHOWN

DEEP = os.environ.get("HYPOTHESIS_PROFILE") == "deep"
GENERATED = settings(max_examples=3000 if DEEP else int(os.environ.get("GENERATED_EXAMPLES", "250")), deadline=None, database=None,
                     derandomize=not DEEP,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])

REFUSED: Counter[str] = Counter()
"""Why generated cases were refused, by message (printed at the end of a deep run)."""


def _emitted(case: Architecture) -> str | None:
    """The case's template text, or None when emit refuses it, with a message that says where."""
    try:
        text = template_text(case, HANDLERS)
    except EmitError as exc:
        message = str(exc)
        assert message.strip(), "a refusal says why"
        ids = {s.id for s in case.services} | {f.key for f in case.flows}
        assert exc.service in ids or message.startswith(("nothing in the case", "service '")), message
        REFUSED[message.split(": ", 1)[-1][:60]] += 1
        return None
    return text


@GENERATED
@given(architectures())
def test_a_generated_case_emits_a_clean_identical_template_or_is_refused_with_a_location(case: Architecture) -> None:
    text = _emitted(case)
    assume(text is not None)
    assert text is not None
    assert [str(p) for p in lint.problems(text)] == []
    assert template_text(case, HANDLERS) == text


@GENERATED
@given(architectures(hostile=False))
def test_a_rule_that_passes_on_a_generated_case_shows_in_its_template(case: Architecture) -> None:
    try:
        document = template(case, HANDLERS)
    except EmitError:
        assume(False)
        return
    report = check(case)
    passing = [rule for rule in SHOWN if report.applicable.get(rule) and not any(f.rule_id == rule for f in report.findings)]
    assert [rule for rule in passing if not SHOWN[rule](document)] == [], dump(document)[:3000]


@settings(GENERATED, max_examples=3000 if DEEP else int(os.environ.get("GENERATED_EXAMPLES", "100")))
@given(architectures(hostile=False))
def test_a_generated_case_survives_emit_and_import(case: Architecture) -> None:
    try:
        text = template_text(case, HANDLERS)
    except EmitError:
        assume(False)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "template.yaml"
        path.write_text(text, encoding="utf-8")
        assert differences(case, import_template(path).architecture) == []
