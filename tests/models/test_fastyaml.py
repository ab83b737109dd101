"""The fast reader of plain YAML gives exactly what the full reader gives (data, and the position of every
value and key), on generated documents in every style PyYAML writes and in the style of the bundled cases;
what it does not handle goes to the full reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archcase.models import fastyaml, yamlsafe

CASES = Path(__file__).resolve().parents[2] / "cases"
EXAMPLES = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def full(text: str) -> yamlsafe.Document:
    loader = yamlsafe.Loader(text)
    try:
        return yamlsafe._Builder(loader, intrinsics=False).run()
    finally:
        loader.dispose()


def assert_same(text: str) -> bool:
    """True when the fast reader read the text (and then gave what the full reader gives)."""
    try:
        fast = fastyaml.read(text)
    except fastyaml.Unsupported:
        return False
    reference = full(text)
    assert fast.data == reference.data
    shallow = {p: v for p, v in reference.values.items() if len(p) <= fastyaml.SHALLOW}
    shallow_keys = {p: v for p, v in reference.keys.items() if len(p) <= fastyaml.SHALLOW}
    assert fast.values == shallow
    assert fast.keys == shallow_keys
    for path in reference.values:  # deeper positions come from the full reader when asked for
        assert fast.position(path) == reference.position(path)
    assert fast.values == reference.values and fast.keys == reference.keys
    return True


WORDS = st.sampled_from(["a", "id", "kind", "lambda", "true", "yes", "No", "on", "null", "~", "1", "-1", "0x1f", "017", "1.5", "1e5",
                         "1.0e+5", ".inf", "-.Inf", ".nan", "2024-01-02", "12:30", "1_000", "<<", "=", "!", "-", "a b", "a:b", "a#b",
                         "http://x/y", "s3:ObjectCreated:*", "GET /items", "it's", 'say "hi"', "a, b", "[x]", "{y}", "x: y", "#c",
                         "ü", "日本", "", " lead", "trail ", "-x", "?x", ":x", "x:", "---", "...", "a\\b", "tab\there", "line\nbreak",
                         "&x", "*x", "|", ">", "%x", "@x", "`x"])
KEYS = st.one_of(WORDS, st.text(alphabet="abcdefXYZ_-.09 ", min_size=1, max_size=10))
SCALARS = st.one_of(WORDS, st.integers(min_value=-(10**20), max_value=10**20), st.booleans(), st.none(),
                    st.floats(allow_nan=False, allow_infinity=True), st.text(max_size=12))
DATA = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(KEYS, inner, max_size=5)),
                    max_leaves=40)


@EXAMPLES
@given(data=DATA, flow=st.sampled_from([False, True, None]), indent=st.sampled_from([2, 4]), width=st.sampled_from([40, 1000]),
       sort=st.booleans())
def test_fast_reader_gives_what_the_full_reader_gives(data, flow, indent, width, sort):
    text = yaml.safe_dump(data, default_flow_style=flow, indent=indent, width=width, sort_keys=sort, allow_unicode=True)
    assert_same(text)


@EXAMPLES
@given(items=st.lists(st.dictionaries(st.sampled_from(["id", "kind", "from", "to", "routes", "on", "n", "x-y"]),
                                      st.one_of(WORDS, st.integers(), st.lists(WORDS, max_size=3),
                                                st.dictionaries(st.sampled_from(["a", "b"]), WORDS, max_size=2)),
                                      min_size=1, max_size=6), max_size=8),
       comment=st.sampled_from(["", "  # note", " #x"]))
def test_case_style_lines_read_the_same(items, comment):
    """`- {id: a, kind: s3}` lines, as case files are written, with and without comments."""
    lines = ["name: x", "services:"]
    for item in items:
        body = yaml.safe_dump(item, default_flow_style=True, width=10**6, allow_unicode=True).strip()
        lines.append(f"  - {body}{comment}")
    assert_same("\n".join(lines) + "\n")


@EXAMPLES
@given(data=DATA)
def test_json_reads_the_same(data):
    assert_same(json.dumps(data, ensure_ascii=False).replace("Infinity", ".inf"))
    assert_same(json.dumps(data, indent=2).replace("Infinity", ".inf"))


@pytest.mark.parametrize("path", sorted(CASES.glob("*.yaml")), ids=lambda p: p.name)
def test_bundled_cases_take_the_fast_reader(path):
    assert assert_same(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("text", [
    "a: &x [1]\nb: *x\n", "a: !!str 1\n", "a: |+\n  x\n\n", "a:\n  b\n  c\n", "? [a]\n: 1\n", "a: 'x\n  y'\n", "a:\tb\n",
    "--- a\n", "a: 1\n---\nb: 2\n", "<<: {a: 1}\n", "a: {b: }\n", "- [a, ]\n", "%YAML 1.1\n---\na: 1\n",
])
def test_what_it_does_not_handle_goes_to_the_full_reader(text):
    with pytest.raises(fastyaml.Unsupported):
        fastyaml.read(text)
