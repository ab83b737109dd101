"""How the diagrams are laid out (issue 16): per diagram the picture's width and height in points, its aspect
ratio (longest side over shortest), the edges crossing and the edges drawn right to left, measured from
Graphviz's own layout (`archcase.render.layout_metrics`), for the bundled cases and every importable template
of a folder.

    PYTHONPATH=src .venv/bin/python tools/layout_metrics.py [CORPUS] [--edges] [--detail full]

CORPUS defaults to ../shared/corpus (skipped with a message when absent); `--edges` lists the right-to-left
edges under each row; `--detail full` measures the diagrams with every resource drawn.
Prints figures, asserts nothing; the output is the same on every run.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from archcase.api import TEMPLATE_SUFFIXES, bundled_cases, read_any
from archcase.models import CaseError
from archcase.render.graphviz import DrawError
from archcase.render.layout_metrics import LayoutMetrics, measure_architecture
from archcase.render.view import DETAILS, Detail

ROOT = Path(__file__).resolve().parents[1]
HEADER = f"{'diagram':<50} {'nodes':>5} {'edges':>5} {'width':>6} {'height':>6} {'aspect':>6} {'cross':>6} {'r-to-l':>6}"


def row(name: str, m: LayoutMetrics) -> str:
    return (f"{name:<50} {m.nodes:>5} {m.edges:>5} {m.width_pt:>6.0f} {m.height_pt:>6.0f} {m.aspect:>6.2f} "
            f"{m.crossings:>6} {len(m.right_to_left):>6}")


def table(title: str, files: Iterable[Path], edges: bool, detail: Detail) -> None:
    print(f"## {title}\n{HEADER}")
    measured: list[tuple[str, LayoutMetrics]] = []
    for path in files:
        try:
            architecture = read_any(path).architecture
        except CaseError as exc:
            print(f"{path.name:<50} skipped: not importable ({exc.diagnostics[0].message})")
            continue
        try:
            m = measure_architecture(architecture, detail)
        except DrawError as exc:
            print(f"{path.name:<50} skipped: not laid out ({exc})")
            continue
        measured.append((path.name, m))
        print(row(path.name, m))
        if edges:
            for tail, head in m.right_to_left:
                print(f"    right to left: {tail} -> {head}")
    if not measured:
        return
    widest = max(measured, key=lambda item: (item[1].width_pt, item[0]))
    tallest = max(measured, key=lambda item: (item[1].height_pt, item[0]))
    flattest = max(measured, key=lambda item: (item[1].aspect, item[0]))
    print(f"{'total (' + str(len(measured)) + ' diagrams)':<50} {sum(m.nodes for _, m in measured):>5} "
          f"{sum(m.edges for _, m in measured):>5} {'':>6} {'':>6} {'':>6} {sum(m.crossings for _, m in measured):>6} "
          f"{sum(len(m.right_to_left) for _, m in measured):>6}")
    print(f"widest: {widest[0]} ({widest[1].width_pt:.0f} pt); tallest: {tallest[0]} ({tallest[1].height_pt:.0f} pt); "
          f"largest aspect: {flattest[0]} ({flattest[1].aspect:.2f}); over 4000 pt: "
          f"{sum(max(m.width_pt, m.height_pt) > 4000 for _, m in measured)}; aspect over 3: {sum(m.aspect > 3 for _, m in measured)}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--edges", action="store_true", help="list the right-to-left edges of each diagram")
    parser.add_argument("--detail", choices=DETAILS, default="default", help="what the diagrams draw (default: default)")
    args = parser.parse_args(argv)
    table("bundled cases", bundled_cases(), args.edges, args.detail)
    if not args.corpus.is_dir():
        print(f"## {args.corpus}: skipped, no such folder")
        return 0
    templates = sorted(p for p in args.corpus.iterdir() if p.suffix in TEMPLATE_SUFFIXES and p.is_file())
    table(f"templates in {args.corpus.name}", templates, args.edges, args.detail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
