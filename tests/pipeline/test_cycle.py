"""A poll cycle end to end: local feeds → stored articles → bundled rules → hits → alerts to a local receiver.

Runs on SQLite and on PostgreSQL. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from monitor import clock
from monitor.config import load_config
from monitor.pipeline import CycleSummary, run_cycle
from monitor.settings import build_settings
from monitor.storage.database import Database, open_database
from monitor.storage.hits import list_hits
from tests.support.feed_server import FeedServer
from tests.support.watch_config import atom, rss, write_config
from tests.support.webhook_receiver import WebhookReceiver

SHAHED_EN = (
    "e1",
    "Russia expands Shahed drone production at Alabuga",
    "The factory in Tatarstan now assembles thousands of Shahed drones a month, leaked documents show.",
)
SHELLS_EN = (
    "e2",
    "North Korea ships artillery shells to Russia",
    "Pyongyang has supplied millions of artillery shells to Russia, South Korean intelligence says.",
)
ATTACK_EN = (
    "e3",
    "Drones over Kyiv",
    "Russia launched 50 Shahed drones at Kyiv overnight, the air force said.",
)
SHAHED_FR = (
    "f1",
    "La Russie multiplie la production de drones Shahed",
    "Dans l&#39;usine d&#39;Alabuga, au Tatarstan, la production de drones Shahed a triplé.",
)
WEATHER_FR = ("f2", "Météo : un hiver doux", "Les prévisions annoncent un hiver doux sur la France.")

T0 = clock.now().replace(microsecond=0)
"""The cycles' clock: now, as the feeds' dates are (they were published an hour before it)."""


class World:
    """The local feeds, the receiver and monitor's configuration and database, for one test."""

    def __init__(self, feeds: FeedServer, receiver: WebhookReceiver, database_url: str, tmp: Path) -> None:
        self.feeds = feeds
        self.receiver = receiver
        sources = {
            "English wire": feeds.serve("/en.xml", rss([SHAHED_EN, SHELLS_EN, ATTACK_EN]), etag='"en-1"'),
            "Presse française": feeds.serve("/fr.atom", atom([SHAHED_FR, WEATHER_FR])),
            "Not a feed": feeds.serve(
                "/page.html", b"<html><body>Hello</body></html>", headers={"Content-Type": "text/html"}
            ),
            "Server error": feeds.serve("/error.xml", b"", status=500),
        }
        self.config = load_config(
            write_config(tmp / "config", sources=sources, alert_url=receiver.apprise_url("/alerts"))
        )
        self.settings = build_settings(self.config.settings_values, {"database_url": database_url})
        self.database: Database = open_database(database_url)

    def poll(self, now: datetime) -> CycleSummary:
        return asyncio.run(run_cycle(self.config, self.settings, self.database, now=now))

    def hits(self) -> set[tuple[str, str]]:
        with self.database.session() as session:
            return {(hit.rule, hit.title) for hit in list_hits(session)}


@pytest.fixture
def world(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, database_url: str, tmp_path: Path
) -> Iterator[World]:
    built = World(feed_server, webhook_receiver, database_url, tmp_path)
    yield built
    built.database.dispose()


EXPECTED_HITS = {
    ("shahed-production-russia", SHAHED_EN[1]),
    ("north-korean-munitions-to-russia", SHELLS_EN[1]),
    ("shahed-production-russia", SHAHED_FR[1]),
}


def test_a_poll_stores_exactly_the_expected_hits_and_sends_one_alert_each(world: World) -> None:
    summary = world.poll(T0)

    assert (summary.sources_ok, summary.sources_failed) == (2, 2)
    assert summary.new_articles == 5
    assert world.hits() == EXPECTED_HITS
    assert summary.delivery is not None and summary.delivery.sent == 3
    messages = [request.json for request in world.receiver.wait_for(3)]
    assert len(messages) == 3
    english = next(m for m in messages if SHELLS_EN[1] in m["title"] + m["message"])
    text = english["title"] + "\n" + english["message"]
    assert "north-korean-munitions-to-russia" in text
    assert "English wire" in text
    assert "https://news.example/e2?id=e2" in text, "the link is canonical: no utm_*, no fragment"
    assert "shells" in text.lower()


def test_failing_sources_are_recorded_with_a_short_message_and_do_not_stop_the_others(world: World) -> None:
    summary = world.poll(T0)

    errors = {o.source: o.error for o in summary.outcomes if not o.ok}
    assert set(errors) == {"Not a feed", "Server error"}
    assert "500" in (errors["Server error"] or "")
    with world.database.session() as session:
        from monitor.storage.sources import get_source

        failing = get_source(session, "Server error")
        assert failing is not None
        assert failing.consecutive_failures == 1 and failing.last_error == errors["Server error"]
        healthy = get_source(session, "English wire")
        assert healthy is not None and healthy.last_success_at == T0 and healthy.last_error is None


def test_a_second_poll_finds_nothing_new_and_sends_nothing(world: World) -> None:
    world.poll(T0)
    world.receiver.wait_for(3)

    summary = world.poll(T0 + timedelta(minutes=15))

    assert (summary.new_articles, summary.new_hits) == (0, 0)
    assert summary.delivery is not None and summary.delivery.sent == 0
    assert len(world.receiver.accepted) == 3
    second_request = world.feeds.requests_for("/en.xml")[1]
    assert second_request.headers.get("if-none-match") == '"en-1"', "conditional GET with the kept ETag"


def test_an_edited_or_reordered_entry_gives_no_duplicate_article_hit_or_alert(world: World) -> None:
    world.poll(T0)
    edited = (SHAHED_EN[0], SHAHED_EN[1] + " (updated)", SHAHED_EN[2] + " Production doubled.")
    route = world.feeds.route("/en.xml")
    route.body, route.etag = rss([ATTACK_EN, SHELLS_EN, edited]), '"en-2"'

    summary = world.poll(T0 + timedelta(minutes=15))

    assert (summary.new_articles, summary.new_hits) == (0, 0)
    assert len(world.hits()) == 3
    assert len(world.receiver.accepted) == 3


def test_a_receiver_that_fails_first_gets_the_alert_on_a_retry(world: World) -> None:
    world.receiver.fail_next(1)

    first = world.poll(T0)
    assert first.delivery is not None and (first.delivery.sent, first.delivery.retried) == (0, 1)
    assert world.receiver.accepted == [], "the later alerts wait behind the refused one"

    retry = world.poll(T0 + timedelta(hours=2))

    assert retry.delivery is not None and retry.delivery.sent == 3
    titles = sorted(request.json["title"] + request.json["message"] for request in world.receiver.accepted)
    assert len(titles) == 3
    assert all(any(title in t for t in titles) for _, title in EXPECTED_HITS)
