"""Which files `archcase check .` reads: folders walked with their subfolders, what lives in no architecture skipped,
glob patterns expanded, CDK and SAM output recognised, and a file named on the command line read whatever it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archcase import api
from archcase.discovery import Excludes

from .conftest import CASES

QUEUE = "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n"
WORKFLOW = "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"
COMPOSE = "services:\n  web:\n    image: nginx\n"


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def case(name: str) -> str:
    return f"name: {name}\ntitle: T\nservices:\n  - {{id: q, kind: sqs}}\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository: cases and templates in subfolders, and much that is neither."""
    write(tmp_path, "cases/shop.yaml", case("shop"))
    write(tmp_path, "cases/legacy/old.yaml", case("old"))
    write(tmp_path, "services/orders/template.yaml", "Transform: AWS::Serverless-2016-10-31\n" + QUEUE)
    write(tmp_path, "infra/cdk.out/OrdersStack.template.json", json.dumps({"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}))
    write(tmp_path, "infra/cdk.out/manifest.json", json.dumps({"version": "36.0.0", "Resources": "not a template"}))
    write(tmp_path, "infra/cdk.out/asset.1234/template.yaml", QUEUE)
    write(tmp_path, "infra/package.json", json.dumps({"name": "infra"}))
    write(tmp_path, "infra/tsconfig.json", json.dumps({"compilerOptions": {}}))
    write(tmp_path, ".github/workflows/ci.yml", WORKFLOW)
    write(tmp_path, "ci/deploy.yml", WORKFLOW)
    write(tmp_path, "docker-compose.yml", COMPOSE)
    write(tmp_path, "mkdocs.yml", "site_name: x\n")
    write(tmp_path, ".archcase.yaml", "pack: default\n")
    write(tmp_path, ".git/objects/case.yaml", case("git"))
    write(tmp_path, ".aws-sam/build/template.yaml", QUEUE)
    write(tmp_path, "node_modules/pkg/template.yaml", QUEUE)
    write(tmp_path, "env/pyvenv.cfg", "home = /usr\n")
    write(tmp_path, "env/lib/site/template.yaml", QUEUE)
    write(tmp_path, "src/__pycache__/x.yaml", case("cache"))
    write(tmp_path, "out/shop/summary.json", "{}")
    write(tmp_path, "out/shop/report.html", "")
    write(tmp_path, "out/shop/template.yaml", QUEUE)
    write(tmp_path, "emitted/shop/template.yaml",
          "Description: 'Shop (archcase case ''shop''; generated: edit the case,\n  not this file)'\n" + QUEUE)
    return tmp_path


def found(paths: list[str | Path], root: Path, excludes: Excludes | None = None) -> list[str]:
    files, problems = api._case_files(paths, excludes)
    assert problems == []
    return [Path(f).absolute().relative_to(root).as_posix() for f in files]


EXPECTED = ["cases/legacy/old.yaml", "cases/shop.yaml", "infra/cdk.out/OrdersStack.template.json", "services/orders/template.yaml"]


def test_walking_finds_cases_and_templates_in_subfolders_and_nothing_else(project, monkeypatch):
    monkeypatch.chdir(project)
    assert found(["."], project) == EXPECTED
    assert found([project], project) == EXPECTED


def test_excluded_folders_and_files_are_skipped(project, monkeypatch):
    monkeypatch.chdir(project)
    assert found(["."], project, Excludes(("legacy",), project)) == EXPECTED[1:]
    assert found(["."], project, Excludes(("cases/legacy", "*.json"), project)) == [EXPECTED[1], EXPECTED[3]]
    assert found(["."], project, Excludes(("**/orders/*.yaml",), project)) == EXPECTED[:3]


def test_globs_are_expanded_by_archcase_in_name_order(project, monkeypatch):
    monkeypatch.chdir(project)
    assert found(["cases/**/*.yaml"], project) == ["cases/legacy/old.yaml", "cases/shop.yaml"]
    assert found(["*/cdk.out/*.template.json", "services/*"], project) == EXPECTED[2:]
    files, problems = api._case_files(["stacks/**/*.yaml"])
    assert files == [] and "the pattern matches no case file or template" in problems[0].message


def test_a_file_found_twice_is_read_once(project, monkeypatch):
    monkeypatch.chdir(project)
    assert found(["cases", "cases/**/*.yaml"], project) == EXPECTED[:2]
    assert found(["cases/shop.yaml", "cases"], project) == ["cases/shop.yaml", "cases/legacy/old.yaml"]


def test_a_workflow_is_skipped_when_walking_but_an_error_when_named(cli, project, monkeypatch):
    monkeypatch.chdir(project)
    result = cli("check", "ci")
    assert result.code == 2 and "folder holds no case files" in result.err
    named = cli("check", "ci/deploy.yml")
    assert named.code == 2 and "ci/deploy.yml:" in named.err and "Traceback" not in named.err


def test_check_dot_reads_the_whole_project(cli, project, monkeypatch):
    monkeypatch.chdir(project)
    result = cli("check", "--format", "json")  # no PATH: the working directory
    assert result.code == 0, result.err
    names = [c["case"] for c in json.loads(result.out)["cases"]]
    assert sorted(names) == ["old", "orders-stack-template", "shop", "template"]


def test_a_link_back_up_the_tree_is_walked_once(tmp_path):
    write(tmp_path, "a/shop.yaml", case("shop"))
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)
    assert found([tmp_path], tmp_path) == ["a/shop.yaml"]


def test_bundled_cases_are_found_as_before():
    assert [p.name for p in api.bundled_cases()] == sorted(p.name for p in CASES.glob("*.yaml"))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "node_modules", ".git", "cdk.out", "z"]), min_size=1, max_size=4))
def test_walking_is_deterministic_and_skips_what_it_should(tmp_path_factory, parts):
    root = tmp_path_factory.mktemp("walk")
    write(root, "/".join(parts) + "/one.yaml", case("one"))
    write(root, "top.yaml", case("top"))
    first = found([root], root)
    assert first == found([root], root)
    hidden = any(part in ("node_modules", ".git", "cdk.out") for part in parts)
    assert first == (["top.yaml"] if hidden else sorted(["top.yaml", "/".join(parts) + "/one.yaml"]))


def test_what_archcase_wrote_is_not_read_again(cli, tmp_path):
    source = write(tmp_path, "cases/shop.yaml", case("shop"))
    assert cli("emit", str(source), "--out", str(tmp_path / "emitted"), "--no-lint").code == 0
    assert (tmp_path / "emitted" / "shop" / "template.yaml").is_file()
    assert found([tmp_path], tmp_path) == ["cases/shop.yaml"]


@pytest.mark.parametrize(("content", "message"), [(b"", "empty file"), (b"name: t\n\xff\xfe\n", "not UTF-8"),
                                                  ("name: t\n".encode("utf-16"), "not UTF-8")])
def test_a_broken_yaml_file_found_by_walking_is_named_not_passed_over(cli, tmp_path, content, message):
    write(tmp_path, "cases/shop.yaml", case("shop"))
    broken = tmp_path / "cases" / "deep" / "broken.yaml"
    broken.parent.mkdir()
    broken.write_bytes(content)
    result = cli("check", "--no-config", str(tmp_path))
    assert result.code == 2 and "shop" in result.out
    assert f"{broken}:" in result.err and message in result.err


def test_a_byte_order_mark_does_not_hide_a_case(tmp_path):
    (tmp_path / "bom.yaml").write_text("\ufeff" + case("bom"), encoding="utf-8")
    assert found([tmp_path], tmp_path) == ["bom.yaml"]
