"""Import: a CloudFormation or SAM template as a case, so the checks and diagrams work on existing stacks.

`import_template(path)` reads the template, maps resources to services (types archcase does not model
become `generic` services), reads their settings, infers flows, and applies the intent a template cannot
state, given under `Metadata.archcase` (of the template, and of each resource). It returns the case with
the position of every service and flow in the template, and notes on what was not modelled or not followed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from ..models import Architecture, CaseError, Diagnostic, SourcedCase
from ..models.registry import FLOW_KINDS, AnyFlow, AnyService
from ..models.yamlsafe import Document
from .flows import infer
from .settings import READERS
from .source import Source, is_template, looks_like_template, read
from .template import ACCOUNT_WIDE, Template

__all__ = ["Imported", "import_template", "is_template", "looks_like_template", "case_yaml"]

NESTED = ("AWS::CloudFormation::Stack", "AWS::Serverless::Application")
SAM = "AWS::Serverless-2016-10-31"


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

    def sourced(self) -> SourcedCase:
        """The case as the checks and renderers take it; findings point at lines of the template."""
        return SourcedCase(self.source.path, self.architecture, self.document, tuple(self.notes))


def import_template(path: str | Path) -> Imported:
    """Import one template; raises CaseError (file, line, what is wrong) when it cannot be read."""
    source = read(path)
    try:
        return _Importer(source).run()
    except CaseError:
        raise
    except Exception as exc:  # a template shape this importer does not expect must not end in a traceback
        raise CaseError([Diagnostic(str(source.path), 1, 1, f"archcase could not import this template ({type(exc).__name__}: {exc})",
                                    "please report it with the template; `archcase validate` works on case files meanwhile")]) from None


def kebab(logical_id: str) -> str:
    """A service id from a logical id: `TodoApi` -> `todo-api`, `MyDDBTable` -> `my-ddb-table`."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1-\2", logical_id))
    slug = re.sub(r"[^a-z0-9]+", "-", words.lower()).strip("-")
    slug = slug if slug[:1].isalpha() else f"r-{slug}"
    return slug[:63].rstrip("-") or "resource"


class _Importer:
    def __init__(self, source: Source) -> None:
        self.source = source
        self.t = Template(source.data)
        self.notes: list[Diagnostic] = []
        self.ids: dict[str, str] = {}

    def note(self, path: tuple[str | int, ...], message: str, hint: str = "") -> None:
        self.notes.append(self.source.diagnostic(path, message, hint, "note"))

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
            if service["kind"] == "generic" and resource.kind is None:
                unmodelled.setdefault(resource.type, []).append(service["id"])
            services.append(service)
            where.append(("Resources", lid))
        for type_, ids in sorted(unmodelled.items()):
            first = next(lid for lid, i in self.ids.items() if i == ids[0])
            self.note(("Resources", first), f"{type_} is not modelled: kept as generic service{'s' if len(ids) > 1 else ''} "
                      f"{', '.join(ids[:8])}{' ...' if len(ids) > 8 else ''}, drawn but not checked")
        meta = t.metadata
        for i, extra in enumerate(meta.get("services") or []):
            services.append(dict(extra))
            where.append(("Metadata", "archcase", "services", i))
        flows, flow_where = self._flows(meta, {s["id"]: s["kind"] for s in services})
        name = meta.get("case") or kebab(self.source.path.stem.replace("_", "-").replace(".", "-"))
        description = self.source.data.get("Description")
        title = meta.get("title") or (description.strip().splitlines()[0][:200] if isinstance(description, str) and description.strip()
                                      else f"Imported from {self.source.path.name}")
        case: dict[str, Any] = {"name": name, "title": title}
        for key in ("summary", "seed_section", "requirements", "suppressions", "settings"):
            if key in meta:
                case[key] = meta[key]
        case["services"], case["flows"] = services, flows
        try:
            architecture = Architecture.model_validate(case)
        except ValidationError as exc:
            raise CaseError([self.source.diagnostic(("Metadata", "archcase"), f"the imported case is not valid: {e['msg']}",
                                                    "check `Metadata.archcase` of the template")
                             for e in exc.errors()]) from None
        document = Document(case)
        for i, path in enumerate(where):
            document.values[("services", i)] = self.source.position(*path)
        for i, path in enumerate(flow_where):
            document.values[("flows", i)] = self.source.position(*path)
        return Imported(self.source, architecture, document, self.notes)

    # -----------------------------------------------------------------------------------------------------------

    def _report_template(self) -> None:
        data, t = self.source.data, self.t
        transforms = [x for x in (data.get("Transform") if isinstance(data.get("Transform"), list) else [data.get("Transform")]) if x]
        for transform in transforms:
            if transform != SAM:
                self.note(("Transform",), f"transform {transform!r} is not applied: what it would add or change is not in the import",
                          "import the processed template (`aws cloudformation get-template --template-stage Processed`)")
        text = repr(data.get("Resources"))
        if "Fn::Transform" in text:
            self.note(("Resources",), "`Fn::Transform` (AWS::Include, macros) is not applied: the snippets it includes are not imported")
        if "Fn::ImportValue" in text:
            self.note(("Resources",), "values imported from other stacks (`Fn::ImportValue`) are not followed: "
                      "flows to those stacks' resources are not drawn", "import those stacks' templates too")
        if data.get("Conditions"):
            self.note(("Conditions",), "conditions are read as true: settings under `Fn::If` are taken from the first branch")
        for lid, resource in t.resources.items():
            if resource.type in NESTED:
                self.note(("Resources", lid), f"nested stack '{lid}' is kept as one generic service: its resources are not imported",
                          "import the nested template as well")
        account = [lid for lid, r in t.resources.items() if r.type in ACCOUNT_WIDE]
        if account:
            self.note(("Resources", account[0]), f"account-wide settings ({', '.join(account)}) belong to no service: not drawn")

    def _service(self, lid: str) -> dict[str, Any]:
        t, resource = self.t, self.t.resources[lid]
        meta = dict(resource.metadata)
        service_id = meta.pop("id", None) or kebab(lid)
        base = service_id
        taken = set(self.ids.values())
        for n in range(2, 10_000):
            if service_id not in taken:
                break
            service_id = f"{base[:58]}-{n}"
        self.ids[lid] = service_id
        kind = resource.kind
        data: dict[str, Any] = {"id": service_id, "kind": kind or "generic"}
        if kind is None:
            data["resource_type"] = resource.type
            return data
        data.update(READERS[kind](t, resource))
        data = _deep_update(data, meta)
        return self._valid(data, ("Resources", lid), resource.type)

    def _valid(self, data: dict[str, Any], path: tuple[str | int, ...], resource_type: str) -> dict[str, Any]:
        """The service's settings, leaving out (with a note) each one the model does not accept."""
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
                self.note(path, f"{data['kind']} '{data['id']}': {loc[0]} {data[loc[0]]!r} not understood ({error['msg']}); "
                          "the model's default is used")
                data = {k: v for k, v in data.items() if k != loc[0]}
        self.note(path, f"{resource_type} '{data['id']}' could not be read as {data['kind']} ({error['msg']}): "
                  "kept as a generic service")
        return {"id": data["id"], "kind": "generic", "resource_type": resource_type}

    def _flows(self, meta: dict[str, Any], kinds: dict[str, str]) -> tuple[list[dict[str, Any]], list[tuple[str | int, ...]]]:
        flows: list[dict[str, Any]] = []
        where: list[tuple[str | int, ...]] = []
        index: dict[tuple[str, str, str], dict[str, Any]] = {}
        for found in infer(self.t):
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
        for i, extra in enumerate(meta.get("flows") or []):
            key = (extra.get("from"), extra.get("to"), extra.get("kind"))
            if key in index:
                index[key].update(extra)
            else:
                flows.append(dict(extra))
                where.append(("Metadata", "archcase", "flows", i))
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


def _deep_update(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = _deep_update(merged[key], value) if isinstance(value, dict) and isinstance(merged.get(key), dict) else value
    return merged


def case_yaml(architecture: Architecture) -> str:
    """A case as case-file YAML: defaults left out, `kind` always written, flow ids only where not derived."""
    data = architecture.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data["services"] = [{"id": s.id, "kind": s.kind, **{k: v for k, v in d.items() if k not in ("id", "kind")}}  # type: ignore[attr-defined]
                        for s, d in zip(architecture.services, data["services"], strict=True)]
    flows = []
    for flow, d in zip(architecture.flows, data.get("flows", []), strict=True):
        body = {"from": flow.source, "to": flow.target, "kind": flow.kind}  # type: ignore[attr-defined]
        body.update({k: v for k, v in d.items() if k not in ("from", "to", "kind", "id")})
        if flow.id != f"{flow.source}-{flow.kind}-{flow.target}":  # type: ignore[attr-defined]
            body["id"] = flow.id
        flows.append(body)
    data["flows"] = flows
    header = "# yaml-language-server: $schema=case.schema.json\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120)
