"""Digests in each format and through channel templates: grouped by rule, then story (title, sources,
languages, first link, snippet with the matched words marked), hostile article text escaped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.alerts.digest import Digest, build_digest
from monitor.alerts.digest_context import format_digest
from monitor.alerts.rendering import MessageStyle
from monitor.storage.deliveries import HeldItem
from tests.alerts.test_messages import hit

NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
HOSTILE = "<script>x</script> [login](https://evil.example) @everyone"


def digest() -> Digest:
    def held(n: int, rule: str, story: int | None, language: str | None, **changes: object) -> HeldItem:
        record = hit(hit_id=n, article_id=n, rule=rule, found=("Alabuga",), **changes)
        return HeldItem(record, "alert", "quiet_hours", story, language)

    return build_digest(
        "analysts",
        "quiet_hours",
        NOW,
        [
            held(1, "drones", 7, "en", title=HOSTILE, source="Reuters"),
            held(2, "drones", 7, "fr", source="Le Monde"),
            held(3, "drones", None, None, title="Another event", url=None),
            held(4, "plants", 7, "ru", title=HOSTILE, snippet="Alabuga grows"),
        ],
    )


def test_the_default_markdown_digest_groups_by_rule_then_story_and_escapes_article_text() -> None:
    message = format_digest(digest(), MessageStyle("markdown"))
    assert message.title == "[analysts] 2 stories (held during quiet hours)"
    assert message.body.splitlines() == [
        "**drones**",
        "",
        "- [\\<script\\>x\\</script\\> \\[login\\]\\(https://evil\\.example\\) @\u200beveryone]"
        "(https://www.example.org/news/alabuga) · Reuters (en)",
        "  Also reported by 1 more source (fr): Le Monde",
        "  … the «**Alabuga**» plant now assembles Shahed drones …",
        "- Another event · Meduza",
        "  … the «**Alabuga**» plant now assembles Shahed drones …",
        "",
        "**plants**",
        "",
        "- [\\<script\\>x\\</script\\> \\[login\\]\\(https://evil\\.example\\) @\u200beveryone]"
        "(https://www.example.org/news/alabuga) · Meduza (ru)",
        "  **Alabuga** grows",
    ]


def test_the_default_html_digest_escapes_article_text() -> None:
    body = format_digest(digest(), MessageStyle("html")).body
    assert "<script>" not in body and "@everyone" not in body
    assert '<a href="https://www.example.org/news/alabuga">&lt;script&gt;x&lt;/script&gt; [login]' in body
    assert "<br><b>Alabuga</b> grows</li>" in body


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_channel_digest_template_is_used(fmt: str) -> None:
    template = (
        "{% for g in rules %}{{ g.rule }}: {{ g.stories|map(attribute='sources')|sum }} sources\n{% endfor %}"
    )
    style = MessageStyle(fmt, {"digest": template, "digest_title": "{{ count }} in {{ channel }}"})  # type: ignore[arg-type]
    message = format_digest(digest(), style)
    assert (message.title, message.body) == ("2 in analysts", "drones: 3 sources\nplants: 1 sources")
