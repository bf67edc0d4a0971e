"""`sanitize`: what leaves text that is stored or shown, and what stays."""

from __future__ import annotations

import pytest

from monitor.sanitize import sanitize

# (text → sanitized)
CASES = [
    ("Shahed drones at Alabuga", "Shahed drones at Alabuga"),
    ("evil\u202egnp.exe", "evilgnp.exe"),
    ("\u2066isolated\u2069 \u202aembedded\u202c \u202doverride\u202c", "isolated embedded override"),
    ("NUL\x00 bell\x07 escape\x1b[31m C1\x9b", "NUL bell escape[31m C1"),
    ("tab\tnewline\nreturn\r", "tab\tnewline\nreturn\r"),
    ("lone \ud800 surrogate \udfff", "lone \ufffd surrogate \ufffd"),
    ("עברית\u200f and Русский, 😀, ﬁ", "עברית\u200f and Русский, 😀, ﬁ"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_sanitize_removes_what_no_reader_needs(text: str, expected: str) -> None:
    assert sanitize(text) == expected
    assert sanitize(expected) == expected
