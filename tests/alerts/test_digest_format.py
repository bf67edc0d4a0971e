"""Digests in each format: grouped by rule, then story (sources, languages, first link, snippet), hostile
article text escaped, channel templates used."""

from __future__ import annotations

import pytest

from monitor.alerts.digest_context import DigestEntry, format_digest
from monitor.alerts.rendering import MessageStyle
from monitor.storage.stories import StoryReach
from tests.alerts.test_messages import hit

HOSTILE = "<script>x</script> [login](https://evil.example) @everyone"


def entries() -> list[DigestEntry]:
    story = StoryReach(7, 3, ("en", "fr", "ru"))
    return [
        DigestEntry("drones", hit(hit_id=1, article_id=1, title=HOSTILE, language="en"), story),
        DigestEntry("drones", hit(hit_id=2, article_id=2, source="Le Monde", language="fr"), story),
        DigestEntry("drones", hit(hit_id=3, article_id=3, title="Another event", url=None)),
        DigestEntry(
            "plants", hit(hit_id=4, article_id=1, title=HOSTILE, snippet="\x02Alabuga\x03 grows"), story
        ),
    ]


def test_the_default_text_digest_groups_by_rule_then_story() -> None:
    message = format_digest(entries())
    assert message.title == "Digest: 4 alerts"
    assert message.body.splitlines() == [
        "drones (2)",
        "- <script>x</script> [login](https://evil.example) @\u200beveryone",
        "  3 sources in en, fr, ru · https://www.example.org/news/alabuga",
        "  … the «Alabuga» plant now assembles Shahed drones …",
        "- Another event",
        "  1 source · (no link)",
        "  … the «Alabuga» plant now assembles Shahed drones …",
        "",
        "plants (1)",
        "- <script>x</script> [login](https://evil.example) @\u200beveryone",
        "  3 sources in en, fr, ru · https://www.example.org/news/alabuga",
        "  *Alabuga* grows",
    ]


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_hostile_text_is_escaped_in_a_digest(fmt: str) -> None:
    body = format_digest(entries(), MessageStyle(fmt)).body  # type: ignore[arg-type]
    assert "@everyone" not in body
    if fmt == "html":
        assert "&lt;script&gt;" in body and "<script>" not in body
        assert '<a href="https://www.example.org/news/alabuga">&lt;script&gt;' in body
        assert "<b>Alabuga</b> grows" in body
    else:
        assert "[\\<script\\>x\\</script\\> \\[login\\]\\(https://evil\\.example\\)" in body
        assert "**Alabuga** grows" in body


def test_a_channel_digest_template_is_used() -> None:
    template = "{% for g in rules %}{{ g.rule }}: {{ g.stories|map(attribute='hits')|sum }}\n{% endfor %}"
    message = format_digest(
        entries(), MessageStyle("text", {"digest": template, "digest_title": "{{ count }}"})
    )
    assert (message.title, message.body) == ("4", "drones: 3\nplants: 1")
