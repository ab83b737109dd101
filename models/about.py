"""What archcase says of itself in its outputs: its version, read from the installed package's metadata (the
one place it is written is pyproject.toml). Read on first use: importlib.metadata costs ~40 ms at start-up,
which `archcase check` and `validate` should not pay."""

from __future__ import annotations

from functools import cache


@cache
def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("archcase")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0.0.0+unknown"
