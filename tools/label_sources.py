"""Where the labels of imported services come from (issue 16): per folder of templates, how many services the
import labelled from their name property, their `Name` tag, their `Description` or the words of a logical id the
AWS CDK made (importer/naming.py), and how many got no label because their logical id is readable.

    PYTHONPATH=src .venv/bin/python tools/label_sources.py [FOLDER ...] [--list]

FOLDER defaults to ../shared/corpus and ../shared/corpus-large (skipped with a message when absent); `--list`
prints each label under the figures. Prints figures, asserts nothing; the output is the same on every run.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from archcase.api import TEMPLATE_SUFFIXES
from archcase.importer import import_template
from archcase.importer.naming import SOURCES
from archcase.models import CaseError

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[SHARED / "corpus", SHARED / "corpus-large"])
    parser.add_argument("--list", action="store_true", help="print every label, with its template and source")
    args = parser.parse_args(argv)
    for folder in args.folders:
        if not folder.is_dir():
            print(f"{folder}: not a folder, skipped", file=sys.stderr)
            continue
        counts: Counter[str] = Counter()
        listed: list[str] = []
        templates = 0
        for path in sorted(p for p in folder.iterdir() if p.suffix in TEMPLATE_SUFFIXES):
            try:
                imported = import_template(path)
            except CaseError:
                continue
            templates += 1
            for service in imported.architecture.services:
                source = imported.labelled.get(service.id)
                counts[source or ("labelled otherwise" if service.label else "no label")] += 1
                if source and args.list:
                    listed.append(f"  {path.name}: {service.id} -> {service.label!r} ({source})")
        print(f"{folder.name}: {templates} templates imported, {sum(counts.values())} services")
        for source in (*SOURCES, "labelled otherwise", "no label"):
            print(f"  {source:<20} {counts[source]:>5}")
        print("\n".join(listed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
