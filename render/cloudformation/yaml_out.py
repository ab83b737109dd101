"""Templates as YAML: short-form intrinsics (`!Ref`, `!GetAtt a.b`, `!Sub`), keys in the order written."""

from __future__ import annotations

from typing import Any

import yaml

_SCALAR_TAGS = {"Ref": "!Ref", "Condition": "!Condition", "Fn::GetAZs": "!GetAZs", "Fn::ImportValue": "!ImportValue",
                "Fn::Base64": "!Base64"}
_TAGS = {"Fn::Sub": "!Sub", "Fn::Join": "!Join", "Fn::If": "!If", "Fn::Equals": "!Equals", "Fn::Not": "!Not",
         "Fn::And": "!And", "Fn::Or": "!Or", "Fn::Select": "!Select", "Fn::Split": "!Split",
         "Fn::FindInMap": "!FindInMap", "Fn::Cidr": "!Cidr", "Fn::GetAtt": "!GetAtt", **_SCALAR_TAGS}


class _Dumper(yaml.SafeDumper):
    """A block-style dumper that writes `{"Fn::X": ...}` as `!X ...` and never uses anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent lists under their key, as CloudFormation examples do

    def choose_scalar_style(self) -> str:
        event = self.event
        if isinstance(event, yaml.ScalarEvent) and event.tag and event.tag.startswith("!") and event.style is None:
            analysis = self.analysis or self.analyze_scalar(event.value)
            self.analysis = analysis
            if analysis.allow_block_plain and not analysis.empty and not analysis.multiline:
                return ""  # `!Ref Name`, not `!Ref 'Name'`
        return super().choose_scalar_style()


def _dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    if len(data) == 1:
        ((key, value),) = data.items()
        tag = _TAGS.get(key)
        if tag == "!GetAtt" and isinstance(value, list) and all(isinstance(v, str) for v in value):
            return dumper.represent_scalar(tag, ".".join(value))
        if tag and isinstance(value, str):
            return dumper.represent_scalar(tag, value)
        if tag and isinstance(value, list):
            return dumper.represent_sequence(tag, value)
        if tag and isinstance(value, dict) and key in _SCALAR_TAGS:
            return dumper.represent_mapping(tag, value)
    return dumper.represent_dict(data.items())


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(dict, _dict)
_Dumper.add_representer(str, _str)


def dump(document: dict[str, Any]) -> str:
    """YAML text of a template or OpenAPI document."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=120)
