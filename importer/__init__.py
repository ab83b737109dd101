"""Import: a CloudFormation or SAM template as a case, so the checks and diagrams work on existing stacks.

`import_template(path)` reads the template, maps resources to services (types archcase does not model
become `generic` services), reads their settings, infers flows, and applies the intent a template cannot
state, given under `Metadata.archcase` (of the template, and of each resource). It returns the case with
the position of every service and flow in the template, and notes on what was not modelled or not followed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import TypeAdapter, ValidationError

from ..models import Architecture, CaseError, Diagnostic, GraphError, SourcedCase, Variant, limits
from ..models.base import ID_PATTERN
from ..models.contract import METADATA_KEY
from ..models.load import _diagnostics, bulk, short
from ..models.registry import FLOW_KINDS, AnyFlow, AnyService
from ..models.services import CognitoIdentityPool, Generic, Sts, kind_of
from ..models.yamlsafe import Document
from .elsewhere import elsewhere, open_reads
from .flows import infer
from .naming import Grouping, kebab, label, readable
from .naming import Source as LabelSource
from .registry import FLOW_READERS, READS, SETTINGS_READERS
from .scenarios import Scenario, drawn, scenarios
from .shapes import describe
from .source import Source, is_template, looks_like_template, read, source
from .suppressions import place
from .template import ACCOUNT_WIDE, Resource, Template
from .unknowns import probes

__all__ = ["Grouping", "Imported", "import_template", "import_document", "is_template", "looks_like_template", "case_yaml", "kebab",
           "readable"]

T = TypeVar("T")
DEBUG = "ARCHCASE_DEBUG"
"""Set to 1 to see the Python traceback of an import that fails unexpectedly (for reporting it)."""

SAM = "AWS::Serverless-2016-10-31"
LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
GENERIC = kind_of(Generic)


@cache
def _adapter(kind: str) -> TypeAdapter[Any]:
    """Validators of one service or flow at a time (built on first use: `check` on cases never needs them)."""
    return TypeAdapter(AnyService if kind == "service" else AnyFlow)


@dataclass
class Imported:
    """A template imported as a case, with where each service and flow came from, and notes."""

    source: Source
    architecture: Architecture
    document: Document
    notes: list[Diagnostic] = field(default_factory=list)
    partial: bool = True
    """Read from a template someone wrote (not one archcase emitted from a case): see `SourcedCase.partial`."""
    conditional: dict[str, str] = field(default_factory=dict)
    """See `SourcedCase.conditional`."""
    variants: tuple[Variant, ...] = ()
    """The case as it deploys in each scenario of the template's conditions (importer/scenarios.py; empty when no
    `Fn::If` or `Condition` decides anything): `check` reports a finding that not every scenario gives as
    undecided."""
    labelled: dict[str, LabelSource] = field(default_factory=dict)
    """Where each label the import gave was taken from, by service id (importer/naming.py)."""
    stray: list[Diagnostic] = field(default_factory=list)
    """See `SourcedCase.stray`."""

    def sourced(self) -> SourcedCase:
        """The case as the checks and renderers take it; findings point at lines of the template."""
        return SourcedCase(self.source.path, self.architecture, self.document, tuple(self.notes), self.partial, self.variants,
                           self.conditional, tuple(self.stray))


def import_template(path: str | Path, group_by: str | None = None) -> Imported:
    """Import one template; raises CaseError (file, line, what is wrong) when it cannot be read. `group_by`: how its
    services are grouped (`Grouping.of`: `tag:KEY`, `stack`, the default, or `none`; ValueError for another)."""
    grouping = Grouping.of(group_by)
    return _guarded(Path(path), lambda: _both_ways(read(path), grouping))


def import_document(path: Path, document: Document, size: int | None = None, group_by: str | None = None) -> Imported:
    """Import a template already parsed (by `archcase check`, which reads a file once to tell what it is)."""
    grouping = Grouping.of(group_by)
    return _guarded(path, lambda: _both_ways(source(path, document, size), grouping))


def _both_ways(read: Source, grouping: Grouping) -> Imported:
    """The import as drawn, and, where the template's conditions decide anything, the case each scenario of them
    deploys (`Imported.variants`); not for a template archcase emitted, whose case (in its Metadata) says what
    is meant. A scenario that gives no valid case, or in which a deployed resource refers to one the scenario
    does not deploy (CloudFormation refuses that), is left out."""
    metadata = read.data.get("Metadata")
    emitted = isinstance(metadata, dict) and isinstance(metadata.get(METADATA_KEY), dict)  # its case states the intent
    defaults = drawn(read.data, decide=not emitted)
    drawing = _Importer(read, defaults, grouping, implied=not emitted)
    imported = drawing.run()
    imported.partial = not emitted
    if not emitted:
        resources = read.data.get("Resources")
        for lid, body in resources.items() if isinstance(resources, dict) else ():
            condition = body.get("Condition") if isinstance(body, dict) else None
            if isinstance(condition, str) and defaults.truth.get(condition) is False and lid in drawing.ids:
                imported.conditional[drawing.ids[lid]] = condition
        variants = []
        for way in scenarios(read.data):
            reading = _Importer(read, way, grouping, drawn=drawing.t)
            if reading.t.dangling():
                continue  # CloudFormation would refuse the template deployed this way: not a way it deploys
            with contextlib.suppress(CaseError):
                variants.append(Variant(reading.run().architecture, way.truth))
        for data, varied in probes(read.data):
            probe = Source(read.path, replace(read.document, data=data), [], read.origins)
            reading = _Importer(probe, drawn(data), grouping, drawn=drawing.t)
            unknown = tuple((drawing.ids.get(drawing.t.service_of(leaf.resource) or "", "") if leaf.resource else "", leaf.reason())
                            for leaf in varied)
            with contextlib.suppress(CaseError):
                variants.append(Variant(reading.run().architecture, {}, unknown))
        variants.extend(_decided_elsewhere(imported.architecture, drawing))
        imported.variants = tuple(variants)
    return imported


def _decided_elsewhere(architecture: Architecture, drawing: _Importer) -> list[Variant]:
    """The case once more with the settings something outside the template decides as a case file defaults them,
    and with the intent it does not state (see importer/elsewhere.py): a finding on them is then undecided, with
    the reason."""
    by_id = {service.id: service for service in architecture.services}
    named: dict[str, tuple[dict[str, Any], str]] = {}
    for lid, (updates, reason) in elsewhere(drawing.t).items():
        if lid in drawing.ids and drawing.ids[lid] in by_id:
            named[drawing.ids[lid]] = (updates, reason)
    named.update(open_reads(architecture))
    if not named:
        return []
    services = [service.model_copy(update=named[service.id][0]) if service.id in named else service for service in architecture.services]
    unknown = tuple((sid, reason) for sid, (_, reason) in sorted(named.items()))
    # both ways: what is decided elsewhere may well be as AWS leaves it, as the drawn reading reads it
    return [Variant(architecture, {}, unknown), Variant(architecture.model_copy(update={"services": services}), {}, unknown)]


def _guarded(path: Path, run: Callable[[], Imported]) -> Imported:
    """The last resort: a template shape nothing above foresaw ends in a located message, never a traceback
    or Python's own words (ARCHCASE_DEBUG=1 shows them)."""
    try:
        with bulk():
            return run()
    except (CaseError, MemoryError, KeyboardInterrupt):
        raise
    except Exception:
        if os.environ.get(DEBUG):
            raise
        raise CaseError([Diagnostic(str(path), 1, 1, "archcase could not import this template: it has a shape the importer "
                                    "does not understand",
                                    f"please report it with the template (run with {DEBUG}=1 for the details); "
                                    "`archcase validate` works on case files meanwhile")]) from None


class _Importer:
    def __init__(self, source: Source, scenario: Scenario, grouping: Grouping, implied: bool = True, drawn: Template | None = None) -> None:
        """`grouping`: how services are grouped (importer/naming.py); `implied`: add what the template implies but
        cannot state, and label services whose logical ids are not readable (not for a template archcase emitted,
        whose case says what it has); `drawn`: see `Template`."""
        self.source = source
        self.grouping = grouping
        self.implied = implied
        self.notes: list[Diagnostic] = list(source.notes)
        self.t = Template(source.data, READS, self.isolated, scenario, drawn)
        source.made.update(self.t.made)
        self.ids: dict[str, str] = {}
        self.taken: set[str] = set()
        self.labelled: dict[str, LabelSource] = {}

    def note(self, path: tuple[str | int, ...], message: str, hint: str = "") -> None:
        self.notes.append(self.source.diagnostic(path, message, hint, "note"))

    def isolated(self, resource: Resource, what: str, run: Callable[[], T], default: T) -> T:
        """`run` (reading one resource), and if it fails on a shape nobody foresaw: the property responsible
        found by trying again without each property in turn (and then without each part of it), left out with
        a located note, and the reading done again without it; if no one property is responsible, `default`
        with a note. Python's own words never reach the user (ARCHCASE_DEBUG=1 re-raises)."""
        try:
            return run()
        except (MemoryError, KeyboardInterrupt, CaseError):
            raise
        except Exception:
            if os.environ.get(DEBUG):
                raise
        where = ("Resources", resource.logical_id)
        for path, value in _culprits(resource.properties, run, ()):
            dotted = ".".join(str(p) for p in path)
            self.note((*where, "Properties", *path), f"`Properties.{dotted}` of '{resource.logical_id}' is {describe(value)}, which "
                      f"archcase cannot read as {resource.type} gives it: left out of the import ({what} read without it)",
                      f"check `{dotted}` against the {resource.type} reference")
        try:
            return run()
        except (MemoryError, KeyboardInterrupt, CaseError):
            raise
        except Exception:
            if os.environ.get(DEBUG):
                raise
        self.note(where, f"'{resource.logical_id}' ({resource.type}) has a shape archcase cannot read: "
                  f"its {what} are left out of the import",
                  f"check its properties against the {resource.type} reference")
        return default

    def run(self) -> Imported:
        t = self.t
        self._report_template()
        services: list[dict[str, Any]] = []
        where: list[tuple[str | int, ...]] = []
        unmodelled: dict[str, list[str]] = {}
        for lid, resource in t.resources.items():
            if not t.is_service(lid):
                continue
            service = self._service(lid)
            if service["kind"] == GENERIC and resource.service_class is None:
                unmodelled.setdefault(resource.type + (f" ({resource.variant})" if resource.variant else ""), []).append(service["id"])
            services.append(service)
            where.append(("Resources", lid))
        for type_, ids in sorted(unmodelled.items()):
            first = next(lid for lid, i in self.ids.items() if i == ids[0])
            self.note(("Resources", first), f"{type_} is not modelled: kept as generic service{'s' if len(ids) > 1 else ''} "
                      f"{', '.join(ids[:8])}{' ...' if len(ids) > 8 else ''}, drawn but not checked")
        meta = t.metadata
        for i, extra in enumerate(meta.get("services") or []):
            services.append(dict(extra))
            where.append(("Metadata", METADATA_KEY, "services", i))
        flows, flow_where = self._flows(meta, {s["id"]: s["kind"] for s in services})
        if self.implied:
            self._implied(services, where, flows, flow_where)
        name = meta.get("case") or kebab(self.source.path.stem.replace("_", "-").replace(".", "-"))
        description = self.source.data.get("Description")
        title = meta.get("title") or (description.strip().splitlines()[0][:200] if isinstance(description, str) and description.strip()
                                      else f"Imported from {self.source.path.name}")
        case: dict[str, Any] = {"name": name, "title": title}
        copied = [key for key in ("summary", "seed_section", "requirements", "suppressions", "settings") if key in meta]
        for key in copied:
            case[key] = meta[key]
        case["services"], case["flows"] = services, flows
        placed, problems = place(self.source, t, self.ids)
        if problems:
            raise CaseError(problems)
        stated = case.get("suppressions")
        offset = len(stated) if isinstance(stated, list) else 0
        if placed.entries:
            case["suppressions"] = [*(stated if isinstance(stated, list) else []), *placed.entries]
        document = Document(case)
        for i, path in enumerate(where):
            document.values[("services", i)] = self.source.position(*path)
        for i, path in enumerate(flow_where):
            document.values[("flows", i)] = self.source.position(*path)
        self._meta_positions(document, [key for key in ("case", "title", *copied) if key in meta])
        self._positions(document, {path: ("suppressions", offset + i) for i, path in enumerate(placed.where)})
        try:
            architecture = Architecture.model_validate(case)
        except ValidationError as exc:
            raise CaseError(self._invalid(exc, document)) from None
        return Imported(self.source, architecture, document, self.notes, labelled=self.labelled, stray=placed.stray)

    def _implied(self, services: list[dict[str, Any]], where: list[tuple[str | int, ...]], flows: list[dict[str, Any]],
                 flow_where: list[tuple[str | int, ...]]) -> None:
        """What the template implies but cannot state: an identity pool gets its users' credentials from STS
        (AssumeRoleWithWebIdentity), which is no resource of any template."""
        pools = [(s["id"], path) for s, path in zip(services, where, strict=True) if s["kind"] == kind_of(CognitoIdentityPool)]
        if not pools or any(s["kind"] == kind_of(Sts) for s in services):
            return
        sts = next(name for name in ("sts", *(f"sts-{n}" for n in range(2, 100))) if name not in self.taken)
        services.append({"id": sts, "kind": kind_of(Sts)})
        where.append(pools[0][1])
        for pool, path in pools:
            flows.append({"from": pool, "to": sts, "kind": "assumes-role"})
            flow_where.append(path)

    def _meta_positions(self, document: Document, keys: list[str]) -> None:
        """What `Metadata.archcase` gives the case (requirements, suppressions, ...) is placed where it is written."""
        if not keys:
            return
        source = self.source.document
        source.complete()
        prefix = ("Metadata", METADATA_KEY)
        for target, table in ((document.values, source.values), (document.keys, source.keys)):
            for path, position in table.items():
                if path[:2] == prefix and len(path) > 2 and path[2] in keys:
                    target[("name" if path[2] == "case" else path[2], *path[3:])] = position
        document.values[()] = self.source.position("Metadata", METADATA_KEY)

    def _positions(self, document: Document, moved: dict[tuple[str | int, ...], tuple[str | int, ...]]) -> None:
        """What the template writes at each path of `moved` (and under it) is placed at the case path it gives."""
        if not moved:
            return
        source = self.source.document
        source.complete()
        lengths = sorted({len(prefix) for prefix in moved})
        for target, table in ((document.values, source.values), (document.keys, source.keys)):
            for path, position in table.items():
                for n in lengths:
                    placed = moved.get(path[:n])
                    if placed is not None:
                        target[(*placed, *path[n:])] = position

    def _invalid(self, exc: ValidationError, document: Document) -> list[Diagnostic]:
        """The case the template gives is not valid: each problem where it is written in the template."""
        name = str(self.source.path)
        problems: list[Diagnostic] = []
        for error in exc.errors():
            cause = (error.get("ctx") or {}).get("error")
            found = [Diagnostic(name, *document.position(p.loc), p.message, p.hint) for p in cause.problems] \
                if isinstance(cause, GraphError) else _diagnostics(error, document, name)
            problems += [Diagnostic(d.file, d.line, d.column, f"the imported case is not valid: {d.message}",
                                    d.hint or "check `Metadata.archcase` of the template") for d in found]
        return sorted(set(problems), key=lambda d: (d.line, d.column, d.message)) or [
            self.source.diagnostic(("Metadata", METADATA_KEY), "the imported case is not valid",
                                   "check `Metadata.archcase` of the template")]


    # -----------------------------------------------------------------------------------------------------------

    def _report_template(self) -> None:
        data, t = self.source.data, self.t
        given = data.get("Transform")
        transforms = [x for x in (given if isinstance(given, list) else [given]) if x]
        for transform in transforms:
            if transform == LANGUAGE_EXTENSIONS:
                self.note(("Transform",), "transform 'AWS::LanguageExtensions' is applied in part: `Fn::ForEach` loops over known "
                          "collections are expanded; its other functions (Fn::Length, Fn::ToJsonString, ...) are read as unknown values")
            elif transform != SAM:
                self.note(("Transform",), f"transform {transform!r} is not applied: what it would add or change is not in the import",
                          "import the processed template (`aws cloudformation get-template --template-stage Processed`)")
        text = repr(data.get("Resources"))
        if "Fn::Transform" in text:
            self.note(("Resources",), "`Fn::Transform` of a remote file or a macro is not applied: what it includes is not imported")
        if "Fn::ImportValue" in text:
            self.note(("Resources",), "values imported from other stacks (`Fn::ImportValue`) are not followed: "
                      "flows to those stacks' resources are not drawn", "import those stacks' templates too")
        if data.get("Conditions"):
            self.note(("Conditions",), "conditions are read every way the parameters allow: the drawing shows every resource, "
                      "with settings as the parameters' defaults decide them; a finding that holds only in some of the ways "
                      "is reported as undecided")
        account = [lid for lid, r in t.resources.items() if r.type in ACCOUNT_WIDE]
        if account:
            self.note(("Resources", account[0]), f"account-wide settings ({', '.join(account)}) belong to no service: not drawn")

    def _service(self, lid: str) -> dict[str, Any]:
        t, resource = self.t, self.t.resources[lid]
        meta = dict(resource.metadata)
        given = meta.pop("id", None)
        if given is not None and not (isinstance(given, str) and re.fullmatch(ID_PATTERN, given)):
            self.note(("Resources", lid, "Metadata", METADATA_KEY, "id"), f"`Metadata.archcase.id` of '{lid}' is {short(given)}, not an "
                      "identifier: the id is made from the logical id instead",
                      "use lower-case letters, digits and hyphens, starting with a letter")
            given = None
        body = self.source.data["Resources"].get(lid)
        service_id = given or kebab(readable(lid, body) if self.implied else lid)
        base = service_id
        n = 1
        while service_id in self.taken:
            n += 1
            service_id = f"{base[:56]}-{n}"
        self.ids[lid] = service_id
        self.taken.add(service_id)
        cls = resource.service_class
        named = label(t, resource, body, service_id) if self.implied else None
        group = self.grouping.group(t, resource, self._stack(lid) if self.implied else None)
        data: dict[str, Any] = {"id": service_id, "kind": kind_of(cls or Generic)}
        naming = {"label": named.text if named else None, "group": group}
        data.update({key: value for key, value in naming.items() if value})
        if named and (cls is None or "label" not in meta):  # `Metadata.archcase` labels a modelled service itself
            self.labelled[service_id] = named.source
        if cls is None:
            data["resource_type"] = resource.type
            return data
        read = SETTINGS_READERS[cls]
        settings: dict[str, Any] = self.isolated(resource, "settings", lambda: read(t, resource), {})
        data.update(settings)
        data = _deep_update(data, meta)
        return self._valid(data, ("Resources", lid), resource.type, naming)

    def _stack(self, lid: str) -> str | None:
        """The logical id of the local nested stack or SAM application a resource was read from (for one SAM makes,
        that of the resource whose event makes it); None for a resource of the template itself."""
        made = self.source.made.get(lid)
        owner = made[1] if made and len(made) > 1 and isinstance(made[1], str) else lid
        return self.source.origins.get(owner)

    def _valid(self, data: dict[str, Any], path: tuple[str | int, ...], resource_type: str,
               naming: dict[str, str | None]) -> dict[str, Any]:
        """The service's settings, leaving out (with a note) each one the model does not accept; as a generic service,
        it keeps the label and group the import gave it (`naming`)."""
        for _ in range(20):
            try:
                _adapter("service").validate_python(data)
                return data
            except ValidationError as exc:
                error = exc.errors()[0]
                loc = [p for p in error["loc"][1:] if p != data["kind"]]
                if not loc:  # a rule across fields: leave out the first field it names
                    loc = [name for name in re.findall(r"[a-z_]+", error["msg"]) if name in data and name not in ("id", "kind")][:1]
                if not loc or loc[0] in ("id", "kind") or loc[0] not in data:
                    break
                self.note(path, f"{data['kind']} '{data['id']}': {loc[0]} {short(data[loc[0]])} not understood ({error['msg']}); "
                          "the model's default is used")
                data = {k: v for k, v in data.items() if k != loc[0]}
        self.note(path, f"{resource_type} '{data['id']}' could not be read as {data['kind']} ({error['msg']}): "
                  "kept as a generic service")
        return {"id": data["id"], "kind": GENERIC, "resource_type": resource_type, **{k: v for k, v in naming.items() if v}}

    def _flows(self, meta: dict[str, Any], kinds: dict[str, str]) -> tuple[list[dict[str, Any]], list[tuple[str | int, ...]]]:
        flows: list[dict[str, Any]] = []
        where: list[tuple[str | int, ...]] = []
        index: dict[tuple[str, str, str], dict[str, Any]] = {}
        for found in infer(self.t, FLOW_READERS, self.isolated):
            flow = {k: v for k, v in found.items() if k != "at" and v not in ([], None)}
            flow["from"], flow["to"] = self.ids.get(flow["from"]), self.ids.get(flow["to"])
            if not flow["from"] or not flow["to"]:
                continue
            if (kinds[flow["from"]], kinds[flow["to"]]) not in FLOW_KINDS[flow["kind"]].allowed:
                self.note(("Resources", found["at"]), f"{found['at']} joins {kinds[flow['from']]} '{flow['from']}' to "
                          f"{kinds[flow['to']]} '{flow['to']}' ({flow['kind']}), which archcase has no flow for: not drawn")
                continue
            if len(f"{flow['from']}-{flow['kind']}-{flow['to']}") > 63:  # the derived id would be too long
                digest = hashlib.sha256(f"{flow['from']}>{flow['to']}".encode()).hexdigest()[:8]
                flow["id"] = f"{flow['from'][:24].rstrip('-')}-{flow['kind']}-{digest}"
            index[(flow["from"], flow["to"], flow["kind"])] = flow
            flows.append(flow)
            where.append(("Resources", found["at"]))
        stated = [extra for extra in meta.get("flows") or [] if isinstance(extra, dict)]
        if not self.implied:  # an emitted template: signing URLs of a bucket needs its read permission, which says no `reads`
            signed = {(f.get("from"), f.get("to")) for f in stated if f.get("kind") == "signs"}
            reads = {(f.get("from"), f.get("to")) for f in stated if f.get("kind") == "reads"}
            remaining = [(f, p) for f, p in zip(flows, where, strict=True)
                     if not (f["kind"] == "reads" and (f["from"], f["to"]) in signed - reads)]
            flows, where = [f for f, _ in remaining], [p for _, p in remaining]
        for i, extra in enumerate(meta.get("flows") or []):
            key = (extra.get("from"), extra.get("to"), extra.get("kind"))
            if key in index:
                index[key].update(extra)
            else:
                flows.append(dict(extra))
                where.append(("Metadata", METADATA_KEY, "flows", i))
        kept = []
        for flow, path in zip(flows, where, strict=True):
            try:
                _adapter("flow").validate_python(flow)
            except ValidationError as exc:
                self.note(path, f"flow {flow.get('kind')} from '{flow.get('from')}' to '{flow.get('to')}' left out: "
                          f"{exc.errors()[0]['msg']}")
                continue
            kept.append((flow, path))
        return [f for f, _ in kept], [p for _, p in kept]


def _succeeds(run: Callable[[], Any]) -> bool:
    try:
        run()
        return True
    except Exception:
        return False


def _culprits(container: dict[str, Any], run: Callable[[], Any], path: tuple[str, ...],
              depth: int = 0) -> list[tuple[tuple[str, ...], Any]]:
    """The properties (as deep as can be told) whose removal lets `run` succeed, removed from `container`:
    one whose removal alone does it, else the first that a growing removal needs, again until `run` succeeds
    or no removal helps (then nothing is removed). Each reading is of one resource, so this stays cheap."""
    found: list[tuple[tuple[str, ...], Any]] = []
    for _ in range(len(container)):
        if _succeeds(run):
            break
        key = _needed(container, run)
        if key is None:
            break
        inner = container[key]
        if isinstance(inner, dict) and inner and depth < limits.MAX_DEPTH:
            deeper = _culprits(inner, run, (*path, key), depth + 1)
            if deeper and _succeeds(run):
                found += deeper
                break
            found += deeper
        found.append(((*path, key), container.pop(key)))
    return found


def _needed(container: dict[str, Any], run: Callable[[], Any]) -> str | None:
    """A key of `container` whose removal (alone, else after the keys before it) lets `run` succeed."""
    order = list(container)
    for key in order:
        value = container.pop(key)
        ok = _succeeds(run)
        container[key] = value
        _reorder(container, order)
        if ok:
            return key
    removed = {}
    found = None
    for key in order:
        removed[key] = container.pop(key)
        if _succeeds(run):
            found = key
            break
    container.update(removed)
    _reorder(container, order)
    return found


def _reorder(mapping: dict[str, Any], order: list[str]) -> None:
    """Put a mapping's keys back in their first order (after keys were taken out and put back)."""
    items = [(key, mapping[key]) for key in order]
    mapping.clear()
    mapping.update(items)


def _deep_update(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = _deep_update(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def case_yaml(architecture: Architecture) -> str:
    """A case as case-file YAML: defaults left out, `kind` always written, flow ids only where not derived."""
    data = architecture.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data["services"] = [{"id": s.id, "kind": s.kind, **{k: v for k, v in d.items() if k not in ("id", "kind")}}
                        for s, d in zip(architecture.services, data["services"], strict=True)]
    flows = []
    for flow, d in zip(architecture.flows, data.get("flows", []), strict=True):
        body: dict[str, Any] = {"from": flow.source, "to": flow.target, "kind": flow.kind}
        body.update({k: v for k, v in d.items() if k not in ("from", "to", "kind", "id")})
        if flow.id != f"{flow.source}-{flow.kind}-{flow.target}":
            body["id"] = flow.id
        flows.append(body)
    data["flows"] = flows
    header = "# yaml-language-server: $schema=case.schema.json\n"
    return header + yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=120)


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""libyaml's emitter when PyYAML was built with it (several times faster on a large import), else PyYAML's."""
