"""The six templates pass the tools users already trust: cfn-lint (no error, no warning) and checkov (no failed
check except those suppressed in the template with a written reason)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint

from archcase.render.cloudformation.yaml_out import dump

from ...conftest import REPO
from .conftest import CASES

CHECKOV = os.environ.get("ARCHCASE_CHECKOV") or str(REPO / ".venv" / "checkov" / "bin" / "checkov")


@pytest.mark.parametrize("name", sorted(CASES))
def test_cfn_lint_finds_nothing(templates, name):
    matches = lint(dump(templates[name]), config=ManualArgs(regions=["us-east-1", "eu-west-1"]))
    assert [str(m) for m in matches] == []


def test_cfn_lint_does_see_a_broken_template(templates):
    broken = json.loads(json.dumps(templates["myblog"]))
    broken["Resources"]["Posts"]["Properties"]["BillingMode"] = "FREE"
    assert lint(dump(broken), config=ManualArgs(regions=["us-east-1"]))


@pytest.fixture(scope="module")
def checkov_results(templates, tmp_path_factory) -> dict:
    if not Path(CHECKOV).is_file() and not shutil.which(CHECKOV):
        pytest.skip(f"checkov is not at {CHECKOV}: `make test` installs it in its own virtual env")
    folder = tmp_path_factory.mktemp("templates")
    for name, document in templates.items():
        (folder / f"{name}.yaml").write_text(dump(document))
    run = subprocess.run([CHECKOV, "-d", str(folder), "--framework", "cloudformation",
                          "-o", "json", "--skip-download"], capture_output=True, text=True, timeout=600, check=False)
    assert run.stdout, run.stderr[-2000:]
    return json.loads(run.stdout)


def test_checkov_reports_no_failed_check(checkov_results):
    failed = [(f["file_path"], f["resource"], f["check_id"]) for f in checkov_results["results"]["failed_checks"]]
    assert failed == []
    assert checkov_results["summary"]["passed"] > 100


def test_every_checkov_skip_carries_a_reason(checkov_results, templates):
    skipped = checkov_results["results"]["skipped_checks"]
    assert skipped, "the templates carry suppressions, so checkov must report them as skipped"
    assert all(len(s["check_result"]["suppress_comment"]) > 40 for s in skipped)
