"""Hostile characters out of text that is stored or shown: one function at the storage edge and on output.

`sanitize` removes what no reader needs and some exploit: control characters (NUL, which PostgreSQL
refuses, and the escape sequences that drive terminals; tab, newline and carriage return are kept) and
the bidirectional overrides, embeddings and isolates (U+202A–U+202E, U+2066–U+2069) that make text read
in an order other than the one stored ("Trojan Source"); lone surrogates, which no encoder writes, become
U+FFFD. Ordinary right-to-left text and its marks (U+200E, U+200F) are left alone. Text without any of
them (nearly all) costs one regex search.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
_REMOVED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def sanitize(text: str) -> str:
    """`text` without control characters and bidirectional overrides, lone surrogates replaced."""
    if _UNSAFE.search(text) is None:
        return text
    return _SURROGATES.sub("\ufffd", _REMOVED.sub("", text))


def sanitize_optional(text: str | None) -> str | None:
    """`sanitize` for a value that may be missing."""
    return None if text is None else sanitize(text)


_FORMULA = re.compile("[=+\\-@\t\r]")


def spreadsheet_safe(row: dict[str, object]) -> dict[str, object]:
    """A CSV row whose text cells a spreadsheet cannot take for formulas: a cell that starts with =, +, -,
    @, a tab or a carriage return gets a leading apostrophe (OWASP's advice on CSV injection)."""
    return {
        key: "'" + value if isinstance(value, str) and _FORMULA.match(value) else value
        for key, value in row.items()
    }
