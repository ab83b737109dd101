"""The library API behind the command line: every function returns data and raises CaseError on bad input."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import models
from .cases import BUNDLED
from .importer import import_template, looks_like_template
from .models import Architecture, CaseError, Diagnostic, SourcedCase, read_case
from .models.base import did_you_mean
from .output import write_atomic
from .render import model_json

if TYPE_CHECKING:
    from .checks.engine import CaseReport
    from .render.overlay import Overlay

CASE_SUFFIXES = (".yaml", ".yml")
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
"""Files a folder is searched for: case files, and CloudFormation/SAM templates (imported on the fly)."""
SCHEMA_ID = "https://archcase.dev/schema/case.schema.json"


def case_files(paths: Iterable[str | Path]) -> list[Path]:
    """The case files named by `paths`: files as given, folders expanded to their YAML files, sorted."""
    files: list[Path] = []
    problems: list[Diagnostic] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and (
                p.suffix in CASE_SUFFIXES or p.suffix in TEMPLATE_SUFFIXES and looks_like_template(p)))
            if not found:
                problems.append(Diagnostic(str(path), 1, 1, "folder holds no case files (*.yaml, *.yml) or templates",
                                           "point at a folder of case files or CloudFormation templates, or at a file"))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Diagnostic(str(path), 1, 1, "no such file or folder", "check the path"))
    if problems:
        raise CaseError(problems)
    return files


def read_any(path: str | Path) -> SourcedCase:
    """One case file, or a CloudFormation/SAM template imported as a case (told apart by content)."""
    path = Path(path)
    if looks_like_template(path):
        return import_template(path).sourced()
    return read_case(path)


def load_cases(paths: Iterable[str | Path]) -> list[SourcedCase]:
    """Load and validate every case named by `paths` (templates are imported); all problems of all files are
    raised together."""
    loaded, problems = load_each(paths)
    if problems:
        raise CaseError(problems)
    return loaded


def load_each(paths: Iterable[str | Path]) -> tuple[list[SourcedCase], list[Diagnostic]]:
    """Every case that loads, and the problems of those that do not (for commands that go on past a bad file)."""
    loaded: list[SourcedCase] = []
    problems: list[Diagnostic] = []
    names: dict[str, Path] = {}
    for path in case_files(paths):
        try:
            case = read_any(path)
        except CaseError as exc:
            problems.extend(exc.diagnostics)
            continue
        architecture = case.architecture
        if architecture.name in names:
            problems.append(Diagnostic(str(path), 1, 1,
                                       f"case name '{architecture.name}' is also used by {names[architecture.name]}",
                                       "give every case a unique `name`: it names the output folder"))
        names.setdefault(architecture.name, path)
        loaded.append(case)
    return loaded, problems


def bundled_cases() -> list[Path]:
    """The case files shipped with archcase."""
    return case_files([BUNDLED])


DIAGRAM_FORMATS = {"png": "png", "svg": "svg", "mermaid": "mmd", "dot": "dot"}
"""Diagram formats `render` writes, with the extension of each file."""
DRAWN = frozenset({"png", "svg"})
"""Formats that need Graphviz."""


@dataclass
class Written:
    """What a command wrote, and what it could not write but did not fail for."""

    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def write(self, path: Path, content: str | bytes) -> None:
        write_atomic(path, content)
        self.files.append(path)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)


def check(paths: Sequence[str | Path], pack: str = "default") -> list[CaseReport]:
    """Load the cases (importing templates) and hold each against the rules of a pack."""
    return checked(load_cases(paths), pack)


def checked(cases: Sequence[SourcedCase], pack: str) -> list[CaseReport]:
    from .checks.catalogue import RULES
    from .checks.engine import check as run_checks
    from .checks.packs import PACKS

    problems = [problem for case in cases for problem in _unknown_rule_ids(case, RULES)]
    if problems:
        raise CaseError(problems)
    return [run_checks(case.architecture, PACKS[pack], case.element_position, str(case.path)) for case in cases]


def render(paths: Sequence[str | Path], formats: Iterable[str] = tuple(DIAGRAM_FORMATS), out: str | Path = "out",
           findings: bool = False, pack: str = "default") -> Written:
    """Draw each case as `out/<name>/diagram.<ext>` in the given formats; with `findings`, the services and
    flows with findings of `pack` are marked. PNG and SVG need Graphviz: without it they are skipped with a
    warning, and GraphvizMissing is raised only when nothing else was asked for. Likewise a PNG or SVG that
    cannot be drawn (a case over the drawing limits, Graphviz timing out, failing or writing no valid picture) is
    skipped with a warning, and graphviz.DrawError is raised only when nothing else was asked for (TooBigToDraw
    before anything is drawn or written)."""
    from .render.graphviz import GraphvizMissing, dot_program
    from .render.overlay import Overlay

    wanted = [f for f in DIAGRAM_FORMATS if f in set(formats)]
    cases = load_cases(paths)
    if DRAWN & set(wanted):
        try:
            dot_program()
        except GraphvizMissing:
            if set(wanted) <= DRAWN:
                raise
        _check_drawable(cases, wanted)
    reports = checked(cases, pack) if findings else [None] * len(cases)
    written = Written()
    for case, report in zip(cases, reports, strict=True):
        overlay = Overlay.of(report.findings) if report else None
        folder = Path(out) / case.architecture.name
        for fmt, content in _diagrams(case.architecture, overlay, wanted, written, required=set(wanted) <= DRAWN).items():
            written.write(folder / f"diagram.{DIAGRAM_FORMATS[fmt]}", content)
    return written


def _diagrams(architecture: Architecture, overlay: Overlay | None, formats: Sequence[str], written: Written,
              required: bool = False) -> dict[str, str | bytes]:
    """The diagram of one architecture in each format. A PNG or SVG that cannot be drawn here (no Graphviz, a
    case over the drawing limits, Graphviz timing out, failing or writing no valid picture) is left out with a
    warning naming the case; with `required`, a drawing problem is raised instead (graphviz.DrawError)."""
    from .render import diagram, mermaid
    from .render.graphviz import DrawError, GraphvizMissing

    source = diagram.dot_source(architecture, overlay)
    results: dict[str, str | bytes] = {}
    drawn = [fmt for fmt in formats if fmt in DRAWN]
    try:
        if drawn:
            diagram.check_drawable(architecture)
    except DrawError as exc:
        if required:
            raise
        written.warn(f"warning: {architecture.name}: {' and '.join(f'diagram.{f}' for f in drawn)} not drawn: {exc}")
        drawn = []
    for fmt in formats:
        if fmt == "dot":
            results[fmt] = source
        elif fmt == "mermaid":
            results[fmt] = mermaid.render(architecture, overlay)
            for warning in mermaid.warnings(architecture, str(results[fmt])):
                written.warn(f"warning: {architecture.name}: {warning}")
        elif fmt in drawn:
            try:
                results[fmt] = diagram.draw(source, fmt)
            except GraphvizMissing as exc:
                written.warn(f"warning: PNG and SVG diagrams were not drawn: {exc}")
            except DrawError as exc:
                if required:
                    raise DrawError(f"{architecture.name}: diagram.{fmt} not drawn: {exc}") from None
                written.warn(f"warning: {architecture.name}: diagram.{fmt} not drawn: {exc}")
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


def deployables(cases: Sequence[SourcedCase], handlers: str | Path | None = None) -> list[dict[str, str]]:
    """Each case's deployment files (`template.yaml`, and `openapi.yaml` per REST API) by file name, as text.
    Raises CaseError, located at the service, for a case that cannot be emitted."""
    from .render.cloudformation.emit import openapi_documents, template_text
    from .render.cloudformation.template import EmitError
    from .render.cloudformation.yaml_out import dump

    files: list[dict[str, str]] = []
    problems: list[Diagnostic] = []
    for case in cases:
        folder = handlers_folder(case, handlers)
        try:
            texts = {"template.yaml": template_text(case.architecture, folder)}
            apis = openapi_documents(case.architecture, folder)
        except EmitError as exc:
            problems.append(_located(case, exc, "cannot emit a template"))
            continue
        for api_id, document in apis.items():
            texts["openapi.yaml" if len(apis) == 1 else f"openapi-{api_id}.yaml"] = dump(document)
        files.append(texts)
    if problems:
        raise CaseError(problems)
    return files


def _located(case: SourcedCase, error: Exception, what: str) -> Diagnostic:
    """An emit or packaging error as a diagnostic at the service it is about."""
    service = getattr(error, "service", None)
    line, column = case.element_position(service) if service else (1, 1)
    return Diagnostic(str(case.path), line, column, f"{what}: {error}", getattr(error, "hint", ""))


def emit(paths: Sequence[str | Path], out: str | Path = "out", handlers: str | Path | None = None) -> Written:
    """Write each case's CloudFormation template and OpenAPI documents to `out/<name>/`; nothing is written
    unless every case can be emitted."""
    cases = load_cases(paths)
    written = Written()
    for case, texts in zip(cases, deployables(cases, handlers), strict=True):
        for name, text in texts.items():
            written.write(Path(out) / case.architecture.name / name, text)
    return written


def build(paths: Sequence[str | Path] = (), out: str | Path = "out", handlers: str | Path | None = None) -> Written:
    """Validate, check and emit the cases (the bundled ones when `paths` is empty), then write each one's
    model, diagrams, CloudFormation template, OpenAPI documents and HTML report to `out/<name>/`, and
    `out/index.html`. Nothing is written unless every case is valid and can be emitted."""
    from .render import report as html
    from .render.overlay import Overlay

    cases = load_cases(paths or bundled_cases())
    reports = checked(cases, "default")
    deployments = deployables(cases, handlers)
    written = Written()
    for case, report, texts in zip(cases, reports, deployments, strict=True):
        architecture = case.architecture
        folder = Path(out) / architecture.name
        written.write(folder / "model.json", model_json.render(architecture))
        for name, text in texts.items():
            written.write(folder / name, text)
        diagrams = _diagrams(architecture, None, tuple(DIAGRAM_FORMATS), written)
        for fmt, content in diagrams.items():
            written.write(folder / f"diagram.{DIAGRAM_FORMATS[fmt]}", content)
        overlay = Overlay.of(report.findings)
        marked = _diagrams(architecture, overlay, ("svg",), written) if overlay.legend else diagrams
        links = [(path.name, _describe(path.name)) for path in written.files if path.parent == folder]
        svg = marked.get("svg")
        outputs = html.Outputs(svg if isinstance(svg, bytes) else None, str(diagrams["mermaid"]), links)
        written.write(folder / "report.html", html.case_page(architecture, report, outputs))
    written.write(Path(out) / "index.html", html.index_page([(c.architecture, r) for c, r in zip(cases, reports, strict=True)]))
    return written


def _describe(name: str) -> str:
    return _DESCRIPTIONS.get(name) or ("OpenAPI document of a REST API" if name.startswith("openapi") else name)


_DESCRIPTIONS = {
    "model.json": "the validated model, every default filled in",
    "template.yaml": "CloudFormation template (plain, no transform), least-privilege IAM from the flows",
    "diagram.png": "diagram (PNG)",
    "diagram.svg": "diagram (SVG, icons embedded)",
    "diagram.mmd": "diagram as Mermaid, for Markdown",
    "diagram.dot": "diagram as Graphviz DOT",
}


def _unknown_rule_ids(case: SourcedCase, known: Mapping[str, object]) -> Iterable[Diagnostic]:
    arch = case.architecture
    named = [(("requirements", i, "rules", j), rule_id)
             for i, r in enumerate(arch.requirements) for j, rule_id in enumerate(r.rules)]
    named += [(("suppressions", i, "rule"), s.rule) for i, s in enumerate(arch.suppressions)]
    for loc, rule_id in named:
        if rule_id not in known:
            hint = f"{did_you_mean(rule_id, known)} see `archcase rules` for the catalogue".strip()
            yield case.diagnostic(loc, f"unknown rule id '{rule_id}'", hint)


def schema() -> dict[str, Any]:
    """JSON Schema of case files, for editors (yaml-language-server) and other tools."""
    models.document(models.Model)
    document = Architecture.model_json_schema(by_alias=True)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **document}


def schema_text() -> str:
    """The case JSON Schema as canonical text."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"


@dataclass
class Packaged:
    """What `package` did: the packaged template (code keys filled) and, per artifact, whether it was uploaded."""

    template: str
    uploads: list[tuple[str, bool]]
    written: Written


def package(path: str | Path, bucket: str, out: str | Path = "out", handlers: str | Path | None = None,
            endpoint_url: str | None = None, region: str | None = None) -> Packaged:
    """Build each handler's artifact of one case, upload those the bucket lacks, and write the packaged
    template (`packaged.yaml`: the template with the artifact bucket filled in) and the zips to `out/<name>/`."""
    from . import package as packaging
    from .deploy import clients
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
    s3, _ = clients(endpoint_url, region)
    uploads = packaging.upload(s3, bucket, built)
    written = Written()
    target = Path(out) / case.architecture.name
    for artifact in built:
        written.write(target / artifact.key, artifact.data)
    text = dump(document)
    written.write(target / "packaged.yaml", text)
    return Packaged(text, uploads, written)


def deploy(path: str | Path, stack_name: str, parameters: Mapping[str, str], bucket: str, out: str | Path = "out",
           handlers: str | Path | None = None, endpoint_url: str | None = None, region: str | None = None,
           on_event: Any = None) -> tuple[Packaged, Any]:
    """Package one case (uploading what is missing), then create or update its stack and wait for it."""
    from .deploy import clients
    from .deploy import deploy as run

    packaged = package(path, bucket, out, handlers, endpoint_url, region)
    s3, cloudformation = clients(endpoint_url, region)
    outcome = run(cloudformation, s3, stack_name, packaged.template, bucket, parameters,
                  on_event=on_event or (lambda _event: None))
    return packaged, outcome
