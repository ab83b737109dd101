"""The library API behind the command line: every function returns data and raises CaseError on bad input."""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .cases import BUNDLED
from .discovery import CASE_SUFFIXES as CASE_SUFFIXES
from .discovery import TEMPLATE_SUFFIXES as TEMPLATE_SUFFIXES  # files a folder is searched for: case files and templates
from .discovery import Excludes
from .importer import Grouping, import_document, is_template
from .importer import import_template as import_template  # part of the API: `archcase import` calls it here
from .importer.source import TEMPLATE_HINT
from .importer.source import parse as parse_template
from .models import Architecture, CaseError, Diagnostic, SourcedCase
from .models.base import did_you_mean
from .models.json_schema import case_schema
from .models.load import bulk, case_from, case_from_text, read_text
from .output import Outputs
from .render import model_json

if TYPE_CHECKING:
    from .checks.engine import CaseReport
    from .checks.packs import Pack
    from .render.overlay import Overlay
    from .render.view import Detail

SCHEMA_ID = "https://archcase.dev/schema/case.schema.json"


def case_files(paths: Iterable[str | Path], excludes: Excludes | None = None) -> list[Path]:
    """The case files named by `paths`: files as given, folders walked for their case files and templates (their
    subfolders too, skipping what `excludes` and `discovery` name), glob patterns expanded, sorted. Raises
    CaseError naming each path that cannot be read (missing, a broken or looping link, a named pipe or device, a
    folder that cannot be listed or holds nothing to read, a pattern that matches nothing)."""
    files, problems = _case_files(paths, excludes)
    if problems:
        raise CaseError(problems)
    return files


def _case_files(paths: Iterable[str | Path], excludes: Excludes | None = None) -> tuple[list[Path], list[Diagnostic]]:
    """The files to read, and the problems of the paths that cannot be read (`discovery.files`)."""
    from .discovery import files

    return files(paths, excludes)


def read_any(path: str | Path, group_by: str | None = None) -> SourcedCase:
    """One case file, or a CloudFormation/SAM template imported as a case: read once, told apart by what it
    holds (a template has `Resources`; CloudFormation's tags such as `!Ref` are refused in a case). `group_by`:
    how a template's services are grouped (`importer.Grouping.of`); a case file gives each service's `group` itself."""
    path = Path(path)
    name = str(path)
    text = read_text(path, "split the case into several files (a template: CloudFormation accepts 1 MB at most)")
    try:
        document = parse_template(text, name)
    except CaseError:
        if TEMPLATE_HINT.search(text, 0, 65536):
            raise
        return case_from_text(text, path)  # the case reader says what is wrong, in a case's words
    if is_template(document.data):
        return import_document(path, document, os.stat(path).st_size, group_by).sourced()
    return case_from(document, path)


def load_cases(paths: Iterable[str | Path], group_by: str | None = None, excludes: Excludes | None = None,
               known: Mapping[str, object] | None = None) -> list[SourcedCase]:
    """Load and validate every case named by `paths` (templates are imported, their services grouped as `group_by`
    says; `excludes`: what walking a folder skips); all problems of all files are raised together."""
    loaded, problems = load_each(paths, group_by, excludes, known)
    if problems:
        raise CaseError(problems)
    return loaded


def load_each(paths: Iterable[str | Path], group_by: str | None = None, excludes: Excludes | None = None,
              known: Mapping[str, object] | None = None) -> tuple[list[SourcedCase], list[Diagnostic]]:
    """Every case that loads, and the problems of those that do not (for commands that go on past a bad file):
    paths that cannot be read, files that are not valid, rule ids that no rule has, names used twice. `group_by`:
    see `read_any` (ValueError, before any file is read, when it is not a grouping); `excludes`: see `case_files`;
    `known`: the rules a case may name (default: archcase's; a pack's `known()` with custom rules)."""
    from .checks.catalogue import RULES

    Grouping.of(group_by)

    loaded: list[SourcedCase] = []
    files, problems = _case_files(paths, excludes)
    names: dict[str, Path] = {}
    for path in files:
        try:
            case = read_any(path, group_by)
        except CaseError as exc:
            problems.extend(exc.diagnostics)
            continue
        except (MemoryError, KeyboardInterrupt):
            raise
        except Exception:  # the last resort: a located message, never a traceback or Python's own words
            if os.environ.get("ARCHCASE_DEBUG"):
                raise
            problems.append(Diagnostic(str(path), 1, 1, "archcase could not read this file: it has a shape archcase does not "
                                       "understand", "please report it with the file (ARCHCASE_DEBUG=1 shows the details)"))
            continue
        unknown = list(_unknown_rule_ids(case, RULES if known is None else known))
        if unknown:
            problems.extend(unknown)
            continue
        architecture = case.architecture
        if architecture.name in names:
            problems.append(Diagnostic(str(path), *case.position(("name",)),
                                       f"case name '{architecture.name}' is also used by {names[architecture.name]}",
                                       "give every case a unique `name`: it names the output folder"))
        names.setdefault(architecture.name, path)
        loaded.append(case)
    return loaded, problems


def bundled_cases() -> list[Path]:
    """The case files shipped with archcase."""
    return case_files([BUNDLED])


DIAGRAM_FORMATS = {"png": "png", "svg": "svg", "mermaid": "mmd", "dot": "dot", "drawio": "drawio"}
"""Diagram formats `render` writes, with the extension of each file."""
DRAWN = frozenset({"png", "svg"})
"""Formats that need Graphviz."""


def check(paths: Sequence[str | Path], pack: str | Pack = "default", group_by: str | None = None,
          excludes: Excludes | None = None) -> list[CaseReport]:
    """Load the cases (importing templates, grouped as `group_by` says) and hold each against the rules of a pack."""
    return checked(load_cases(paths, group_by, excludes), pack)


def checked(cases: Sequence[SourcedCase], pack: str | Pack, today: datetime.date | None = None) -> list[CaseReport]:
    """Hold each case against the rules of a pack: a pack's name (`checks.packs.PACKS`), or a Pack such as
    `checks.packs.tailored` makes of one with a configuration's `select`, `ignore` and `severity`; `today`: the date
    suppressions' `expires` is compared with (default: `ARCHCASE_TODAY`, else the local date)."""
    from .checks.engine import TODAY, conditional, current_date, reading, undecided, unused
    from .checks.engine import check as run_checks
    from .checks.packs import PACKS

    rules = PACKS[pack] if isinstance(pack, str) else pack
    problems = [problem for case in cases for problem in _unknown_rule_ids(case, rules.known())]
    if problems:
        raise CaseError(problems)
    try:
        day = today or current_date()
    except ValueError as exc:
        raise CaseError([Diagnostic(TODAY, 1, 1, str(exc), f"unset {TODAY}, or give a date as YYYY-MM-DD")]) from None
    with bulk():
        reports = []
        for case in cases:
            def run(architecture: Architecture, case: SourcedCase = case) -> CaseReport:
                return run_checks(architecture, rules, case.element_position, str(case.path), case.partial, day,
                                  lambda i: case.position(("suppressions", i)))

            report = run(case.architecture)
            report.findings += [unused(case.architecture.name, stray) for stray in case.stray]
            others = [reading(run(variant.architecture), variant.conditions, variant.unknown) for variant in case.variants]
            absent = {sid: (sid, condition) for sid, condition in case.conditional.items()}
            absent.update({flow.key: absent[end] for flow in case.architecture.flows for end in (flow.source, flow.target)
                           if end in absent})
            reports.append(conditional(undecided(report, others) if others else report, absent))
        return reports


def render(paths: Sequence[str | Path], formats: Iterable[str] = tuple(DIAGRAM_FORMATS), out: str | Path = "out",
           findings: bool = False, pack: str | Pack = "default", group_by: str | None = None,
           detail: Detail = "default") -> Outputs:
    """Draw each case as `out/<name>/diagram.<ext>` in the given formats, at `detail` (`render.view`: by default
    networking and plumbing collapse into what they stand for); with `findings`, the services and flows with
    findings of `pack` (a name, or a Pack with custom rules) are marked; `group_by`: how templates' services are
    grouped (`read_any`). PNG and SVG need Graphviz: without it they are skipped with a warning, and GraphvizMissing
    is raised only when nothing else was asked for. Likewise a PNG or SVG that cannot be drawn (a case over the
    drawing limits, Graphviz timing out, failing or writing no valid picture) is skipped with a warning, and
    graphviz.DrawError is raised only when nothing else was asked for (TooBigToDraw before anything is drawn or
    written)."""
    from .render.graphviz import GraphvizMissing, dot_program
    from .render.overlay import Overlay, drawn_ids

    wanted = [f for f in DIAGRAM_FORMATS if f in set(formats)]
    cases = load_cases(paths, group_by, known=None if isinstance(pack, str) else pack.known())
    if DRAWN & set(wanted):
        try:
            dot_program()
        except GraphvizMissing:
            if set(wanted) <= DRAWN:
                raise
        _check_drawable(cases, wanted)
    reports = checked(cases, pack) if findings else [None] * len(cases)
    outputs = Outputs(Path(out))
    for case, report in zip(cases, reports, strict=True):
        overlay = Overlay.of(report.findings, drawn_ids(case.architecture, detail)) if report else None
        for fmt, content in _diagrams(case.architecture, overlay, wanted, outputs, required=set(wanted) <= DRAWN,
                                      detail=detail).items():
            outputs.add(f"{case.architecture.name}/diagram.{DIAGRAM_FORMATS[fmt]}", content)
    outputs.publish()
    return outputs


def _diagrams(architecture: Architecture, overlay: Overlay | None, formats: Sequence[str], outputs: Outputs,
              required: bool = False, detail: Detail = "default") -> dict[str, str | bytes]:
    """The diagram of one architecture in each format, the DOT fitted to a page (`layout_metrics.fit`). A PNG or
    SVG that cannot be drawn here (no Graphviz, a case over the drawing limits, Graphviz timing out, failing or
    writing no valid picture) is left out with a warning naming the case; with `required`, a drawing problem is
    raised instead (graphviz.DrawError)."""
    from .render import diagram, drawio, mermaid
    from .render.graphviz import DrawError, GraphvizMissing
    from .render.layout_metrics import fit

    source = fit(architecture, overlay, detail) if set(formats) & (DRAWN | {"dot"}) else ""
    results: dict[str, str | bytes] = {}
    drawn = [fmt for fmt in formats if fmt in DRAWN]
    try:
        if drawn:
            diagram.check_drawable(architecture)
    except DrawError as exc:
        if required:
            raise
        outputs.warn(f"warning: {architecture.name}: {' and '.join(f'diagram.{f}' for f in drawn)} not drawn: {exc}")
        drawn = []
    for fmt in formats:
        if fmt == "dot":
            results[fmt] = source
        elif fmt == "mermaid":
            results[fmt] = mermaid.render(architecture, overlay, detail)
            for warning in mermaid.warnings(architecture, str(results[fmt])):
                outputs.warn(f"warning: {architecture.name}: {warning}")
        elif fmt == "drawio":
            results[fmt] = drawio.render(architecture, overlay, detail)
        elif fmt in drawn:
            try:
                results[fmt] = diagram.draw(source, fmt)
            except GraphvizMissing as exc:
                outputs.warn(f"warning: PNG and SVG diagrams were not drawn: {exc}")
            except DrawError as exc:
                if required:
                    raise DrawError(f"{architecture.name}: diagram.{fmt} not drawn: {exc}") from None
                outputs.warn(f"warning: {architecture.name}: diagram.{fmt} not drawn: {exc}")
    return results


def _check_drawable(cases: Sequence[SourcedCase], formats: Iterable[str]) -> None:
    """When only PNG or SVG is asked for, raise graphviz.TooBigToDraw for a case over the drawing limits,
    before anything is drawn or written."""
    from .render import diagram

    if set(formats) <= DRAWN:
        for case in cases:
            diagram.check_drawable(case.architecture)


def handlers_folder(case: SourcedCase, given: str | Path | None = None) -> Path:
    """The folder holding the handler code a case's functions name: `given`, else a `handlers/` folder beside
    the case file or beside its folder (the layout of this repository: cases/ and handlers/ side by side)."""
    if given is not None:
        return Path(given)
    for candidate in (case.path.parent / "handlers", case.path.parent.parent / "handlers"):
        if candidate.is_dir():
            return candidate
    return case.path.parent.parent / "handlers"


def deployables(cases: Sequence[SourcedCase], handlers: str | Path | None = None, lint: bool = True,
                warn: Callable[[str], None] | None = None) -> list[dict[str, str]]:
    """Each case's deployment files (`template.yaml`, and `openapi.yaml` per REST API) by file name, as text.
    Raises CaseError, located at the service, for a case that cannot be emitted, and (unless `lint` is off) for
    a template cfn-lint reports anything on: an archcase defect, reported with the cfn-lint rule. With `warn`,
    a case with nothing to deploy gets no files and a warning instead of an error."""
    from .render.cloudformation.emit import openapi_documents, template_text
    from .render.cloudformation.template import EmitError, NothingToDeploy
    from .render.cloudformation.yaml_out import dump

    files: list[dict[str, str]] = []
    problems: list[Diagnostic] = []
    for case in cases:
        folder = handlers_folder(case, handlers)
        try:
            texts = {"template.yaml": template_text(case.architecture, folder)}
            apis = openapi_documents(case.architecture)
        except NothingToDeploy as exc:
            if warn is None:
                problems.append(_located(case, exc, "cannot emit a template"))
            else:
                warn(f"warning: {case.architecture.name}: no template.yaml: {exc}")
                files.append({})
            continue
        except EmitError as exc:
            problems.append(_located(case, exc, "cannot emit a template"))
            continue
        if lint:
            problems += _lint(case, texts["template.yaml"])
        for api_id, document in apis.items():
            texts["openapi.yaml" if len(apis) == 1 else f"openapi-{api_id}.yaml"] = dump(document)
        files.append(texts)
    if problems:
        raise CaseError(problems)
    return files


def _lint(case: SourcedCase, template: str) -> list[Diagnostic]:
    """cfn-lint's findings on a case's emitted template, each located at the service whose resource it is on."""
    from .render.cloudformation import lint

    found = []
    for problem in lint.problems(template):
        service = lint.service_of(problem, case.architecture)
        line, column = case.element_position(service) if service else (1, 1)
        found.append(Diagnostic(
            str(case.path), line, column,
            f"archcase defect: the template emitted for case '{case.architecture.name}' fails cfn-lint {problem}",
            "this is a bug in archcase, not in the case: please report it with the case; "
            "`--no-lint` writes the template anyway"))
    return found


def _located(case: SourcedCase, error: Exception, what: str) -> Diagnostic:
    """An emit or packaging error as a diagnostic at the service it is about."""
    service = getattr(error, "service", None)
    line, column = case.element_position(service) if service else (1, 1)
    return Diagnostic(str(case.path), line, column, f"{what}: {error}", getattr(error, "hint", ""))


def emit(paths: Sequence[str | Path], out: str | Path = "out", handlers: str | Path | None = None,
         lint: bool = True) -> Outputs:
    """Write each case's CloudFormation template and OpenAPI documents to `out/<name>/`; nothing is written
    unless every case can be emitted (and, with `lint`, every template passes cfn-lint)."""
    cases = load_cases(paths)
    outputs = Outputs(Path(out))
    for case, texts in zip(cases, deployables(cases, handlers, lint), strict=True):
        for name, text in texts.items():
            outputs.add(f"{case.architecture.name}/{name}", text)
    outputs.publish()
    return outputs


def build(paths: Sequence[str | Path] = (), out: str | Path = "out", handlers: str | Path | None = None,
          lint: bool = True, group_by: str | None = None, detail: Detail = "default", pack: str | Pack = "default",
          excludes: Excludes | None = None) -> Built:
    """Validate, check and emit the cases (the bundled ones when `paths` is empty), then write each one's
    model, diagrams, CloudFormation template, OpenAPI documents, HTML report and summary to `out/<name>/`
    (replacing the folder whole), and `out/index.html` last, listing every case built in `out` (these and
    those built there before, read from their summaries). Nothing is written unless every output could be made.
    `group_by`: how templates' services are grouped (`read_any`); `pack`: the rules the reports hold the cases to
    (`checked`), their reports returned with what was written; `excludes`: see `case_files`."""
    from .render import report as html
    from .render.overlay import Overlay, drawn_ids

    cases = load_cases(paths or bundled_cases(), group_by, excludes, None if isinstance(pack, str) else pack.known())
    reports = checked(cases, pack)
    outputs = Built(Path(out), replace=True, reports=reports)
    deployments = deployables(cases, handlers, lint, warn=outputs.warn)
    summaries: list[html.Summary] = []
    for case, report, texts in zip(cases, reports, deployments, strict=True):
        architecture = case.architecture
        name = architecture.name
        outputs.add(f"{name}/model.json", model_json.render(architecture))
        for file, text in texts.items():
            outputs.add(f"{name}/{file}", text)
        diagrams = _diagrams(architecture, None, tuple(DIAGRAM_FORMATS), outputs, detail=detail)
        for fmt, content in diagrams.items():
            outputs.add(f"{name}/diagram.{DIAGRAM_FORMATS[fmt]}", content)
        overlay = Overlay.of(report.findings, drawn_ids(architecture, detail))
        marked = _diagrams(architecture, overlay, ("svg",), outputs, detail=detail) if overlay.legend else diagrams
        summary = html.Summary.of(architecture, report)
        summaries.append(summary)
        outputs.add(f"{name}/{html.SUMMARY}", summary.text())
        links = [(path.name, _describe(path.name)) for path in outputs.in_folder(name)]
        svg = marked.get("svg")
        page = html.Outputs(svg if isinstance(svg, bytes) else None, str(diagrams["mermaid"]), links, overlay=overlay)
        outputs.add(f"{name}/report.html", html.case_page(architecture, report, page))
    summaries += html.summaries_in(Path(out), [s.name for s in summaries], outputs.warn)
    outputs.add("index.html", html.index_page(summaries))
    outputs.publish()
    return outputs


@dataclass
class Built(Outputs):
    """What `build` wrote (and its warnings), with each case's check report (for `build --fail-on`)."""

    reports: list[CaseReport] = field(default_factory=list)


def build_summary(written: Outputs) -> str:
    """One line on what `build` made, from the summaries it wrote: the cases built, their unsuppressed findings per
    severity, their requirements met, and the index to open."""
    from collections import Counter

    from .checks.rule import SEVERITIES
    from .render.report import SUMMARY, Summary

    built = [Summary.model_validate_json(content) for relative, content in written.files.items()
             if relative.name == SUMMARY and len(relative.parts) == 2]
    findings: Counter[str] = Counter()
    for summary in built:
        findings.update(summary.findings)
    by_severity = ", ".join(f"{findings[severity]} {severity}" for severity in reversed(SEVERITIES) if findings[severity])
    total = sum(findings.values())
    return (f"built {len(built)} case(s): {total} finding(s){f' ({by_severity})' if total else ''}; requirements met "
            f"{sum(s.requirements_met for s in built)}/{sum(s.requirements for s in built)}; "
            f"open {written.root / 'index.html'}")


def _describe(name: str) -> str:
    return _DESCRIPTIONS.get(name) or ("OpenAPI document of a REST API" if name.startswith("openapi") else name)


_DESCRIPTIONS = {
    "model.json": "the validated model, every default filled in",
    "template.yaml": "CloudFormation template (plain, no transform), least-privilege IAM from the flows",
    "diagram.png": "diagram (PNG)",
    "diagram.svg": "diagram (SVG, icons embedded)",
    "diagram.mmd": "diagram as Mermaid, for Markdown",
    "diagram.dot": "diagram as Graphviz DOT",
    "diagram.drawio": "diagram for draw.io (diagrams.net), editable, AWS shapes",
    "summary.json": "what the index shows of this case (JSON)",
}


def _unknown_rule_ids(case: SourcedCase, known: Mapping[str, object]) -> Iterable[Diagnostic]:
    arch = case.architecture
    named: list[tuple[tuple[str | int, ...], str]] = [
        (("requirements", i, "rules", j), rule_id) for i, r in enumerate(arch.requirements) for j, rule_id in enumerate(r.rules)]
    named += [(("suppressions", i, "rule"), s.rule) for i, s in enumerate(arch.suppressions)]
    for loc, rule_id in named:
        if rule_id not in known:
            hint = f"{did_you_mean(rule_id[:20], known)} see `archcase rules` for the catalogue".strip()
            shown = rule_id if len(rule_id) <= 40 else rule_id[:40] + "..."
            yield case.diagnostic(loc, f"unknown rule id '{shown}'", hint)


def schema() -> dict[str, Any]:
    """JSON Schema of case files, for editors (yaml-language-server) and other tools."""
    return case_schema(SCHEMA_ID)


def schema_text() -> str:
    """The case JSON Schema as canonical text."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


@dataclass
class Packaged:
    """What `package` did: the packaged template (code keys filled) and, per artifact, whether it was uploaded."""

    template: str
    uploads: list[tuple[str, bool]]
    written: Outputs


def package(path: str | Path, bucket: str, out: str | Path = "out", handlers: str | Path | None = None,
            endpoint_url: str | None = None, region: str | None = None) -> Packaged:
    """Build each handler's artifact of one case, upload those the bucket lacks, and write the packaged
    template (`packaged.yaml`: the template with the artifact bucket filled in) and the zips to `out/<name>/`."""
    from .deploy import package as packaging
    from .deploy.stack import clients
    from .render.cloudformation.emit import template
    from .render.cloudformation.template import EmitError
    from .render.cloudformation.yaml_out import dump

    (case,) = load_cases([path])
    folder = handlers_folder(case, handlers)
    try:
        document = template(case.architecture, folder)
        built = packaging.artifacts(case.architecture, folder)
    except EmitError as exc:
        raise CaseError([_located(case, exc, "cannot package")]) from None
    if "ArtifactBucket" in document.get("Parameters", {}):
        document["Parameters"]["ArtifactBucket"]["Default"] = bucket
    text = dump(document)
    outputs = Outputs(Path(out))
    for artifact in built:
        outputs.add(f"{case.architecture.name}/{artifact.key}", artifact.data)
    outputs.add(f"{case.architecture.name}/packaged.yaml", text)
    outputs.publish()  # before uploading: an output path that cannot be written stops the command first
    s3, _ = clients(endpoint_url, region)
    uploads = packaging.upload(s3, bucket, built)
    return Packaged(text, uploads, outputs)


def deploy(path: str | Path, stack_name: str, parameters: Mapping[str, str], bucket: str, out: str | Path = "out",
           handlers: str | Path | None = None, endpoint_url: str | None = None, region: str | None = None,
           on_event: Any = None) -> tuple[Packaged, Any]:
    """Package one case (uploading what is missing), then create or update its stack and wait for it."""
    from .deploy.stack import clients
    from .deploy.stack import deploy as run

    packaged = package(path, bucket, out, handlers, endpoint_url, region)
    s3, cloudformation = clients(endpoint_url, region)
    outcome = run(cloudformation, s3, stack_name, packaged.template, bucket, parameters,
                  on_event=on_event or (lambda _event: None))
    return packaged, outcome
