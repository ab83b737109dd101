"""The `archcase` command: a few lines per command over `archcase.api`.

Exit status: 0 success; 1 findings at or above `--fail-on`, or a deploy that AWS refused or rolled back;
2 bad input (the message says which file, where, and how to fix it).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import api
from .models import CaseError, Diagnostic, SourcedCase
from .models.about import version
from .models.generic import Generic
from .models.text import one_line, terminal
from .output import Outputs, write_atomic
from .render.graphviz import DrawError, GraphvizMissing
from .render.view import DETAILS

if TYPE_CHECKING:
    from .config import Loaded, Settings

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2
HANDLERS_HELP = "folder of the handler code the functions name (default: handlers/ beside the case or its folder)"
GROUP_BY_HELP = ("how the services of a template are grouped, each group drawn as a box: tag:KEY by the value of their tag "
                 "KEY (where written as plain text), stack by the local nested stack or SAM application they come from (the "
                 "default), none. Templates only: a case file gives each service's `group` itself")
CONFIG_HELP = ("configuration file (default: ARCHCASE_CONFIG, else the nearest .archcase.yaml or pyproject.toml with "
               "[tool.archcase] from the working directory up)")
RULES_HELP = ("Python module of custom rules to load (repeatable; dotted name, found from the working directory and the "
              "configuration file's folder), besides the configuration's `rule-modules` and installed packages' `archcase.rules` "
              "entry points: see docs/custom-rules.md")
NO_LINT_HELP = ("write templates without running cfn-lint on them first (by default a template cfn-lint reports "
                "anything on is an archcase defect: reported, exit 2, nothing written)")



class _Version(argparse.Action):
    """`--version`, reading the version only when asked (package metadata is slow to import)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(f"archcase {version()}")
        parser.exit()


class Choices:
    """An option's choices as named by the registry that defines them, read when first needed: when the option
    is given, or for a help or error message. The registries (rules, packs, report formats) would slow every
    command's start-up if the parser imported them, `archcase --version` among them."""

    def __init__(self, names: Callable[[], Iterable[str]]) -> None:
        self._names = names
        self._known: tuple[str, ...] | None = None

    def _all(self) -> tuple[str, ...]:
        if self._known is None:
            self._known = tuple(self._names())
        return self._known

    def __contains__(self, value: object) -> bool:
        return value in self._all()

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())


def _packs() -> list[str]:
    from .checks.packs import PACKS

    return sorted(PACKS)


def _severities() -> tuple[str, ...]:
    from .checks.rule import SEVERITIES

    return tuple(reversed(SEVERITIES))  # most severe first


def _report_formats() -> Iterable[str]:
    from .checks.formats import FORMATS

    return FORMATS


def _catalogue_formats() -> Iterable[str]:
    from .checks.catalogue_docs import FORMATS

    return FORMATS


PACK_NAMES = Choices(_packs)
"""`--pack`: the rule packs (`checks.packs.PACKS`)."""
SEVERITY_NAMES = Choices(_severities)
"""`--fail-on`: the severities, most severe first (`checks.rule.SEVERITIES`)."""
FAIL_ON_NAMES = Choices(lambda: (*_severities(), "never"))
"""`build --fail-on`: a severity, or never (to override a configuration's `fail-on`)."""
REPORT_FORMATS = Choices(_report_formats)
"""`check --format`: the report formats (`checks.formats.FORMATS`)."""
CATALOGUE_FORMATS = Choices(_catalogue_formats)
"""`rules --format`: the formats of the rule catalogue (`checks.catalogue_docs.FORMATS`)."""


def detail(command: argparse.ArgumentParser) -> None:
    """`--detail`: what the diagrams draw of imported templates."""
    command.add_argument("--detail", default="default", choices=DETAILS,
                         help="default: networking and plumbing (subnets, route tables, permissions, logs, alarms, "
                              "custom resources) collapse into VPC boxes and notes; full: every resource is drawn")


def choices(action: argparse.Action, names: Choices) -> None:
    """Give an option its choices after `add_argument`, which would otherwise list them at once (to check the
    option's metavar) and so import their registry."""
    action.choices = names


def say(text: object = "", file: Any = None) -> None:
    """Print one message: anything unsafe in it (an escape sequence or carriage return that came from a case,
    a template or a file name) is shown as an escape such as `\\x1b`, never sent to the terminal."""
    print(terminal(str(text)), file=file or sys.stdout)


def shown(diagnostic: Diagnostic) -> str:
    """A diagnostic as printed: its file, message and hint each kept to one line, so that text quoted from an
    input can neither colour the terminal nor start a line that looks like another message."""
    return str(dataclasses.replace(diagnostic, file=one_line(diagnostic.file), message=one_line(diagnostic.message),
                                   hint=one_line(diagnostic.hint)))


def cmd_validate(args: argparse.Namespace) -> int:
    for case in api.load_cases(args.paths):
        arch = case.architecture
        say(f"ok: {one_line(str(case.path))} ({arch.name}: {len(arch.services)} services, {len(arch.flows)} flows, "
              f"{len(arch.requirements)} requirements)")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    if args.out:
        write_atomic(Path(args.out), api.schema_text())
    else:
        sys.stdout.write(api.schema_text())
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    """Writes every output, then exits 1 when `--fail-on` (or the configuration's `fail-on`) is met."""
    settings, _ = _configured(args, paths=args.paths, fail_on=args.fail_on)
    if not settings.paths and not args.quiet:
        bundled = api.bundled_cases()
        say(f"building the {len(bundled)} bundled cases ({', '.join(p.stem for p in bundled)}); name case files or folders "
            "to build others")
    built = api.build(settings.paths, args.out, args.handlers, lint=args.lint, group_by=args.group_by, detail=args.detail,
                      pack=settings.pack_rules(), excludes=settings.excludes())
    _report(built, args.quiet)
    say(one_line(api.build_summary(built)))
    threshold = settings.threshold()
    blocking = sum(len(report.blocking(threshold)) for report in built.reports) if threshold else 0
    if blocking:
        say(f"{blocking} unsuppressed finding(s) at or above {threshold}: see each case's report.html", file=sys.stderr)
    return EXIT_FINDINGS if blocking else EXIT_OK


def _configured(args: argparse.Namespace, **flags: Any) -> tuple[Settings, Loaded]:
    """The settings of a command: its `flags` (None: not given) over the configuration file over the defaults."""
    from . import config

    loaded = config.load(args.config, args.use_config)
    flags.setdefault("rule_modules", args.rules)
    flags.setdefault("pack_file", args.pack_file)
    defaults = {"paths": (".",), "fail_on": "high"} if args.command in ("check", "config") else {}
    return config.settings(loaded, flags, defaults), loaded


def _joined(lists: list[list[str]] | None) -> list[str] | None:
    """A repeatable list option's values as one list (None when not given)."""
    return None if lists is None else [item for values in lists for item in values]


def cmd_config(args: argparse.Namespace) -> int:
    import json

    from .config import effective_text

    settings, loaded = _configured(args)
    if args.format == "json":
        say(json.dumps({"file": str(loaded.path) if loaded.path else None, "settings": settings.shown()}, indent=2))
    else:
        sys.stdout.write(terminal(effective_text(settings, loaded.path)))
    return EXIT_OK


def cmd_emit(args: argparse.Namespace) -> int:
    return _report(api.emit(args.paths, args.out, args.handlers, lint=args.lint))


def cmd_render(args: argparse.Namespace) -> int:
    from .checks import custom
    from .checks.packs import PACKS, with_custom

    pack = with_custom(PACKS[args.pack], custom.load(args.rules or ())) if args.findings else args.pack
    return _report(api.render(args.paths, args.format, args.out, args.findings, pack, args.group_by, args.detail))


def _report(written: Outputs, quiet: bool = False) -> int:
    for path in () if quiet else written.paths:
        say(f"wrote {one_line(str(path))}")
    for warning in written.warnings:
        say(warning, file=sys.stderr)
    return EXIT_OK


def aws_errors(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Commands that talk to AWS: credentials, endpoint and refused requests as one-line errors (botocore is
    imported only by these commands, keeping `check` and `validate` quick to start)."""

    def run(args: argparse.Namespace) -> int:
        from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, PartialCredentialsError

        try:
            return command(args)
        except (NoCredentialsError, PartialCredentialsError) as exc:
            say(f"error: {exc}: configure AWS credentials (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
                  "AWS_SECRET_ACCESS_KEY)", file=sys.stderr)
            return EXIT_BAD_INPUT
        except EndpointConnectionError as exc:
            say(f"error: {exc}: check --endpoint-url and the network", file=sys.stderr)
            return EXIT_BAD_INPUT
        except ClientError as exc:
            say(f"error: AWS refused a request: {exc}", file=sys.stderr)
            return EXIT_FINDINGS

    return run


@aws_errors
def cmd_package(args: argparse.Namespace) -> int:
    packaged = api.package(args.case, args.bucket, args.out, args.handlers, args.endpoint_url, args.region)
    for key, uploaded in packaged.uploads:
        say(f"{'uploaded' if uploaded else 'unchanged'} s3://{args.bucket}/{key}")
    return _report(packaged.written)


@aws_errors
def cmd_deploy(args: argparse.Namespace) -> int:
    from .deploy.stack import DeployError, describe

    progress = Progress(sys.stderr)
    try:
        packaged, outcome = api.deploy(args.case, args.stack_name, dict(args.parameter), args.bucket, args.out,
                                       args.handlers, args.endpoint_url, args.region,
                                       on_event=lambda event: progress.line(describe(event)))
    except DeployError as exc:
        progress.done()
        say(f"error: {exc}", file=sys.stderr)
        return EXIT_FINDINGS
    progress.done()
    for key, uploaded in packaged.uploads:
        say(f"{'uploaded' if uploaded else 'unchanged'} s3://{args.bucket}/{key}")
    say(f"{outcome.stack}: {outcome.status}" + ("" if outcome.changed else " (no changes)"))
    for name, value in sorted(outcome.outputs.items()):
        say(f"  {name} = {value}")
    return EXIT_OK


class Progress:
    """Stack events as lines; on a terminal, a "waiting" status line under them until the stack settles."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = stream.isatty()

    def line(self, text: str) -> None:
        self.stream.write(("\r\033[K" if self.tty else "") + one_line(text) + "\n" + ("… waiting for the stack" if self.tty else ""))
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


def group_by(value: str) -> str:
    """`--group-by tag:KEY|stack|none`, checked before anything is read."""
    from .importer.naming import Grouping

    try:
        Grouping.of(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def rule_ids(value: str) -> list[str]:
    """`--select AC101,AC208`: a comma-separated list of rule ids, each one a rule of the catalogue (or written as a
    custom rule's id: whether a custom rule has it is known once the rule modules are loaded)."""
    from .checks.catalogue import RULES
    from .config import custom_id
    from .models.base import did_you_mean

    ids = [part.strip() for part in value.split(",") if part.strip()]
    for rule_id in ids or [value]:
        if rule_id not in RULES and not custom_id(rule_id):
            hint = " ".join(filter(None, (did_you_mean(rule_id, RULES), "see `archcase rules` for the catalogue")))
            raise argparse.ArgumentTypeError(f"unknown rule id {rule_id!r}: {hint}")
    return ids


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

    out = Path(args.out) if args.out else None
    if out is not None and _same_file(args.template, out):
        raise CaseError([Diagnostic(str(out), 1, 1, "--out is the template being imported: the case would overwrite it",
                                    "write the case to another file, such as cases/NAME.yaml")])
    imported = api.import_template(args.template, args.group_by)
    for note in imported.notes:
        say(shown(note), file=sys.stderr)
    text = case_yaml(imported.architecture)
    if out is not None:
        write_atomic(out, text)
        arch = imported.architecture
        say(f"wrote {one_line(str(out))} ({arch.name}: {len(arch.services)} services, {len(arch.flows)} flows)")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _same_file(first: str | Path, second: Path) -> bool:
    try:
        return second.exists() and os.path.samefile(first, second)
    except OSError:
        return False  # a path that cannot be looked at: reading or writing it reports why


def _imported(cases: Sequence[SourcedCase]) -> None:
    """One line per imported template, so notes are reported once without flooding a report."""
    for case in cases:
        if case.notes:
            generic = sum(isinstance(s, Generic) for s in case.architecture.services)
            path = one_line(str(case.path))
            say(f"note: {path}: imported from a template, {len(case.architecture.services)} services "
                f"({generic} not modelled), {len(case.notes)} notes: `archcase import {path}` lists them", file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    """Checks every file that can be read and reports it; files that cannot be read make the exit status 2 (and, with
    --output, nothing is written: a report missing files must not pass for a whole one; but a SARIF log is, with the
    bad inputs as tool execution notifications and the run marked unsuccessful, so a CI upload step finds its file)."""
    from .checks import baseline
    from .checks.formats import FORMATS, sarif
    from .checks.formats import text as text_report

    settings, _ = _configured(args, paths=args.paths, format=args.format, output=args.output, fail_on=args.fail_on, pack=args.pack,
                              select=_joined(args.select), ignore=_joined(args.ignore), exclude=args.exclude)
    sarif_file = settings.format == "sarif" and bool(settings.output)
    try:
        known, bad_baseline = (baseline.load(args.baseline) if args.baseline else None), []
    except CaseError as exc:
        if not sarif_file:
            raise
        known, bad_baseline = None, exc.diagnostics
    pack = settings.pack_rules()
    cases, problems = api.load_each(settings.paths, args.group_by, settings.excludes(), pack.known())
    problems = bad_baseline + problems
    if problems and not cases and not sarif_file:  # nothing to check: no report, not even an empty one, on standard output
        raise CaseError(problems)
    if not args.quiet:
        _imported(cases)
    reports = api.checked(cases, pack)
    if known is not None:
        reports = baseline.compare(reports, known)
    fail_on = settings.threshold() or "high"
    color = settings.format == "text" and not settings.output and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    if sarif_file:
        text = sarif.render(reports, fail_on, problems=problems)
    elif settings.format == "text":  # --quiet shortens what is printed, not a report written to a file
        text = text_report.render(reports, fail_on, color, "summary" if args.summary else "quiet" if args.quiet and not settings.output
                                  else "full")
    else:
        text = FORMATS[settings.format](reports, fail_on, color)
    if settings.output and (sarif_file or not problems):
        write_atomic(Path(settings.output), text)
    elif not settings.output:
        sys.stdout.write(text)
    if problems:  # the readable files were checked above; the others are bad input
        raise CaseError(problems)
    if args.write_baseline:
        write_atomic(Path(args.write_baseline), baseline.text(reports))
        say(f"wrote {one_line(args.write_baseline)} ({len(baseline.entries(reports))} findings)", file=sys.stderr)
        return EXIT_OK
    return EXIT_FINDINGS if any(report.blocking(fail_on) for report in reports) else EXIT_OK


DIFF_FORMATS = ("markdown", "json", "text")
DIFF_DIAGRAMS = (".svg", ".png", ".mmd", ".dot")


def cmd_diff(args: argparse.Namespace) -> int:
    """`archcase diff BASE HEAD`, or `--git REV PATH...`: the report, then the diagram; exit 1 on new findings at or
    above --fail-on."""
    from .diff import compare
    from .render import diff_diagram, diff_report
    from .render.diagram import check_drawable, draw

    if args.git is None and len(args.paths) != 2:
        say("error: archcase diff: give BASE and HEAD, or --git REV and the paths to compare with the revision",
            file=sys.stderr)
        return EXIT_BAD_INPUT
    diagram = Path(args.diagram) if args.diagram else None
    if diagram is not None and diagram.suffix not in DIFF_DIAGRAMS:
        say(f"error: --diagram {one_line(str(diagram))}: name a file ending in {', '.join(DIFF_DIAGRAMS)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    base, head = (args.paths, args.paths) if args.git else (args.paths[:1], args.paths[1:])
    compared = compare(base, head, args.pack, args.group_by, args.git)
    found = compared.diff
    text = diff_report.json_text(found) if args.format == "json" else diff_report.FORMATS[args.format](found, args.fail_on)
    if args.output:
        write_atomic(Path(args.output), text)
    else:
        sys.stdout.write(text)
    for case in found.cases if diagram else ():
        assert diagram is not None
        old, new = compared.base.get(case.name), compared.head.get(case.name)
        target = diagram if len(found.cases) == 1 else diagram.with_name(f"{diagram.stem}-{case.name}{diagram.suffix}")
        content: str | bytes = (diff_diagram.mermaid_text(case, old, new, args.detail) if diagram.suffix == ".mmd"
                                else diff_diagram.dot(case, old, new, args.detail))
        if diagram.suffix in (".svg", ".png"):
            check_drawable(diff_diagram.union(old, new))  # TooBigToDraw before Graphviz runs for minutes: exit 2
            content = draw(str(content), diagram.suffix[1:])
        write_atomic(target, content)
        say(f"wrote {one_line(str(target))}", file=sys.stderr if not args.output else None)
    return EXIT_FINDINGS if found.blocking(args.fail_on) else EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from .checks.catalogue_docs import FORMATS

    settings, _ = _configured(args)
    sys.stdout.write(FORMATS[args.format](dict(sorted(settings.pack_rules().known().items()))))
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="archcase", description="Architecture as data: validate, draw, deploy.")
    root.add_argument("--version", action=_Version, nargs=0, help="show program's version number and exit")
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser("validate", help="validate case files (files or folders)")
    validate.add_argument("paths", nargs="+", metavar="PATH", help="case file, template, or folder of them")
    validate.set_defaults(run=cmd_validate)

    schema = commands.add_parser("schema", help="print the JSON Schema of case files")
    schema.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    schema.set_defaults(run=cmd_schema)

    configured = argparse.ArgumentParser(add_help=False)
    configured.add_argument("--config", metavar="FILE", help=CONFIG_HELP)
    configured.add_argument("--no-config", dest="use_config", action="store_false", help="read no configuration file")
    configured.add_argument("--rules", action="append", metavar="MODULE", help=RULES_HELP)
    configured.add_argument("--pack-file", metavar="FILE", help="rule pack written as YAML (name, extends, select, ignore, "
                            "severity), instead of --pack: see docs/custom-rules.md")

    check = commands.add_parser("check", parents=[configured], help="hold cases against best-practice rules")
    check.add_argument("paths", nargs="*", metavar="PATH",
                       help="case file, template, folder of them (walked with its subfolders) or glob pattern (default: "
                            "the configuration's `paths`, else the working directory)")
    choices(check.add_argument("--format", help="report format (default: the configuration's, else text)"), REPORT_FORMATS)
    check.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    choices(check.add_argument("--fail-on", help="exit 1 when an unsuppressed finding has this severity or above "
                                                 "(default: the configuration's, else high)"),
            SEVERITY_NAMES)
    choices(check.add_argument("--pack", help="rule pack (default: the configuration's, else default)"), PACK_NAMES)
    check.add_argument("--select", type=rule_ids, action="append", metavar="IDS",
                       help="run only these rules (comma-separated ids; default: the configuration's, else the pack's)")
    check.add_argument("--ignore", type=rule_ids, action="append", metavar="IDS",
                       help="do not run these rules (comma-separated ids), instead of the configuration's `ignore`")
    check.add_argument("--exclude", action="append", metavar="PATTERN",
                       help="glob pattern of files and folders walking skips (repeatable), instead of the configuration's")
    check.add_argument("--group-by", type=group_by, metavar="GROUPING", help=GROUP_BY_HELP)
    check.add_argument("--baseline", metavar="FILE", help="count only findings not recorded in FILE toward the exit status; "
                       "report its entries that no longer occur")
    check.add_argument("--write-baseline", metavar="FILE", help="record the findings not suppressed in FILE and exit 0")
    check.add_argument("-q", "--quiet", action="store_true", help="print only the text report's last line (no notes on "
                       "standard error; errors still are); a report written with --output is whole")
    check.add_argument("--summary", action="store_true", help="text report: the unsuppressed findings counted by rule "
                       "(worst severity, count, title) and the last line, not each finding (a report of more than 50 ends with that "
                       "count anyway)")
    check.set_defaults(run=cmd_check)

    diff = commands.add_parser("diff", help="what changed between two versions: services, flows, requirements, findings")
    diff.add_argument("paths", nargs="+", metavar="PATH",
                      help="BASE and HEAD (case files, templates or folders); with --git, the paths to compare with "
                           "themselves at that revision")
    diff.add_argument("--git", metavar="REV", help="the base is the paths as they are at this git revision of the "
                                                 "current repository (read from git: the work tree is not touched)")
    diff.add_argument("--format", default="markdown", choices=DIFF_FORMATS,
                      help="markdown (a pull-request comment: the default), json, or text")
    diff.add_argument("--output", metavar="FILE", help="write the report to FILE instead of standard output")
    diff.add_argument("--diagram", metavar="FILE", help="draw both versions in one picture: FILE.svg, .png, .mmd (Mermaid) "
                                                     "or .dot (one file per case, named FILE-CASE, when there are several)")
    choices(diff.add_argument("--fail-on", default="high",
                              help="exit 1 when the change adds a finding of this severity or above (default: high)"),
            SEVERITY_NAMES)
    choices(diff.add_argument("--pack", default="default", help="rule pack (default: default)"), PACK_NAMES)
    diff.add_argument("--group-by", type=group_by, metavar="GROUPING", help=GROUP_BY_HELP)
    detail(diff)
    diff.set_defaults(run=cmd_diff)

    imp = commands.add_parser("import", help="turn a CloudFormation or SAM template into a case")
    imp.add_argument("template", metavar="TEMPLATE", help="template file (YAML or JSON)")
    imp.add_argument("--out", metavar="FILE", help="write the case to FILE (e.g. cases/NAME.yaml) instead of standard output")
    imp.add_argument("--group-by", type=group_by, metavar="GROUPING", help=GROUP_BY_HELP)
    imp.set_defaults(run=cmd_import)

    rules = commands.add_parser("rules", parents=[configured], help="list the rule catalogue (with the custom rules loaded)")
    choices(rules.add_argument("--format", default="text"), CATALOGUE_FORMATS)
    rules.set_defaults(run=cmd_rules)

    render = commands.add_parser("render", help="draw cases as diagrams: PNG, SVG, Mermaid, DOT, draw.io")
    render.add_argument("paths", nargs="+", metavar="PATH", help="case file, template, or folder of them")
    render.add_argument("--format", type=diagram_formats, default=list(api.DIAGRAM_FORMATS), metavar="LIST",
                        help=f"comma-separated formats out of {','.join(api.DIAGRAM_FORMATS)} (default: all)")
    render.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    render.add_argument("--findings", action="store_true",
                        help="outline and number the services and flows that have findings, with a legend")
    choices(render.add_argument("--pack", default="default", help="rule pack for --findings (default: default)"),
            PACK_NAMES)
    render.add_argument("--rules", action="append", metavar="MODULE", help="custom rule module for --findings (repeatable), "
                        "besides installed packages' `archcase.rules` entry points")
    render.add_argument("--group-by", type=group_by, metavar="GROUPING", help=GROUP_BY_HELP)
    detail(render)
    render.set_defaults(run=cmd_render)

    emit = commands.add_parser("emit", help="write each case's CloudFormation template and OpenAPI documents")
    emit.add_argument("paths", nargs="+", metavar="PATH", help="case file, template, or folder of them")
    emit.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    emit.add_argument("--handlers", metavar="DIR", help=HANDLERS_HELP)
    emit.add_argument("--no-lint", dest="lint", action="store_false", help=NO_LINT_HELP)
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

    build = commands.add_parser("build", parents=[configured], help="build every case (default: the bundled ones) into out/<case>/")
    build.add_argument("paths", nargs="*", metavar="PATH",
                       help="case file, template, folder or glob pattern (default: the configuration's `paths`, else the bundled cases)")
    choices(build.add_argument("--fail-on", help="after writing everything, exit 1 when an unsuppressed finding has this "
                                                 "severity or above (default: the configuration's `fail-on`, else never)"),
            FAIL_ON_NAMES)
    build.add_argument("--out", default="out", metavar="DIR", help="output folder (default: out)")
    build.add_argument("--handlers", metavar="DIR", help=HANDLERS_HELP)
    build.add_argument("--no-lint", dest="lint", action="store_false", help=NO_LINT_HELP)
    build.add_argument("--group-by", type=group_by, metavar="GROUPING", help=GROUP_BY_HELP)
    build.add_argument("-q", "--quiet", action="store_true", help="print only the last line (and warnings and errors)")
    detail(build)
    build.set_defaults(run=cmd_build)

    config = commands.add_parser("config", parents=[configured],
                                 help="print the effective configuration and where each value comes from")
    config.add_argument("--format", default="text", choices=("text", "json"), help="text (default) or json")
    config.set_defaults(run=cmd_config)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CaseError as exc:
        for diagnostic in exc.diagnostics:
            say(shown(diagnostic), file=sys.stderr)
        return EXIT_BAD_INPUT
    except GraphvizMissing as exc:
        say(f"error: nothing to write: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except DrawError as exc:
        say(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except Exception:  # a defect of archcase's own: one line and how to learn more, not a traceback
        if os.environ.get("ARCHCASE_DEBUG"):
            raise
        print("error: archcase failed unexpectedly: a defect of archcase's, not of the input as far as it can tell\n"
              "    fix: run again with ARCHCASE_DEBUG=1 to see where, and report it", file=sys.stderr)
        return EXIT_BAD_INPUT
