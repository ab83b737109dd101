"""Real templates written by others (../shared/corpus): each imports, then checks and renders, or fails with a
message naming the file and line; at least 90% import. Read in place; skipped where ../shared is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from archcase.api import checked
from archcase.cli import main
from archcase.importer import import_template
from archcase.models import CaseError
from archcase.render import diagram, mermaid

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
FILES = sorted(p for p in CORPUS.glob("*") if p.suffix in (".yaml", ".yml", ".json", ".template")) if CORPUS.is_dir() else []
pytestmark = pytest.mark.skipif(not FILES, reason=f"no template corpus at {CORPUS} (it sits beside the project in CI)")


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_template_imports_checks_and_renders_or_fails_with_a_located_message(path):
    try:
        imported = import_template(path)
    except CaseError as exc:
        assert exc.diagnostics and all(d.file == str(path) and d.line >= 1 and d.message for d in exc.diagnostics)
        return
    case = imported.sourced()
    (report,) = checked([case], "default")
    assert report.case == case.architecture.name
    assert all(f.line >= 1 for f in report.findings)
    assert "flowchart LR" in mermaid.render(case.architecture)
    assert "digraph" in diagram.dot_source(case.architecture)
    generic = {s.resource_type for s in case.architecture.services if s.kind == "generic"}
    reported = {n.message.split(" ", 1)[0] for n in imported.notes if "is not modelled" in n.message}
    assert generic - {"AWS::CloudFormation::Stack", "AWS::Serverless::Application"} <= reported


def test_at_least_nine_in_ten_templates_import():
    imported = 0
    for path in FILES:
        try:
            import_template(path)
            imported += 1
        except CaseError:
            pass
    assert imported / len(FILES) >= 0.9, f"{imported} of {len(FILES)} imported"


def test_check_over_the_corpus_exits_2_only_for_unreadable_files_and_names_them(capsys):
    code = main(["check", str(CORPUS)])
    unreadable = []
    for path in FILES:
        try:
            import_template(path)
        except CaseError:
            unreadable.append(path)
    out, err = capsys.readouterr()
    assert code == (2 if unreadable else 1) or (code == 0 and not unreadable)
    assert f"{len(FILES) - len(unreadable)} case(s)" in out
    for path in unreadable:
        assert f"{path}:" in err and "error:" in err
