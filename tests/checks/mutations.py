"""Small edits of a bundled case's data, to build broken (and fixed) variants in tests: archcase's own rule tests
use the public helpers of `archcase.testing`, which custom rules' tests use too (docs/custom-rules.md)."""

from __future__ import annotations

from archcase.testing import NULL, Op, add, add_service, case_data, drop, flow, svc, variant

__all__ = ["NULL", "Op", "add", "add_service", "case_data", "drop", "flow", "svc", "variant"]
