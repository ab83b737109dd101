"""The JSON Schema of case files, shaped so that any JSON Schema validator gives precise errors.

Pydantic writes each union on `kind` as a `oneOf` with an OpenAPI `discriminator`. Generic validators
(Python's jsonschema, ajv, check-jsonschema) ignore `discriminator`: an item that matches no member gets only
"is not valid under any of the given schemas" (jsonschema), or one error per member (ajv: about a hundred).
Here each such union becomes an enum of its kinds (an unknown kind is "not one of [...]") and one
`if kind == X then <X's schema>` branch per kind, so a misspelled or mistyped field is reported at the field,
in the words of the kind's own schema. yaml-language-server, which guesses the member by itself, gives the
same diagnostics, completions and hovers with either shape (checked with version 1.25).
"""

from __future__ import annotations

from typing import Any

from .architecture import Architecture
from .base import Model
from .docs import document

DRAFT = "https://json-schema.org/draft/2020-12/schema"


def case_schema(schema_id: str) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a case file, with field descriptions from the models' docstrings."""
    document(Model)
    shaped = dispatch_on_tags(Architecture.model_json_schema(by_alias=True))
    return {"$schema": DRAFT, "$id": schema_id, **shaped}


def dispatch_on_tags(node: Any) -> Any:
    """`node` with every `oneOf`/`anyOf` + `discriminator` replaced by a tag enum and `if`/`then` branches."""
    if isinstance(node, list):
        return [dispatch_on_tags(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: dispatch_on_tags(value) for key, value in node.items()}
    discriminator = node.get("discriminator")
    members = "oneOf" if "oneOf" in node else "anyOf"
    if not isinstance(discriminator, dict) or members not in node or "mapping" not in discriminator:
        return node
    tag: str = discriminator["propertyName"]
    mapping: dict[str, str] = discriminator["mapping"]
    rest = {key: value for key, value in node.items() if key not in {"discriminator", members}}
    return {
        **rest,
        "type": "object",
        "required": [tag],
        "properties": {tag: {"description": f"What this item is; its other fields depend on its `{tag}`.",
                             "enum": sorted(mapping)}},
        "allOf": [{"if": {"type": "object", "properties": {tag: {"const": kind}}, "required": [tag]}, "then": {"$ref": mapping[kind]}}
                  for kind in sorted(mapping)],
    }
