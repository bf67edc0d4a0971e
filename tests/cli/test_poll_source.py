"""`monitor poll --source NAME`: one source checked now, beside a running service and its leases."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from pathlib import Path

import pytest

from monitor import clock
from monitor.config import load_config
from monitor.errors import MonitorError
from monitor.fetching import Fetcher
from monitor.pipeline import PollContext, SourcePoller
from monitor.pipeline.cpu import CpuPool
from monitor.settings import build_settings
from monitor.storage.database import open_database
from monitor.storage.sources import claim_sources, sync_sources
from tests.cli.test_commands import OTHER, SHAHED_EN, invoke
from tests.support.feed_server import FeedServer
from tests.support.watch_config import rss, write_config
from tests.support.webhook_receiver import WebhookReceiver

LEASE = timedelta(seconds=2)


def config(feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path) -> Path:
    sources = {
        "wire": feed_server.serve("/wire.xml", rss([SHAHED_EN])),
        "other": feed_server.serve("/other.xml", rss([OTHER])),
    }
    return write_config(tmp_path / "c", sources=sources, alert_url=webhook_receiver.apprise_url("/a"))


def test_poll_source_checks_that_source_only_and_sends_its_alert(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path, database_url: str
) -> None:
    config_dir = config(feed_server, webhook_receiver, tmp_path)

    code, out, _ = invoke("--config", str(config_dir), "--db", database_url, "poll", "--source", "wire")

    assert code == 0, out
    assert "sources: 1 ok, 0 failed; new articles: 1; new hits: 1; alerts: 1 sent" in out
    assert (len(feed_server.requests_for("/wire.xml")), len(feed_server.requests_for("/other.xml"))) == (1, 0)
    assert len(webhook_receiver.wait_for(1)) == 1

    code, out, _ = invoke("--config", str(config_dir), "--db", database_url, "poll", "--source", "wire")
    assert code == 0 and len(feed_server.requests_for("/wire.xml")) == 2, "checked again, though not due"


def test_poll_source_waits_for_a_poll_another_worker_has_under_way(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path, database_url: str
) -> None:
    config_dir = config(feed_server, webhook_receiver, tmp_path)
    database = open_database(database_url)
    with database.session() as session:  # a running service has claimed `wire` and is polling it
        sync_sources(session, load_config(config_dir).sources)
        claim_sources(session, owner="service", now=clock.now(), lease=LEASE, limit=1, names=["wire"])
        session.commit()
    database.dispose()
    asked = time.monotonic()

    code, out, err = invoke("--config", str(config_dir), "--db", database_url, "poll", "--source", "wire")

    assert code == 0, out + err
    (request,) = feed_server.requests_for("/wire.xml")
    assert request.at - asked >= LEASE.total_seconds() * 0.9, "not fetched while the other worker held it"


def test_poll_source_names_an_unknown_source(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path, database_url: str
) -> None:
    config_dir = config(feed_server, webhook_receiver, tmp_path)

    code, _, err = invoke("--config", str(config_dir), "--db", database_url, "poll", "--source", "wier")

    assert code == 1
    assert "no source named 'wier'" in err
    assert feed_server.requests == []


async def _wait_once(config_dir: Path, database_url: str, names: set[str]) -> None:
    """One look of `poll --source` at sources it could not claim, as after a refused claim."""
    config = load_config(config_dir)
    settings = build_settings(config.settings_values, {"database_url": database_url})
    database = open_database(database_url)
    try:
        async with Fetcher(settings.fetch) as fetcher, CpuPool.for_config(config, 1) as cpu:
            poller = SourcePoller(PollContext(fetcher, database, config, settings, cpu), owner="cli")
            await poller._wait_for_lease(names)
    finally:
        database.dispose()


def test_a_lease_that_ends_between_the_claim_and_the_look_is_not_mistaken_for_a_gone_source(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path, database_url: str
) -> None:
    config_dir = config(feed_server, webhook_receiver, tmp_path)
    database = open_database(database_url)
    with database.session() as session:  # the service's lease on `wire` ended just after our refused claim
        sync_sources(session, load_config(config_dir).sources)
        claim_sources(
            session, owner="service", now=clock.now() - LEASE * 2, lease=LEASE, limit=1, names=["wire"]
        )
        session.commit()
    database.dispose()

    asyncio.run(
        _wait_once(config_dir, database_url, {"wire"})
    )  # no "disabled or gone": the next claim takes it

    with pytest.raises(MonitorError, match="'gone' cannot be polled: it is disabled or gone"):
        asyncio.run(_wait_once(config_dir, database_url, {"wire", "gone"}))
