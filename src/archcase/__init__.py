"""archcase: architecture as data. Validate AWS architectures, draw them and deploy them from one graph.

The version is read from the installed package's metadata (written once, in pyproject.toml) on first use; the
packages below read it through `archcase.models.about`, never by importing this one.
"""

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from .models.about import version

        return version()
    raise AttributeError(f"module 'archcase' has no attribute {name!r}")
