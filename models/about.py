"""What archcase says of itself in its outputs: its version, read from the installed package's metadata (the
one place it is written is pyproject.toml)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("archcase")
except PackageNotFoundError:  # run from a source tree that was never installed
    VERSION = "0.0.0+unknown"
