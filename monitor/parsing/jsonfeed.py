"""JSON Feed 1.0 and 1.1 (jsonfeed.org) into the same `ParsedFeed` as RSS and Atom; feedparser reads neither.

Items keep the contract of `FeedEntry`: canonical URL (`url`, else `external_url`), clean text (HTML of
`content_html` turned into text, else `content_text`), UTC dates within the same bounds as other feeds,
language from the item, then the feed, then detection; authors' names (1.1 `authors`, 1.0 `author`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from monitor import clock
from monitor.errors import FetchError
from monitor.parsing.entries import (
    EARLIEST,
    MAX_ENTRIES,
    MAX_FUTURE,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    FeedEntry,
    ParsedFeed,
    too_many_entries,
    with_warning,
)
from monitor.parsing.html_text import collapse_whitespace, html_to_text
from monitor.parsing.language import detect_language, normalize_language
from monitor.parsing.urls import canonicalize_url

VERSION_PREFIX = "https://jsonfeed.org/version/"
KNOWN_VERSIONS = ("1", "1.1")


def parse_json_feed(
    body: bytes, *, url: str, language_hint: str | None = None, max_entries: int = MAX_ENTRIES
) -> ParsedFeed:
    """The feed's first `max_entries` entries; FetchError with a short reason when the bytes are not a
    JSON feed."""
    document = _load(body)
    version = str(document.get("version") or "")
    if not version.startswith((VERSION_PREFIX, "http://jsonfeed.org/version/")):
        raise FetchError("not a JSON feed: no jsonfeed.org version")
    items = document.get("items")
    if not isinstance(items, list):
        raise FetchError("not a JSON feed: no list of items")
    warning = None
    if version.rsplit("/", 1)[-1] not in KNOWN_VERSIONS:
        warning = f"unknown JSON Feed version {version.rsplit('/', 1)[-1][:20]!r}, read as 1.1"
    language = normalize_language(_string(document.get("language"))) or normalize_language(language_hint)
    base = canonicalize_url(_string(document.get("feed_url")), url) or url
    if len(items) > max_entries:
        warning = with_warning(warning, too_many_entries(len(items), max_entries))
        items = items[:max_entries]
    entries = [entry for entry in (_entry(item, base, language) for item in items) if entry]
    return ParsedFeed(
        title=collapse_whitespace(_string(document.get("title")))[:MAX_TITLE_CHARS],
        language=language,
        entries=entries,
        skipped=len(items) - len(entries),
        warning=warning,
    )


def _load(body: bytes) -> dict[str, Any]:
    """The top-level JSON object of the body."""
    try:
        document = json.loads(body)
    except UnicodeDecodeError:
        raise FetchError("not a JSON feed: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise FetchError(f"not a JSON feed: invalid JSON at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise FetchError("not a JSON feed: nested too deeply") from None
    if not isinstance(document, dict):
        raise FetchError("not a JSON feed: the top level is not an object")
    return document


def _string(value: Any) -> str:
    """A JSON value that should be a string: numbers as text, anything else as nothing."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _entry(item: Any, base: str, feed_language: str | None) -> FeedEntry | None:
    """A FeedEntry from one item; None when it is not an object or has neither URL, id nor title."""
    if not isinstance(item, Mapping):
        return None
    link = _string(item.get("url")) or _string(item.get("external_url"))
    url = canonicalize_url(link, base) if link else None
    guid = _string(item.get("id")).strip()[:2_000] or None
    title = collapse_whitespace(_string(item.get("title")))[:MAX_TITLE_CHARS]
    if not (url or guid or title):
        return None
    summary = collapse_whitespace(_string(item.get("summary")))[:MAX_TEXT_CHARS]
    content = _content(item)
    if content == summary:
        content = ""
    language = (
        normalize_language(_string(item.get("language")))
        or feed_language
        or detect_language(f"{title}\n{summary}\n{content}")
    )
    published = _date(item.get("date_published")) or _date(item.get("date_modified"))
    return FeedEntry(guid, url, title, summary, content, published, language, _authors(item))


def _content(item: Mapping[str, Any]) -> str:
    """The item's body as clean text: content_html when present, else content_text."""
    html = _string(item.get("content_html"))
    if html.strip():
        return html_to_text(html, max_chars=MAX_TEXT_CHARS)
    return collapse_whitespace(_string(item.get("content_text")))[:MAX_TEXT_CHARS]


def _date(value: Any) -> datetime | None:
    """An RFC 3339 date in UTC; None when absent, malformed, before 1990 or more than 2 days ahead."""
    text = _string(value).strip()
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    return when if EARLIEST <= when <= clock.now() + MAX_FUTURE else None


def _authors(item: Mapping[str, Any]) -> str | None:
    """Names of the item's authors (1.1 `authors` list, 1.0 `author` object), comma-separated."""
    authors = item.get("authors")
    if not isinstance(authors, list):
        authors = [item.get("author")]
    names = [collapse_whitespace(_string(a.get("name"))) for a in authors if isinstance(a, Mapping)]
    return ", ".join(name for name in names if name)[:500] or None
