"""End to end: a channel's format and template file in channels.yaml shape the alert a poll cycle sends
through real Apprise, with the hostile text of a real feed escaped."""

from __future__ import annotations

import asyncio
from pathlib import Path

from monitor import clock
from monitor.config import load_config
from monitor.pipeline import run_cycle
from monitor.settings import build_settings
from monitor.storage.database import open_database
from tests.support.feed_server import FeedServer
from tests.support.watch_config import rss, write_config
from tests.support.webhook_receiver import WebhookReceiver

HOSTILE = (
    "s1",
    "Shahed drone production expands at Alabuga @everyone",
    "The Alabuga factory assembles Shahed drones. &amp;lt;img src=x onerror=alert(1)&amp;gt; "
    "[click here](javascript:alert(2)) @here",
)


def test_a_template_file_writes_the_alert_and_article_text_stays_text(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path
) -> None:
    sources = {"wire": feed_server.serve("/wire.xml", rss([HOSTILE]))}
    url = webhook_receiver.apprise_url("/a") + "?format=html"
    directory = write_config(tmp_path / "c", sources=sources, alert_url=url)
    channels = (directory / "channels.yaml").read_text(encoding="utf-8")
    templates = "    format: html\n    templates:\n      alert: {file: templates/alert.html}\n"
    (directory / "channels.yaml").write_text(channels + templates, encoding="utf-8")
    (directory / "templates").mkdir()
    (directory / "templates" / "alert.html").write_text(
        '<p><a href="{{ link }}">{{ title }}</a> ({{ source }}, {{ language }})</p>\n<p>{{ snippet }}</p>\n',
        encoding="utf-8",
    )
    config = load_config(directory)
    database_url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    settings = build_settings(config.settings_values, {"database_url": database_url})
    database = open_database(database_url)
    summary = asyncio.run(run_cycle(config, settings, database, now=clock.now()))
    database.dispose()
    assert summary.delivery.sent == 1
    (alert,) = webhook_receiver.wait_for(1)
    body = alert.json["message"]
    assert body.startswith('<p><a href="https://news.example/s1?id=s1">Shahed drone')
    assert "(wire, en)" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body and "<img" not in body
    assert "<b>Shahed</b>" in body and "<b>Alabuga</b>" in body  # the matched words, marked
    assert "[click here](javascript:alert(2))" in body  # as text: HTML does not read Markdown
    assert "@everyone" not in alert.json["title"] + body and "@here" not in body
