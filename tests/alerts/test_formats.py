"""Channels write alerts in text, Markdown or HTML, through real Apprise to a local receiver: a hostile
article (a `<script>`, a Markdown link, `@everyone`) arrives as text in every format, whatever the service
renders; channel templates are used, and one that misbehaves cannot get out of its sandbox."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from monitor.alerts import dispatch_pending
from monitor.alerts.dispatcher import send_test_alert
from monitor.alerts.messages import MAX_BODY_CHARS, format_alert
from monitor.alerts.rendering import MessageStyle
from monitor.rules import Highlight, RuleMatch
from monitor.settings import DeliverySettings
from monitor.storage import record_hits
from monitor.storage.database import Database, open_database
from monitor.storage.stories import StoryReach
from tests.alerts.test_messages import hit
from tests.storage.builders import NOW, add_article, add_source
from tests.support.webhook_receiver import WebhookReceiver

SETTINGS = DeliverySettings.model_validate({"max_attempts": 1, "timeout": 5})
TITLE = "Shahed <script>alert(1)</script> [click](javascript:alert(2)) @everyone"
SNIPPET = "… \x02Shahed\x03 <img src=x onerror=alert(3)> [login](https://evil.example) **bold** @here …"


def stored(tmp_path: Path) -> Database:
    """A database with one hostile article matched by two rules routed to one channel."""
    database = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with database.session() as session:
        article = add_article(session, add_source(session, "@everyone <b>news</b>"), "g1", TITLE)
        matches = [
            RuleMatch(rule, ("shahed",), (Highlight("shahed", "title", 0, 6),), SNIPPET)
            for rule in ("drones", "plants")
        ]
        record_hits(session, article, matches, lambda _rule: ["analysts"], now=NOW)
        session.commit()
    return database


def send(database: Database, url: str, style: MessageStyle) -> None:
    summary = dispatch_pending(
        database, {"analysts": [url]}, SETTINGS, now=NOW, rng=random.Random(1), styles={"analysts": style}
    )
    database.dispose()
    assert summary.sent == 1


@pytest.mark.parametrize("channel_format", ["text", "markdown", "html"])
@pytest.mark.parametrize("service_format", ["text", "markdown", "html"])
def test_hostile_article_text_arrives_escaped_in_every_format(
    tmp_path: Path, webhook_receiver: WebhookReceiver, channel_format: str, service_format: str
) -> None:
    url = webhook_receiver.apprise_url("/a") + f"?format={service_format}"
    send(stored(tmp_path), url, MessageStyle(channel_format))  # type: ignore[arg-type]
    (alert,) = webhook_receiver.wait_for(1)
    title, body = (alert.json[key].replace("&nbsp;", " ") for key in ("title", "message"))
    everything = title + body
    for mention in ("@everyone", "@here"):
        assert mention not in everything
    assert "drones, plants" in title and "drones, plants" in body  # one message names both rules
    if service_format == "text":
        assert "<script>alert(1)</script>" in title  # plain text shows the title as written
        return
    if service_format == "markdown":  # every `<`, `[`, `]` escaped: no tag, no link of the article's
        assert not re.search(r"(?<!\\)<|(?<!\\)\]\((javascript|https://evil)", everything)
        assert "\\<script\\>" in title and "\\<img src" in body
    if service_format == "html":
        for markup in ("<script", "<img", "<b>news", 'href="javascript', 'href="https://evil'):
            assert markup not in everything
        assert "&lt;img src=x onerror=alert(3)&gt;" in body
        assert "<b>Shahed</b>" in body or "<strong>Shahed</strong>" in body or channel_format == "text"
    if channel_format == "markdown" and service_format == "markdown":
        assert "\\[login\\]\\(https://evil\\.example\\)" in body and "**Shahed**" in body


def test_the_default_alert_names_rules_source_languages_link_story_and_marks_the_matched_words() -> None:
    snippet = "… the \x02Alabuga\x03 plant now assembles \x02Shahed\x03 drones …"
    message = format_alert(
        hit(snippet=snippet, language="ru"),
        ("shahed-production", "alabuga"),
        MessageStyle("markdown"),
        story=StoryReach(4, 5, ("en", "fr", "ru")),
    )
    assert message.format == "markdown"
    assert message.title == "[shahed-production, alabuga] Alabuga doubles Geran-2 output"
    assert message.body.splitlines() == [
        "**Rules:** shahed\\-production, alabuga",
        "**Source:** Meduza (ru) · 2025\\-03\\-01 12:00 UTC",
        "**Story:** 5 sources in 3 languages (en, fr, ru)",
        "**Link:** [Alabuga doubles Geran\\-2 output](https://www.example.org/news/alabuga)",
        "",
        "… the **Alabuga** plant now assembles **Shahed** drones …",
    ]


def test_a_story_of_one_source_says_nothing_of_its_reach() -> None:
    message = format_alert(hit(), ("r",), MessageStyle("text"), story=StoryReach(4, 1, ("ru",)))
    assert "Story:" not in message.body


def test_a_link_cannot_break_out_of_markdown_or_html() -> None:
    url = 'https://example.org/a_(b)"><script>x</script>'
    markdown = format_alert(hit(url=url), style=MessageStyle("markdown")).body
    assert "(https://example.org/a%5F%28b%29%22%3E%3Cscript%3Ex%3C/script%3E)" in markdown
    html = format_alert(hit(url=url), style=MessageStyle("html")).body
    assert 'href="https://example.org/a_(b)&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in html


def test_a_channel_template_writes_the_alert(tmp_path: Path, webhook_receiver: WebhookReceiver) -> None:
    style = MessageStyle(
        "html",
        {
            "title": "{{ rules|length }} rules: {{ title|truncate(24, true) }}",
            "alert": "<h3>{{ source }}</h3><p>{{ snippet }}</p><p>{{ matched|join(' / ') }}</p>",
        },
    )
    send(stored(tmp_path), webhook_receiver.apprise_url("/a") + "?format=html", style)
    (alert,) = webhook_receiver.wait_for(1)
    assert alert.json["title"].replace("&nbsp;", " ") == "2 rules: Shahed &lt;script&gt;alert(..."
    body = alert.json["message"]
    assert body.startswith("<h3>@\u200beveryone &lt;b&gt;news&lt;/b&gt;</h3><p>… <b>Shahed</b> &lt;img")
    assert body.endswith("<p>Shahed</p>")


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ title.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
        "{{ 'x' * 1000000000 }}",
        "{{ 2 ** 1000000000 }}",
    ],
)
def test_a_template_that_tries_to_escape_or_exhaust_the_sandbox_gives_way_to_the_default(
    template: str,
) -> None:
    message = format_alert(hit(), style=MessageStyle("text", {"alert": template}))
    assert message.body == format_alert(hit()).body


def test_a_template_cannot_write_more_than_a_message() -> None:
    style = MessageStyle("text", {"alert": "{% for a in range(100000) %}{{ snippet }}{% endfor %}"})
    message = format_alert(hit(), style=style)
    assert len(message.body) <= MAX_BODY_CHARS and message.body.endswith("…")


def test_the_desk_test_alert_shows_a_sample_alert_in_the_channel_format(
    webhook_receiver: WebhookReceiver,
) -> None:
    style = MessageStyle("markdown", {"alert": "*{{ source }}*: {{ snippet }}"})
    url = webhook_receiver.apprise_url("/t") + "?format=markdown"
    assert send_test_alert("desk-team", [url], 5, style) is None
    (alert,) = webhook_receiver.wait_for(1)
    assert alert.json["title"] == "monitor: test alert"
    assert alert.json["message"].splitlines() == [
        "A test alert to channel desk\\-team, sent from the desk\\. An alert looks like this:",
        "",
        "\\[sample\\-rule\\] Sample article title",
        "",
        "*Sample source*: … a **sample** of the snippet, the matched words marked …",
    ]
