"""Hostile text in every free-text field of a case, through every output format: each output, parsed, has the
structure of the case and nothing more (no node, edge, image, directive, element, attribute or dynamic
reference made of user text), and keeps or shows the text without executing it."""

from __future__ import annotations

import base64
import json
import re
from functools import cache
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archcase.checks.formats import json_report, junit, sarif
from archcase.checks.formats import text as text_report
from archcase.models.text import visible
from archcase.render import diagram, mermaid, report
from archcase.render.cloudformation.emit import openapi_documents, template_text
from archcase.render.cloudformation.template import EmitError
from archcase.render.inline_svg import inline_svg
from archcase.render.overlay import Overlay

from ..conftest import REPO, SHARED
from ..render.test_diagram import needs_graphviz
from .output_support import (
    BASES,
    UNSAFE,
    CfnLoader,
    Elements,
    architecture,
    dot_structure,
    hostile_cases,
    hostile_data,
    mermaid_ids,
    mermaid_structure,
    plain_twin,
    report_of,
    strings,
    write_case,
    xml_root,
)

SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
SARIF_SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"
BENIGN = ["plain words of text"]
LONG = ("plain words of text, long enough to be wrapped on three lines under an icon",)
"""Plain text long enough for the attributes of a tall node (a name wrapped on more than two lines)."""


@cache
def benign(base: str, values: tuple[str, ...] = tuple(BENIGN)) -> tuple[Any, Any]:
    """The base case with plain text in the same fields, and its check report."""
    arch = architecture(hostile_data(base, list(values)))
    return arch, report_of(arch)


def twin(data: dict[str, Any]) -> tuple[Any, Any]:
    """The hostile case with plain text instead (prefixes kept), and its check report: the structure each
    output of the hostile case must have."""
    arch = architecture(plain_twin(data))
    return arch, report_of(arch)


@cache
def dot_attribute_names() -> frozenset[str]:
    """Every attribute name the DOT of the bundled cases uses, with and without findings marked."""
    names: set[str] = set()
    for base in BASES:
        for values in (tuple(BENIGN), LONG):
            arch, found = benign(base, values)
            for overlay in (None, Overlay.of(found.findings)):
                names |= dot_structure(diagram.dot_source(arch, overlay))["attributes"]
    return frozenset(names)


@given(hostile_cases(), st.booleans())
@settings(max_examples=20, **SETTINGS)
def test_dot_has_the_case_structure_and_only_archcase_icons(case, with_findings):
    _, data = case
    arch = architecture(data)
    overlay = Overlay.of(report_of(arch).findings) if with_findings else None
    parsed = dot_structure(diagram.dot_source(arch, overlay))
    assert parsed["name"] == arch.name
    assert parsed["nodes"] == {s.id for s in arch.services}
    assert sorted(parsed["edges"]) == sorted((*sorted((f.source, f.target)), f.key) for f in arch.flows)
    assert parsed["images"] <= diagram.ICON_PATHS
    assert parsed["attributes"] <= dot_attribute_names()


@cache
def icon_uris() -> frozenset[str]:
    return frozenset("data:image/png;base64," + base64.b64encode((diagram.ICON_BASE / path).read_bytes()).decode()
                     for path in diagram.ICON_PATHS)


SVG = "{http://www.w3.org/2000/svg}"


@needs_graphviz
@given(hostile_cases(bases=("mytodolist", "software-updates")), st.booleans())
@settings(max_examples=12, **SETTINGS)
def test_graphviz_draws_the_case_structure_from_hostile_text(case, with_findings):
    _, data = case
    arch = architecture(data)
    overlay = Overlay.of(report_of(arch).findings) if with_findings else None
    svg = diagram.draw(diagram.dot_source(arch, overlay), "svg")
    root = xml_root(svg.decode())
    assert root.tag == SVG + "svg"
    graph = root.find(f"{SVG}g")
    assert graph is not None and graph.findtext(f"{SVG}title") == arch.name
    groups = {cls: [g for g in root.iter(f"{SVG}g") if g.get("class", "").split()[:1] == [cls]] for cls in ("node", "edge")}
    assert {g.findtext(f"{SVG}title") for g in groups["node"]} == {s.id for s in arch.services}
    drawn = sorted(key for g in groups["edge"] for key in g.get("class", "").split()[1:])  # an arrow's flows
    assert drawn == sorted(f.key for f in arch.flows)
    hrefs = [image.get("{http://www.w3.org/1999/xlink}href") for image in root.iter(f"{SVG}image")]
    assert len(hrefs) == len(arch.services) and set(hrefs) <= icon_uris()
    assert not [e for e in root.iter() if e.tag in (f"{SVG}a", f"{SVG}script", f"{SVG}foreignObject")]
    inline = xml_root(inline_svg(svg))  # as the report writes it into the page: every element kept, text as text
    assert [e.tag for e in inline.iter()] == [e.tag.removeprefix(SVG) for e in root.iter()]
    assert [e.text for e in inline.iter("text")] == [e.text for e in root.iter(f"{SVG}text")]


@given(hostile_cases(), st.booleans())
@settings(max_examples=40, **SETTINGS)
def test_mermaid_has_the_case_structure(case, with_findings):
    _, data = case
    arch = architecture(data)
    overlay = Overlay.of(report_of(arch).findings) if with_findings else Overlay()
    parsed = mermaid_structure(mermaid.render(arch, overlay))
    legend = {"findings_legend"} if overlay.legend else set()
    assert set(parsed["nodes"]) == mermaid_ids(arch) | legend
    drawn = {frozenset(ends) for ends in parsed["edges"]}  # one arrow per pair drawn the same way, a read from its store
    assert len(parsed["edges"]) == len(set(parsed["edges"]))
    assert drawn == {frozenset((mermaid.node_id(f.source), mermaid.node_id(f.target))) for f in arch.flows}


def page_of(arch: Any, found: Any, drawn: bool) -> str:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"/>' if drawn else None
    outputs = report.Outputs(svg, mermaid.render(arch), [("diagram.mmd", "Mermaid"), ("template.yaml", "template")])
    return report.case_page(arch, found, outputs)


@given(hostile_cases(), st.booleans())
@settings(max_examples=20, **SETTINGS)
def test_html_report_has_no_element_or_attribute_from_user_text(case, drawn):
    _, data = case
    arch = architecture(data)
    found = report_of(arch)
    page = Elements(page_of(arch, found, drawn))
    plain_arch, plain_found = twin(data)
    assert page.shape == Elements(page_of(plain_arch, plain_found, drawn)).shape
    for _tag, name, value in page.attributes:
        assert not name.startswith("on")
        if name == "href":
            assert value == report.safe_url(value) and re.match(r"^(https?://|[\w.-]+(/[\w.-]+)*$|\.\./|#)", value), value
        assert name != "src"  # the picture is in the page, as markup (render/inline_svg.py)
    assert "".join(page.texts["h1"]) == visible(arch.title, keep="\n\t\r")  # the whole title, shown as text


def test_a_link_built_from_anything_but_http_or_a_relative_path_is_refused():
    for url in ("javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
                "data:text/html,<script>alert(1)</script>", "vbscript:x", "file:///etc/passwd", ""):
        assert report.safe_url(url) == "#", url
    for url in ("https://docs.aws.amazon.com/x.html", "http://example.com/", "template.yaml", "case/report.html"):
        assert report.safe_url(url) == url


def plain_outputs(data: dict[str, Any]) -> dict[str, str]:
    _, found = twin(data)
    return {name: fn([found], "high") for name, fn in
            (("text", text_report.render), ("json", json_report.render), ("sarif", sarif.render), ("junit", junit.render))}


@given(hostile_cases())
@settings(max_examples=20, **SETTINGS)
def test_check_reports_keep_their_structure_and_the_text(case):
    _, data = case
    arch = architecture(data)
    found = report_of(arch, path="cases/\x1b[31mcase #1?.yaml")
    plain = plain_outputs(data)
    reasons = [f.suppression_reason for f in found.findings if f.suppressed]

    text = text_report.render([found], "high")
    assert not UNSAFE.search(text)
    assert len(text.splitlines()) == len(plain["text"].splitlines())
    coloured = text_report.render([found], "high", color=True)
    assert "\x1b" not in re.sub(r"\x1b\[[0-9;]*m", "", coloured) and "\x1b[31mcase" not in coloured

    document = json.loads(raw := json_report.render([found], "high"))
    assert not UNSAFE.search(raw)
    assert [f["suppression_reason"] for f in document["cases"][0]["findings"] if f["suppressed"]] == reasons
    assert document["cases"][0]["title"] == arch.title

    document = json.loads(raw := sarif.render([found], "high"))
    assert not UNSAFE.search(raw)
    if SARIF_SCHEMA.is_file():
        jsonschema.validate(document, json.loads(SARIF_SCHEMA.read_text()))
    results = document["runs"][0]["results"]
    assert len(results) == len(json.loads(plain["sarif"])["runs"][0]["results"])
    assert [r["suppressions"][0]["justification"] for r in results if "suppressions" in r] == reasons
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} <= {"cases/%1B%5B31mcase%20%231%3F.yaml"}

    raw = junit.render([found], "high")
    assert not UNSAFE.search(raw)
    root = xml_root(raw)
    plain_root = xml_root(plain["junit"])
    assert [c.get("name") for c in root.iter("testcase")] == [c.get("name") for c in plain_root.iter("testcase")]
    assert [(c.tag, sorted(c.attrib)) for c in root.iter()] == [(c.tag, sorted(c.attrib)) for c in plain_root.iter()]


_SUB_VARIABLE = re.compile(r"\$\{(?!!)([^}]*)\}")
_LIMITS = {("AWS::Lambda::Function", "Description"): 256, ("AWS::DAX::Cluster", "Description"): 255,
           ("AWS::SNS::Topic", "DisplayName"): 100, ("AWS::Athena::WorkGroup", "Description"): 1024}


def resource_ids(template: dict[str, Any]) -> set[str]:
    """Logical ids, an API's deployment without the digest of its (label-bearing) OpenAPI body."""
    return {re.sub(r"Deployment[0-9a-f]{8}$", "Deployment", lid) for lid in template["Resources"]}


def sub_variables(value: Any) -> set[str]:
    """The names every `Fn::Sub` string of a template refers to (`${Name}`, `${Name.Attr}`, not `${!Literal}`)."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Fn::Sub" in value:
            text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
            found |= {name.split(".")[0] for name in _SUB_VARIABLE.findall(text)}
        for item in value.values():
            found |= sub_variables(item)
    elif isinstance(value, list):
        for item in value:
            found |= sub_variables(item)
    return found


def writable(value: str) -> str:
    """A setting as a template can carry it: without control characters and without `{{`."""
    return UNSAFE.sub("", value).replace("\n", "").replace("\t", "").replace("{{", "")


@given(hostile_cases())
@settings(max_examples=10, **SETTINGS)
def test_cloudformation_carries_no_dynamic_reference_or_control_character_from_user_text(case):
    _, data = case
    handlers = REPO / "handlers"
    prefixes = [f for f in data.get("flows", []) if f.get("prefix")]
    if any(writable(f["prefix"]) != f["prefix"] for f in prefixes):  # a setting, written as it is: refused
        with pytest.raises(EmitError, match="dynamic reference|control character") as refused:
            template_text(architecture(data), handlers)
        assert refused.value.service in {f.get("id") or f"{f['from']}-{f['kind']}-{f['to']}" for f in prefixes}
        for flow in prefixes:
            flow["prefix"] = writable(flow["prefix"])
    arch = architecture(data)
    template = CfnLoader(template_text(arch, handlers)).get_single_data()
    plain = CfnLoader(template_text(twin(data)[0], handlers)).get_single_data()
    assert resource_ids(template) == resource_ids(plain)
    documents = [template, *openapi_documents(arch).values()]
    for document in documents:
        for where, value in strings(document):
            assert not re.search(r"\{\{\s*resolve", value), where
            assert not UNSAFE.search(value), where
    assert len(template["Description"].encode()) <= 1024 and "\n" not in template["Description"]
    for resource in template["Resources"].values():
        for (kind, key), limit in _LIMITS.items():
            if resource["Type"] == kind and key in resource["Properties"]:
                assert len(resource["Properties"][key]) <= limit and "\n" not in resource["Properties"][key]
    known = set(template.get("Parameters", {})) | set(template["Resources"])
    assert {name for name in sub_variables(template) if not name.startswith("AWS::")} <= known


def test_a_dynamic_reference_in_a_label_is_not_resolved_by_cloudformation():
    data = hostile_data("mytodolist", ["{{resolve:secretsmanager:prod/db:SecretString:password}}"])
    text = template_text(architecture(data), REPO / "handlers")
    assert "{{resolve" not in text and "{ {resolve:secretsmanager:prod/db:SecretString:password}}" in text


def test_a_setting_holding_a_dynamic_reference_is_refused_at_its_flow(cli, tmp_path):
    data = hostile_data("mytodolist", ["plain text"])
    data["flows"][-1]["prefix"] = "{{resolve:secretsmanager:prod/db}}/"
    result = cli("emit", str(write_case(tmp_path, data)), "--out", str(tmp_path / "out"), "--handlers", str(REPO / "handlers"))
    assert result.code == 2 and "`prefix` holds a CloudFormation dynamic reference" in result.err
    assert not (tmp_path / "out").exists()


def test_a_prefix_naming_a_pseudo_parameter_stays_literal_in_fn_sub():
    data = hostile_data("big-data-ingestion", ["${AWS::AccountId}/"])
    template = CfnLoader(template_text(architecture(data), REPO / "handlers")).get_single_data()
    subs = [v for _, v in strings(template) if "${!AWS::AccountId}" in v]
    assert subs, "the prefix should appear, escaped, in the ARNs of the IAM policies"
