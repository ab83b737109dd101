"""`archcase diff` (issue 17): a temporary git repository whose case gains a service, loses a flow, sees its origin
lose its access control and a requirement flip, commit by commit; the Markdown, JSON and the marked DOT."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from archcase.diff import case_diff
from archcase.models import Architecture
from archcase.render.diff_report import md

from .conftest import CASES
from .render.golden import parse_dot
from .render.needs import needs_graphviz
from .strategies import architectures

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
AUTHORIZER = "shop-api-authorizes-user-pool"
ORIGIN = "content-cdn-origin-premium-content"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


def commit(repo: Path, case: dict[str, Any], message: str) -> None:
    (repo / "cases" / "shop.yaml").write_text(yaml.safe_dump(case, sort_keys=False, allow_unicode=True), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four commits of cases/shop.yaml (the bundled paid-content case): as bundled; a function added; the
    authorizer flow removed (so the Cognito requirement is no longer met); the origin's access `oai` -> `none`."""
    repo = tmp_path / "repo"
    (repo / "cases").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    case = yaml.safe_load((CASES / "paid-content.yaml").read_text(encoding="utf-8"))
    commit(repo, case, "as bundled")
    case["services"].append({"id": "reports-fn", "kind": "lambda", "label": "Reports", "handler": "reports.app.handler"})
    case["flows"].append({"from": "shop-api", "to": "reports-fn", "kind": "invokes", "routes": ["GET /reports"]})
    commit(repo, case, "a function added")
    case["flows"] = [f for f in case["flows"] if f["kind"] != "authorizes"]
    commit(repo, case, "authorizer removed")
    next(f for f in case["flows"] if f["kind"] == "origin")["access"] = "none"
    commit(repo, case, "origin without OAI")
    monkeypatch.chdir(repo)
    return repo


def as_json(cli: Any, *args: str) -> tuple[int, dict[str, Any]]:
    result = cli("diff", *args, "--format", "json")
    assert result.err == "" or "wrote" in result.err, result.err
    return result.code, json.loads(result.out)


def test_the_last_commit_flips_a_requirement_and_adds_a_finding(cli, repo):
    code, document = as_json(cli, "--git", "HEAD~1", "cases/shop.yaml")
    assert code == 1  # AC101 is high: at --fail-on high
    (case,) = document["cases"]
    assert case["status"] == "changed"
    assert case["summary"]["flows"] == {"added": 0, "removed": 0, "changed": 1}
    (changed,) = case["flows"]["changed"]
    assert changed["id"] == ORIGIN
    assert changed["settings"] == [{"path": "access", "old": "oai", "new": "none"}]
    assert [(f["rule_id"], f["target"]) for f in case["findings"]["new"]] == [("AC101", ORIGIN)]
    assert case["findings"]["fixed"] == []
    (requirement,) = case["requirements"]
    assert (requirement["id"], requirement["before"], requirement["after"], requirement["flipped"]) == (
        "oai-no-bypass", True, False, True)
    assert document["base"] == "HEAD~1:cases/shop.yaml"
    assert cli("diff", "--git", "HEAD~1", "cases/shop.yaml", "--fail-on", "critical").code == 0


def test_three_commits_back_in_markdown(cli, repo):
    result = cli("diff", "--git", "HEAD~3", "cases/shop.yaml")
    assert result.code == 1
    text = result.out
    summary = text.split("<details>")[0]  # the summary comes first, the details folded after it
    row = next(line for line in summary.splitlines() if line.startswith("| paid-content"))
    assert row.split(" | ")[1:3] == ["+1 −0 ~0", "+1 −1 ~1"]
    assert "3 no longer met" in row  # Cognito authentication, premium registration (AC202), OAI (AC101)
    assert "<details><summary>Services: 1 added, 0 removed, 0 changed</summary>" in text
    assert "| added | reports-fn | lambda | Reports |  |" in text
    assert f"| removed | {AUTHORIZER} | authorizes |" in text
    assert 'access: "oai" → "none"' in text
    new = re.search(r"<summary>New findings: (\d+)</summary>(.*?)</details>", text, re.S)
    assert new is not None
    assert re.search(rf"\| #\d+ \| high \| AC101 \| {ORIGIN} \| CloudFront fetches", new.group(2))


def test_two_paths_give_the_same_diff_as_the_revision(cli, repo, tmp_path):
    old = tmp_path / "old.yaml"
    old.write_text(git(repo, "show", "HEAD~3:cases/shop.yaml"), encoding="utf-8")
    code, by_paths = as_json(cli, str(old), "cases/shop.yaml")
    assert code == 1
    _, by_git = as_json(cli, "--git", "HEAD~3", "cases/shop.yaml")
    assert by_paths["cases"] == by_git["cases"]
    assert by_paths["head"] == by_git["head"] == "cases/shop.yaml"


def test_a_folder_at_a_revision_and_the_work_tree_untouched(cli, repo):
    shop = repo / "cases" / "shop.yaml"
    shop.write_text(shop.read_text(encoding="utf-8").replace("title: Distributing", "title: Staged edit of"), encoding="utf-8")
    git(repo, "add", "cases/shop.yaml")  # a staged edit: the head side is the work tree, the index stays as it is

    def state() -> tuple[str, ...]:
        return (git(repo, "status", "--porcelain", "--untracked-files=all"), git(repo, "ls-files", "-s"),
                git(repo, "diff", "--cached"), git(repo, "rev-parse", "HEAD"), shop.read_text(encoding="utf-8"))

    before = state()
    code, document = as_json(cli, "--git", "HEAD~2", "cases")
    assert code == 1
    assert [f["id"] for f in document["cases"][0]["flows"]["removed"]] == [AUTHORIZER]
    assert document["cases"][0]["title"].startswith("Staged edit of")
    assert state() == before


def test_the_diff_diagram_marks_what_changed(cli, repo, tmp_path):
    out = tmp_path / "diff.dot"
    result = cli("diff", "--git", "HEAD~3", "cases/shop.yaml", "--diagram", str(out))
    assert result.code == 1
    graph = parse_dot(out.read_text(encoding="utf-8"))
    nodes = graph["nodes"]
    assert (nodes["reports-fn"]["color"], nodes["reports-fn"]["style"]) == ("#2E7D32", "rounded,bold")
    assert "color" not in nodes["customers"]
    edges = {attrs["id"]: attrs for _, _, attrs in graph["edges"]}
    assert (edges[AUTHORIZER]["color"], edges[AUTHORIZER]["style"]) == ("#C62828", "dashed")  # removed, still drawn
    assert edges[ORIGIN]["color"] == "#EF6C00"
    assert re.search(r"#\d+$", edges[ORIGIN]["label"])  # the new finding's number
    assert "color" not in edges["customers-calls-shop-api"]
    assert "AC101" in graph["attributes"]["label"]  # the legend lists the new findings only
    assert "AC311" not in graph["attributes"]["label"]

    mermaid = tmp_path / "diff.mmd"
    assert cli("diff", "--git", "HEAD~3", "cases/shop.yaml", "--diagram", str(mermaid)).code == 1
    text = mermaid.read_text(encoding="utf-8")
    assert "style reports_fn stroke:#2E7D32,stroke-width:3px" in text
    assert "stroke:#C62828,stroke-width:3px,stroke-dasharray:5 5" in text


def test_no_change_is_said_and_exits_0(cli, repo):
    result = cli("diff", "--git", "HEAD", "cases/shop.yaml")
    assert result.code == 0
    assert "No architecture changes." in result.out
    _, document = as_json(cli, "--git", "HEAD", "cases/shop.yaml")
    assert document["cases"][0]["status"] == "unchanged"


@pytest.mark.parametrize(("args", "said"), [
    (("--git", "no-such-branch", "cases/shop.yaml"), "unknown git revision 'no-such-branch'"),
    (("--git", "HEAD~1", "cases/missing.yaml"), "does not exist at revision HEAD~1"),
    (("cases/shop.yaml",), "give BASE and HEAD"),
    (("cases/shop.yaml", "cases/shop.yaml", "--diagram", "x.gif"), "--diagram"),
])
def test_bad_input_exits_2(cli, repo, args, said):
    result = cli("diff", *args)
    assert result.code == 2
    assert said in result.err


def test_outside_a_repository_exits_2(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text((CASES / "paid-content.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    result = cli("diff", "--git", "HEAD", "c.yaml")
    assert result.code == 2
    assert "not in a git repository" in result.err


def test_a_file_broken_at_the_revision_is_named_by_revision(cli, repo):
    (repo / "cases" / "shop.yaml").write_text("name: x\ntitle: X\nservices: []\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "broken")
    git(repo, "checkout", "-q", "HEAD~1", "--", "cases/shop.yaml")
    result = cli("diff", "--git", "HEAD", "cases/shop.yaml")
    assert result.code == 2
    assert result.err.startswith("HEAD:cases/shop.yaml:")


HOSTILE = "a|b `c` <script>alert(1)</script> @someone **x** [l](http://e)"


def test_hostile_names_stay_text_in_markdown(cli, tmp_path):
    case = yaml.safe_load((CASES / "paid-content.yaml").read_text(encoding="utf-8"))
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(case), encoding="utf-8")
    case["services"].append({"id": "evil", "kind": "lambda", "label": HOSTILE, "handler": "x.app.handler"})
    case["services"][0]["label"] = HOSTILE + "\nsecond line"
    case["title"] = HOSTILE
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(case), encoding="utf-8")
    text = cli("diff", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")).out
    assert "<script>" not in text and "](" not in text.replace("\\](", "")
    assert "@someone" not in text  # no mention: a zero-width space after the @
    assert all("`" not in line.replace("\\`", "") for line in text.splitlines())  # no code span opened
    services = re.search(r"<summary>Services.*?</details>", text, re.S)
    assert services is not None
    rows = [line for line in services.group(0).splitlines() if line.startswith("|")]
    assert {len(re.split(r"(?<!\\)\|", row)) for row in rows} == {7}  # every row has its six cells
    assert md(HOSTILE) == ("a\\|b \\`c\\` &lt;script&gt;alert(1)&lt;/script&gt; @&#8203;someone \\*\\*x\\*\\* "
                           "\\[l\\](http://e)")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(architectures(max_services=5, max_flows=6), architectures(max_services=5, max_flows=6))
def test_a_diff_against_itself_is_empty_and_turned_around_swaps_added_and_removed(a: Architecture, b: Architecture):
    same = case_diff(a.name, a, a)
    assert same.status == "unchanged"
    assert not same.services and not same.flows and not same.requirements
    forth, back = case_diff("c", a, b), case_diff("c", b, a)
    assert forth.services.added == back.services.removed
    assert forth.flows.added == back.flows.removed
    assert forth.services.removed == back.services.added
    assert [e.id for e in forth.services.changed] == [e.id for e in back.services.changed]
    for there, here in zip(forth.services.changed, back.services.changed, strict=True):
        assert [(s.path, s.old, s.new) for s in there.settings] == [(s.path, s.new, s.old) for s in here.settings]


def test_a_suppression_added_moves_its_finding_to_suppressed(cli, tmp_path):
    case = yaml.safe_load((CASES / "paid-content.yaml").read_text(encoding="utf-8"))
    next(f for f in case["flows"] if f["kind"] == "origin")["access"] = "none"
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(case), encoding="utf-8")
    case["suppressions"] = [{"rule": "AC101", "target": ORIGIN, "reason": "The bucket is public on purpose for this test."}]
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(case), encoding="utf-8")
    code, document = as_json(cli, str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"))
    assert code == 0
    (diffed,) = document["cases"]
    assert [(f["rule_id"], f["target"]) for f in diffed["findings"]["suppressed"]] == [("AC101", ORIGIN)]
    assert diffed["findings"]["new"] == diffed["findings"]["fixed"] == []
    assert diffed["suppressions"]["added"] == [{"rule": "AC101", "target": ORIGIN, "old_reason": None,
                                                "reason": "The bucket is public on purpose for this test."}]
    back = as_json(cli, str(tmp_path / "b.yaml"), str(tmp_path / "a.yaml"))
    assert back[0] == 1  # the suppression removed: the finding is new again
    assert [f["rule_id"] for f in back[1]["cases"][0]["findings"]["new"]] == ["AC101"]


def test_cases_on_one_side_only_are_added_or_removed_whole(cli, tmp_path):
    for side, names in (("old", ("paid-content", "myblog")), ("new", ("paid-content", "mytodolist"))):
        (tmp_path / side).mkdir()
        for name in names:
            (tmp_path / side / f"{name}.yaml").write_text((CASES / f"{name}.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    _, document = as_json(cli, str(tmp_path / "old"), str(tmp_path / "new"))
    status = {case["name"]: case["status"] for case in document["cases"]}
    assert status == {"myblog": "removed", "mytodolist": "added", "paid-content": "unchanged"}
    blog = next(case for case in document["cases"] if case["name"] == "myblog")
    assert blog["services"]["added"] == [] and blog["services"]["removed"]


@needs_graphviz
def test_the_diff_diagram_as_svg(cli, repo, tmp_path):
    out = tmp_path / "diff.svg"
    assert cli("diff", "--git", "HEAD~1", "cases/shop.yaml", "--diagram", str(out), "--format", "text").code == 1
    svg = out.read_text(encoding="utf-8")
    assert svg.lstrip().startswith(("<?xml", "<svg"))
    assert 'stroke="#ef6c00"' in svg.lower()  # the changed origin


def test_a_template_at_a_revision_brings_its_nested_stack(cli, tmp_path, monkeypatch):
    """Only the nested stack changed: the parent template at the revision must be read with the child as it was."""
    from .importer.test_nested import CHILD, parent, write

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    write(repo, "infra/stacks/workers.json", CHILD)
    write(repo, "infra/main.json", parent("stacks/workers.json"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "stacks")
    child = json.loads(json.dumps(CHILD))
    del child["Resources"]["Worker"]["Properties"]["Environment"]["Variables"]["QUEUE_URL"]  # no more sending to the queue
    write(repo, "infra/stacks/workers.json", child)
    monkeypatch.chdir(repo)
    _, document = as_json(cli, "--git", "HEAD", "infra/main.json")
    (case,) = document["cases"]
    assert [f["id"] for f in case["flows"]["removed"]] == ["workers-worker-enqueues-jobs"]
    assert case["flows"]["added"] == []


def test_a_diff_too_big_to_draw_exits_2_before_graphviz_runs(cli, repo, tmp_path, monkeypatch):
    from archcase.render import graphviz

    monkeypatch.setattr(graphviz, "MAX_DRAWN_SERVICES", 3)
    result = cli("diff", "--git", "HEAD~1", "cases/shop.yaml", "--diagram", str(tmp_path / "d.png"))
    assert result.code == 2
    assert not (tmp_path / "d.png").exists()
    assert "paid-content" in result.err and "error" in result.err
