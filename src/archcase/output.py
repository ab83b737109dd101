"""Writing outputs all or nothing: a file is complete or absent, and a command's case folders are each the
previous complete set or the new complete set, never a mix, even when the process is killed midway.

Files are collected in memory (`Outputs`), then `publish` checks every output path, builds each case folder
aside in a hidden staging folder and swaps it into place (atomically where the system can exchange two
folders, Linux's `renameat2`), and writes top-level files such as `index.html` last. Temporary files and
folders carry the writing process's id; one left behind by a process that was killed is removed by the next
run that writes there.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .models import CaseError, Diagnostic

_UMASK = os.umask(0)
os.umask(_UMASK)

PREFIX = ".archcase-"
"""Every temporary file or folder archcase makes starts with this, then `<kind>-<pid>-`."""
_LEFTOVER = re.compile(rf"^{re.escape(PREFIX)}(?:tmp|stage|old)-(\d+)-")


class OutputError(CaseError):
    """An output path that cannot be written (a file where a folder must be, no permission, a name too long):
    reported like bad input, with the path and how to fix it, before anything is written."""

    def __init__(self, path: Path, message: str, hint: str) -> None:
        super().__init__([Diagnostic(str(path), 1, 1, message, hint)])


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write `content` (text as UTF-8, or bytes) to `path` through a temporary file in the same folder and an
    atomic rename. The file gets the usual permissions (0666 less the umask). Raises OutputError, naming the
    path, when it cannot be written."""
    path = Path(path)
    try:
        if path.is_dir():
            raise OutputError(path, "cannot write the output: it is a folder", "give the path of a file to write")
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(path.parent, path.name)
        _write_file(path, content, temporary=True)
    except OSError as exc:
        raise _os_error(exc, path) from None


def _write_file(path: Path, content: str | bytes, temporary: bool = False) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    target = path.with_name(f"{PREFIX}tmp-{os.getpid()}-{path.name}") if temporary else path
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o666 & ~_UMASK)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if temporary:
            os.replace(target, path)
    except BaseException:
        if temporary:
            target.unlink(missing_ok=True)
        raise


@dataclass
class Outputs:
    """The files a command writes under one output folder, held until `publish` writes them all.

    `folders` are the case folders (first part of each relative path) that are written; with `replace`, each
    one is replaced whole (what `build` does: files it no longer makes do not linger), otherwise the files
    already there that are not rewritten are kept (`render` adds diagrams beside an emitted template).
    """

    root: Path
    replace: bool = False
    files: dict[Path, str | bytes] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def add(self, relative: str | Path, content: str | bytes) -> Path:
        """Hold `content` for `root/relative`; returns the path it will have."""
        relative = Path(relative)
        if relative.is_absolute() or ".." in relative.parts or not relative.parts:
            raise ValueError(f"output path {relative} must lie inside the output folder")
        self.files[relative] = content
        return self.root / relative

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    @property
    def paths(self) -> list[Path]:
        """Every file that is (or will be) written, in the order it was added."""
        return [self.root / relative for relative in self.files]

    def in_folder(self, folder: str) -> list[Path]:
        return [self.root / relative for relative in self.files if len(relative.parts) > 1 and relative.parts[0] == folder]

    def publish(self) -> None:
        """Write every held file: check all paths first, build case folders aside, swap each into place, then
        write top-level files. Raises OutputError (nothing written) when a path cannot be written."""
        folders = sorted({r.parts[0] for r in self.files if len(r.parts) > 1})
        top = [r for r in self.files if len(r.parts) == 1]
        try:
            self._check(folders, top)
            self.root.mkdir(parents=True, exist_ok=True)
            remove_leftovers(self.root)
            for folder in folders:
                remove_leftovers(self.root / folder)
            stage = self.root / f"{PREFIX}stage-{os.getpid()}-{os.urandom(4).hex()}"
            stage.mkdir()
        except OSError as exc:
            raise _os_error(exc, self.root) from None
        try:
            for folder in folders:
                self._stage(folder, stage / folder)
            for folder in folders:
                _swap(stage / folder, self.root / folder, stage / f"{PREFIX}old-{folder}")
        except OSError as exc:
            raise _os_error(exc, self.root) from None
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        for relative in top:
            write_atomic(self.root / relative, self.files[relative])

    def _check(self, folders: Iterable[str], top: Iterable[Path]) -> None:
        fix = "remove it, or choose another output folder with --out"
        existing = next(p for p in (self.root, *self.root.parents) if p.exists() or p.is_symlink())
        if not existing.is_dir():
            raise OutputError(existing, "cannot write the outputs: this is a file, not a folder", fix)
        for folder in folders:
            path = self.root / folder
            if path.is_symlink():
                raise OutputError(path, "cannot write the outputs: this is a symbolic link, and archcase replaces "
                                        "case folders whole", fix)
            if path.exists() and not path.is_dir():
                raise OutputError(path, "cannot write the case's outputs: this is a file, not a folder", fix)
        for relative in top:
            if (self.root / relative).is_dir():
                raise OutputError(self.root / relative, "cannot write the output: it is a folder", fix)

    def _stage(self, folder: str, staged: Path) -> None:
        existing = self.root / folder
        if not self.replace and existing.is_dir():
            shutil.copytree(existing, staged, symlinks=True, copy_function=_link_or_copy)
        staged.mkdir(exist_ok=True)
        for relative in self.files:
            if len(relative.parts) > 1 and relative.parts[0] == folder:
                target = staged.joinpath(*relative.parts[1:])
                target.parent.mkdir(parents=True, exist_ok=True)
                target.unlink(missing_ok=True)  # a hard link to the old file: write a new file, not through it
                _write_file(target, self.files[relative])


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target, follow_symlinks=False)


def _swap(new: Path, current: Path, old: Path) -> None:
    """Put the folder `new` at `current`. Where `current` exists it is exchanged atomically with `new` (so it
    is at every instant either the old or the new folder), else moved aside first; the old one is removed."""
    if not current.exists():
        os.rename(new, current)
        return
    if _exchange(new, current):
        shutil.rmtree(new)
        return
    os.rename(current, old)
    os.rename(new, current)
    shutil.rmtree(old)


_RENAME_EXCHANGE = 2


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step with Linux's renameat2(RENAME_EXCHANGE); False where that is unavailable."""
    function = getattr(_libc(), "renameat2", None)
    if function is None:
        return False
    at_cwd = -100
    result = function(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # the kernel or file system cannot exchange: fall back to two renames
    raise OSError(code, os.strerror(code), str(second))


_LIBC: list[ctypes.CDLL | None] = []


def _libc() -> ctypes.CDLL | None:
    if not _LIBC:
        name = ctypes.util.find_library("c")
        try:
            _LIBC.append(ctypes.CDLL(name, use_errno=True) if name else None)
        except OSError:
            _LIBC.append(None)
    return _LIBC[0]


def remove_leftovers(folder: Path, name: str | None = None) -> None:
    """Remove what a killed archcase process left in `folder` (temporary files, staging folders); with `name`,
    only temporary files of that file. Leftovers of a process that is still running are kept."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = _LEFTOVER.match(entry.name)
        if not match or (name is not None and not entry.name.endswith(f"-{name}")) or _alive(int(match.group(1))):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            Path(entry.path).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process has just started writing: anything of its pid is a leftover of an earlier one
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _os_error(exc: OSError, fallback: Path) -> OutputError:
    path = Path(exc.filename) if exc.filename else fallback
    reason = exc.strerror or str(exc)
    hints = {
        errno.EACCES: "choose an output folder you can write to with --out",
        errno.EPERM: "choose an output folder you can write to with --out",
        errno.EROFS: "the file system is read-only: choose another output folder with --out",
        errno.ENAMETOOLONG: "use a shorter output path",
        errno.ENOSPC: "free some disk space, or choose another output folder with --out",
        errno.ENOTDIR: "a part of the path is a file, not a folder: remove it or choose another path",
        errno.EISDIR: "give the path of a file, not of a folder",
    }
    return OutputError(path, f"cannot write the output: {reason}", hints.get(exc.errno or 0, "check the output path"))
