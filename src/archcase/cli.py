"""The `archcase` command: a few lines per command over `archcase.api`.

Exit status: 0 success; 1 findings at or above `--fail-on`, or a deploy that AWS refused or rolled back;
2 bad input (the message says which file, where, and how to fix it).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import __version__, api
from .models import CaseError, SourcedCase
from .output import Outputs, write_atomic
from .render.graphviz import GraphvizMissing

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2
PACK_NAMES = ("default", "seed", "strict")
HANDLERS_HELP = "folder of the handler code the functions name (default: handlers/ beside the case or its folder)"


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
    return _report(api.build(args.paths, args.out, args.handlers))


def cmd_emit(args: argparse.Namespace) -> int:
    return _report(api.emit(args.paths, args.out, args.handlers))


def cmd_render(args: argparse.Namespace) -> int:
    return _report(api.render(args.paths, args.format, args.out, args.findings, args.pack))


def _report(written: Outputs) -> int:
    for path in written.paths:
        print(f"wrote {path}")
    for warning in written.warnings:
        print(warning, file=sys.stderr)
    return EXIT_OK


def aws_errors(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Commands that talk to AWS: credentials, endpoint and refused requests as one-line errors (botocore is
    imported only by these commands, keeping `check` and `validate` quick to start)."""

    def run(args: argparse.Namespace) -> int:
        from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, PartialCredentialsError

        try:
            return command(args)
        except (NoCredentialsError, PartialCredentialsError) as exc:
            print(f"error: {exc}: configure AWS credentials (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
                  "AWS_SECRET_ACCESS_KEY)", file=sys.stderr)
            return EXIT_BAD_INPUT
        except EndpointConnectionError as exc:
            print(f"error: {exc}: check --endpoint-url and the network", file=sys.stderr)
            return EXIT_BAD_INPUT
        except ClientError as exc:
            print(f"error: AWS refused a request: {exc}", file=sys.stderr)
            return EXIT_FINDINGS

    return run


@aws_errors
def cmd_package(args: argparse.Namespace) -> int:
    packaged = api.package(args.case, args.bucket, args.out, args.handlers, args.endpoint_url, args.region)
    for key, uploaded in packaged.uploads:
        print(f"{'uploaded' if uploaded else 'unchanged'} s3://{args.bucket}/{key}")
    return _report(packaged.written)


@aws_errors
def cmd_deploy(args: argparse.Namespace) -> int:
    from .deploy import DeployError, describe

    progress = Progress(sys.stderr)
    try:
        packaged, outcome = api.deploy(args.case, args.stack_name, dict(args.parameter), args.bucket, args.out,
                                       args.handlers, args.endpoint_url, args.region,
                                       on_event=lambda event: progress.line(describe(event)))
    except DeployError as exc:
        progress.done()
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FINDINGS
    progress.done()
    for key, uploaded in packaged.uploads:
        print(f"{'uploaded' if uploaded else 'unchanged'} s3://{args.bucket}/{key}")
    print(f"{outcome.stack}: {outcome.status}" + ("" if outcome.changed else " (no changes)"))
    for name, value in sorted(outcome.outputs.items()):
        print(f"  {name} = {value}")
    return EXIT_OK


class Progress:
    """Stack events as lines; on a terminal, a "waiting" status line under them until the stack settles."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = stream.isatty()

    def line(self, text: str) -> None:
        self.stream.write(("\r\033[K" if self.tty else "") + text + "\n" + ("… waiting for the stack" if self.tty else ""))
        self.stream.flush()

    def done(self) -> None:
        if self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()


def parameter(value: str) -> tuple[str, str]:
    """`--parameter Key=Value`."""
    key, sep, val = value.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"'{value}' is not KEY=VALUE: write e.g. --parameter Environment=prod")
    return key, val


def diagram_formats(value: str) -> list[str]:
    """`--format png,svg`: a comma-separated list of diagram formats."""
    formats = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in formats if f not in api.DIAGRAM_FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(
            f"unknown diagram format {', '.join(map(repr, unknown)) or repr(value)}: "
            f"give a comma-separated list of {', '.join(api.DIAGRAM_FORMATS)}")
    return formats


def cmd_import(args: argparse.Namespace) -> int:
    """Writes the case only once the whole template is imported; refuses to write over the template itself."""
    from .importer import case_yaml
    from .models import Diagnostic

    out = Path(args.out) if args.out else None
    if out is not None:
        if out.is_dir():
            raise CaseError([Diagnostic(str(out), 1, 1, "--out is a folder", "give the case file to write, such as cases/NAME.yaml")])
        try:
            same = out.exists() and os.path.samefile(args.template, out)
        except OSError:
            same = False  # the template cannot be read: the import says so
        if same:
            raise CaseError([Diagnostic(str(out), 1, 1, "--out is the template being imported: the case would overwrite it",
                                        "write the case to another file, such as cases/NAME.yaml")])
    imported = api.import_template(args.template)
    for note in imported.notes:
        print(note, file=sys.stderr)
    text = case_yaml(imported.architecture)
    if out is not None:
        try:
            write_atomic(out, text)
        except OSError as exc:
            raise CaseError([Diagnostic(str(out), 1, 1, f"cannot write the case: {exc.strerror or 'unknown error'}",
                                        "check that the folder exists or can be made, and can be written")]) from None
        arch = imported.architecture
        print(f"wrote {out} ({arch.name}: {len(arch.services)} services, {len(arch.flows)} flows)")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _imported(cases: Sequence[SourcedCase]) -> None:
    """One line per imported template, so notes are reported once without flooding a report."""
    for case in cases:
        if case.notes:
            generic = sum(s.kind == "generic" for s in case.architecture.services)
            print(f"note: {case.path}: imported from a template, {len(case.architecture.services)} services "
                  f"({generic} not modelled), {len(case.notes)} notes: `archcase import {case.path}` lists them", file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    """Checks every file that can be read and reports it; files that cannot be read make the exit status 2
    (and, with --output, nothing is written: a report missing files must not pass for a whole one)."""
    from .checks.formats import FORMATS

    cases, problems = api.load_each(args.paths)
    _imported(cases)
    reports = api.checked(cases, args.pack)
    color = args.format == "text" and not args.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    text = FORMATS[args.format](reports, args.fail_on, color)
    if args.output and not problems:
        write_atomic(Path(args.output), text)
    elif not args.output:
        sys.stdout.write(text)
    if problems:  # the readable files were checked above; the others are bad input
        raise CaseError(problems)
    return EXIT_FINDINGS if any(report.blocking(args.fail_on) for report in reports) else EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from .checks.catalogue_docs import FORMATS

    sys.stdout.write(FORMATS[args.format]())
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="archcase", description="Architecture as data: validate, draw, deploy.")
    root.add_argument("--version", action="version", version=f"archcase {__version__}")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="validate case files (files or folders)")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="case file, template, or folder of them")
    validate.set_defaults(run=cmd_validate)

    schema = commands.add_parser("schema", help="print the JSON Schema of case files")
    schema.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    schema.set_defaults(run=cmd_schema)

    check = commands.add_parser("check", help="hold cases against best-practice rules")
    check.add_argument("paths", nargs="+", metavar="PATH", help="case file, template, or folder of them")
    check.add_argument("--format", choices=["text", "json", "sarif", "junit"], default="text")
    check.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    check.add_argument("--fail-on", choices=["critical", "high", "medium", "low", "info"], default="high",
                       help="exit 1 when an unsuppressed finding has this severity or above (default: high)")
    check.add_argument("--pack", choices=sorted(PACK_NAMES), default="default", help="rule pack (default: default)")
    check.set_defaults(run=cmd_check)

    imp = commands.add_parser("import", help="turn a CloudFormation or SAM template into a case")
    imp.add_argument("template", metavar="TEMPLATE", help="template file (YAML or JSON)")
    imp.add_argument("--out", metavar="FILE", help="write the case to FILE (e.g. cases/NAME.yaml) instead of standard output")
    imp.set_defaults(run=cmd_import)

    rules = commands.add_parser("rules", help="list the rule catalogue")
    rules.add_argument("--format", choices=["text", "json", "markdown"], default="text")
    rules.set_defaults(run=cmd_rules)

    render = commands.add_parser("render", help="draw cases as diagrams: PNG, SVG, Mermaid, DOT")
    render.add_argument("paths", nargs="+", metavar="PATH", help="case file, template, or folder of them")
    render.add_argument("--format", type=diagram_formats, default=list(api.DIAGRAM_FORMATS), metavar="LIST",
                        help="comma-separated formats out of png,svg,mermaid,dot (default: all)")
    render.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    render.add_argument("--findings", action="store_true",
                        help="outline and number the services and flows that have findings, with a legend")
    render.add_argument("--pack", choices=sorted(PACK_NAMES), default="default",
                        help="rule pack for --findings (default: default)")
    render.set_defaults(run=cmd_render)

    emit = commands.add_parser("emit", help="write each case's CloudFormation template and OpenAPI documents")
    emit.add_argument("paths", nargs="+", metavar="PATH", help="case file, template, or folder of them")
    emit.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    emit.add_argument("--handlers", metavar="DIR", help=HANDLERS_HELP)
    emit.set_defaults(run=cmd_emit)

    aws = argparse.ArgumentParser(add_help=False)
    aws.add_argument("case", metavar="CASE", help="case file")
    aws.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    aws.add_argument("--handlers", metavar="DIR", help=HANDLERS_HELP)
    aws.add_argument("--endpoint-url", metavar="URL", help="AWS endpoint (default: AWS_ENDPOINT_URL, else AWS itself)")
    aws.add_argument("--region", metavar="REGION", help="AWS Region (default: the AWS configuration chain)")
    aws.add_argument("--bucket", required=True, metavar="NAME", help="artifact bucket (must exist)")

    package = commands.add_parser("package", parents=[aws],
                                  help="build each handler's zip, upload the missing ones, write packaged.yaml")
    package.set_defaults(run=cmd_package)

    deploy = commands.add_parser("deploy", parents=[aws], help="package, then create or update the case's stack")
    deploy.add_argument("--stack-name", required=True, metavar="NAME")
    deploy.add_argument("--parameter", type=parameter, action="append", default=[], metavar="KEY=VALUE",
                        help="template parameter (repeatable)")
    deploy.set_defaults(run=cmd_deploy)

    build = commands.add_parser("build", help="build every case (default: the bundled ones) into out/<case>/")
    build.add_argument("paths", nargs="*", metavar="PATH", help="case file or folder (default: bundled cases)")
    build.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    build.add_argument("--handlers", metavar="DIR", help=HANDLERS_HELP)
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
    except GraphvizMissing as exc:
        print(f"error: nothing to write: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception:  # a defect of archcase's own: one line and how to learn more, not a traceback
        if os.environ.get("ARCHCASE_DEBUG"):
            raise
        print("error: archcase failed unexpectedly: a defect of archcase's, not of the input as far as it can tell\n"
              "    fix: run again with ARCHCASE_DEBUG=1 to see where, and report it", file=sys.stderr)
        return EXIT_BAD_INPUT
