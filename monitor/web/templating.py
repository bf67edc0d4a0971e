"""Jinja templates of the desk: autoescape everywhere, and helpers that cut hostile text into pieces that
the templates escape (highlights are built from offsets, never by inserting markup into text)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from monitor.rules.results import MARK_END, MARK_START
from monitor.storage.reading import Highlight

TEMPLATES_DIR = Path(__file__).parent / "templates"
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_SNIPPET_MARK = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")


@dataclass(frozen=True)
class Piece:
    """A piece of text, marked (a matched term) or not; escaped by the template like any text."""

    text: str
    marked: bool = False


def plain(text: str | None) -> str:
    """Text of an article or a feed without the bidi controls that could reorder what is shown around it."""
    return _BIDI_CONTROLS.sub("", text or "")


def highlighted(text: str, highlights: Iterable[Highlight], field: str) -> list[Piece]:
    """`text` cut at the highlights of `field` (overlaps merged, offsets outside the text ignored)."""
    spans = sorted(
        (h.start, min(h.end, len(text))) for h in highlights if h.field == field and h.start < len(text)
    )
    pieces: list[Piece] = []
    cursor = 0
    for start, end in spans:
        if end <= cursor:
            continue
        start = max(start, cursor)
        if start > cursor:
            pieces.append(Piece(plain(text[cursor:start])))
        pieces.append(Piece(plain(text[start:end]), marked=True))
        cursor = end
    if cursor < len(text):
        pieces.append(Piece(plain(text[cursor:])))
    return pieces


def snippet_pieces(snippet: str) -> list[Piece]:
    """A stored snippet, whose matched words the matcher put between marks (see
    `monitor.rules.results.MARK_START`), as pieces; the article's own « quotes » stay text."""
    pieces: list[Piece] = []
    cursor = 0
    for match in _SNIPPET_MARK.finditer(snippet):
        if match.start() > cursor:
            pieces.append(Piece(plain(snippet[cursor : match.start()])))
        pieces.append(Piece(plain(match.group(1)), marked=True))
        cursor = match.end()
    pieces.append(Piece(plain(snippet[cursor:])))
    return [piece for piece in pieces if piece.text]


def web_url(url: str | None) -> str | None:
    """An http(s) link as stored, or None (never a `javascript:` or other scheme)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def moment(value: datetime | None) -> str:
    if value is None:
        return "–"
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def query_string(params: dict[str, object], **changes: object) -> str:
    """The current filter's query string with some parameters changed (None removes one)."""
    merged = {**params, **changes}
    pairs: list[tuple[str, str]] = []
    for key, value in merged.items():
        if value is None or value == "" or value == []:
            continue
        values: Sequence[object] = value if isinstance(value, list | tuple) else [value]
        pairs += [(key, str(item)) for item in values]
    return urlencode(pairs)


def build_templates() -> Jinja2Templates:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    environment.filters.update(
        when=moment, plain=plain, web_url=web_url, snippet_pieces=snippet_pieces, highlighted=highlighted
    )
    environment.globals.update(query_string=query_string)
    return Jinja2Templates(env=environment)
