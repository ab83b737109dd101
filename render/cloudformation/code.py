"""The handler code a function names: where it is, whether it is there, and its content hash.

`handler: todo_api.app.handler` names the package `todo_api` in the handlers folder, its module `app.py` and
the function `handler` in it. The artifact key of a package carries a hash of its files, so new code means a
new key (and CloudFormation updates the function), and unchanged code keeps its key.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
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
        raise EmitError(f"handler '{handler}' is not a bundled Python handler",
                        hint="write it as package.module.function (lower case), relative to the handlers folder")
    *modules, function = handler.split(".")
    path = handlers.joinpath(*modules).with_suffix(".py")
    root = handlers.resolve()
    if not path.resolve().is_relative_to(root):
        raise EmitError(f"handler '{handler}' points outside {handlers} (through a symbolic link)",
                        hint="handler code must live in the handlers folder: copy it there instead of linking to it")
    if not path.is_file():
        raise EmitError(f"handler '{handler}' names {path}, which does not exist",
                        hint=f"create it, or fix the handler path (package.module.function, relative to {handlers})")
    if f"def {function}(" not in path.read_text(encoding="utf-8", errors="replace"):
        raise EmitError(f"handler '{handler}': {path} defines no function '{function}'",
                        hint=f"define `def {function}(event, context):` in {path.name}, or fix the handler path")
    return path


def _files(handlers: Path, package: str) -> list[tuple[str, Path]]:
    """(name in the artifact, file) for every file of one package, sorted. Only regular files inside the
    package are read: a symbolic link is followed only when it stays inside the package (so nothing outside
    the handlers folder can be shipped), and a broken link, a link loop, a FIFO, socket or device is refused."""
    root = (handlers / package).resolve()
    found: list[tuple[str, Path]] = []

    def visit(folder: Path, name: str, ancestors: frozenset[Path]) -> None:
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            path, entry_name = Path(entry.path), f"{name}/{entry.name}"
            real = path
            if entry.is_symlink():
                real = _inside(path, root, entry_name)
            if real.is_dir():
                if entry.name in IGNORED_DIRS:
                    continue
                if real.resolve() in ancestors:
                    raise EmitError(f"handler package '{package}': the symbolic link {entry_name} points at a folder that "
                                    "contains it (a loop)", hint="remove the link")
                visit(real, entry_name, ancestors | {real.resolve()})
            elif stat.S_ISREG(real.stat().st_mode):
                if path.suffix not in (".pyc", ".pyo"):
                    found.append((entry_name, real))
            else:
                raise EmitError(f"handler package '{package}': {entry_name} is not a regular file (a FIFO, socket or device)",
                                hint="remove it from the handler package: only files and folders are shipped")

    if (handlers / package).is_symlink():
        _inside(handlers / package, handlers.resolve(), package)
    visit(root, package, frozenset({root}))
    return found


def _inside(link: Path, root: Path, name: str) -> Path:
    """The file or folder a symbolic link in a handler package resolves to, which must lie inside `root`."""
    package = name.split("/", 1)[0]
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):
        raise EmitError(f"handler package '{package}': {name} is a broken symbolic link or a link loop",
                        hint="remove the link, or make it point at a file inside the package") from None
    if not target.is_relative_to(root):
        raise EmitError(f"handler package '{package}': {name} is a symbolic link to {target}, outside {root}: "
                        "nothing outside a handler package is shipped",
                        hint="copy the file into the package instead of linking to it") from None
    return target


def shipped_files(handlers: Path, package: str) -> list[tuple[str, Path]]:
    """(name in the artifact, file) for every file a handler's artifact holds besides its third-party
    requirements: the package, and the shared packages, sorted by name."""
    entries = []
    for name in (package, *(shared for shared in SHARED_PACKAGES if shared != package and (handlers / shared).is_dir())):
        entries += _files(handlers, name)
    return sorted(entries)


def read(path: Path) -> bytes:
    """The bytes of a file `shipped_files` found, opened without following a link swapped in since."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as handle:
        return handle.read()


def content_hash(handlers: Path, package: str) -> str:
    """A short hash of what a handler's artifact is built from (names and bytes of its shipped files,
    requirements.txt included)."""
    digest = hashlib.sha256()
    for name, path in shipped_files(handlers, package):
        digest.update(name.encode() + b"\0" + read(path) + b"\0")
    return digest.hexdigest()[:16]


def artifact_key(handlers: Path, package: str) -> str:
    return f"handlers/{package}-{content_hash(handlers, package)}.zip"
