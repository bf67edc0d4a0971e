"""Where each character of a YAML string scalar sits in its file, for every scalar style.

A query error comes back as an offset into the *parsed* string; to point at the file we replay the scanning
rules of ruamel.yaml (plain, single- and double-quoted, literal and folded block scalars) and record the
source index of every character produced. The replay is checked against the parser's own value; when the
two disagree the caller falls back to the start of the scalar rather than pointing somewhere wrong.
"""

from __future__ import annotations

from typing import Any

_BREAKS = "\r\n\x85\u2028\u2029"
_END = "\0" + _BREAKS
_END_SPACE_TAB = _END + " \t"
_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b", "f": "\x0c",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0",
    "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_ESCAPE_CODES = {"x": 2, "u": 4, "U": 8}

Pairs = list[tuple[str, int]]


class _Cursor:
    """A position in the file text, with the peeking helpers the YAML scanner uses."""

    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.pos = pos

    def peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.text[index] if index < len(self.text) else "\0"

    def column(self) -> int:
        return self.pos - self.text.rfind("\n", 0, self.pos) - 1

    def line_break(self) -> str:
        """Consume one line break (CRLF counts as one) and return what it means: a newline or nothing."""
        if self.peek() == "\r" and self.peek(1) == "\n":
            self.pos += 2
            return "\n"
        if self.peek() in _BREAKS:
            self.pos += 1
            return "\n"
        return ""

    def at_document_marker(self) -> bool:
        return self.text[self.pos : self.pos + 3] in ("---", "...") and self.peek(3) in _END_SPACE_TAB

    def take(self, out: Pairs) -> None:
        out.append((self.peek(), self.pos))
        self.pos += 1


def scalar_offsets(text: str, node: Any, indent: int) -> list[int] | None:
    """Source index of each character of `node.value`, plus one for its end; None when not certain.

    `indent` is the column of the block collection holding the scalar (the scanner's indentation level).
    """
    start = node.start_mark.index
    cursor = _Cursor(text, start)
    try:
        if node.style in ('"', "'"):
            pairs = _quoted(cursor, double=node.style == '"')
        elif node.style in ("|", ">"):
            pairs = _block(cursor, folded=node.style == ">", indent=indent)
        else:
            pairs = _plain(cursor, indent)[: len(node.value)]
    except (IndexError, ValueError):
        return None
    if "".join(char for char, _ in pairs) != node.value:
        return None
    end = pairs[-1][1] + 1 if pairs else start
    return [index for _, index in pairs] + [end]


def _plain(cursor: _Cursor, indent: int) -> Pairs:
    """A plain scalar: runs of text, single line breaks folded into spaces."""
    out: Pairs = []
    spaces: Pairs = []
    while cursor.peek() != "#":
        length = 0
        while True:
            char, after = cursor.peek(length), cursor.peek(length + 1)
            if char in _END_SPACE_TAB or (char == ":" and after in _END_SPACE_TAB):
                break
            length += 1
        if length == 0:
            break
        out.extend(spaces)
        for _ in range(length):
            cursor.take(out)
        found = _plain_spaces(cursor)
        if not found or cursor.peek() == "#" or cursor.column() < indent + 1:
            break
        spaces = found
    return out


def _plain_spaces(cursor: _Cursor) -> Pairs | None:
    """The whitespace after a run of plain text: kept within a line, folded across lines."""
    spaces: Pairs = []
    while cursor.peek() == " ":
        cursor.take(spaces)
    if cursor.peek() not in _BREAKS:
        return spaces
    first_break = cursor.pos
    cursor.line_break()
    if cursor.at_document_marker():
        return None
    breaks: Pairs = []
    while cursor.peek() in " " + _BREAKS:
        if cursor.peek() == " ":
            cursor.pos += 1
            continue
        breaks.append(("\n", cursor.pos))
        cursor.line_break()
        if cursor.at_document_marker():
            return None
    return breaks or [(" ", first_break)]


def _quoted(cursor: _Cursor, double: bool) -> Pairs:
    """A single- or double-quoted scalar, with escapes and line folding."""
    quote = cursor.peek()
    cursor.pos += 1
    out: Pairs = []
    _quoted_text(cursor, double, out)
    while cursor.peek() != quote:
        if cursor.peek() == "\0":
            raise ValueError("unterminated quoted scalar")
        _quoted_spaces(cursor, out)
        _quoted_text(cursor, double, out)
    return out


def _quoted_text(cursor: _Cursor, double: bool, out: Pairs) -> None:
    while True:
        while cursor.peek() not in " \n'\"\\\0\t\r\x85\u2028\u2029":
            cursor.take(out)
        char = cursor.peek()
        if not double and char == "'" and cursor.peek(1) == "'":
            out.append(("'", cursor.pos))
            cursor.pos += 2
        elif (double and char == "'") or (not double and char in '"\\'):
            cursor.take(out)
        elif double and char == "\\":
            _escape(cursor, out)
        else:
            return


def _escape(cursor: _Cursor, out: Pairs) -> None:
    """One backslash escape of a double-quoted scalar; the character maps to its backslash."""
    backslash = cursor.pos
    cursor.pos += 1
    char = cursor.peek()
    if char in _ESCAPES:
        out.append((_ESCAPES[char], backslash))
        cursor.pos += 1
    elif char in _ESCAPE_CODES:
        digits = cursor.text[cursor.pos + 1 : cursor.pos + 1 + _ESCAPE_CODES[char]]
        out.append((chr(int(digits, 16)), backslash))
        cursor.pos += 1 + len(digits)
    elif char in _BREAKS:
        cursor.line_break()
        _quoted_breaks(cursor, out)
    else:
        raise ValueError(f"unknown escape {char!r}")


def _quoted_spaces(cursor: _Cursor, out: Pairs) -> None:
    spaces: Pairs = []
    while cursor.peek() in " \t":
        cursor.take(spaces)
    if cursor.peek() not in _BREAKS:
        out.extend(spaces)
        return
    first_break = cursor.pos
    cursor.line_break()
    breaks: Pairs = []
    _quoted_breaks(cursor, breaks)
    out.extend(breaks or [(" ", first_break)])


def _quoted_breaks(cursor: _Cursor, out: Pairs) -> None:
    while True:
        while cursor.peek() in " \t":
            cursor.pos += 1
        if cursor.peek() not in _BREAKS:
            return
        out.append(("\n", cursor.pos))
        cursor.line_break()


def _block(cursor: _Cursor, folded: bool, indent: int) -> Pairs:
    """A literal (`|`) or folded (`>`) block scalar, with its chomping and indentation indicators."""
    cursor.pos += 1
    chomping, increment = _block_indicators(cursor)
    while cursor.peek() == " ":
        cursor.pos += 1
    if cursor.peek() == "#":
        while cursor.peek() not in _END:
            cursor.pos += 1
    cursor.line_break()
    min_indent = max(indent + 1, 1)
    if increment is None:
        breaks, max_indent = _block_first_indentation(cursor)
        level = max(min_indent, max_indent)
    else:
        level = min_indent + increment - 1
        breaks = _block_breaks(cursor, level)
    out: Pairs = []
    line_break: tuple[str, int] = ("", cursor.pos)
    while cursor.column() == level and cursor.peek() != "\0":
        out.extend(breaks)
        leading_non_space = cursor.peek() not in " \t"
        while cursor.peek() not in _END:
            cursor.take(out)
        break_index = cursor.pos
        line_break = (cursor.line_break(), break_index)
        breaks = _block_breaks(cursor, level)
        if cursor.column() != level or cursor.peek() == "\0":
            break
        if folded and line_break[0] == "\n" and leading_non_space and cursor.peek() not in " \t":
            out.extend([] if breaks else [(" ", line_break[1])])
        elif line_break[0]:
            out.append(line_break)
    if chomping is not False and line_break[0]:
        out.append(line_break)
    if chomping is True:
        out.extend(breaks)
    return out


def _block_indicators(cursor: _Cursor) -> tuple[bool | None, int | None]:
    chomping: bool | None = None
    increment: int | None = None
    for _ in range(2):
        char = cursor.peek()
        if char in "+-" and chomping is None:
            chomping = char == "+"
        elif char in "123456789" and increment is None:
            increment = int(char)
        else:
            break
        cursor.pos += 1
    return chomping, increment


def _block_first_indentation(cursor: _Cursor) -> tuple[Pairs, int]:
    breaks: Pairs = []
    max_indent = 0
    while cursor.peek() in " " + _BREAKS:
        if cursor.peek() == " ":
            cursor.pos += 1
            max_indent = max(max_indent, cursor.column())
        else:
            breaks.append(("\n", cursor.pos))
            cursor.line_break()
    return breaks, max_indent


def _block_breaks(cursor: _Cursor, level: int) -> Pairs:
    breaks: Pairs = []
    while cursor.column() < level and cursor.peek() == " ":
        cursor.pos += 1
    while cursor.peek() in _BREAKS:
        breaks.append(("\n", cursor.pos))
        cursor.line_break()
        while cursor.column() < level and cursor.peek() == " ":
            cursor.pos += 1
    return breaks
