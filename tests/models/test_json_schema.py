"""The case JSON Schema gives any validator precise errors: a broken field of any service or flow kind is
reported at that field, in its own words, never as "not valid under any of the given schemas"."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import best_match

from archcase import api
from archcase.models import FLOW_KINDS, SERVICE_KINDS
from archcase.models.base import Model

from ..strategies import service_data
from ..strategies import settings as flow_settings

VALIDATOR = jsonschema.Draft202012Validator(api.schema())
WRONG_TYPES: list[Any] = [{"wrong": "type"}, ["wrong"], "wrong", 1.5, True]
QUEUE = {"id": "queue", "kind": "sqs"}


def case_with(item: dict[str, Any], where: str) -> dict[str, Any]:
    if where == "services":
        return {"name": "t", "title": "T", "services": [item]}
    return {"name": "t", "title": "T", "services": [QUEUE], "flows": [item]}


def errors(case: dict[str, Any]) -> list[jsonschema.ValidationError]:
    return list(VALIDATOR.iter_errors(case))


@st.composite
def valid_items(draw: st.DrawFn, cls: type[Model], where: str) -> dict[str, Any]:
    """One service or flow of `cls` that the schema accepts."""
    if where == "services":
        item = draw(service_data(cls, "item", hostile=False))
    else:
        item = {**draw(flow_settings(cls)), "from": "queue", "to": "queue", "kind": cls.model_fields["kind"].default}
    item = {key: value for key, value in item.items() if key in fields(cls) or key == "kind"}  # no settings: a free-form map was drawn
    assume(not errors(case_with(item, where)))
    return item


def fields(cls: type[Model]) -> list[str]:
    return sorted((field.alias or name) for name, field in cls.model_fields.items() if name != "kind")


KINDS = [("services", kind, cls) for kind, cls in sorted(SERVICE_KINDS.items())] + \
        [("flows", kind, cls) for kind, cls in sorted(FLOW_KINDS.items())]
IDS = [f"{where}-{kind}" for where, kind, _ in KINDS]
FAST = settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.parametrize(("where", "kind", "cls"), KINDS, ids=IDS)
@FAST
@given(data=st.data())
def test_a_misspelled_field_is_named_at_its_item(where: str, kind: str, cls: type[Model], data: st.DataObject) -> None:
    item = data.draw(valid_items(cls, where))
    field = data.draw(st.sampled_from(fields(cls)))
    misspelled = field[:-1] + ("x" if field[-1] != "x" else "y")
    assume(misspelled not in fields(cls))
    broken = {key: value for key, value in item.items() if key != field} | {misspelled: item.get(field, "value")}
    found = errors(case_with(broken, where))
    assert found
    assert all(list(error.absolute_path) == [where, 0] for error in found), [e.message for e in found]
    assert any(f"'{misspelled}' was unexpected" in error.message for error in found)
    assert "valid under any of the given schemas" not in best_match(found).message


@pytest.mark.parametrize(("where", "kind", "cls"), KINDS, ids=IDS)
@FAST
@given(data=st.data())
def test_a_field_of_the_wrong_type_is_reported_at_the_field(where: str, kind: str, cls: type[Model], data: st.DataObject) -> None:
    item = data.draw(valid_items(cls, where))
    field = data.draw(st.sampled_from(fields(cls)))
    wrong = data.draw(st.sampled_from(WRONG_TYPES))
    found = errors(case_with(item | {field: wrong}, where))
    assume(found)  # a field may take any of these (a free-form map, a string)
    best = best_match(found)
    assert list(best.absolute_path)[:3] == [where, 0, field], best.message
    assert all(list(error.absolute_path)[:3] == [where, 0, field] for error in found)


@pytest.mark.parametrize("where", ["services", "flows"])
def test_an_unknown_kind_lists_the_valid_kinds(where: str) -> None:
    item = {"id": "x", "kind": "lamda"} if where == "services" else {"from": "queue", "to": "queue", "kind": "invoke"}
    (error,) = errors(case_with(item, where))
    assert list(error.absolute_path) == [where, 0, "kind"]
    kinds = SERVICE_KINDS if where == "services" else FLOW_KINDS
    assert error.message.startswith(repr(item["kind"]) + " is not one of")
    assert all(repr(kind) in error.message for kind in kinds)


def test_an_item_without_a_kind_or_not_a_mapping_gets_one_error() -> None:
    (missing,) = errors(case_with({"id": "x"}, "services"))
    assert missing.message == "'kind' is a required property"
    (scalar,) = errors(case_with("x", "services"))  # type: ignore[arg-type]
    assert list(scalar.absolute_path) == ["services", 0] and "is not of type 'object'" in scalar.message


def test_the_example_message_of_the_issue() -> None:
    (error, *_) = errors(case_with({"id": "f", "kind": "lambda", "handler": "a.b", "handlr": "a.b"}, "services"))
    assert error.message == "Additional properties are not allowed ('handlr' was unexpected)"


def test_the_schema_is_draft_2020_12_without_openapi_dispatch() -> None:
    document = api.schema()
    jsonschema.Draft202012Validator.check_schema(document)
    text = api.schema_text()
    assert '"discriminator"' not in text and '"oneOf"' not in text
