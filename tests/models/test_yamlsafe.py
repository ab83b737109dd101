import pytest

from archcase.models import yamlsafe


def test_plain_data_with_positions_of_values_and_keys():
    doc = yamlsafe.load("name: x\nservices:\n  - id: a\n    kind: s3\n")
    assert doc.data == {"name": "x", "services": [{"id": "a", "kind": "s3"}]}
    assert doc.position(("services", 0, "kind")) == (4, 11)
    assert doc.position(("services", 0, "kind"), key=True) == (4, 5)
    assert doc.position(("services", 0, "missing")) == (3, 5)  # falls back to the enclosing mapping


def test_scalars_are_typed_as_yaml_says_and_dates_stay_text():
    doc = yamlsafe.load("a: 1\nb: 1.5\nc: true\nd: null\ne: 2024-01-02\nf: '1'\n")
    assert doc.data == {"a": 1, "b": 1.5, "c": True, "d": None, "e": "2024-01-02", "f": "1"}


def test_aliases_and_merge_keys_resolve_and_explicit_keys_override_merged_ones():
    doc = yamlsafe.load("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\nlist: [*b]\n")
    assert doc.data["other"] == {"x": 1, "y": 3}
    assert doc.data["list"] == [{"x": 1, "y": 2}]


def test_duplicate_key_is_an_error_naming_both_lines():
    with pytest.raises(yamlsafe.YamlError) as err:
        yamlsafe.load("a: 1\nb: 2\na: 3\n")
    assert (err.value.line, err.value.column) == (3, 1)
    assert "duplicate key 'a' (first given at line 1)" in err.value.message


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['true']\n",
        "a: !!python/name:os.system\n",
        "a: !Ref Something\n",
    ],
)
def test_object_and_custom_tags_are_refused(text):
    with pytest.raises(yamlsafe.YamlError, match="is not allowed in a case file"):
        yamlsafe.load(text)


def test_alias_expansion_is_bounded():
    lines = ['l0: &l0 ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 7):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]")
    with pytest.raises(yamlsafe.YamlError, match="expands to more than"):
        yamlsafe.load("\n".join(lines) + "\n")


def test_syntax_error_has_line_and_column():
    with pytest.raises(yamlsafe.YamlError) as err:
        yamlsafe.load("a:\n  - b\n c: d\n")
    assert err.value.message.startswith("malformed YAML")
    assert err.value.line == 3


def test_empty_text_is_none():
    assert yamlsafe.load("").data is None
