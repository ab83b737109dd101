"""A fast reader for the plain YAML that case files are written in, giving exactly what the full reader
(`models.yamlsafe`) gives: the same data, the same positions.

It reads block mappings and lists line by line, with one-line plain or quoted scalars and flow collections
(`{id: a, kind: s3}`, `[x, y]`, JSON), several times faster than building the document from libyaml's
events. Anything else (anchors, aliases, tags, block scalars, multi-line scalars, complex keys, tabs, odd
characters, documents markers other than a leading `---`, a value over a limit, anything malformed) raises
`Unsupported`, and the full reader reads the text instead, with its checks and messages. A property test
holds the two readers to the same result on generated documents.
"""

from __future__ import annotations

import re
from typing import Any

from . import limits
from .yamlsafe import _RESOLVERS, MERGE, STR, Document, YamlError, resolve, scalar


class Unsupported(Exception):
    """The text uses YAML this reader leaves to the full reader."""


SHALLOW = 2
"""Positions are recorded only for paths this long or shorter (the case's sections and the services and flows
in them, which is what findings point at); `Document.position` has the full reader place anything deeper,
the first time it is asked (for an error message, not on the way to a clean result)."""


_ODD = re.compile("[^\n -~\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
"""Characters other than printable ones and line feeds (tabs, carriage returns, NEL, byte-order marks, ...)."""
_SPECIAL = re.compile(r"[\"'\[\]{}#&*!|>%@`]")
_PLAIN_START_BAD = frozenset(",[]{}#&*!|>'\"%@`")
_DQ = re.compile(r'"((?:[^"\\]++|\\.)*+)"')
_SQ = re.compile(r"'((?:[^']++|'')*+)'")
_ESCAPE = re.compile(r"\\(?:([0abtnvfre \"/\\N_LP])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.?))")
_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r", "e": "\x1b", " ": " ",
            '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}
_FLOW_TOKEN = re.compile(
    r" *+(?:(#.*)|([\[\]{},])|(:)(?=[ ,\[\]{}]|$)|(\"(?:[^\"\\]++|\\.)*+\")|('(?:[^']++|'')*+')"
    r"|((?:[^\s\-?:,\[\]{}#&*!|>'\"%@`]|[\-?:](?=[^\s,\[\]{}]))"
    r"(?:[^\s,\[\]{}:]++|:(?=[^\s,\[\]{}])| ++(?=[^\s,\[\]{}#:]|:(?=[^\s,\[\]{}])))*+)"
    r"| *$)")
_MAX_KEY = 1000
"""libyaml reads a key written without `?` only up to 1,024 characters; longer ones go to the full reader."""


def _unescape(match: re.Match[str]) -> str:
    simple, x, u, big, other = match.groups()
    if simple is not None:
        return _ESCAPES[simple]
    if other is not None:
        raise Unsupported
    code = int(x or u or big, 16)
    if 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        raise Unsupported
    return chr(code)


def _quoted(text: str) -> str:
    """The value of a quoted scalar, quotes included."""
    if text[0] == "'":
        return text[1:-1].replace("''", "'")
    body = text[1:-1]
    return _ESCAPE.sub(_unescape, body) if "\\" in body else body


def _plain_start_ok(text: str) -> bool:
    first = text[0]
    if first in _PLAIN_START_BAD:
        return False
    return not (first in "-?:" and (len(text) == 1 or text[1] == " "))


def _blank_rest(text: str) -> bool:
    """Nothing but spaces and a comment (a comment needs a space before it)."""
    stripped = text.lstrip(" ")
    return not stripped or stripped[0] == "#" and len(stripped) < len(text)


_RESOLVABLE = frozenset(first for first in _RESOLVERS if first)
"""First characters of plain scalars that may be something other than a string (`true`, `12`, `~`, ...)."""
_START_CHECK = _PLAIN_START_BAD | frozenset("-?:")
_LONG = min(limits.MAX_STRING_CHARS, limits.MAX_NUMBER_CHARS)


def plain(text: str) -> Any:
    """A plain scalar's value."""
    return scalar(text, resolve(text), 0, 0)


def plain_key(text: str) -> str:
    """A plain scalar mapping key, as text (`1:` is the key '1'); a merge key `<<` is left to the full reader."""
    tag = resolve(text)
    if tag == MERGE:
        raise Unsupported
    key = scalar(text, tag, 0, 0)
    return key if isinstance(key, str) else str(key)


_KEY = r"([A-Za-z_](?:[\w.\-/]|:(?=[\w:]))*+)"
_VALUE = (r"((?:[^\s\-?:,\[\]{}#&*!|>'\"%@`]|[-?:](?=[^\s,\[\]{}]))"
          r"(?:[^\s,\[\]{}:#]++|:(?=[^\s,\[\]{}])| ++(?=[^\s,\[\]{}#:]|:(?=[^\s,\[\]{}])))*+)")
_PLAIN_VALUE = r"((?:[^\s\-?:,\[\]{}#&*!|>'\"%@`]|[-?:](?=\S))(?:[^:#\s]++|:(?! |$)|(?<! )#| ++(?=[^\s#]))*+)"
_TAIL = r" *(?:(?<= )#.*)?$"
_KEY_VALUE = re.compile(_KEY + r": +" + _PLAIN_VALUE + _TAIL)
"""`key: value` with a plain key and a one-line plain value: the commonest line of a block mapping."""
_KEY_ALONE = re.compile(_KEY + r":" + _TAIL)
"""`key:` with its value on the lines below."""
_ENTRY_KEY_VALUE = re.compile(r"- " + _KEY + r":(?: +" + _PLAIN_VALUE + ")?" + _TAIL)
"""`- key: value` (or `- key:`), the first line of a mapping in a list."""
_ENTRY_VALUE = re.compile(r"- " + _PLAIN_VALUE + _TAIL)
"""`- value`, a plain scalar in a list."""
_PAIRS = 12
_FLOW_ENTRY = re.compile(r"- +\{ *" + "".join(_KEY + r" *: +" + _VALUE + r" *" + ("(?:, *" if n < _PAIRS - 1 else "")
                                                  for n in range(_PAIRS)) + ")?" * (_PAIRS - 1) + r"\} *(?:(?<= )#.*)?$")
"""`- {key: value, ...}` with up to 12 pairs of plain keys and plain values: the commonest line of a case."""


_FLOW_ENTRY_ANY = re.compile(r"- +([\[{][^\"'#&*!|>%@`]*[\]}]) *(?:(?<= )#.*)?$")
"""`- {...}` or `- [...]` with nested flow collections of plain scalars, on one line."""
_FLOW_TOKENS = re.compile(r"[\[\]{},]|:(?=[ ,\[\]{}]|$)|(?:[^\s,\[\]{}:]|:(?=[^\s,\[\]{}]))(?:[^,\[\]{}:]++|:(?=[^\s,\[\]{}]))*+")
"""Indicators, value colons and plain scalars (with any trailing spaces): every character but spaces between
tokens is part of a token, so nothing is skipped silently."""


def _flow_value(tokens: list[str], depth: int, reader: _Reader) -> Any:
    """A flow collection from its tokens (positions are not needed below the services and flows)."""
    stack: list[list[Any]] = []  # [data, state, key]; states: 0 item or key, 1 after key, 2 value, 3 after item
    root: Any = None
    cache, key_cache = reader.cache, reader.key_cache
    for token in tokens:
        first = token[0]
        top = stack[-1] if stack else None
        if first == "{" or first == "[":
            if top is not None and (top[1] == 1 or top[1] == 3 or top[1] == 0 and isinstance(top[0], dict)):
                raise Unsupported
            if depth + len(stack) >= limits.MAX_DEPTH:
                raise Unsupported
            data: Any = {} if first == "{" else []
            if top is None:
                if root is not None:
                    raise Unsupported
                root = data
            elif isinstance(top[0], dict):
                top[0][top[2]] = data
                top[1] = 3
            else:
                top[0].append(data)
                top[1] = 3
            stack.append([data, 0, None])
        elif first == "}" or first == "]":
            if top is None or (first == "}") != isinstance(top[0], dict) or top[1] == 1 or top[1] == 2 or top[1] == 0 and top[0]:
                raise Unsupported
            stack.pop()
        elif first == ",":
            if top is None or top[1] != 3:
                raise Unsupported
            top[1] = 0
        elif first == ":" and len(token) == 1:
            if top is None or top[1] != 1:
                raise Unsupported
            top[1] = 2
        else:
            if top is None:
                raise Unsupported
            text = token.rstrip(" ")
            if first in _START_CHECK and not _plain_start_ok(text):
                raise Unsupported
            state = top[1]
            if isinstance(top[0], dict):
                if state == 0:
                    key = _key(text, key_cache) if first in _RESOLVABLE or len(text) > _LONG else text
                    if key in top[0]:
                        raise Unsupported
                    top[2] = key
                    top[1] = 1
                elif state == 2:
                    top[0][top[2]] = _typed(text, cache) if first in _RESOLVABLE or len(text) > _LONG else text
                    top[1] = 3
                else:
                    raise Unsupported
            elif state == 0:
                top[0].append(_typed(text, cache) if first in _RESOLVABLE or len(text) > _LONG else text)
                top[1] = 3
            else:
                raise Unsupported
    if stack or root is None:
        raise Unsupported
    return root


def _typed(text: str, cache: dict[str, Any]) -> Any:
    """A plain scalar's value, remembered (the same few numbers and booleans recur)."""
    try:
        return cache[text]
    except KeyError:
        value = cache[text] = plain(text)
        return value


def _key(text: str, cache: dict[str, Any]) -> str:
    try:
        key: str = cache[text]
        return key
    except KeyError:
        key = cache[text] = plain_key(text)
        return key


_BLOCK_HEADER = re.compile(r"([|>])(-?)(?: +#.*| *)$")


class _Frame:
    __slots__ = ("indent", "is_map", "data", "path", "pending", "key", "compact", "after")

    def __init__(self, indent: int, data: Any, path: tuple[Any, ...], compact: bool = False) -> None:
        self.indent = indent
        self.is_map = isinstance(data, dict)
        self.data = data
        self.path = path
        self.pending = False
        self.key: Any = None
        self.compact = compact
        self.after = (0, 0)  # where an empty value would be: just after its `:` or `-`


class _Reader:
    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.doc = Document(data=None, text=text)
        self.values = self.doc.values
        self.keys = self.doc.keys
        self.stack: list[_Frame] = []
        self.has_root = False
        self.cache: dict[str, Any] = {}
        self.key_cache: dict[str, Any] = {}

    # -- block context ------------------------------------------------------------------------------------------

    def run(self) -> Document:
        lines, stack = self.lines, self.stack
        count, i = len(lines), 0
        started = marker = False
        while i < count:
            line = lines[i]
            text = line.lstrip(" ")
            if not text or text[0] == "#":
                i += 1
                continue
            column = len(line) - len(text)
            if column == 0 and (text.startswith("---") or text.startswith("...")):
                if started or text[:3] == "..." or not _blank_rest(text[3:]) and text[3:]:
                    raise Unsupported
                started = marker = True
                i += 1
                continue
            started = True
            while stack and stack[-1].indent > column:
                self.close()
            if stack:
                top = stack[-1]
                if top.indent == column and not top.pending and self.quick(i, text, column, top):
                    i += 1
                    continue
            i = self.line(i, text, column)
        while stack:
            self.close()
        if marker and not self.has_root:
            raise Unsupported  # `---` alone: the full reader gives its empty document
        return self.doc

    def quick(self, i: int, text: str, column: int, top: _Frame) -> bool:
        """The two commonest lines, read in one match each: `key: value` in a mapping, and `- {k: v, ...}` in
        a list (when the mapping's own positions need not be recorded). False for any other line."""
        cache = self.cache
        if top.is_map:
            match = _KEY_VALUE.match(text)
            if match is None:
                alone = _KEY_ALONE.match(text)
                if alone is None:
                    return False
                self.pending_key(top, alone.group(1), i, column)
                return True
            key, value = match.groups()
            if key[0] in _RESOLVABLE:
                key = _key(key, self.key_cache)
            if key in top.data:
                raise Unsupported
            if value[0] in _RESOLVABLE or len(value) > _LONG:
                value = _typed(value, cache)
            if len(top.path) < SHALLOW:
                self.keys[(*top.path, key)] = (i + 1, column + 1)
                self.values[(*top.path, key)] = (i + 1, column + match.start(2) + 1)
            top.data[key] = value
            return True
        if text[0] != "-" or len(self.stack) >= limits.MAX_DEPTH - 1:
            return False
        if text[2:3] not in ("{", "["):
            entry = _ENTRY_KEY_VALUE.match(text)
            if entry is not None:  # a new mapping as the list's next item, and its first key
                frame = _Frame(column + 2, {}, (*top.path, len(top.data)))
                top.pending = True
                self.place(frame.data, i + 1, column + 3)
                self.stack.append(frame)
                key, value = entry.groups()
                if value is None:
                    self.pending_key(frame, key, i, column + 2)
                    return True
                if key[0] in _RESOLVABLE:
                    key = _key(key, self.key_cache)
                if value[0] in _RESOLVABLE or len(value) > _LONG:
                    value = _typed(value, cache)
                if len(frame.path) < SHALLOW:
                    self.keys[(*frame.path, key)] = (i + 1, column + 3)
                    self.values[(*frame.path, key)] = (i + 1, column + entry.start(2) + 1)
                frame.data[key] = value
                return True
            scalar_entry = _ENTRY_VALUE.match(text)
            if scalar_entry is not None:
                value = scalar_entry.group(1)
                if value[0] in _RESOLVABLE or len(value) > _LONG:
                    value = _typed(value, cache)
                if len(top.path) < SHALLOW:
                    self.values[(*top.path, len(top.data))] = (i + 1, column + 3)
                top.data.append(value)
                return True
            return False
        if len(top.path) < SHALLOW - 1:
            return False
        match = _FLOW_ENTRY.match(text)
        if match is None:
            nested = _FLOW_ENTRY_ANY.match(text)
            if nested is None:
                return False
            value = _flow_value(_FLOW_TOKENS.findall(nested.group(1)), len(top.path) + 1, self)
            if len(top.path) < SHALLOW:
                self.values[(*top.path, len(top.data))] = (i + 1, column + nested.start(1) + 1)
            top.data.append(value)
            return True
        found = match.groups()
        mapping: dict[str, Any] = {}
        key_cache = self.key_cache
        for n in range(0, match.lastindex or 0, 2):
            key, value = found[n], found[n + 1]
            if key[0] in _RESOLVABLE:
                key = _key(key, key_cache)
            if value[0] in _RESOLVABLE or len(value) > _LONG:
                value = _typed(value, cache)
            mapping[key] = value
        if len(mapping) * 2 != match.lastindex:
            raise Unsupported  # a duplicate key
        if len(top.path) < SHALLOW:
            self.values[(*top.path, len(top.data))] = (i + 1, column + text.index("{") + 1)
        top.data.append(mapping)
        return True

    def pending_key(self, frame: _Frame, raw: str, i: int, column: int) -> None:
        """`key:` at `column` of line `i` in the mapping `frame`, its value to come on the lines below."""
        key = _key(raw, self.key_cache) if raw[0] in _RESOLVABLE else raw
        if key in frame.data:
            raise Unsupported
        if len(frame.path) < SHALLOW:
            self.keys[(*frame.path, key)] = (i + 1, column + 1)
        frame.key = key
        frame.pending = True
        frame.after = (i + 1, column + len(raw) + 2)
        frame.data[key] = None  # keeps the key's place in the mapping's order until its value comes

    def close(self) -> None:
        frame = self.stack.pop()
        if frame.pending:
            self.place_in(frame, None, *frame.after)

    def line(self, i: int, text: str, column: int) -> int:
        """Read the content of line `i` (starting at `column`); returns the index of the next line to read."""
        stack = self.stack
        entry = text[0] == "-" and (len(text) == 1 or text[1] == " ")
        if not stack:
            if self.has_root:
                raise Unsupported
            return self.content(i, text, column, -1)
        top = stack[-1]
        if top.indent == column:
            if not top.is_map:
                if entry:
                    if top.pending:
                        self.place_in(top, None, *top.after)
                    return self.entry(i, text, column, top)
                if not top.compact:
                    raise Unsupported
                self.close()
                top = stack[-1]
            if top.pending:
                if entry:  # a list at the indentation of the key it belongs to
                    frame = _Frame(column, [], (*top.path, top.key), compact=True)
                    self.place(frame.data, i + 1, column + 1)
                    stack.append(frame)
                    return self.entry(i, text, column, frame)
                self.place_in(top, None, *top.after)
            return self.key_line(i, text, column, top)
        if top.pending and top.indent < column:
            return self.content(i, text, column, top.indent)
        raise Unsupported

    def check_depth(self) -> None:
        if len(self.stack) >= limits.MAX_DEPTH:
            raise Unsupported

    def content(self, i: int, text: str, column: int, indent: int) -> int:
        """A node starting at `column` of line `i`, as the value awaited by the top frame (or the root)."""
        if text[0] == "-" and (len(text) == 1 or text[1] == " "):
            self.check_depth()
            frame = _Frame(column, [], self.child_path())
            self.place(frame.data, i + 1, column + 1)
            self.stack.append(frame)
            return self.entry(i, text, column, frame)
        if self.is_key(text):
            self.check_depth()
            frame = _Frame(column, {}, self.child_path())
            self.place(frame.data, i + 1, column + 1)
            self.stack.append(frame)
            return self.key_line(i, text, column, frame)
        return self.value(i, text, column, indent)

    def entry(self, i: int, text: str, column: int, frame: _Frame) -> int:
        """`- ...` at `column`, an entry of the list `frame`."""
        rest = text[1:]
        inner = rest.lstrip(" ")
        frame.pending = True
        frame.after = (i + 1, column + 2)
        if not inner or inner[0] == "#" and len(inner) < len(rest):
            return i + 1
        return self.content(i, inner, column + 1 + len(rest) - len(inner), column)

    def is_key(self, text: str) -> bool:
        first = text[0]
        if first == "{" or first == "[":
            return False  # a flow collection (one used as a key is left to the full reader, by value())
        if first == '"' or first == "'":
            match = (_DQ if first == '"' else _SQ).match(text)
            if not match:
                raise Unsupported
            after = text[match.end():].lstrip(" ")
            return after[:1] == ":" and (len(after) == 1 or after[1] == " ")
        index = text.find(": ")
        if index < 0:
            stripped = text.rstrip(" ")
            return stripped.endswith(":") and not stripped.endswith("::")
        return True

    def key_line(self, i: int, text: str, column: int, frame: _Frame) -> int:
        """`key: value` (or `key:`) at `column`, an entry of the mapping `frame`."""
        first = text[0]
        if first == '"' or first == "'":
            match = (_DQ if first == '"' else _SQ).match(text)
            if not match:
                raise Unsupported
            key = _quoted(match.group(0))
            rest = text[match.end():].lstrip(" ")
            if rest[:1] != ":":
                raise Unsupported
            rest = rest[1:]
            value_column = column + len(text) - len(rest)
        else:
            index = text.find(": ")
            if index < 0:
                index = len(text.rstrip(" ")) - 1
                if index < 0 or text[index] != ":":
                    raise Unsupported
            raw = text[:index].rstrip(" ")
            if not raw or not _plain_start_ok(raw) or " #" in raw or _SPECIAL.search(raw) or raw.endswith(":"):
                raise Unsupported
            key = plain_key(raw) if raw[0] in _RESOLVABLE or len(raw) > _LONG else raw
            rest = text[index + 1:]
            value_column = column + index + 1
        if len(key) > _MAX_KEY or len(text) - len(rest) > _MAX_KEY:
            raise Unsupported
        data = frame.data
        if key in data or frame.pending:
            raise Unsupported
        if len(frame.path) < SHALLOW:
            self.keys[(*frame.path, key)] = (i + 1, column + 1)
        frame.key = key
        frame.pending = True
        frame.after = (i + 1, value_column + 1)
        inner = rest.lstrip(" ")
        if not inner or inner[0] == "#" and len(inner) < len(rest):
            data[key] = None  # keeps the key's place in the mapping's order until its value comes
            return i + 1
        return self.value(i, inner, value_column + len(rest) - len(inner), column)

    def value(self, i: int, text: str, column: int, indent: int) -> int:
        """A scalar or flow collection at `column` of line `i`, nothing but a comment after it."""
        first = text[0]
        line = i + 1
        if first == "{" or first == "[":
            value, i, rest = _Flow(self, indent).read(i, column)
            if not _blank_rest(rest):
                raise Unsupported
            self.place(value, line, column + 1)
            return i + 1
        if first == '"' or first == "'":
            match = (_DQ if first == '"' else _SQ).match(text)
            if not match or not _blank_rest(text[match.end():]):
                raise Unsupported
            self.place(scalar(_quoted(match.group(0)), STR, line, column + 1), line, column + 1)
            return i + 1
        if first == "|" or first == ">":
            return self.block_scalar(i, text, column, indent)
        if first in _START_CHECK and not _plain_start_ok(text):
            raise Unsupported
        cut = text.find(" #")
        raw = (text if cut < 0 else text[:cut]).rstrip(" ")
        if ": " in raw or raw[-1] == ":":
            raise Unsupported
        self.place(raw if first not in _RESOLVABLE and len(raw) <= _LONG else plain(raw), line, column + 1)
        return i + 1

    def block_scalar(self, i: int, text: str, column: int, indent: int) -> int:
        """`|`, `|-`, `>` or `>-` and the lines under it, when every line is at one indentation (a `>` one) or
        at least that (a `|` one), with no line of spaces only and no trailing spaces under `>`."""
        header = _BLOCK_HEADER.match(text)
        if not header:
            raise Unsupported
        literal, strip = header.group(1) == "|", header.group(2) == "-"
        lines = self.lines
        body: list[str] = []
        width = -1
        j = i + 1
        while j < len(lines):
            line = lines[j]
            if not line:
                body.append("")
                j += 1
                continue
            content = line.lstrip(" ")
            depth = len(line) - len(content)
            if not content:
                raise Unsupported
            if width < 0:
                if depth <= indent or body:
                    raise Unsupported  # an empty block scalar, or one starting with empty lines
                width = depth
            if depth < width:
                break
            if depth > width and not literal or not literal and content[-1] == " ":
                raise Unsupported
            body.append(line[width:])
            j += 1
        while body and not body[-1]:
            body.pop()
        if not body:
            raise Unsupported
        if literal:
            value = "\n".join(body)
        else:
            value, gap = body[0], 0
            for part in body[1:]:
                if not part:
                    gap += 1
                    continue
                value += "\n" * gap if gap else " "
                value += part
                gap = 0
        if not strip:
            value += "\n"
        self.place(scalar(value, STR, i + 1, column + 1), i + 1, column + 1)
        return j

    def child_path(self) -> tuple[Any, ...]:
        if not self.stack:
            return ()
        top = self.stack[-1]
        return (*top.path, top.key) if top.is_map else (*top.path, len(top.data))

    def place(self, value: Any, line: int, column: int) -> None:
        """Give the value awaited by the top frame (or the root)."""
        if not self.stack:
            self.doc.data = value
            self.values[()] = (line, column)
            self.has_root = True
            return
        self.place_in(self.stack[-1], value, line, column)

    def place_in(self, frame: _Frame, value: Any, line: int, column: int) -> None:
        if not frame.pending:
            raise Unsupported
        if frame.is_map:
            if len(frame.path) < SHALLOW:
                self.values[(*frame.path, frame.key)] = (line, column)
            frame.data[frame.key] = value
        else:
            if len(frame.path) < SHALLOW:
                self.values[(*frame.path, len(frame.data))] = (line, column)
            frame.data.append(value)
        frame.pending = False


class _Flow:
    """A flow collection (`{...}`, `[...]`), on one line or several."""

    def __init__(self, reader: _Reader, indent: int) -> None:
        self.reader = reader
        self.indent = indent
        self.depth = len(reader.stack)

    def read(self, i: int, column: int) -> tuple[Any, int, str]:
        """The collection starting at `column` of line `i`; the line it ends on and the rest of that line."""
        line = self.reader.lines[i]
        close = "}" if line[column] == "{" else "]"
        end = line.find(close, column)
        if end > 0 and not _SPECIAL.search(line, column + 1, end):
            return self.simple(i, line, column, end), i, line[end + 1:]
        return self.general(i, column)

    def simple(self, i: int, line: str, column: int, end: int) -> Any:
        """One line of plain scalars only: split at commas (a plain scalar in a flow collection has none)."""
        if self.depth + 1 > limits.MAX_DEPTH:
            raise Unsupported
        path = self.reader.child_path()
        record = len(path) < SHALLOW
        values, keys = self.reader.values, self.reader.keys
        lineno = i + 1
        offset = column + 1
        inner = line[column + 1:end]
        if not inner.strip(" "):
            return {} if line[column] == "{" else []
        if line[column] == "[":
            items: list[Any] = []
            for piece in inner.split(","):
                body = piece.strip(" ")
                if not body or body[0] in _START_CHECK and not _plain_start_ok(body) or ": " in body or body[-1] == ":":
                    raise Unsupported
                if record:
                    values[(*path, len(items))] = (lineno, offset + len(piece) - len(piece.lstrip(" ")) + 1)
                items.append(body if body[0] not in _RESOLVABLE and len(body) <= _LONG else plain(body))
                offset += len(piece) + 1
            return items
        mapping: dict[str, Any] = {}
        for piece in inner.split(","):
            raw, sep, rest = piece.partition(": ")
            key = raw.strip(" ")
            text = rest.strip(" ")
            if not sep or not key or not text or key[0] in _START_CHECK and not _plain_start_ok(key) \
                    or text[0] in _START_CHECK and not _plain_start_ok(text) or ": " in text or text[-1] == ":" or key[-1] == ":":
                raise Unsupported
            if key[0] in _RESOLVABLE or len(key) > _LONG:
                key = plain_key(key)
            if key in mapping:
                raise Unsupported
            if record:
                key_at = offset + len(raw) - len(raw.lstrip(" ")) + 1
                keys[(*path, key)] = (lineno, key_at)
                values[(*path, key)] = (lineno, offset + len(raw) + 2 + len(rest) - len(rest.lstrip(" ")) + 1)
            mapping[key] = text if text[0] not in _RESOLVABLE and len(text) <= _LONG else plain(text)
            offset += len(piece) + 1
        return mapping

    def general(self, i: int, column: int) -> tuple[Any, int, str]:
        """Any flow collection of scalars and flow collections, token by token."""
        reader = self.reader
        lines, values, keys = reader.lines, reader.values, reader.keys
        line = lines[i]
        position = column
        stack: list[list[Any]] = []  # [data, path, state, key]; states: 0 item/key, 1 after key, 2 value, 3 after item
        root: Any = None
        base = reader.child_path()
        while True:
            if position >= len(line):
                i += 1
                if i >= len(lines):
                    raise Unsupported
                line = lines[i]
                stripped = line.lstrip(" ")
                if stripped and stripped[0] != "#" and len(line) - len(stripped) <= self.indent:
                    raise Unsupported
                position = 0
                continue
            match = _FLOW_TOKEN.match(line, position)
            if match is None:
                raise Unsupported
            comment, indicator, colon, dq, sq, plain = match.groups()
            start = match.start(match.lastindex) if match.lastindex else match.end()
            position = match.end()
            if comment is not None:
                if start > 0 and line[start - 1] != " ":
                    raise Unsupported
                position = len(line)
                continue
            if indicator is None and colon is None and dq is None and sq is None and plain is None:
                position = len(line)  # spaces to the end of the line
                continue
            at = (i + 1, start + 1)
            if not stack and indicator not in ("{", "["):
                raise Unsupported
            top = stack[-1] if stack else None
            if indicator in ("{", "["):
                if top is not None and top[2] not in (0, 2) or top is not None and top[2] == 0 and isinstance(top[0], dict):
                    raise Unsupported
                if self.depth + len(stack) + 1 > limits.MAX_DEPTH:
                    raise Unsupported
                data: Any = {} if indicator == "{" else []
                path = base if top is None else self.slot(top)
                if len(path) <= SHALLOW:
                    values[path] = at
                if top is not None:
                    self.put(top, data)
                else:
                    root = data
                stack.append([data, path, 0, None])
            elif indicator in ("}", "]"):
                if top is None or (indicator == "}") != isinstance(top[0], dict) or top[2] not in (0, 3):
                    raise Unsupported
                if top[2] == 0 and top[0]:
                    raise Unsupported  # a trailing comma: left to the full reader
                stack.pop()
                if not stack:
                    return root, i, line[position:]
                stack[-1][2] = 3
            elif indicator == ",":
                if top is None or top[2] != 3:
                    raise Unsupported
                top[2] = 0
            elif colon is not None:
                if top is None or top[2] != 1:
                    raise Unsupported
                top[2] = 2
            else:
                if top is None:
                    raise Unsupported
                text = plain if plain is not None else _quoted(dq if dq is not None else sq)
                value = scalar(text, resolve(text) if plain is not None else STR, *at)
                if isinstance(top[0], dict) and top[2] == 0:
                    if plain is not None:
                        if resolve(plain) == "tag:yaml.org,2002:merge":
                            raise Unsupported
                        value = value if isinstance(value, str) else str(value)
                    if value in top[0] or len(value) > _MAX_KEY:
                        raise Unsupported
                    if len(top[1]) < SHALLOW:
                        keys[(*top[1], value)] = at
                    top[3] = value
                    top[2] = 1
                elif top[2] == 0 and isinstance(top[0], list) or top[2] == 2:
                    if len(top[1]) < SHALLOW:
                        values[self.slot(top)] = at
                    self.put(top, value)
                else:
                    raise Unsupported

    @staticmethod
    def slot(frame: list[Any]) -> tuple[Any, ...]:
        data, path = frame[0], frame[1]
        return (*path, frame[3]) if isinstance(data, dict) else (*path, len(data))

    @staticmethod
    def put(frame: list[Any], value: Any) -> None:
        if isinstance(frame[0], dict):
            frame[0][frame[3]] = value
        else:
            frame[0].append(value)
        frame[2] = 3


def read(text: str) -> Document:
    """The document, when the text is plain YAML this reader handles; Unsupported otherwise."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if _ODD.search(text):
        raise Unsupported
    try:
        return _Reader(text).run()
    except (YamlError, ValueError, IndexError, KeyError, TypeError, RecursionError):
        raise Unsupported from None
