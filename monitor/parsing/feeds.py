"""Feed bytes → `ParsedFeed`, with feedparser doing the XML and our own rules for everything around it.

feedparser never fetches anything here: it receives the bytes in a stream (given bytes, it would treat
them as a file name). Bodies that are not feeds raise `FetchError` with what they are instead.
"""

from __future__ import annotations

import io
import zlib
from datetime import timedelta
from typing import Any
from xml.sax import SAXParseException

import feedparser

from monitor import clock
from monitor.errors import FetchError
from monitor.parsing.charset import content_type_charset, redecode
from monitor.parsing.discovery import alternate_links
from monitor.parsing.entries import (
    MAX_ENTRIES,
    FeedEntry,
    ParsedFeed,
    build_entry,
    too_many_entries,
    with_warning,
)
from monitor.parsing.html_text import html_to_text
from monitor.parsing.jsonfeed import parse_json_feed
from monitor.parsing.language import normalize_language
from monitor.wording import plural

MAX_DECOMPRESSED = 50_000_000
_ENCODING_PROBLEMS = (feedparser.CharacterEncodingOverride, feedparser.CharacterEncodingUnknown)


LANGUAGE_SAMPLE_ENTRIES = 3


def parse_feed(
    body: bytes,
    *,
    url: str,
    content_type: str | None = None,
    language_hint: str | None = None,
    max_entries: int = MAX_ENTRIES,
) -> ParsedFeed:
    """Entries of an RSS, Atom, RDF or JSON feed, the first `max_entries` of them (a warning tells of the
    rest); FetchError when the bytes are not a feed."""
    body = _gunzip(body)
    if not body.strip():
        raise FetchError("empty feed: the server sent no content")
    if body.lstrip()[:1] == b"{":
        return parse_json_feed(body, url=url, language_hint=language_hint, max_entries=max_entries)
    result, note = _feedparse_repaired(body, url, content_type)
    if not result.get("version") and not result.get("entries"):
        raise _not_a_feed(body, url, content_type, result)
    feed = result.get("feed", {})
    language = _feed_language(feed) or normalize_language(language_hint)
    now = clock.now()
    entries: list[FeedEntry] = []
    skipped = 0
    assumed = language
    raws = result.get("entries", [])
    for raw in raws[:max_entries]:
        # a plain dict: FeedParserDict resolves aliases in Python on every lookup, and we use none
        entry = build_entry(dict(raw), base_url=url, feed_language=assumed, now=now)
        if entry is None:
            skipped += 1
            continue
        entries.append(entry)
        if assumed is None and len(entries) == LANGUAGE_SAMPLE_ENTRIES:
            assumed = _shared_language(entries)
    title = html_to_text(str(feed.get("title", "")), max_chars=1_000)
    warning = _warning(result, note, len(entries))
    if len(raws) > max_entries:
        warning = with_warning(warning, too_many_entries(len(raws), max_entries))
    return ParsedFeed(title, language, entries, skipped, warning, ttl=_ttl(feed))


def _ttl(feed: Any) -> timedelta | None:
    """RSS `<ttl>`: minutes the feed may be cached; absurd values (over a week) are ignored."""
    try:
        minutes = int(str(feed.get("ttl", "")).strip())
    except ValueError:
        return None
    return timedelta(minutes=minutes) if 0 < minutes <= 7 * 24 * 60 else None


def _feedparse(body: bytes, url: str, content_type: str | None) -> Any:
    """feedparser on the bytes; the HTTP content type is passed only when it names a charset.

    We never render the entry HTML, only turn it into text: feedparser's sanitiser and URI rewriting of
    embedded HTML are skipped (they take most of its time on large feeds). Nor is it given the feed's
    URL as base: it would join it onto every element it opens (a quarter of its time on a 50-item feed);
    entry links are made absolute against the feed's URL when entries are built, after any `xml:base`.
    """
    headers = {"content-location": ""}  # an HTTP response, of no known location
    if content_type and content_type_charset(content_type):
        headers["content-type"] = content_type
    return feedparser.parse(
        io.BytesIO(body), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )


def _feedparse_repaired(body: bytes, url: str, content_type: str | None) -> tuple[Any, str | None]:
    """feedparser's result, parsed again as UTF-8 when the charset it used was missing or wrong."""
    result = _feedparse(body, url, content_type)
    problem = isinstance(result.get("bozo_exception"), _ENCODING_PROBLEMS)
    repaired = redecode(body, result.get("encoding"), problem)
    if repaired is None:
        return result, None
    utf8, detected = repaired
    again = _feedparse(utf8, url, "application/xml; charset=utf-8")
    if len(again.get("entries", [])) < len(result.get("entries", [])):
        return result, None
    return again, f"the declared character set was wrong or missing; decoded as {detected}"


def _gunzip(body: bytes) -> bytes:
    """Bodies saved or served as raw gzip bytes (no Content-Encoding), decompressed within a cap."""
    if body[:2] != b"\x1f\x8b":
        return body
    decoder = zlib.decompressobj(zlib.MAX_WBITS | 16)
    try:
        data = decoder.decompress(body, MAX_DECOMPRESSED + 1)
    except zlib.error as exc:
        raise FetchError("the body looks gzip-compressed but cannot be decompressed") from exc
    if len(data) > MAX_DECOMPRESSED:
        raise FetchError(f"decompression bomb: the gzip body expands past {MAX_DECOMPRESSED:,} bytes")
    return data


def _shared_language(entries: list[FeedEntry]) -> str | None:
    """The language the first entries of an undeclared feed were all detected in: a feed is nearly
    always in one language, so the rest are assumed to share it instead of each being detected (the
    costliest step of parsing). Entries that declare their own language still keep it."""
    languages = {entry.language for entry in entries}
    return languages.pop() if len(languages) == 1 else None


def _feed_language(feed: Any) -> str | None:
    """The language the feed declares (<language>, dc:language or xml:lang)."""
    detail = feed.get("title_detail") or {}
    return normalize_language(feed.get("language")) or normalize_language(detail.get("language"))


def _warning(result: Any, note: str | None, count: int) -> str | None:
    """What was wrong with a feed we could still read, for the user; None when nothing was."""
    exc = result.get("bozo_exception") if result.get("bozo") else None
    problems = [note] if note else []
    if isinstance(exc, SAXParseException):
        problems.append(
            f"not well-formed XML (line {exc.getLineNumber()}: {exc.getMessage()}); recovered "
            f"{plural(count, 'entry', 'entries')}"
        )
    elif exc is not None and not isinstance(exc, (*_ENCODING_PROBLEMS, feedparser.NonXMLContentType)):
        recovered = plural(count, "entry", "entries")
        problems.append(f"feed has errors ({exc.__class__.__name__}); recovered {recovered}")
    return "; ".join(problems) or None


def _not_a_feed(body: bytes, url: str, content_type: str | None, result: Any) -> FetchError:
    """The error for bytes that hold no feed: an HTML page (naming its feeds), or broken XML."""
    head = body[:4096].lower()
    if b"<html" in head or b"<!doctype html" in head or (content_type or "").startswith("text/html"):
        links = [feed.url for feed in alternate_links(body, url, content_type)]
        if links:
            return FetchError("this is an HTML page, not a feed; it links to: " + ", ".join(links))
        return FetchError("this is an HTML page, not a feed, and it links to no feed")
    exc = result.get("bozo_exception")
    if isinstance(exc, SAXParseException):
        return FetchError(f"not a feed: invalid XML at line {exc.getLineNumber()} ({exc.getMessage()})")
    return FetchError("not a feed: no RSS, Atom or RDF content found")
