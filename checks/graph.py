"""Moved to `archcase.models.graph` (the architecture index is a model concern); kept while callers move."""

from ..models.graph import Graph

__all__ = ["Graph"]
