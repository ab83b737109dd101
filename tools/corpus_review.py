"""List the findings on ../shared/corpus that tests/importer/corpus_expectations.tsv has not judged yet, as rows
to judge and add (verdict `correct` or `false`, and a one-line reason), and the judged ones no longer reported.

    .venv/bin/python tools/corpus_review.py [CORPUS]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from archcase.api import check
from archcase.models import CaseError

ROOT = Path(__file__).resolve().parents[1]
EXPECTATIONS = ROOT / "tests" / "importer" / "corpus_expectations.tsv"


def main(corpus: Path) -> int:
    with EXPECTATIONS.open(encoding="utf-8", newline="") as handle:
        judged = {(r["template"], r["rule"], r["target"], r["status"]): r["verdict"] for r in csv.DictReader(handle, delimiter="\t")}
    now: dict[tuple[str, str, str, str], str] = {}
    for path in sorted(p for p in corpus.glob("*") if p.suffix in (".yaml", ".yml", ".json", ".template")):
        try:
            reports = check([path])
        except CaseError:
            continue
        for report in reports:
            for f in report.findings:
                now[(path.name, f.rule_id, f.target, f.status)] = f.message
    for key, message in sorted(now.items()):
        if key not in judged:
            print("\t".join(key), "?", message, sep="\t")
    for key, verdict in sorted(judged.items()):
        if key not in now:
            print(f"# no longer reported ({verdict}):", "\t".join(key), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus"))
