"""Measure how long Graphviz takes to draw cases of growing size: the figures behind
`render/graphviz.py`'s MAX_DRAWN_SERVICES and MAX_DRAWN_FLOWS.

Run: .venv/bin/python tools/diagram_limits.py [--sizes 500,1000,2000] [--formats svg,png] [--shape app|random]
[--timeout 300]. `app` is the benchmark's synthetic serverless app (ten services, about three flows per
service, in ten columns); `random` is generic services joined by three random `uses` flows per service (one
column, no structure; `--flows-per-service` for denser ones). Drawing bypasses the limits. Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmark import synthetic  # noqa: E402

from archcase.models import Architecture  # noqa: E402
from archcase.render import diagram  # noqa: E402
from archcase.render.graphviz import dot_program  # noqa: E402


def tangled(size: int, per_service: int = 3, seed: int = 12) -> dict[str, Any]:
    """`size` generic services and `per_service` random `uses` flows per service."""
    rng = random.Random(seed)
    services = [{"id": f"r-{i}", "kind": "generic", "resource_type": "AWS::Test::Thing"} for i in range(size)]
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < per_service * size:
        a, b = rng.randrange(size), rng.randrange(size)
        if a != b:
            pairs.add((a, b))
    flows = [{"from": f"r-{a}", "to": f"r-{b}", "kind": "uses"} for a, b in sorted(pairs)]
    return {"name": f"tangled-{size}", "title": f"{size} tangled services", "services": services, "flows": flows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,500,1000,2000")
    parser.add_argument("--formats", default="svg,png")
    parser.add_argument("--shape", choices=["app", "random"], default="app")
    parser.add_argument("--flows-per-service", type=int, default=3, help="for --shape random")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        data = synthetic(size) if args.shape == "app" else tangled(size, args.flows_per_service)
        architecture = Architecture.model_validate(data)
        source = diagram.dot_source(architecture)
        for fmt in args.formats.split(","):
            start = time.perf_counter()
            try:
                result = subprocess.run([dot_program(), f"-T{fmt}", f"-Gimagepath={diagram.ICON_BASE}"],
                                        input=source.encode(), capture_output=True, timeout=args.timeout, check=False)
            except subprocess.TimeoutExpired:
                print(f"{args.shape} {size} services {len(architecture.flows)} flows {fmt}: over {args.timeout:g} s", flush=True)
                continue
            took = time.perf_counter() - start
            print(f"{args.shape} {size} services {len(architecture.flows)} flows {fmt}: {took:.1f} s, exit "
                  f"{result.returncode}, {len(result.stdout)} bytes {result.stderr.decode(errors='replace').strip()[:120]}",
                  flush=True)


if __name__ == "__main__":
    main()
