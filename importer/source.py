"""Read a CloudFormation or SAM template (YAML with short or long intrinsics, or JSON), keeping the line of
every value, and tell templates from case files."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..models import CaseError, Diagnostic
from ..models.load import read_text
from ..models.yamlsafe import Document, YamlError, load

TEMPLATE_KEYS = frozenset({"AWSTemplateFormatVersion", "Resources", "Transform"})
"""Top-level keys that only templates have (a case has `services`)."""


@dataclass(frozen=True)
class Source:
    """A template as data, with positions."""

    path: Path
    document: Document

    @property
    def data(self) -> dict[str, Any]:
        return self.document.data  # type: ignore[no-any-return]

    def position(self, *path: str | int) -> tuple[int, int]:
        """Where a key is given (a resource's logical id, rather than its first property)."""
        return self.document.position(tuple(path), key=True)

    def diagnostic(self, path: tuple[str | int, ...], message: str, hint: str = "", severity: str = "error") -> Diagnostic:
        return Diagnostic(str(self.path), *self.document.position(path, key=True), message, hint, severity)


def is_template(data: object) -> bool:
    """True for a template: a mapping with `Resources`, `AWSTemplateFormatVersion` or `Transform`, and no `services`."""
    return isinstance(data, dict) and "services" not in data and bool(TEMPLATE_KEYS & set(data))


def looks_like_template(path: Path) -> bool:
    """A cheap look at a file's beginning: does it read like a template rather than a case? (The full read
    decides; this only routes the file to the right reader.)"""
    try:
        with path.open("rb") as handle:
            head = handle.read(65536).decode("utf-8", errors="replace")
    except OSError:
        return False
    if re.search(r"^services\s*:", head, re.MULTILINE):
        return False
    return bool(re.search(r"""^\s*["']?(AWSTemplateFormatVersion|Resources|Transform)["']?\s*:""", head, re.MULTILINE))


def read(path: str | Path) -> Source:
    """Read and parse one template; raises CaseError with the file, line and what is wrong."""
    path = Path(path)
    name = str(path)
    text = read_text(path, "CloudFormation accepts templates up to 1 MB: is this a template?")
    document = _parse(text, name)
    if not is_template(document.data):
        raise CaseError([Diagnostic(name, 1, 1, "not a CloudFormation template: it has no `Resources`",
                                    "import a CloudFormation or SAM template (YAML or JSON)")])
    source = Source(path, document)
    resources = source.data.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise CaseError([source.diagnostic(("Resources",), "the template's `Resources` is empty or not a mapping",
                                           "a template declares at least one resource under `Resources`")])
    for logical_id, resource in resources.items():
        if not isinstance(resource, dict) or not isinstance(resource.get("Type"), str):
            raise CaseError([source.diagnostic(("Resources", logical_id), f"resource '{logical_id}' has no `Type`",
                                               "give every resource a `Type`, such as AWS::S3::Bucket")])
    return source


def _parse(text: str, name: str) -> Document:
    try:
        return load(text, intrinsics=True)
    except YamlError as exc:
        if not text.lstrip().startswith("{"):
            raise CaseError([Diagnostic(name, exc.line, exc.column, exc.message, exc.hint)]) from None
        yaml_error = exc
    # JSON that YAML's reader refuses (tabs before tokens, for one): read it as JSON, placing keys by search
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise CaseError([Diagnostic(name, exc.lineno, exc.colno, f"malformed JSON: {exc.msg}",
                                    "check the brackets, commas and quotes there")]) from None
    except _DuplicateKey as exc:
        line, column = _find(text, exc.key)
        raise CaseError([Diagnostic(name, line, column, f"duplicate key '{exc.key}'", "remove one of the two entries")]) from None
    except ValueError:
        raise CaseError([Diagnostic(name, yaml_error.line, yaml_error.column, yaml_error.message, yaml_error.hint)]) from None
    document = Document(data)
    if isinstance(data, dict) and isinstance(data.get("Resources"), dict):
        for logical_id in data["Resources"]:
            document.values[("Resources", logical_id)] = _find(text, logical_id)
    return document


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _find(text: str, key: str) -> tuple[int, int]:
    match = re.search(rf'"{re.escape(key)}"\s*:', text)
    if not match:
        return (1, 1)
    line = text.count("\n", 0, match.start()) + 1
    return line, match.start() - text.rfind("\n", 0, match.start())
