"""The digest's data model and its default plain-text rendering: grouped by rule then story, matched words
marked, hostile article text made harmless, and a size cap that says what it left out."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.alerts.digest import Run, build_digest, marked_runs
from monitor.alerts.digest_context import MAX_DIGEST_CHARS, format_digest
from monitor.storage.deliveries import HeldItem
from monitor.storage.hits import HitRecord

NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)


def _held(n: int, title: str, *, rule: str = "shahed", story: int | None = None, kind: str = "alert",
          source: str = "Meduza", language: str | None = "ru", snippet: str = "Shahed drones at Alabuga",
          url: str | None = "https://meduza.example/a") -> HeldItem:  # fmt: skip
    hit = HitRecord(n, rule, title, url, source, None, NOW, ("shahed",), snippet, n, found=("Shahed",))
    return HeldItem(hit, kind, "digest", story, language)


def test_held_alerts_are_grouped_by_rule_then_story_in_the_order_they_were_held() -> None:
    digest = build_digest(
        "analysts",
        "digest",
        NOW,
        [
            _held(1, "Strike on Alabuga", story=7, source="Reuters", language="en"),
            _held(2, "Rail shipments", rule="rail", story=8),
            _held(3, "Frappe sur Alabuga", story=7, source="Le Monde", language="fr"),
            _held(4, "Alabuga output", story=9, kind="also"),
            _held(5, "Удар по Алабуге", story=7, source="Meduza", language="ru"),
        ],
    )
    assert [section.rule for section in digest.sections] == ["rail", "shahed"]
    strike, output = digest.sections[1].stories
    assert (strike.first.title, [a.title for a in strike.others]) == (
        "Strike on Alabuga",
        ["Frappe sur Alabuga", "Удар по Алабуге"],
    )
    assert (strike.sources, strike.languages, strike.more_sources, strike.more_languages) == (
        3,
        ("en", "fr", "ru"),
        2,
        ("fr", "ru"),
    )
    assert output.alerted_before and output.more_sources == 1
    assert digest.stories == 3


def test_matched_words_are_marked_as_whole_words_in_any_case() -> None:
    assert marked_runs("SHAHED drones, not Shaheds; shahed.", ["Shahed"]) == (
        Run("SHAHED", True),
        Run(" drones, not Shaheds; "),
        Run("shahed", True),
        Run("."),
    )


def test_hostile_article_text_is_plain_and_harmless() -> None:
    hostile = _held(
        1,
        "@everyone \u202eevil\u202c <script>alert(1)</script>\x07",
        url="javascript:alert(1)",
        snippet="@here Shahed\x00 drones",
    )
    message = format_digest(build_digest("analysts", "quiet_hours", NOW, [hostile]))
    text = message.title + message.body
    assert "\u202e" not in text and "\x07" not in text and "\x00" not in text
    assert "@everyone" not in text and "@here" not in text and "@\u200beveryone" in text
    assert "javascript:" not in text and "Link: (none)" in message.body
    assert "*Shahed* drones" in message.body
    assert message.title == "[analysts] 1 story (held during quiet hours)"


def test_a_huge_digest_is_capped_and_says_how_many_entries_it_left_out() -> None:
    items = [_held(n, f"Report {n}", story=n, snippet="Shahed " + "x" * 900) for n in range(200)]
    message = format_digest(build_digest("analysts", "digest", NOW, items))
    assert len(message.body) <= MAX_DIGEST_CHARS
    shown = message.body.count("* Report ")
    assert message.body.endswith(f"… and {200 - shown} more entries: see the desk's hit log.")
    assert message.title == "[analysts] 200 stories (digest)"
