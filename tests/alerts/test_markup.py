"""Hostile article titles reach services that render HTML or Markdown as text, never as markup, and no
alert notifies a whole chat room: through real Apprise to a local receiver."""

from __future__ import annotations

import random

import pytest

from monitor.alerts import dispatch_pending
from monitor.alerts.messages import format_alert, without_mentions
from monitor.settings import DeliverySettings
from monitor.storage import record_hits
from monitor.storage.database import open_database
from tests.alerts.test_messages import hit
from tests.storage.builders import NOW, Match, add_article, add_source
from tests.support.webhook_receiver import WebhookReceiver

TITLE = "<script>alert(1)</script> @everyone Shahed *output* [x](javascript:y)"
SETTINGS = DeliverySettings.model_validate({"max_attempts": 1, "timeout": 5})

# (the receiver's format → what its title must show instead of the markup)
FORMATS = [
    ("html", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("markdown", "\\<script\\>alert\\(1\\)\\</script\\>"),
    ("text", "<script>alert(1)</script>"),
]


@pytest.mark.parametrize(("kind", "shown"), FORMATS)
def test_a_title_is_escaped_for_services_that_render_it(
    sqlite_url: str, webhook_receiver: WebhookReceiver, kind: str, shown: str
) -> None:
    database = open_database(sqlite_url)  # the format, not the backend, matters
    with database.session() as session:
        article = add_article(session, add_source(session, "meduza"), "g1", TITLE)
        record_hits(session, article, [Match("shahed")], lambda _rule: ["analysts"], now=NOW)
        session.commit()
    url = webhook_receiver.apprise_url("/a") + f"?format={kind}"
    summary = dispatch_pending(database, {"analysts": [url]}, SETTINGS, now=NOW, rng=random.Random(1))
    database.dispose()
    assert summary.sent == 1
    (alert,) = webhook_receiver.wait_for(1)
    title, body = alert.json["title"], alert.json["message"]
    assert shown in title
    assert "@\u200beveryone" in title and "@everyone" not in title + body
    if kind != "text":
        assert "<script>" not in title + body


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@everyone look", "@\u200beveryone look"),
        ("ping @here and @Channel, @all!", "ping @\u200bhere and @\u200bChannel, @\u200ball!"),
        ("@everyoneelse mail@hereford.example @alice", "@everyoneelse mail@hereford.example @alice"),
    ],
)
def test_mentions_that_notify_a_whole_room_are_broken(text: str, expected: str) -> None:
    assert without_mentions(text) == expected


def test_an_alert_body_never_carries_a_room_wide_mention() -> None:
    message = format_alert(hit(title="@here Shahed", snippet="… @everyone «Shahed» …", source="@channel"))
    assert "@\u200bhere" in message.title
    for mention in ("@here", "@everyone", "@channel"):
        assert mention not in message.title + message.body
