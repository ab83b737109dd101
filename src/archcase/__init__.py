"""archcase: architecture as data. Validate AWS architectures, draw them and deploy them from one graph.

The version is read from the installed package's metadata (written once, in pyproject.toml); the packages
below read it through `archcase.models.about`, never by importing this one.
"""

from importlib.metadata import version

__version__ = version("archcase")
