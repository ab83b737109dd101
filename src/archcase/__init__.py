"""archcase: architecture as data. Validate AWS architectures, draw them and deploy them from one graph."""

__version__ = "0.1.0"
