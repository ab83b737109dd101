"""The limits on what archcase reads, in one place.

Each limit is checked before the work it bounds is done (a file's size by `stat`, before it is opened;
nesting, string and number length while the text is parsed, before the value is built), and each gives a
located message naming the limit and how to stay under it. The values are far above anything real: the
deepest of 194 real templates (../shared/corpus and corpus-large) nests 19 levels, its longest string is
24,183 characters (inline Lambda code), its longest number 12 digits, and CloudFormation itself refuses
templates over 1 MB and more than 500 resources. The bundled cases are a few kilobytes.

The two size limits can be raised for one run with the environment variables `ARCHCASE_MAX_CASE_BYTES` and
`ARCHCASE_MAX_TEMPLATE_BYTES` (a whole number of bytes); the others guard against hostile input only and
cannot be raised.
"""

from __future__ import annotations

import os

MAX_CASE_BYTES = 32 * 1024 * 1024
"""Largest case file read, in bytes (32 MiB). A generated case of 50,000 services and 150,000 flows in
flow-style YAML is about 13 MB; the bundled cases are under 10 kB. Files of unknown kind (a folder given to
`check`) are held to this limit before they are opened, and to MAX_TEMPLATE_BYTES once they turn out to be
templates."""

MAX_TEMPLATE_BYTES = 2 * 1024 * 1024
"""Largest CloudFormation or SAM template imported, in bytes (2 MiB): twice CloudFormation's own limit for a
template stored in S3 (1 MB; 51,200 bytes inline), so any template CloudFormation accepts fits, with room
for one pretty-printed differently. The largest of the 194 real templates in the corpora is 234 kB."""

MAX_DEPTH = 100
"""Deepest nesting of mappings and lists (a short-form intrinsic function counts as one level of mapping):
five times the deepest real template (19). It keeps every recursive reader far from Python's recursion
limit (1,000 frames)."""

MAX_STRING_CHARS = 1_048_576
"""Longest string or mapping key, in characters: CloudFormation's whole-template limit, which no single
value of a template it accepts can exceed (the longest real one is 24,183 characters of inline code)."""

MAX_NUMBER_CHARS = 100
"""Longest number, in characters (digits, sign, point, exponent). Python refuses to read integers of more
than 4,300 digits, and the largest real one has 12; 100 leaves room for long decimal fractions."""

MAX_ALIAS_EXPANSION = 1_000_000
"""Most values that YAML aliases (`*name`) and merge keys (`<<: *name`) may add to a document by repeating
what they name: a ten-line file of nested aliases ("billion laughs") would otherwise expand into billions
of values. Values written out in full do not count, so a large case without aliases is never refused."""

MAX_EXPANDED_RESOURCES = 10_000
"""Most resources `Fn::ForEach` loops (AWS::LanguageExtensions) may expand into: twenty times the 500
resources CloudFormation allows in one stack. Nested loops multiply, so a few short lists could otherwise
make millions."""


def size_limit(name: str) -> int:
    """The byte limit `name` (MAX_CASE_BYTES or MAX_TEMPLATE_BYTES), as raised by `ARCHCASE_<name>` when that
    environment variable holds a positive whole number."""
    default = {"MAX_CASE_BYTES": MAX_CASE_BYTES, "MAX_TEMPLATE_BYTES": MAX_TEMPLATE_BYTES}[name]
    given = os.environ.get(f"ARCHCASE_{name}", "").strip()
    return int(given) if given.isdigit() and 0 < len(given) <= 18 and int(given) > 0 else default


def megabytes(size: int) -> str:
    """A byte count as people read it: `32 MiB`, `1.5 MiB`, `800 kB`."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MiB"
    return f"{size / 1024:.3g} kB" if size >= 1024 else f"{size} bytes"
