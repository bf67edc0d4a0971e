"""`FeedEntry` and `ParsedFeed` (the parsing → storage contract), and how a feedparser entry becomes one."""

from __future__ import annotations

import calendar
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.parsing.html_text import collapse_whitespace, html_to_text
from monitor.parsing.language import detect_language, normalize_language
from monitor.parsing.urls import canonicalize_url

MAX_TITLE_CHARS = 1_000
MAX_TEXT_CHARS = 200_000
MAX_FUTURE = timedelta(days=2)
"""Dates further ahead than this are publisher mistakes (or tricks to stay on top): treated as absent."""
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
"""Dates before this are placeholder values (epoch, year 1), treated as absent."""


@dataclass(frozen=True)
class FeedEntry:
    """One article as announced by a feed: clean text only, canonical URL, UTC date."""

    guid: str | None
    url: str | None
    title: str
    summary: str
    content: str
    published: datetime | None
    language: str | None
    author: str | None


@dataclass(frozen=True)
class ParsedFeed:
    """A feed's title and language, its usable entries, how many were skipped, and what was wrong."""

    title: str
    language: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    skipped: int = 0
    warning: str | None = None
    ttl: timedelta | None = None
    """The feed's own hint of how long to wait before checking again (RSS `<ttl>`)."""


MAX_ENTRIES = 5_000
"""Entries read from one feed unless the caller says otherwise (`fetch.max_entries_per_feed`)."""


def too_many_entries(total: int, cap: int) -> str:
    """The warning of a feed with more entries than are read from it."""
    return f"the feed has {total:,} entries: only the first {cap:,} were read (fetch.max_entries_per_feed)"


def with_warning(warning: str | None, more: str | None) -> str | None:
    """Two warnings as one (either may be missing)."""
    return "; ".join(part for part in (warning, more) if part) or None


def _text(value: Any, limit: int = MAX_TEXT_CHARS) -> str:
    """Clean text of a feedparser string or text construct (HTML unless it says text/plain)."""
    if isinstance(value, Mapping):
        kind, value = value.get("type", "text/html"), value.get("value", "")
    else:
        kind = "text/html"
    if not isinstance(value, str):
        return ""
    if kind == "text/plain":
        return collapse_whitespace(value)[:limit]
    return html_to_text(value, max_chars=limit)


def _content(entry: Mapping[str, Any]) -> str:
    """Content blocks of the entry as text (HTML first), leaving out a copy of the summary."""
    summary = entry.get("summary")
    blocks = [block for block in entry.get("content") or [] if block.get("value") != summary]
    blocks.sort(key=lambda block: block.get("type") != "text/html")
    return "\n".join(filter(None, (_text(block) for block in blocks)))[:MAX_TEXT_CHARS]


def published_at(entry: Mapping[str, Any], now: datetime) -> datetime | None:
    """Publication (else update) date in UTC; None when absent, before 1990 or more than 2 days ahead."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)  # no feedparser aliasing
        if isinstance(parsed, time.struct_time):
            try:
                when = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
            except (OverflowError, OSError, ValueError):
                continue
            return when if EARLIEST <= when <= now + MAX_FUTURE else None
    return None


def _language(entry: Mapping[str, Any]) -> str | None:
    """The language the entry itself declares (xml:lang on its content, summary or title)."""
    candidates = [block.get("language") for block in entry.get("content") or []]
    for key in ("summary_detail", "title_detail"):
        detail = entry.get(key)
        if isinstance(detail, Mapping):
            candidates.append(detail.get("language"))
    return next((lang for lang in map(normalize_language, candidates) if lang), None)


def _guid(entry: Mapping[str, Any]) -> str | None:
    value = entry.get("id")
    return value.strip()[:2_000] or None if isinstance(value, str) else None


def _author(entry: Mapping[str, Any]) -> str | None:
    value = entry.get("author")
    return (collapse_whitespace(html_to_text(value))[:500] or None) if isinstance(value, str) else None


def build_entry(
    entry: Mapping[str, Any], *, base_url: str, feed_language: str | None, now: datetime
) -> FeedEntry | None:
    """A FeedEntry from one feedparser entry; None when it has neither link, GUID nor title."""
    link = entry.get("link")
    url = canonicalize_url(link, base_url) if isinstance(link, str) else None
    guid = _guid(entry)
    title = _text(entry.get("title_detail") or entry.get("title"), MAX_TITLE_CHARS)
    if not (url or guid or title):
        return None
    summary = _text(entry.get("summary_detail") or entry.get("summary"))
    content = _content(entry)
    language = _language(entry) or feed_language or detect_language(f"{title}\n{summary}\n{content}")
    return FeedEntry(
        guid=guid,
        url=url,
        title=title,
        summary=summary,
        content=content,
        published=published_at(entry, now),
        language=language,
        author=_author(entry),
    )
