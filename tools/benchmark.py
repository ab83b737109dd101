"""Benchmark: validate and check synthetic architectures of 1,000 / 10,000 / 50,000 services (about three
flows per service), time `archcase check cases/` as a whole process, and time importing and checking a folder
of CloudFormation templates (`archcase check CORPUS`, one process) beside cfn-lint and checkov on the same files.

Run: .venv/bin/python tools/benchmark.py [--sizes 1000,10000,50000] [--repeat 3] [--corpus ../shared/corpus]
Prints figures; it asserts nothing. Targets: 10,000 services checked in under 1 s, 50,000 in under 6x the
10,000 time, `archcase check cases/` under 0.5 s wall.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from archcase.checks.engine import check
from archcase.models import Architecture

REPO = Path(__file__).resolve().parents[1]


def unit(i: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Ten services and thirty flows: a small serverless app (edge, API, functions, data, async)."""
    n = lambda name: f"{name}-{i}"  # noqa: E731
    services = [
        {"id": n("users"), "kind": "browser", "audience": "global"},
        {"id": n("cdn"), "kind": "cloudfront", "waf": True},
        {"id": n("site"), "kind": "s3", "content": "public"},
        {"id": n("pool"), "kind": "cognito-user-pool"},
        {"id": n("api"), "kind": "api-gateway", "expected_reads_per_s": 1000, "expected_writes_per_s": 10,
         "stages": [{"name": "prod", "cache": {"size_gb": 0.5}}]},
        {"id": n("fn"), "kind": "lambda", "handler": "app.handler", "in_vpc": True},
        {"id": n("dax"), "kind": "dax"},
        {"id": n("table"), "kind": "dynamodb", "partition_key": {"name": "pk"}, "stream": "NEW_AND_OLD_IMAGES",
         "replica_regions": ["eu-west-1"], "expected_reads_per_s": 1000, "expected_writes_per_s": 10},
        {"id": n("queue"), "kind": "sqs", "visibility_timeout_s": 60},
        {"id": n("worker"), "kind": "lambda", "handler": "worker.handler"},
    ]
    edges = [
        ("users", "calls", "cdn"), ("cdn", "origin", "site"), ("users", "authenticates", "pool"),
        ("users", "calls", "api"), ("api", "authorizes", "pool"), ("fn", "reads", "dax"), ("fn", "writes", "dax"),
        ("dax", "caches", "table"), ("fn", "enqueues", "queue"), ("queue", "triggers", "worker"),
        ("worker", "writes", "table"), ("worker", "reads", "site"), ("worker", "writes", "site"),
        ("table", "triggers", "worker"), ("worker", "dead-letter", "queue"),
    ]
    flows = [{"from": n(a), "kind": k, "to": n(b)} for a, k, b in edges]
    if i % 7 == 0:  # some units are broken, so findings are made and located too
        flows[3]["protocol"] = "http"
    flows.append({"from": n("api"), "kind": "invokes", "to": n("fn"), "routes": ["GET /items", "POST /items"]})
    flows.append({"from": n("cdn"), "kind": "origin", "to": n("site"), "id": n("cdn-assets"), "access": "oac",
                  "path_pattern": "/assets/*"})
    for j, prefix in enumerate(("a/", "b/", "c/", "d/", "e/", "f/", "g/", "h/", "i/", "j/", "k/", "l/")):
        flows.append({"id": n(f"read-{j}"), "from": n("worker"), "kind": "reads", "to": n("site"), "prefix": prefix})
    return services, flows


def synthetic(size: int) -> dict[str, Any]:
    services: list[dict[str, Any]] = []
    flows: list[dict[str, Any]] = []
    for i in range(size // 10):
        s, f = unit(i)
        services += s
        flows += f
    return {"name": f"synthetic-{size}", "title": f"{size} services", "services": services, "flows": flows}


def best(fn, repeat: int) -> tuple[float, Any]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus"), help="folder of templates")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, best of {args.repeat}")
    print(f"{'services':>9} {'flows':>7} {'validate s':>11} {'check s':>9} {'findings':>9}")
    checked: dict[int, float] = {}
    for size in (int(s) for s in args.sizes.split(",")):
        data = synthetic(size)
        validate_s, architecture = best(lambda: Architecture.model_validate(data), args.repeat)  # noqa: B023
        check_s, report = best(lambda: check(architecture), args.repeat)  # noqa: B023
        checked[size] = check_s
        print(f"{size:>9} {len(data['flows']):>7} {validate_s:>11.3f} {check_s:>9.3f} {len(report.findings):>9}")
    if 10000 in checked and 50000 in checked:
        print(f"growth 10,000 -> 50,000 services: {checked[50000] / checked[10000]:.1f}x (linear is 5x)")
    cli = [str(Path(sys.executable).parent / "archcase"), "check", "cases/"]
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(cli, cwd=REPO, capture_output=True, check=False)
        runs.append(time.perf_counter() - start)
    print(f"archcase check cases/ (whole process): best {min(runs):.3f} s, median {statistics.median(runs):.3f} s")
    corpus = Path(args.corpus)
    if corpus.is_dir():
        compare(corpus, args.repeat)
    else:
        print(f"no template folder at {corpus}: import figures skipped")


def timed(command: list[str], repeat: int) -> tuple[float, int]:
    """Best wall time of a whole process, and its exit status."""
    runs, code = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        code = subprocess.run(command, cwd=REPO, capture_output=True, check=False).returncode
        runs.append(time.perf_counter() - start)
    return min(runs), code


def compare(corpus: Path, repeat: int) -> None:
    """archcase (import + check), cfn-lint and checkov over the same templates, each as one process."""
    files = sorted(str(p) for p in corpus.iterdir() if p.suffix in (".yaml", ".yml", ".json", ".template"))
    bin_dir = Path(sys.executable).parent
    tools = [("archcase check (import + check)", [str(bin_dir / "archcase"), "check", str(corpus)], repeat),
             ("cfn-lint", [str(bin_dir / "cfn-lint"), *files], 1)]
    checkov = REPO / ".venv" / "checkov" / "bin" / "checkov"
    if checkov.exists():
        tools.append(("checkov", [str(checkov), "--quiet", "--compact", "--framework", "cloudformation", "-d", str(corpus)], 1))
    print(f"{len(files)} templates in {corpus} (one process each tool; archcase best of {repeat}, the others one run):")
    for name, command, runs in tools:
        seconds, code = timed(command, runs)
        print(f"  {name:<34} {seconds:>7.2f} s  exit {code}")


if __name__ == "__main__":
    main()
