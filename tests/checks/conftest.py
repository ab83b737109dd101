"""Fixtures shared by the tests of custom rules."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ..conftest import CASES


@pytest.fixture
def big_case(tmp_path: Path) -> Path:
    """mytodolist with a 3008 MB function."""
    data = yaml.safe_load((CASES / "mytodolist.yaml").read_text())
    next(s for s in data["services"] if s["id"] == "todo-function")["memory_mb"] = 3008
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
