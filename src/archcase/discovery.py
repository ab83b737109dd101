"""Which files a command reads: files named as given, folders walked for case files and templates, glob patterns
expanded, what the configuration's `exclude` names skipped.

Walking a folder goes down every subfolder, in name order, except those no architecture lives in: hidden ones
(`.git`, `.venv`, `.aws-sam`, ...), virtual environments (any folder holding `pyvenv.cfg`), `node_modules`,
`__pycache__`, archcase's own output folders (a case folder holding `summary.json` and `report.html`), and those
`exclude` matches. A file found that way is read when it looks like a case (a top-level `services:` list) or a
CloudFormation/SAM template (a top-level `Resources` or `AWSTemplateFormatVersion`); any other YAML or JSON file
(a workflow, `package.json`, `tsconfig.json`) is passed over, as are hidden files and templates archcase emitted
itself; a YAML file that is empty or not UTF-8 text is read, so that what is wrong with it is told. In a `cdk.out`
folder only the synthesised stacks (`*.template.json`) are read, not the assets. A file named on the command line
is read whatever it holds, so a file that is neither is an error there.
"""

from __future__ import annotations

import glob
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from .importer.source import TEMPLATE_HINT
from .models import Diagnostic
from .models.load import file_problem

CASE_SUFFIXES = (".yaml", ".yml")
TEMPLATE_SUFFIXES = (".yaml", ".yml", ".json", ".template")
SKIPPED = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})
"""Folders never walked into (besides hidden ones and virtual environments)."""
CDK_OUT = "cdk.out"
CDK_TEMPLATE = ".template.json"
OUTPUT_FILES = ("summary.json", "report.html")
"""Files that together mark a case folder `archcase build` wrote."""
EMITTED = re.compile(r"\(archcase case .{1,200}?;\s+generated:\s+edit\s+the\s+case,\s+not\s+this\s+file\)", re.S)
"""The end of the Description of every template archcase emits (YAML may fold it): such a template is output, not input."""
CASE_HINT = re.compile(r"""(?m)(?:^|[{,]\s*)["']?services["']?[ \t]*:\s*(?:#[^\n]*\n\s*)*[\[-]""")
"""A case's top-level `services:` list (block or flow style); compose files' `services:` is a mapping."""
GLOB = re.compile(r"[*?\[]")
HEAD = 65536


@dataclass(frozen=True)
class Excludes:
    """The configuration's `exclude` glob patterns, relative to `root`: a path is excluded when a pattern matches
    its name or its path relative to `root` (`legacy`, `stacks/old`, `**/generated/*.yaml`)."""

    patterns: tuple[str, ...] = ()
    root: Path = Path(".")

    def __call__(self, path: Path) -> bool:
        if not self.patterns:
            return False
        try:
            relative: str | None = path.absolute().relative_to(self.root.absolute()).as_posix()
        except ValueError:
            relative = None
        for pattern in self.patterns:
            pattern = pattern.removeprefix("./").rstrip("/")
            if fnmatchcase(path.name, pattern):
                return True
            if relative is not None and (fnmatchcase(relative, pattern) or fnmatchcase(relative, pattern.removeprefix("**/"))):
                return True
        return False


def files(paths: Iterable[str | Path], excludes: Excludes | None = None) -> tuple[list[Path], list[Diagnostic]]:
    """The files to read and the problems of the paths that cannot be read (found with `stat` alone: nothing is
    opened here but the beginning of files in a folder). A path that does not exist and holds `*`, `?` or `[` is a
    glob pattern (`stacks/**/*.yaml`), expanded by archcase in name order, what it matches treated as found."""
    excluded = excludes or Excludes()
    found: list[Path] = []
    problems: list[Diagnostic] = []
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        problem = file_problem(path)
        if problem is None:
            found.append(path)  # named: read whatever it is (and not again when a folder walked holds it)
            seen.add(Path(os.path.realpath(path)))
            continue
        if path.is_dir():
            before = len(found)
            _walk(path, excluded, found, problems, seen, set())
            if len(found) == before and not any(p.file.startswith(str(path)) for p in problems):
                problems.append(Diagnostic(str(path), 1, 1, "folder holds no case files (*.yaml, *.yml) or templates",
                                           "point at a folder of case files or CloudFormation templates, or at a file"))
            continue
        if GLOB.search(str(given)) and not os.path.lexists(path):
            matched = False
            for match in sorted(glob.glob(str(given), recursive=True)):
                candidate = Path(match)
                if _skipped_parts(candidate) or excluded(candidate):
                    continue
                if candidate.is_dir():
                    before = len(found)
                    _walk(candidate, excluded, found, problems, seen, set())
                    matched = matched or len(found) > before
                elif _wanted(candidate):
                    matched = True
                    _add(candidate, found, seen)
            if not matched:
                problems.append(Diagnostic(str(given), 1, 1, "the pattern matches no case file or template",
                                           "check the pattern (quote it so that archcase, not the shell, expands it)"))
            continue
        problems.append(problem)
    return found, problems


def _add(path: Path, found: list[Path], seen: set[Path]) -> None:
    key = Path(os.path.realpath(path))
    if key not in seen:
        seen.add(key)
        found.append(path)


def _walk(folder: Path, excluded: Excludes, found: list[Path], problems: list[Diagnostic], seen: set[Path],
          visited: set[tuple[int, int]]) -> None:
    try:
        info = os.stat(folder)
        if (info.st_dev, info.st_ino) in visited:
            return  # a link back up the tree
        visited.add((info.st_dev, info.st_ino))
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        problems.append(Diagnostic(str(folder), 1, 1, f"cannot list the folder: {exc.strerror or 'unknown error'}",
                                   "make the folder readable, or name its files"))
        return
    cdk = folder.name == CDK_OUT
    for entry in entries:  # in name order, each subfolder where its name falls: sorted as paths are
        child = Path(entry.path)
        if entry.name.startswith(".") or excluded(child):
            continue
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if not cdk and not _skipped_folder(child):
                _walk(child, excluded, found, problems, seen, visited)
            continue
        if cdk and not entry.name.endswith(CDK_TEMPLATE):
            continue
        if child.suffix not in TEMPLATE_SUFFIXES:
            continue
        trouble = file_problem(child)
        if trouble is not None:
            problems.append(trouble)
        elif _wanted(child):
            _add(child, found, seen)


def _skipped_folder(folder: Path) -> bool:
    """A folder that walking does not enter (see the module's docstring)."""
    if folder.name in SKIPPED or (folder / "pyvenv.cfg").exists():
        return True
    return all((folder / name).is_file() for name in OUTPUT_FILES)


def _skipped_parts(path: Path) -> bool:
    """A glob's match inside a folder walking would skip (by name: a pattern names its folders itself)."""
    return any(part in SKIPPED or (part.startswith(".") and part not in (".", "..")) for part in path.parts[:-1])


def _wanted(path: Path) -> bool:
    """Whether a file found by walking is read: a case or a template by the look of its beginning, not one that
    archcase emitted. Nothing but a regular file is opened."""
    if path.suffix not in TEMPLATE_SUFFIXES or path.name.startswith("."):
        return False
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with path.open("rb") as handle:
            raw = handle.read(HEAD)
    except OSError:
        return True  # unreadable: reading it reports why
    try:
        head = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if path.suffix in CASE_SUFFIXES and (len(raw) < HEAD or exc.start < len(raw) - 3):
            return True  # not text: no workflow either, and reading it says what is wrong (as before walking)
        head = raw[:exc.start].decode("utf-8")
    head = head.removeprefix("\ufeff")
    if path.suffix in CASE_SUFFIXES and (not head.strip() or "\x00" in head):
        return True  # empty, or binary: likewise a broken file, named rather than passed over
    if TEMPLATE_HINT.search(head):
        return not EMITTED.search(head)
    return path.suffix in CASE_SUFFIXES and bool(CASE_HINT.search(head))
