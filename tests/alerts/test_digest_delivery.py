"""A digest held during quiet hours reaches a Markdown or HTML service through real Apprise in its
channel's format, with the hostile text of the articles it lists escaped."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from monitor.alerts import dispatch_pending
from monitor.alerts.rendering import MessageStyle
from monitor.storage.database import open_database
from tests.alerts.test_digests import EVENING, MORNING, PARIS_QUIET, SETTINGS, Newsroom, _channel
from tests.support.webhook_receiver import WebhookReceiver

HOSTILE = "Shahed <img src=x onerror=alert(1)> [login](https://evil.example) @everyone"


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_a_held_digest_arrives_in_the_channel_format_with_article_text_escaped(
    tmp_path: Path, webhook_receiver: WebhookReceiver, fmt: str
) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}")
    room = Newsroom(database, _channel(quiet_hours=PARIS_QUIET))
    room.report(HOSTILE, EVENING, source="wire", language="en", story=1)
    room.report("Shahed plant grows", EVENING, source="@here news", language="fr", story=1)
    url = webhook_receiver.apprise_url("/d") + f"?format={fmt}"
    styles = {"analysts": MessageStyle(fmt)}  # type: ignore[arg-type]
    summary = dispatch_pending(
        database, {"analysts": [url]}, SETTINGS, now=MORNING, rng=random.Random(1), styles=styles
    )
    database.dispose()
    assert summary.sent == 1
    (message,) = webhook_receiver.wait_for(1)
    title, body = message.json["title"], message.json["message"]
    plain_title = title.replace("\\", "").replace("&nbsp;", " ")  # as the service shows it
    assert plain_title == "[analysts] 1 story (held during quiet hours)"
    assert "@everyone" not in body and "@here" not in body
    if fmt == "html":
        assert "<img" not in body and "&lt;img src=x onerror=alert(1)&gt;" in body
        assert 'href="https://evil' not in body and "<b>Shahed</b>" in body
        assert "Also reported by 1 more source (fr): @\u200bhere news" in body
    else:
        assert not re.search(r"(?<!\\)<|(?<!\\)\]\(https://evil", body)
        assert "\\<img src\\=x onerror\\=alert\\(1\\)\\>" in body and "**Shahed**" in body
