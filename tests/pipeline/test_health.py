"""Operations alerts about sources (failing, silent, recovered) and the quiet first poll of a new source."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from sqlmodel import select

from monitor import clock
from monitor.config import load_config
from monitor.pipeline import run_cycle
from monitor.pipeline.health import report_silent_sources
from monitor.settings import HealthSettings, build_settings
from monitor.storage.database import open_database
from monitor.storage.hits import list_hits
from monitor.storage.tables import Article, Delivery, Source
from tests.support.feed_server import FeedServer
from tests.support.watch_config import rss, write_config
from tests.support.webhook_receiver import WebhookReceiver

T0 = clock.now().replace(microsecond=0)
"""The cycles' clock: now, as the feeds' dates are (they were published an hour before it)."""
SHAHED = ("s1", "Shahed drone production expands at Alabuga", "The Alabuga factory assembles Shahed drones.")


def ops_config(tmp: Path, sources: dict[str, str], alerts: str, ops: str) -> Path:
    directory = write_config(tmp, sources=sources, alert_url=alerts, settings="")
    (directory / "channels.yaml").write_text(
        f"channels:\n  - name: analysts\n    urls: ['{alerts}']\n  - name: ops\n    urls: ['{ops}']\n"
    )
    (directory / "settings.yaml").write_text(
        "polling:\n  parse_workers: 1\n  processes: 1\n"
        "health:\n  operations_channel: ops\n  failure_threshold: 2\n"
    )
    return directory


def test_a_source_failing_in_a_row_is_reported_once_then_its_recovery(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path, sqlite_url: str
) -> None:
    url = feed_server.serve("/flaky.xml", b"", status=500)
    directory = ops_config(
        tmp_path / "c",
        {"flaky": url},
        webhook_receiver.apprise_url("/alerts"),
        webhook_receiver.apprise_url("/ops"),
    )
    config = load_config(directory)
    settings = build_settings(config.settings_values, {"database_url": sqlite_url})
    database = open_database(sqlite_url)

    def ops_messages() -> list[str]:
        return [r.json["title"] for r in webhook_receiver.accepted if r.path == "/ops"]

    for hour in range(3):
        asyncio.run(run_cycle(config, settings, database, now=T0 + timedelta(hours=hour)))
    assert ops_messages() == ["Source failing: flaky"], (
        "reported at the second failure, not again at the third"
    )

    feed_server.route("/flaky.xml").status = 200
    feed_server.route("/flaky.xml").body = rss([SHAHED])
    asyncio.run(run_cycle(config, settings, database, now=T0 + timedelta(hours=3)))
    assert ops_messages() == ["Source failing: flaky", "Source recovered: flaky"]
    database.dispose()


def test_a_new_source_alerts_only_recent_entries_and_logs_older_hits(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path, sqlite_url: str
) -> None:
    now = clock.now()
    old = ("old", "Shahed production at Alabuga, three days ago", "The Alabuga plant builds Shahed drones.")
    recent = ("new", "Shahed production at Alabuga, this morning", "The Alabuga plant builds Shahed drones.")
    body = (
        rss([old, recent])
        .replace(
            b"<guid>old</guid>",
            f"<guid>old</guid><pubDate>{format_datetime(now - timedelta(days=3))}</pubDate>".encode(),
        )
        .replace(
            b"<guid>new</guid>",
            f"<guid>new</guid><pubDate>{format_datetime(now - timedelta(hours=2))}</pubDate>".encode(),
        )
    )
    body = re.sub(rb"(</link>)<pubDate>[^<]*</pubDate>", rb"\1", body)
    sources = {"wire": feed_server.serve("/wire.xml", body)}
    directory = write_config(tmp_path / "c", sources=sources, alert_url=webhook_receiver.apprise_url("/a"))
    config = load_config(directory)
    database = open_database(sqlite_url)

    asyncio.run(
        run_cycle(
            config, build_settings(config.settings_values, {"database_url": sqlite_url}), database, now=now
        )
    )

    assert [r.json["title"] for r in webhook_receiver.accepted] == [f"[shahed-production-russia] {recent[1]}"]
    with database.session() as session:
        assert {hit.title for hit in list_hits(session)} == {old[1], recent[1]}, "both are in the hit log"
        assert len(session.exec(select(Delivery)).all()) == 1
    database.dispose()


def test_a_source_silent_far_longer_than_usual_is_reported(database_url: str) -> None:
    database = open_database(database_url)
    settings = HealthSettings(operations_channel="ops", silence_factor=10, min_silence=timedelta(days=2))
    with database.session() as session:
        chatty = Source(name="chatty", url="https://a.example/rss", created_at=T0, configured_url="x")
        steady = Source(name="steady", url="https://b.example/rss", created_at=T0, configured_url="y")
        session.add_all([chatty, steady])
        session.flush()
        for n in range(10):  # chatty: an item every 2 hours, then nothing for 3 days
            session.add(_article(chatty, n, T0 - timedelta(days=3, hours=2 * n)))
        for n in range(10):  # steady: an item every 2 hours, the last one an hour ago
            session.add(_article(steady, n, T0 - timedelta(hours=1 + 2 * n)))
        session.commit()
    with database.session() as session:
        assert report_silent_sources(session, settings, now=T0) == ["chatty"]
        session.commit()
    with database.session() as session:
        assert report_silent_sources(session, settings, now=T0) == [], "reported once"
        (delivery,) = session.exec(select(Delivery)).all()
        assert delivery.channel == "ops"
    database.dispose()


def _article(source: Source, n: int, seen: datetime) -> Article:
    assert source.id is not None
    return Article(
        source_id=source.id,
        dedupe_key=f"{source.name}-{n}",
        title=f"item {n}",
        first_seen_at=seen,
        content_hash="h",
    )
