"""Decoding pages, and repairing feeds whose declared charset is missing or wrong (Russian windows-1251/KOI8-R
read as Latin-1).

`decode_page` reads an HTML page as browsers do: its BOM, else the HTTP charset, else the page's own
declaration, else detection (charset-normalizer, through bs4's UnicodeDammit): lxml alone would read
undeclared windows-1251 bytes as Latin-1 mojibake. Discovery and full-text extraction both use it.

feedparser trusts the HTTP header and the XML declaration; when both are absent it falls back to
windows-1252, and when one lies it decodes without complaint. We re-detect with charset-normalizer only
when the result is suspect: feedparser reported an encoding problem, or it chose a Latin encoding and the
text is mostly accented letters (the signature of Cyrillic mojibake) or the bytes are valid UTF-8.
"""

from __future__ import annotations

import codecs
import re
from email.message import Message

import charset_normalizer
from bs4 import UnicodeDammit
from bs4.dammit import EncodingDetector

MAX_PAGE_BYTES = 5_000_000
LATIN = frozenset({"cp1252", "iso8859-1", "iso8859-15", "ascii"})
SAMPLE_BYTES = 200_000
MOJIBAKE_RATIO = 0.2
"""Share of non-ASCII letters above which Latin text is suspect (French or German news: under 0.06)."""

_LETTER = re.compile(r"[^\W\d_]")
_DECLARATION = re.compile(rb"""^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])[^"']*\2""", re.IGNORECASE)


def content_type_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header (`text/html; charset="koi8-r"` → `koi8-r`)."""
    if not content_type:
        return None
    message = Message()
    message["content-type"] = content_type
    value = message.get_param("charset")
    return value if isinstance(value, str) and value else None


def decode_page(body: bytes, content_type: str | None = None) -> str:
    """A page's bytes (at most MAX_PAGE_BYTES) as text: by the BOM, the HTTP charset, the page's
    declaration, then by detection."""
    _, bom = EncodingDetector.strip_byte_order_mark(body[:4])
    charset = bom or content_type_charset(content_type)  # as in browsers: a BOM beats the HTTP header
    known = [charset] if charset else []
    dammit = UnicodeDammit(body[:MAX_PAGE_BYTES], known_definite_encodings=known, is_html=True)
    return dammit.unicode_markup or ""


def _codec(name: str | None) -> str | None:
    """Python's canonical codec name (`windows-1251` → `cp1251`), None for unknown names."""
    try:
        return codecs.lookup(name).name if name else None
    except LookupError:
        return None


def _suspect(body: bytes, used: str | None) -> bool:
    """Whether Latin text decoded with `used` is probably mojibake."""
    if _codec(used) not in LATIN or body.isascii():
        return False
    try:
        body.decode("utf-8")
        return True  # valid UTF-8 with non-ASCII bytes is practically never Latin-1 text
    except UnicodeDecodeError:
        pass
    letters = _LETTER.findall(body[:SAMPLE_BYTES].decode("latin-1"))
    accented = sum(1 for letter in letters if not letter.isascii())
    return bool(letters) and accented / len(letters) > MOJIBAKE_RATIO


def redecode(body: bytes, used: str | None, encoding_problem: bool) -> tuple[bytes, str] | None:
    """UTF-8 bytes (declaration rewritten) and the detected charset, when the body was decoded wrongly.

    None when nothing is suspect or the detector agrees with the encoding already used.
    """
    if not encoding_problem and not _suspect(body, used):
        return None
    best = charset_normalizer.from_bytes(body).best()
    detected = _codec(best.encoding) if best is not None else None
    if best is None or detected is None or detected == _codec(used):
        return None
    if encoding_problem and detected in LATIN and _codec(used) in LATIN:
        return None  # one Latin guess for another: keep feedparser's
    text = str(best).encode("utf-8")
    return _DECLARATION.sub(rb'\1"utf-8"', text, count=1), detected
