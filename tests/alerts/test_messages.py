"""The alert text names the rule, article, source, link, terms and snippet, and survives hostile articles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.alerts.messages import MAX_BODY_CHARS, MAX_TITLE_CHARS, format_alert, safe_link
from monitor.storage import HitRecord

WHEN = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def hit(**changes: object) -> HitRecord:
    values: dict[str, object] = {
        "hit_id": 1,
        "rule": "shahed-production",
        "title": "Alabuga doubles Geran-2 output",
        "url": "https://www.example.org/news/alabuga",
        "source": "Meduza",
        "published": WHEN,
        "matched_at": WHEN,
        "terms": ("shahed", "alabuga"),
        "snippet": "… the «Alabuga» plant now assembles Shahed drones …",
        "article_id": 7,
    }
    return HitRecord(**{**values, **changes})  # type: ignore[arg-type]


def test_the_alert_names_everything_an_analyst_needs() -> None:
    message = format_alert(hit())
    assert message.title == "[shahed-production] Alabuga doubles Geran-2 output"
    assert message.body.splitlines() == [
        "Source: Meduza · published 2025-03-01 12:00 UTC",
        "Link: https://www.example.org/news/alabuga",
        "Rule: shahed-production — matched: shahed, alabuga",
        "",
        "… the «Alabuga» plant now assembles Shahed drones …",
    ]


def test_the_title_is_not_repeated_and_matched_names_the_words_as_the_article_writes_them() -> None:
    message = format_alert(hit(terms=("шахед", "алабуга"), found=("Шахедов", "Алабуге")))
    assert "Alabuga doubles Geran-2 output" not in message.body
    assert "Rule: shahed-production — matched: Шахедов, Алабуге" in message.body.splitlines()


@pytest.mark.parametrize(
    ("changes", "absent"),
    [
        ({"title": "Evil\u202etxt.exe\x00\x1b[31m"}, ["\u202e", "\x00", "\x1b"]),
        ({"snippet": "a\u200bb\x07c"}, ["\u200b", "\x07"]),
        ({"url": "javascript:alert(1)"}, ["javascript:"]),
        ({"url": "data:text/html,<script>x</script>"}, ["data:"]),
        ({"source": "line\nbreak"}, ["line\nbreak"]),
    ],
)
def test_hostile_article_text_is_neutralised(changes: dict[str, object], absent: list[str]) -> None:
    message = format_alert(hit(**changes))
    for text in absent:
        assert text not in message.title + message.body


def test_markup_is_sent_as_literal_text_not_rendered() -> None:
    message = format_alert(hit(title="<b>bold</b> <script>x</script>", snippet="<i>x</i>"))
    assert "<b>bold</b> <script>x</script>" in message.title
    assert "<i>x</i>" in message.body


def test_sizes_are_capped() -> None:
    message = format_alert(
        hit(title="T" * 10_000, snippet="S" * 100_000, terms=tuple("t" * 50 for _ in range(500)))
    )
    assert len(message.title) <= MAX_TITLE_CHARS
    assert len(message.body) <= MAX_BODY_CHARS


def test_missing_parts_are_said_plainly() -> None:
    message = format_alert(hit(title="", url=None, published=None, terms=(), snippet=""))
    assert message.title == "[shahed-production] (untitled)"
    assert message.body.splitlines() == [
        "Source: Meduza",
        "Link: (none)",
        "Rule: shahed-production — matched: (none)",
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ex.org/a?b=1", "https://ex.org/a?b=1"),
        ("http://ex.org/", "http://ex.org/"),
        ("ftp://ex.org/", None),
        ("https:///nohost", None),
        ("https://ex.org/a b", None),
        (None, None),
    ],
)
def test_only_plain_web_links_are_shown(url: str | None, expected: str | None) -> None:
    assert safe_link(url) == expected
