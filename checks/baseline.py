"""Baselines: the findings of a day recorded, so that a CI run fails only on findings that are new since.

A finding is known by a fingerprint of what it is about, not of where it is written: its rule, its case, the id of
its service or flow, and its message normalised (lower case, numbers left out, white space collapsed). Moving a
resource down a template, reordering its keys or reformatting the file keeps every fingerprint; renaming the
resource (a new target id) or a finding of another rule makes a new one.

The file is JSON, sorted and versioned, so that it diffs well under version control:

```json
{"version": 1, "findings": [{"fingerprint": "…", "rule": "AC404", "case": "shop", "target": "photos", "message": "…"}]}
```
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from ..models import CaseError, Diagnostic
from ..models.yamlsafe import YamlError
from ..models.yamlsafe import load as load_yaml
from .engine import CaseReport, Finding

VERSION = 1
"""The version of the baseline file's shape this archcase writes and reads."""
FIELDS = ("fingerprint", "rule", "case", "target", "message")
HINT = "write it again with `archcase check --write-baseline FILE`"


@dataclass(frozen=True, order=True)
class Entry:
    """One finding of a baseline. Only `fingerprint` decides a match; the rest is for people reading the file."""

    case: str
    rule: str
    target: str
    fingerprint: str
    message: str


def normalised(message: str) -> str:
    """A finding's message as its fingerprint takes it: lower case, each run of digits as `#` (counts, sizes and
    line numbers change without making it another finding), white space collapsed."""
    return " ".join(re.sub(r"\d+", "#", message.lower()).split())


def fingerprint(case: str, finding: Finding) -> str:
    """What a finding is about, as a hex SHA-256: rule, case, target id and normalised message (no file, no line)."""
    parts = (finding.rule_id, case, finding.target, normalised(finding.message))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def entries(reports: Iterable[CaseReport]) -> list[Entry]:
    """The baseline of these reports: every finding not suppressed, whatever its severity (so that a lower
    `--fail-on` later finds them baselined too), once each, sorted."""
    found = {Entry(r.case, f.rule_id, f.target, fingerprint(r.case, f), f.message)
             for r in reports for f in r.findings if not f.suppressed}
    return sorted(found)


def text(reports: Iterable[CaseReport]) -> str:
    """The baseline file of these reports."""
    data = {"version": VERSION, "findings": [{key: asdict(e)[key] for key in FIELDS} for e in entries(reports)]}
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load(path: str | Path) -> list[Entry]:
    """Read a baseline file; CaseError, located in it, when it cannot be read or is not a baseline."""
    name = str(path)
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise CaseError([Diagnostic(name, 1, 1, f"cannot read the baseline: {reason}", HINT)]) from None
    return parse(raw, name)


def parse(raw: str, name: str) -> list[Entry]:
    """The entries of a baseline file's text (`name`: the file, for messages); CaseError, located, otherwise."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CaseError([Diagnostic(name, exc.lineno, exc.colno, f"the baseline is not JSON: {exc.msg}", HINT)]) from None

    def problem(loc: tuple[str | int, ...], message: str) -> CaseError:
        try:
            line, column = load_yaml(raw).position(loc)
        except (YamlError, RecursionError):
            line, column = 1, 1
        return CaseError([Diagnostic(name, line, column, f"the baseline {message}", HINT)])

    if not isinstance(data, dict):
        raise problem((), "is not a JSON object with `version` and `findings`")
    if data.get("version") != VERSION:
        raise problem(("version",), f"has version {json.dumps(data.get('version'))[:40]}; this archcase reads version {VERSION}")
    findings = data.get("findings")
    if not isinstance(findings, list):
        raise problem(("findings",), "has no `findings` list")
    found: list[Entry] = []
    for i, item in enumerate(findings):
        if not isinstance(item, dict):
            raise problem(("findings", i), f"finding {i + 1} is not an object")
        missing = [key for key in FIELDS if not isinstance(item.get(key), str)]
        if missing:
            raise problem(("findings", i), f"finding {i + 1} has no text `{missing[0]}`")
        if not re.fullmatch(r"[0-9a-f]{64}", item["fingerprint"]):
            raise problem(("findings", i, "fingerprint"), f"finding {i + 1} has a fingerprint that is no SHA-256 in hex")
        found.append(Entry(item["case"], item["rule"], item["target"], item["fingerprint"], item["message"]))
    return found


def compare(reports: Sequence[CaseReport], baseline: Sequence[Entry]) -> list[CaseReport]:
    """Reports held against a baseline: each finding not suppressed marked `new` or `unchanged` (an unchanged one
    does not count toward the exit status), and each report given the baseline's entries of its case that no
    longer occur (`CaseReport.gone`). Entries of cases not checked here are left alone: a run over some of the
    files says nothing of the others."""
    known = {entry.fingerprint for entry in baseline}
    marked = []
    for report in reports:
        findings = []
        seen: set[str] = set()
        for finding in report.findings:
            if finding.suppressed:
                findings.append(finding)
                continue
            mark = fingerprint(report.case, finding)
            seen.add(mark)
            findings.append(replace(finding, baseline="unchanged" if mark in known else "new"))
        gone = sorted({entry for entry in baseline if entry.case == report.case and entry.fingerprint not in seen})
        marked.append(replace(report, findings=findings, gone=gone))
    return marked


def as_data(gone: Sequence[Entry]) -> list[dict[str, Any]]:
    """Entries as plain data, for reports."""
    return [{key: asdict(e)[key] for key in FIELDS} for e in gone]
