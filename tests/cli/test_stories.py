"""`monitor stories` and the story of each hit in `monitor hits --format json`."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from tests.cli.test_commands import invoke
from tests.support.feed_server import FeedServer
from tests.support.labelled_stories import load_labelled
from tests.support.watch_config import rss, write_config
from tests.support.webhook_receiver import WebhookReceiver


def test_stories_lists_copies_together_and_hits_name_their_story(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, database_url: str, tmp_path: Path
) -> None:
    articles = {a.id: a for a in load_labelled()}

    def feed(*ids: str) -> bytes:
        return rss([(i, escape(articles[i].title), escape(articles[i].text)) for i in ids])

    sources = {
        "Wire": feed_server.serve("/wire.xml", feed("as-en", "ao-en")),
        "Daily": feed_server.serve("/daily.xml", feed("as-en-c1")),
    }
    config = write_config(tmp_path / "config", sources=sources, alert_url=webhook_receiver.apprise_url("/a"))
    base = ("--config", str(config), "--db", database_url)
    assert invoke(*base, "poll")[0] == 0

    code, out, _ = invoke(*base, "stories", "--format", "json")
    assert code == 0
    stories = [json.loads(line) for line in out.splitlines()]
    assert sorted(len(story["articles"]) for story in stories) == [1, 2]
    strike = next(story for story in stories if len(story["articles"]) == 2)
    assert {a["source"] for a in strike["articles"]} == {"Wire", "Daily"}
    assert strike["sources"] == 2 and strike["languages"] == ["en"]

    _, out, _ = invoke(*base, "hits", "--format", "json")
    hits = [json.loads(line) for line in out.splitlines()]
    assert len({hit["story"] for hit in hits}) == 2, "two events, two stories; the copies share one"
    _, table, _ = invoke(*base, "stories", "--rule", "shahed-production-russia")
    assert "2 sources in 1 language" in table
