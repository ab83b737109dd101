"""Check reports as JUnit XML: a test suite per case, a test case per rule (and per requirement)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ...models.text import xml_text
from ..engine import CaseReport, Finding
from ..rule import Severity


def _suite(report: CaseReport, fail_on: Severity) -> ET.Element:
    suite = ET.Element("testsuite", name=report.case)
    failures = skipped = tests = 0
    for rule in report.rules:
        tests += 1
        case = ET.SubElement(suite, "testcase", classname=f"archcase.{report.case}", name=f"{rule.id} {rule.title}")
        findings = [f for f in report.findings if f.rule_id == rule.id]
        blocking = [f for f in findings if f.blocks(fail_on)]
        if blocking:
            failures += 1
            failure = ET.SubElement(case, "failure", type=blocking[0].severity,
                                    message=f"{len(blocking)} finding(s) at or above {fail_on}")
            failure.text = "\n".join(f"{report.path}:{f.line}:{f.column}: {f.message}" for f in blocking)
        elif not report.applicable[rule.id]:
            skipped += 1
            ET.SubElement(case, "skipped", message="applies to nothing in this case")
        others = [f for f in findings if f not in blocking]
        if others:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(f"{_state(f)}: {f.message}" for f in others)
    for requirement in report.requirements:
        tests += 1
        case = ET.SubElement(suite, "testcase", classname=f"archcase.{report.case}.requirements",
                             name=f"requirement {requirement.id}")
        if not requirement.met:
            failures += 1
            failure = ET.SubElement(case, "failure", type="requirement", message="requirement not met")
            failure.text = "\n".join(requirement.reasons)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    return suite


def _state(finding: Finding) -> str:
    if finding.suppressed:
        return "suppressed"
    return "baselined" if finding.baseline == "unchanged" else finding.severity


def _xml_safe(root: ET.Element) -> None:
    """Every text and attribute value made something XML 1.0 can hold: ElementTree escapes markup but writes
    control characters as they are, which no XML parser accepts."""
    for element in root.iter():
        element.text = xml_text(element.text) if element.text else element.text
        element.tail = xml_text(element.tail) if element.tail else element.tail
        for key, value in element.attrib.items():
            element.set(key, xml_text(value))


def render(reports: list[CaseReport], fail_on: Severity, color: bool = False) -> str:
    root = ET.Element("testsuites", name="archcase")
    suites = [_suite(report, fail_on) for report in reports]
    root.extend(suites)
    for attr in ("tests", "failures", "errors", "skipped"):
        root.set(attr, str(sum(int(s.get(attr, "0")) for s in suites)))
    _xml_safe(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
