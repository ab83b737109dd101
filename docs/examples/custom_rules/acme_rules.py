"""ACME's own architecture rules for archcase: written as archcase's own are (docs/custom-rules.md)."""

from __future__ import annotations

from archcase.checks.rule import Outcome, passes_if, rule
from archcase.models.graph import Graph
from archcase.models.services import LambdaFunction

MAX_MEMORY_MB = 1024
"""ACME's ceiling on a function's memory: above it, a function needs the platform team's sign-off."""


@rule(
    "ACME101",
    severity="medium",
    title="Lambda function has at most 1024 MB of memory",
    rationale="""ACME's functions are small request handlers; one that needs more than 1024 MB is usually doing batch
    work that belongs on a queue and a container, and it costs more per millisecond than the rest together.""",
    remediation="Lower `memory_mb` to 1024 or less, or suppress ACME101 with the platform team's sign-off as the reason.",
    docs="https://wiki.example.com/platform/lambda-memory",
)
def modest_memory(function: LambdaFunction, g: Graph) -> Outcome:
    return passes_if(function.memory_mb <= MAX_MEMORY_MB,
                     f"Lambda function '{function.id}' has {function.memory_mb} MB of memory, more than ACME's {MAX_MEMORY_MB} MB")
