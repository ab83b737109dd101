"""Invariants over every handler: layout, sample events, requirements, environment variables, logs, cases."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import logging
import re
import sys
from typing import Any

import pytest
import yaml

from .conftest import HANDLERS, REPO, log_lines

# The environment each handler reads (the CloudFormation emitter sets exactly these), besides the
# region variables the Lambda runtime provides.
ENVIRONMENT = {
    "todo_api": {"TODOS_TABLE", "TODO_CACHE_ENDPOINT"},
    "blog_api": {"POSTS_TABLE", "POSTS_CACHE_ENDPOINT", "USERS_TABLE", "PHOTOS_BUCKET", "UPLOAD_PREFIX"},
    "welcome_email": {"USERS_TABLE", "EMAIL_SENDER"},
    "thumbnail": {"INPUT_PREFIX", "OUTPUT_PREFIX", "THUMBNAIL_SIZE"},
    "orders_api": {"ORDERS_TABLE", "ORDER_EVENTS_TOPIC_ARN"},
    "shipping_worker": {"SHIPMENTS_TABLE"},
    "billing": {"INVOICES_TABLE"},
    "search_indexer": {"SEARCH_INDEX_TABLE"},
    "premium_registration": {"PREMIUM_USERS_TABLE"},
    "signed_url": {
        "PREMIUM_USERS_TABLE",
        "CONTENT_CDN_DOMAIN",
        "CONTENT_CDN_PRIVATE_KEY_PARAMETER",
        "CONTENT_CDN_KEY_PAIR_ID",
        "URL_EXPIRES_S",
    },
    "firehose_transform": set(),
    "athena_query": {"ANALYTICS_WORKGROUP", "ANALYTICS_DATABASE"},
}
RUNTIME_PROVIDED = {"boto3", "botocore"}  # in every Lambda Python runtime
KIT = HANDLERS / "handler_kit"  # shared code, not a handler: the packager ships it in every handler's zip
DISTRIBUTION_OF = {"PIL": "pillow", "cryptography": "cryptography", "amazondax": "amazon-dax-client"}
ENV_RE = re.compile(r"""os\.(?:environ\.get|environ|getenv)[\[(]\s*["']([A-Z0-9_]+)["']""")


def handler_names() -> list[str]:
    return sorted(p.parent.name for p in HANDLERS.glob("*/app.py"))


def imported_modules(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def requirements(name: str) -> set[str]:
    path = HANDLERS / name / "requirements.txt"
    if not path.exists():
        return set()
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return {re.split(r"[<>=!~;\[ ]", line)[0].lower() for line in lines if line}


def test_every_expected_handler_exists() -> None:
    assert handler_names() == sorted(ENVIRONMENT)


@pytest.mark.parametrize("name", sorted(ENVIRONMENT))
def test_layout(name: str) -> None:
    folder = HANDLERS / name
    assert (folder / "__init__.py").read_text() == ""
    module = importlib.import_module(f"{name}.app")
    assert list(inspect.signature(module.handler).parameters) == ["event", "context"]
    events = sorted((folder / "events").glob("*.json"))
    assert events, f"{name} has no sample events"
    for path in events:
        assert isinstance(json.loads(path.read_text()), dict), path


@pytest.mark.parametrize("name", sorted(ENVIRONMENT))
def test_environment_variables_match_the_contract(name: str) -> None:
    read = set(ENV_RE.findall((HANDLERS / name / "app.py").read_text())) - {"AWS_REGION", "AWS_DEFAULT_REGION"}
    assert read == ENVIRONMENT[name]


@pytest.mark.parametrize("name", sorted(ENVIRONMENT))
def test_third_party_imports_are_declared_and_archcase_is_not_used(name: str) -> None:
    imported = imported_modules((HANDLERS / name / "app.py").read_text())
    assert "archcase" not in imported
    third_party = imported - set(sys.stdlib_module_names) - RUNTIME_PROVIDED - {"__future__", KIT.name}
    assert {DISTRIBUTION_OF[m] for m in third_party} == requirements(name)


def test_handler_kit_is_shared_code_not_a_handler() -> None:
    assert (KIT / "__init__.py").is_file()
    assert not any((KIT / name).exists() for name in ("app.py", "events", "requirements.txt"))
    assert KIT.name not in handler_names()


def test_handler_kit_needs_only_the_runtime_and_no_handler() -> None:
    """It ships with every handler, so it may import only the standard library and boto3/botocore."""
    modules = sorted(KIT.glob("*.py"))
    assert modules
    for path in modules:
        imported = imported_modules(path.read_text())
        assert imported - set(sys.stdlib_module_names) - RUNTIME_PROVIDED - {"__future__"} == set(), path.name


def defined_names(source: str) -> set[str]:
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


@pytest.mark.parametrize("name", sorted(ENVIRONMENT))
def test_handlers_use_handler_kit_instead_of_copies(name: str) -> None:
    shared = set().union(*(defined_names(path.read_text()) for path in KIT.glob("*.py")))
    copied = defined_names((HANDLERS / name / "app.py").read_text()) & shared
    assert not copied, f"{name} defines {sorted(copied)} again: import them from handler_kit"


def test_readme_documents_every_handler_and_variable() -> None:
    readme = (HANDLERS / "README.md").read_text()
    for name, variables in ENVIRONMENT.items():
        section = readme.split(f"### `{name}`", 1)
        assert len(section) == 2, f"README has no section for {name}"
        body = section[1].split("\n### ", 1)[0]
        for variable in variables:
            assert f"`{variable}`" in body, f"README section {name} does not mention {variable}"
        for requirement in requirements(name):
            assert requirement in body.lower(), f"README section {name} does not mention {requirement}"


def test_every_case_handler_resolves_to_a_handler_function() -> None:
    referenced = set()
    for path in sorted((REPO / "cases").glob("*.yaml")):
        for service in yaml.safe_load(path.read_text()).get("services", []):
            if service.get("handler"):
                module, _, function = service["handler"].rpartition(".")
                assert callable(getattr(importlib.import_module(module), function)), f"{path.name}: {service['handler']}"
                referenced.add(module.split(".")[0])
    assert referenced == set(ENVIRONMENT)


@pytest.mark.parametrize("name", sorted(ENVIRONMENT))
def test_logs_are_one_json_object_per_line(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    module = importlib.import_module(f"{name}.app")
    module.log(logging.INFO, "hello", order_id="o-1", count=2)
    module.log(logging.DEBUG, "not shown")
    [line] = log_lines(capsys.readouterr().out)
    assert {"level": "INFO", "message": "hello", "logger": name, "order_id": "o-1", "count": 2}.items() <= line.items()
    assert not module.LOGGER.propagate  # no duplicate lines through the runtime's root logger


def test_json_lines_survive_newlines_in_messages(capsys: pytest.CaptureFixture[str]) -> None:
    module: Any = importlib.import_module("billing.app")
    try:
        raise ValueError("line one\nline two")
    except ValueError:
        module.log(logging.ERROR, "multi\nline", exc_info=True)
    [line] = log_lines(capsys.readouterr().out)
    assert line["message"] == "multi\nline" and "line two" in line["exception"]
