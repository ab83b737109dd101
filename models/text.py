"""User text made harmless for each place archcase writes it.

Titles, labels, descriptions, requirement text and suppression reasons come from case files and imported
templates, so they may hold anything: control characters, terminal escape sequences, quotes and brackets of
every output syntax, text that looks like markup, directives or dynamic references, and text of any length.
The model keeps that text exactly; every output escapes it for its own syntax at the point of writing:

| output | function | what it does |
|---|---|---|
| terminal | `terminal`, `one_line` | control characters shown as escapes (`\\x1b`), never sent |
| pictures (DOT, Mermaid) | `picture` | line breaks normalised, other control characters shown, long text shortened |
| XML (JUnit) | `xml_text` | characters XML 1.0 cannot hold (or discourages) shown as escapes |
| JSON (SARIF, JSON reports) | `json_dumps` | JSON's escaping, plus `\\uXXXX` for C1, separators, lone surrogates |
| CloudFormation free text | `cfn_text`, `cfn_value` | no `{{resolve:...}}` (written `{ {`), no control characters |
| CloudFormation `Fn::Sub` | `sub_literal` | `${...}` kept literal (`${!...}`) |
| HTML | jinja2 autoescape, `visible` as its finalizer | links through `report.safe_url` |

Each syntax's own quoting is done by that format's module, after these: DOT strings in `diagram._plain` (and
HTML-like labels in `diagram._html`), Mermaid entity codes in `mermaid.text` and `mermaid.comment`. Settings
that a template carries as they are (prefixes, environment values, ...) cannot be escaped: a template holding
a dynamic reference or a control character is refused (`cloudformation.emit.check_writable`).
"""

from __future__ import annotations

import json
import re
from typing import Any

PICTURE_TEXT_CHARS = 200
"""Longest text (a title, a service or flow label) drawn on a picture, in characters; longer text is cut
with an ellipsis. The model, the HTML report and the check reports keep the full text. Graphviz refuses
quoted strings of about 16,000 characters, and a label of more than a few lines is unreadable anyway."""

PICTURE_TEXT_LINES = 6
"""Most lines of one text drawn on a picture; further lines are cut with an ellipsis."""

ELLIPSIS = "…"

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Bidirectional formatting characters: they reorder how the text around them is displayed (Trojan Source)."""

_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff{_BIDI}]")
"""Characters never written as they are to a terminal, and shown as escapes elsewhere: C0 and C1 control
characters and DEL, Unicode line and paragraph separators, lone surrogates (which cannot be encoded as UTF-8),
the noncharacters U+FFFE/U+FFFF, and bidirectional formatting characters."""


def escape_char(char: str) -> str:
    """The visible escape of one character, as Python writes it: `\\x1b`, `\\u2028`."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, keep: str = "") -> str:
    """`text` with every unsafe character (control characters, separators, lone surrogates, bidirectional
    formatting) written as a visible escape such as `\\x1b`, except the characters in `keep` (e.g. `"\\n\\t"`)."""
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else escape_char(m.group()), text)


def one_line(text: str) -> str:
    """User text inside one line of terminal output: every control character, line breaks and tabs included,
    written as an escape, so it can neither colour, move the cursor, nor start a line of its own."""
    return visible(text)


def terminal(text: str) -> str:
    """Text composed for the terminal: archcase's own line breaks and tabs are kept, anything else unsafe
    (an escape sequence from an input, a carriage return that would overwrite the line) is shown as an escape."""
    return visible(text, keep="\n\t")


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, the cut marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def picture(text: str, limit: int = PICTURE_TEXT_CHARS, lines: int = PICTURE_TEXT_LINES) -> str:
    """Text as drawn on a picture: every kind of line break (CR, CRLF, VT, FF, NEL, U+2028, U+2029) becomes
    `\\n`, a tab a space, other unsafe characters visible escapes; at most `lines` lines and `limit` characters."""
    parts = [visible(line.replace("\t", " ")) for line in text.splitlines()] or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] += ELLIPSIS
    return shorten("\n".join(parts), limit)


def flat(text: str) -> str:
    """Text on one line: line breaks and tabs as spaces, other unsafe characters as visible escapes."""
    return " ".join(visible(line.replace("\t", " ")) for line in text.splitlines())


def xml_text(text: str) -> str:
    """Text an XML 1.0 document can hold, and that is safe to print: the control characters XML cannot hold
    (most of C0, lone surrogates, U+FFFE/U+FFFF), those it discourages (DEL, C1), carriage returns and the other
    unsafe characters are written as visible escapes (`\\x1b`); tabs and line feeds are kept."""
    return visible(text, keep="\t\n")


def json_dumps(document: Any, **options: Any) -> str:
    """`json.dumps` with non-ASCII text kept readable, but every unsafe character JSON leaves as it is (C1
    controls, DEL, line and paragraph separators, lone surrogates, bidirectional formatting) written as `\\uXXXX`
    (JSON escapes C0 itself, so the line breaks left are the layout's): the text is then valid UTF-8, safe to
    print and to embed in JavaScript. Such characters only occur inside JSON strings: the data is unchanged."""
    text = json.dumps(document, ensure_ascii=False, **options)
    return _UNSAFE.sub(lambda m: m.group() if m.group() in "\n\r\t " else f"\\u{ord(m.group()):04x}", text)


_DYNAMIC_REFERENCE = re.compile(r"\{(?=\{)")

DYNAMIC_REFERENCE = re.compile(r"\{\{\s*resolve\s*:", re.IGNORECASE)
"""A CloudFormation dynamic reference (`{{resolve:ssm:...}}`, `{{resolve:secretsmanager:...}}`): CloudFormation
replaces it, wherever it stands in a resource, with a parameter's or secret's value when the stack deploys."""


def unsafe(text: str) -> bool:
    """Whether `text` holds a character `visible` would escape (a control character, a separator, ...)."""
    return _UNSAFE.search(text) is not None


def _inert(text: str) -> str:
    """No `{{resolve:...}}` dynamic reference (`{{` is written `{ {`), which deploying would replace with a
    parameter's or secret's value, and no `${Name}` that reads as a substitution written outside `Fn::Sub`
    (`${` is written `${!`, as `Fn::Sub` itself writes a literal `${`)."""
    return _DYNAMIC_REFERENCE.sub("{ ", text).replace("${", "${!")


def cfn_text(text: str, limit: int | None = None) -> str:
    """User text as a CloudFormation free-text value (a `Description`, a `Comment`, a display name): one line,
    no control characters, inert (see `_inert`); at most `limit` characters."""
    text = _inert(flat(text))
    return shorten(text, limit) if limit else text


def cfn_value(text: str) -> str:
    """User text kept in a template's metadata: line breaks kept, but no control characters, and inert (see
    `_inert`)."""
    return _inert(visible(text, keep="\n\t"))


def sub_literal(text: str) -> str:
    """User text placed inside an `Fn::Sub` string: `${` is written `${!`, so it stays literal text instead of
    naming a parameter, resource or pseudo parameter."""
    return text.replace("${", "${!")
