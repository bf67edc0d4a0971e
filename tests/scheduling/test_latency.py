"""An item published on a healthy source is alerted within its interval (plus a few seconds of work),
however quiet the feed was before, and a shortened interval applies at once."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from monitor import clock
from monitor.scheduling.service import MonitorService
from tests.scheduling.test_service import FAST, eventually, with_service
from tests.support.feed_server import FeedServer, feed_server
from tests.support.watch_config import write_config
from tests.support.webhook_receiver import WebhookReceiver, webhook_receiver

__all__ = ["feed_server", "webhook_receiver"]

INTERVAL = 4.0
WORK_ALLOWANCE = 5.0
"""Seconds allowed beyond the interval for the tick, the fetch, matching and the delivery."""


def feed(items: list[tuple[str, str, timedelta]]) -> bytes:
    """An RSS feed of (guid, title, age) items, published `age` before monitor's clock."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>https://news.example/{guid}</link>"
        f"<pubDate>{format_datetime(clock.now() - age, usegmt=True)}</pubDate>"
        f"<description>{title}.</description></item>"
        for guid, title, age in items
    )
    return f"<rss version='2.0'><channel><title>t</title>{body}</channel></rss>".encode()


QUIET = [(f"old{n}", f"Markets close higher, day {n}", timedelta(days=3, hours=n)) for n in range(4)]
"""A feed that posted a few times days ago and has been silent since: the case that used to wait 8×."""
NEWS = ("new", "Shahed drone production expands at Alabuga", timedelta(0))


def sources_yaml(urls: dict[str, str], interval: str) -> str:
    lines = ["sources:"]
    for name, url in urls.items():
        lines += [f"  - name: {name}", f"    url: {url}", f"    interval: {interval}"]
    return "\n".join(lines) + "\n"


def test_an_item_on_a_quiet_source_is_alerted_within_its_interval(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path, sqlite_url: str
) -> None:
    paths = [f"/quiet{n}.xml" for n in range(3)]
    urls = {f"quiet{n}": feed_server.serve(path, feed(QUIET)) for n, path in enumerate(paths)}
    config_dir = write_config(
        tmp_path / "c", sources=urls, alert_url=webhook_receiver.apprise_url("/a"), settings=FAST
    )
    (config_dir / "sources.yaml").write_text(sources_yaml(urls, f"{INTERVAL:g}s"))

    async def body() -> None:
        # Checked a few times with nothing new: the silence is long and established.
        await eventually(lambda: all(len(feed_server.requests_for(p)) >= 3 for p in paths), timeout=60)
        published = time.monotonic()
        for path in paths:
            feed_server.serve(path, feed([*QUIET, NEWS]))
        await eventually(lambda: len(webhook_receiver.accepted) == 3, timeout=60)
        latest = max(alert.at for alert in webhook_receiver.accepted)
        assert latest - published <= INTERVAL + WORK_ALLOWANCE, f"alerted {latest - published:.1f} s later"

    asyncio.run(with_service(config_dir, sqlite_url, body))


def test_a_shortened_interval_moves_the_next_check_at_once(
    feed_server: FeedServer,
    webhook_receiver: WebhookReceiver,
    tmp_path: Path,
    sqlite_url: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(MonitorService, "config_watch_interval", timedelta(seconds=0.2))
    caplog.set_level("INFO", logger="monitor")
    urls = {"wire": feed_server.serve("/wire.xml", feed(QUIET))}
    config_dir = write_config(
        tmp_path / "c", sources=urls, alert_url=webhook_receiver.apprise_url("/a"), settings=FAST
    )
    sources_file = config_dir / "sources.yaml"
    sources_file.write_text(sources_yaml(urls, "1h"))

    async def body() -> None:
        await eventually(lambda: len(feed_server.requests_for("/wire.xml")) == 1)
        await eventually(lambda: "source wire polled" in caplog.text)
        sources_file.write_text(sources_yaml(urls, f"{INTERVAL:g}s"))
        await eventually(lambda: "configuration reloaded" in caplog.text)
        published = time.monotonic()
        feed_server.serve("/wire.xml", feed([*QUIET, NEWS]))
        await eventually(lambda: len(webhook_receiver.accepted) == 1, timeout=60)
        delay = webhook_receiver.accepted[0].at - published
        assert delay <= INTERVAL + WORK_ALLOWANCE, f"alerted {delay:.1f} s later, not within the new interval"

    asyncio.run(with_service(config_dir, sqlite_url, body))
