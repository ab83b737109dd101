"""The `archcase` command: a few lines per command over `archcase.api`.

Exit status: 0 success, 2 bad input (the message says which file, where, and how to fix it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__, api
from .models import CaseError
from .output import write_atomic

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def cmd_validate(args: argparse.Namespace) -> int:
    for case in api.load_cases(args.paths):
        arch = case.architecture
        print(f"ok: {case.path} ({arch.name}: {len(arch.services)} services, {len(arch.flows)} flows, "
              f"{len(arch.requirements)} requirements)")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    if args.out:
        write_atomic(Path(args.out), api.schema_text())
    else:
        sys.stdout.write(api.schema_text())
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    for path in api.build(args.paths, args.out):
        print(f"wrote {path}")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="archcase", description="Architecture as data: validate, draw, deploy.")
    root.add_argument("--version", action="version", version=f"archcase {__version__}")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="validate case files (files or folders)")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="case file or folder of case files")
    validate.set_defaults(run=cmd_validate)

    schema = commands.add_parser("schema", help="print the JSON Schema of case files")
    schema.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    schema.set_defaults(run=cmd_schema)

    build = commands.add_parser("build", help="build every case (default: the bundled ones) into out/<case>/")
    build.add_argument("paths", nargs="*", metavar="PATH", help="case file or folder (default: bundled cases)")
    build.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    build.set_defaults(run=cmd_build)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CaseError as exc:
        for diagnostic in exc.diagnostics:
            print(diagnostic, file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
