"""Files as they are at a git revision of the current repository, copied into a folder: the work tree, the index
and the repository's refs are never touched (`git archive` reads the revision's objects)."""

from __future__ import annotations

import io
import subprocess
import tarfile
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from .models import CaseError, Diagnostic

TIMEOUT_S = 120
"""Longest a git command may run."""


def _git(args: Sequence[str], cwd: Path, what: str, hint: str) -> bytes:
    """The output of one git command; CaseError (`what`, `hint`) when git is missing, fails or times out."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=TIMEOUT_S, check=False)
    except FileNotFoundError:
        raise CaseError([Diagnostic(str(cwd), 1, 1, "git is not installed", "install git, or compare two paths")]) from None
    except subprocess.TimeoutExpired:
        raise CaseError([Diagnostic(str(cwd), 1, 1, f"{what}: git took more than {TIMEOUT_S} s", hint)]) from None
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        raise CaseError([Diagnostic(str(cwd), 1, 1, f"{what}" + (f": {said[-1]}" if said else ""), hint)])
    return done.stdout


def extract(paths: Sequence[str | Path], revision: str, into: Path, cwd: Path | None = None) -> list[Path]:
    """Copy each path (a file or a folder of the repository `cwd` is in) as it is at `revision` into folder `into`,
    at the same place relative to the repository's top, and return the copies' paths. A folder is copied whole; a
    file with the rest of its folder (a template's nested templates and code are found beside it). Raises CaseError
    when `cwd` is not in a git repository, the revision is unknown, or a path is outside the repository or missing
    at the revision."""
    cwd = (cwd or Path.cwd()).resolve()
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd, "not in a git repository",
                    "run `archcase diff --git` inside the repository, or compare two paths").decode().strip()).resolve()
    commit = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], cwd, f"unknown git revision '{revision}'",
                  "name a commit, branch or tag of this repository (`git log --oneline`); a shallow clone may lack it: "
                  "fetch it first").decode().strip()
    copies = []
    problems = []
    for given in paths:
        path = (cwd / given).resolve() if not Path(given).is_absolute() else Path(given).resolve()
        try:
            relative = PurePosixPath(path.relative_to(top).as_posix())
        except ValueError:
            problems.append(Diagnostic(str(given), 1, 1, f"not in the git repository at {top}",
                                       "name a path inside the repository"))
            continue
        listed = _git(["ls-tree", "-z", commit, "--", str(relative) if str(relative) != "." else "."], top,
                      f"cannot list '{relative}' at {revision}", "")
        entry = listed.split(b"\0")[0].decode(errors="replace")
        if not entry and str(relative) != ".":
            problems.append(Diagnostic(str(given), 1, 1, f"'{relative}' does not exist at revision {revision}",
                                       "name a path that the revision has (`git ls-tree -r --name-only REV`), or "
                                       "compare two paths"))
            continue
        folder = relative if str(relative) == "." or entry.split(" ", 2)[1:2] == ["tree"] else relative.parent
        archive = _git(["archive", "--format=tar", commit, *(["--", str(folder)] if str(folder) != "." else [])], top,
                       f"cannot read '{folder}' at {revision}", "")
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(into, filter="data")
        copies.append(into / relative)
    if problems:
        raise CaseError(problems)
    return copies
