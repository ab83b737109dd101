"""The bundled cases built twice, once per test session, for the tests of what `archcase build` writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from archcase import api


@pytest.fixture(scope="session")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two consecutive builds of the bundled cases."""
    first, second = tmp_path_factory.mktemp("build-a"), tmp_path_factory.mktemp("build-b")
    api.build(out=first)
    api.build(out=second)
    return first, second


@pytest.fixture(scope="session")
def built(builds: tuple[Path, Path]) -> Path:
    return builds[0]
