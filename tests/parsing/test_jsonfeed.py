"""parse_json_feed: JSON Feed 1.0/1.1 items become the same FeedEntry as RSS and Atom entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from monitor.errors import FetchError
from monitor.parsing.entries import FeedEntry
from monitor.parsing.jsonfeed import parse_json_feed

URL = "https://news.example.org/feed.json"


def _feed(*items: Any, **top: Any) -> bytes:
    document = {"version": "https://jsonfeed.org/version/1.1", "title": "Border Rail", "items": list(items)}
    document.update(top)
    return json.dumps(document).encode()


def _only_entry(item: dict[str, Any], **top: Any) -> FeedEntry:
    parsed = parse_json_feed(_feed(item, **top), url=URL)
    assert len(parsed.entries) == 1
    return parsed.entries[0]


def test_a_full_1_1_item() -> None:
    item = {
        "id": "tumangang-42",
        "url": "/2024/05/tumangang.html?utm_source=feed#comments",
        "title": "  Freight at Tumangang  ",
        "summary": "Trains  cross the\nbridge.",
        "content_html": "<p>Wagons crossed from <b>Rason</b>.</p><script>evil()</script><p>More.</p>",
        "date_published": "2024-05-01T12:30:00+02:00",
        "date_modified": "2024-05-02T00:00:00Z",
        "language": "en-GB",
        "authors": [{"name": "Kim"}, {"url": "https://x"}, {"name": "Lee"}],
    }
    assert _only_entry(item) == FeedEntry(
        guid="tumangang-42",
        url="https://news.example.org/2024/05/tumangang.html",
        title="Freight at Tumangang",
        summary="Trains cross the\nbridge.",
        content="Wagons crossed from Rason.\nMore.",
        published=datetime(2024, 5, 1, 10, 30, tzinfo=UTC),
        language="en",
        author="Kim, Lee",
    )


# (item fields, FeedEntry attribute, expected value)
FIELDS = [
    ({"id": "1", "external_url": "https://other.example.com/a"}, "url", "https://other.example.com/a"),
    ({"id": "1", "url": "javascript:alert(1)"}, "url", None),
    ({"id": 17, "title": "numeric id (1.0 feeds)"}, "guid", "17"),
    ({"id": "1", "content_text": "plain  text\n\n\nbody"}, "content", "plain text\nbody"),
    ({"id": "1", "content_html": "<p>html</p>", "content_text": "text"}, "content", "html"),
    ({"id": "1", "summary": "same", "content_text": "same"}, "content", ""),
    (
        {"id": "1", "date_modified": "2023-01-02T03:04:05Z"},
        "published",
        datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC),
    ),
    (
        {"id": "1", "date_published": "2023-01-02T03:04:05"},
        "published",
        datetime(2023, 1, 2, 3, 4, 5, tzinfo=UTC),
    ),
    ({"id": "1", "date_published": "yesterday"}, "published", None),
    ({"id": "1", "date_published": "1970-01-01T00:00:00Z"}, "published", None),
    ({"id": "1", "date_published": "2999-01-01T00:00:00Z"}, "published", None),
    ({"id": "1", "author": {"name": "Olena (1.0)"}}, "author", "Olena (1.0)"),
    ({"id": "1", "authors": "not a list"}, "author", None),
    ({"id": "1", "title": 5, "summary": ["x"]}, "title", "5"),
]


@pytest.mark.parametrize(("item", "attribute", "expected"), FIELDS)
def test_item_fields(item: dict[str, Any], attribute: str, expected: Any) -> None:
    assert getattr(_only_entry(item), attribute) == expected


# (feed language, item language, text, expected language)
LANGUAGES = [
    ("fr-FR", None, "x", "fr"),
    ("fr", "de", "x", "de"),
    (None, None, "Збройні сили України повідомили про знищення дронів над областю вночі.", "uk"),
    (None, None, "ok", None),
]


@pytest.mark.parametrize(("feed_language", "item_language", "text", "expected"), LANGUAGES)
def test_language_from_item_then_feed_then_detection(
    feed_language: str | None, item_language: str | None, text: str, expected: str | None
) -> None:
    top = {"language": feed_language} if feed_language else {}
    item = {"id": "1", "content_text": text, **({"language": item_language} if item_language else {})}
    assert _only_entry(item, **top).language == expected


def test_unusable_items_are_skipped_and_counted() -> None:
    parsed = parse_json_feed(
        _feed({"id": "ok"}, "not an object", {"summary": "no id, url or title"}, 3), url=URL
    )
    assert ([e.guid for e in parsed.entries], parsed.skipped) == (["ok"], 3)


def test_feed_title_language_and_relative_urls_against_feed_url() -> None:
    data = _feed({"id": "1", "url": "a.html"}, feed_url="https://cdn.example.net/j/feed.json", language="ru")
    parsed = parse_json_feed(data, url=URL)
    assert (parsed.title, parsed.language, parsed.entries[0].url, parsed.warning) == (
        "Border Rail",
        "ru",
        "https://cdn.example.net/j/a.html",
        None,
    )


def test_version_1_0_is_read_and_an_unknown_version_is_read_with_a_warning() -> None:
    assert parse_json_feed(_feed(version="https://jsonfeed.org/version/1"), url=URL).warning is None
    future = parse_json_feed(_feed({"id": "1"}, version="https://jsonfeed.org/version/2"), url=URL)
    assert len(future.entries) == 1
    assert future.warning == "unknown JSON Feed version '2', read as 1.1"


# (body, message of the FetchError)
NOT_FEEDS = [
    (b"", "not a JSON feed: invalid JSON at line 1 column 1"),
    (b'{"version": "https://jsonfeed.org/version/1.1",', "not a JSON feed: invalid JSON at line 1 column 48"),
    (b"<rss><channel/></rss>", "not a JSON feed: invalid JSON at line 1 column 1"),
    (b"[1, 2]", "not a JSON feed: the top level is not an object"),
    (b'{"title": "no version", "items": []}', "not a JSON feed: no jsonfeed.org version"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}', "not a JSON feed: no list of items"),
    (b'{"version": "\xff\xfe"}', "not a JSON feed: not UTF-8 text"),
    (b"[" * 100_000, "not a JSON feed: nested too deeply"),
]


@pytest.mark.parametrize(("body", "message"), NOT_FEEDS)
def test_bytes_that_are_not_a_json_feed_raise_a_short_clear_error(body: bytes, message: str) -> None:
    with pytest.raises(FetchError) as error:
        parse_json_feed(body, url=URL)
    assert error.value.message == message


# (corpus file, entries, first entry's title, its canonical URL)
CORPUS_FEEDS = [
    ("feedjira/current/json_feed.json", 20, None, None),
    (
        "feedjira/current/json_feed_with_escaped_uris.json",
        None,
        "New Font",
        "https://lukedorny.com/updates/new-font",
    ),
    ("Feeder/feeds/cowboy_feed.json", None, None, None),
    ("fastfeedparser/integration/json_feed_sample.json", None, None, None),
]


@pytest.mark.corpus
@pytest.mark.parametrize(("path", "count", "title", "url"), CORPUS_FEEDS)
def test_real_json_feeds(
    corpus_dir: Path, path: str, count: int | None, title: str | None, url: str | None
) -> None:
    body = (corpus_dir / "real-feeds" / path).read_bytes()
    items = json.loads(body)["items"]
    parsed = parse_json_feed(body, url="https://example.org/feed.json")
    assert len(parsed.entries) == (count if count is not None else len(items))
    assert parsed.skipped == 0 and parsed.warning is None
    assert all(entry.title or entry.content or entry.summary for entry in parsed.entries)
    if title is not None:
        assert (parsed.entries[0].title, parsed.entries[0].url) == (title, url)
