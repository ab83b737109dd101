"""CloudFormation: one plain template per case (no SAM transform), derived from the same graph as the checks.

The public API for packaging and deploying: the error an unemittable case raises, and `code`, which says
what a handler's artifact holds and the content-hashed key the template names it by."""

from . import code
from .template import EmitError

__all__ = ["EmitError", "code"]
