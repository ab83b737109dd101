"""The handler code a function names: where it is, whether it is there, and its content hash.

`handler: todo_api.app.handler` names the package `todo_api` in the handlers folder, its module `app.py` and
the function `handler` in it. The artifact key of a package carries a hash of its files, so new code means a
new key (and CloudFormation updates the function), and unchanged code keeps its key.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from ...models.compute import PYTHON_HANDLER
from .template import EmitError

IGNORED_DIRS = frozenset({"__pycache__", "events", "tests", ".pytest_cache"})
"""Folders of a handler package that are not shipped: caches, sample events, tests."""

SHARED_PACKAGES = ("handler_kit",)
"""Packages of the handlers folder shipped beside every handler (code the handlers share)."""


def package_of(handler: str) -> str:
    return handler.split(".", 1)[0]


def module_file(handlers: Path, handler: str) -> Path:
    """The module file a handler path names, checked to exist inside the handlers folder."""
    if not re.match(PYTHON_HANDLER, handler):
        raise EmitError(f"handler '{handler}' is not a bundled Python handler: write it as package.module.function "
                        "(lower case), relative to the handlers folder")
    *modules, function = handler.split(".")
    path = handlers.joinpath(*modules).with_suffix(".py")
    root = handlers.resolve()
    if not path.resolve().is_relative_to(root):
        raise EmitError(f"handler '{handler}' points outside {handlers}: handler code must live in that folder")
    if not path.is_file():
        raise EmitError(f"handler '{handler}' names {path}, which does not exist: create it, or fix the handler "
                        f"path (package.module.function, relative to {handlers})")
    if f"def {function}(" not in path.read_text(encoding="utf-8"):
        raise EmitError(f"handler '{handler}': {path} defines no function '{function}'")
    return path


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not IGNORED_DIRS & set(p.relative_to(folder).parts[:-1])
                  and p.suffix not in (".pyc", ".pyo"))


def shipped_files(handlers: Path, package: str) -> list[tuple[str, Path]]:
    """(name in the artifact, file) for every file a handler's artifact holds besides its third-party
    requirements: the package, and the shared packages, sorted by name."""
    entries = []
    for name in (package, *(shared for shared in SHARED_PACKAGES if shared != package and (handlers / shared).is_dir())):
        entries += [(path.relative_to(handlers).as_posix(), path) for path in _files(handlers / name)]
    return sorted(entries)


def content_hash(handlers: Path, package: str) -> str:
    """A short hash of what a handler's artifact is built from (names and bytes of its shipped files,
    requirements.txt included)."""
    digest = hashlib.sha256()
    for name, path in shipped_files(handlers, package):
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def artifact_key(handlers: Path, package: str) -> str:
    return f"handlers/{package}-{content_hash(handlers, package)}.zip"
