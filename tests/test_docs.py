"""Docs that are generated from code stay current, and the README opens with the two commands."""

import importlib.util
import json
import re

import jsonschema
import yaml

from archcase import api

from .conftest import REPO


def test_reference_is_generated_from_the_registries():
    spec = importlib.util.spec_from_file_location("gen_reference", REPO / "tools" / "gen_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (REPO / "docs" / "reference.md").read_text() == module.reference(), "run: python tools/gen_reference.py"


def test_reference_documents_every_field_of_every_model():
    """Every class of the models, not only the service and flow kinds (the case's own fields, `requirements`,
    `suppressions`, `settings`, and the values nested in settings), has each of its fields in a table row."""
    from archcase.models import Flow, Model, Service

    reference = (REPO / "docs" / "reference.md").read_text()
    todo, seen = [Model], []
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls not in {Model, Service, Flow}:
            seen.append(cls)
    for cls in seen:
        for name, field in cls.model_fields.items():
            if name != "kind":
                assert f"| `{field.alias or name}` |" in reference, f"{cls.__name__}.{name}"
    for heading in ["## The case file", "### `requirements`", "### `suppressions`", "### `settings`", "### StageCache"]:
        assert f"\n{heading}\n" in reference


def test_readme_opens_with_the_two_commands():
    lines = (REPO / "README.md").read_text().splitlines()
    block = lines[lines.index("```sh") + 1:lines.index("```sh") + 3]
    assert [line.split("#")[0].strip() for line in block] == ["make run", "make test"]
    assert lines.index("```sh") < 4


def test_ci_runs_make_test_and_nothing_else():
    commands = [line for line in (REPO / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))]
    assert commands == ["make test"]


# --- docs/first-case.md: every snippet is valid, and the guide's claims hold ----------------------------------

def fenced_blocks(markdown: str) -> list[tuple[str, str]]:
    """(language, text) of each fenced block of a Markdown text."""
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^```(\w*)\n(.*?)^```$", markdown, flags=re.M | re.S)]


def test_first_case_guide_snippets_are_valid_and_its_claims_hold(cli, tmp_path):
    """The guide's YAML blocks build one case: a block with a `name` is a whole case, any other adds top-level
    fields to it. After each block the case is valid against the committed schema and for archcase; `check`
    finds what the guide says before the suppressions and passes with every requirement met at the end; the
    handler it shows is where the case's function names it."""
    guide = (REPO / "docs" / "first-case.md").read_text()
    blocks = fenced_blocks(guide)
    assert [language for language, _ in blocks].count("yaml") >= 5
    validator = jsonschema.Draft202012Validator(json.loads((REPO / "cases" / "case.schema.json").read_text()))
    folder = tmp_path / "my-cases"
    folder.mkdir()
    path = folder / "guestbook.yaml"
    case: dict[str, object] = {}
    for language, text in blocks:
        if language == "python":
            handler = tmp_path / "handlers" / "guestbook" / "app.py"
            handler.parent.mkdir(parents=True)
            handler.write_text(text)
            compile(text, str(handler), "exec")
        if language != "yaml":
            continue
        data = yaml.safe_load(text)
        assert "name" not in data or text.startswith("# yaml-language-server: $schema=case.schema.json\n")
        case = data if "name" in data else {**case, **data}
        assert list(validator.iter_errors(case)) == [], text
        if "suppressions" in data:
            before = cli("check", str(path))
            assert before.code == 1
            assert set(re.findall(r"\bAC\d{3}\b", before.out)) == {"AC201", "AC202", "AC108"}
        path.write_text("# yaml-language-server: $schema=case.schema.json\n" + yaml.safe_dump(case, sort_keys=False))
        result = cli("validate", str(path))
        assert result.code == 0, result.err
    assert set(case) >= {"name", "title", "summary", "services", "flows", "requirements", "suppressions", "settings"}
    result = cli("check", str(path))
    assert result.code == 0, result.out
    assert "requirements met 2/2" in result.out and "2 suppressed" in result.out
    assert api.deployables(api.load_cases([path]), lint=False)[0]["template.yaml"]  # the handler is found


def test_readme_links_the_first_case_guide():
    assert "(docs/first-case.md)" in (REPO / "README.md").read_text()
