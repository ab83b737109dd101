"""Handler packages are shipped to AWS: nothing outside them may be read into an artifact. Every kind of
symbolic link and special file in a handler package is either shipped as a file inside the package or refused
with a located message, and a refused package writes nothing and reads nothing outside."""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from archcase.deploy.package import build_zip

from ..conftest import REPO
from .test_output_paths import snapshot

SECRET = "TOP-SECRET-7f3a9c"
CASE = """\
name: links
title: Links
services:
  - id: resize
    kind: lambda
    handler: thumbnail.app.handler
"""


@pytest.fixture
def layout(tmp_path: Path) -> dict[str, Path]:
    """A case using the `thumbnail` package, a copy of the handlers folder, and a secret file outside it."""
    handlers = tmp_path / "handlers"
    shutil.copytree(REPO / "handlers", handlers, ignore=shutil.ignore_patterns("__pycache__", "tests", "events"))
    (tmp_path / "secret.txt").write_text(SECRET)
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "key.pem").write_text(SECRET)
    case = tmp_path / "case.yaml"
    case.write_text(CASE)
    return {"root": tmp_path, "handlers": handlers, "package": handlers / "thumbnail", "case": case}


def _outside_file(p):
    (p["package"] / "config.txt").symlink_to(p["root"] / "secret.txt")


def _outside_folder(p):
    (p["package"] / "keys").symlink_to(p["root"] / "secrets")


def _system_file(p):
    (p["package"] / "hosts.txt").symlink_to("/etc/hosts")


def _relative_escape(p):
    (p["package"] / "up.txt").symlink_to("../../secret.txt")


def _other_package(p):
    (p["package"] / "borrowed.py").symlink_to(p["handlers"] / "billing" / "app.py")


def _broken(p):
    (p["package"] / "gone.txt").symlink_to(p["package"] / "missing.txt")


def _loop(p):
    (p["package"] / "a.txt").symlink_to(p["package"] / "b.txt")
    (p["package"] / "b.txt").symlink_to(p["package"] / "a.txt")


def _ancestor(p):
    (p["package"] / "sub").mkdir()
    (p["package"] / "sub" / "again").symlink_to(p["package"])


def _fifo(p):
    os.mkfifo(p["package"] / "pipe")


def _package_is_a_link(p):
    shutil.move(p["package"], p["root"] / "elsewhere")
    p["package"].symlink_to(p["root"] / "elsewhere")


def _shared_package(p):
    (p["handlers"] / "handler_kit" / "leak.txt").symlink_to(p["root"] / "secret.txt")


def _nested_deep(p):
    deep = p["package"] / "a" / "b" / "c"
    deep.mkdir(parents=True)
    (deep / "x.txt").symlink_to(p["root"] / "secret.txt")


REFUSED: dict[str, tuple[Callable[[dict[str, Path]], None], str]] = {
    "link to a file outside": (_outside_file, "config.txt"),
    "link to a folder outside": (_outside_folder, "keys"),
    "link to a system file": (_system_file, "hosts.txt"),
    "relative link out of the package": (_relative_escape, "up.txt"),
    "link into another package": (_other_package, "borrowed.py"),
    "broken link": (_broken, "gone.txt"),
    "link loop": (_loop, "a.txt"),
    "link to an ancestor folder": (_ancestor, "again"),
    "FIFO": (_fifo, "pipe"),
    "package folder linked from outside": (_package_is_a_link, "thumbnail"),
    "shared package links outside": (_shared_package, "leak.txt"),
    "link deep in the package": (_nested_deep, "x.txt"),
}


@pytest.mark.parametrize("command", ["emit", "build"])
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_handler_package_that_reaches_outside_is_refused_before_anything_is_written(cli, layout, name, command):
    make, link = REFUSED[name]
    make(layout)
    out = layout["root"] / "out"
    result = cli(command, str(layout["case"]), "--handlers", str(layout["handlers"]), "--out", str(out))
    assert result.code == 2, result.err
    first = result.err.splitlines()[0]
    assert re.match(rf"^{re.escape(str(layout['case']))}:4:\d+: error: ", first), result.err  # the function's line
    assert link in first and "fix:" in result.err
    assert not out.exists()
    assert SECRET not in result.out + result.err


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_the_artifact_builder_refuses_the_same_packages(layout, name):
    from archcase.render.cloudformation.template import EmitError

    REFUSED[name][0](layout)
    with pytest.raises(EmitError, match=re.escape(REFUSED[name][1])):
        build_zip(layout["handlers"], "thumbnail")


def test_links_that_stay_inside_the_package_are_shipped_as_files(layout):
    package = layout["package"]
    (package / "data").mkdir()
    (package / "data" / "sizes.json").write_text('{"thumb": 128}')
    (package / "sizes.json").symlink_to("data/sizes.json")
    (package / "mirror").symlink_to(package / "data")
    before = snapshot(layout["root"])
    archive = zipfile.ZipFile(io.BytesIO(build_zip(layout["handlers"], "thumbnail")))
    names = archive.namelist()
    assert archive.read("thumbnail/sizes.json") == b'{"thumb": 128}'
    assert archive.read("thumbnail/mirror/sizes.json") == b'{"thumb": 128}'
    assert "thumbnail/app.py" in names and "handler_kit/http.py" in names
    assert all(SECRET.encode() not in archive.read(name) for name in names)
    assert snapshot(layout["root"]) == before
