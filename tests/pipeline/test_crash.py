"""A poll that fails for a reason other than its source's (here the database refusing the articles) is
recorded as that source's failure, named, and releases its lease at once instead of holding it for
`polling.lease`; and when even that record fails, the poller's safety net names the source and releases
its lease."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from monitor import clock
from monitor.config import WatchConfig, load_config
from monitor.fetching import Fetcher
from monitor.pipeline import PollContext, SourceOutcome, SourcePoller, run_cycle, sync_configured_sources
from monitor.pipeline.cpu import CpuPool
from monitor.settings import Settings, build_settings
from monitor.storage.database import Database, open_database
from monitor.storage.tables import Source
from tests.support.feed_server import FeedServer
from tests.support.watch_config import rss, write_config

SETTINGS = "polling:\n  parse_workers: 1\n  processes: 1\n  lease: 1h\n"


@pytest.fixture
def wire(
    feed_server: FeedServer, tmp_path: Path, sqlite_url: str
) -> Iterator[tuple[WatchConfig, Settings, Database]]:
    """One source with an article to store, its configuration, settings (lease: 1 h) and database."""
    url = feed_server.serve("/wire.xml", rss([("s1", "Shahed drones", "Built at Alabuga.")]))
    config = load_config(
        write_config(
            tmp_path / "c", sources={"wire": url}, alert_url="json://127.0.0.1:9/x", settings=SETTINGS
        )
    )
    settings = build_settings(config.settings_values, {"database_url": sqlite_url})
    database = open_database(settings.database_url)
    yield config, settings, database
    database.dispose()


def test_a_crashed_poll_releases_its_lease_and_records_a_failure_naming_the_source(
    wire: tuple[WatchConfig, Settings, Database], caplog: pytest.LogCaptureFixture
) -> None:
    config, settings, database = wire
    with database.session() as session:  # the articles can no longer be stored
        session.execute(text("DROP TABLE article_search"))
        session.commit()
    summary = asyncio.run(run_cycle(config, settings, database, now=clock.now()))
    with database.session() as session:
        (source,) = session.exec(select(Source)).all()
    (outcome,) = summary.outcomes
    assert not outcome.ok and outcome.error and outcome.error.startswith("unexpected error: StorageError")
    assert (source.lease_owner, source.lease_expires_at) == (None, None)
    assert source.consecutive_failures == 1 and source.last_error == outcome.error
    assert "poll of source wire failed" in caplog.text


REFUSE_FAILURES = """CREATE TRIGGER refuse_failures BEFORE UPDATE OF consecutive_failures ON source
BEGIN SELECT RAISE(ABORT, 'failures refused at https://u:hunter22@db.example/x'); END"""


async def _reap_one(config: WatchConfig, settings: Settings, database: Database) -> list[SourceOutcome]:
    """Start the source's poll as the service's tick does, then reap it once it has ended."""
    async with Fetcher(settings.fetch) as fetcher, CpuPool.for_config(config, 1) as cpu:
        poller = SourcePoller(PollContext(fetcher, database, config, settings, cpu), owner="worker-1")
        assert await poller.fill() == 1
        await asyncio.wait(poller.in_flight(), timeout=60)
        return await poller.reap()


def test_a_poll_whose_failure_cannot_be_recorded_is_named_and_its_lease_released(
    wire: tuple[WatchConfig, Settings, Database], caplog: pytest.LogCaptureFixture
) -> None:
    config, settings, database = wire
    sync_configured_sources(database, config)
    with database.session() as session:  # neither the articles nor the source's failure can be stored
        session.execute(text("DROP TABLE article_search"))
        session.execute(text(REFUSE_FAILURES))
        session.commit()
    (outcome,) = asyncio.run(_reap_one(config, settings, database))
    with database.session() as session:
        (source,) = session.exec(select(Source)).all()
    assert (outcome.source, outcome.ok) == ("wire", False)
    assert outcome.error and outcome.error.startswith("unexpected error: IntegrityError")
    assert (source.lease_owner, source.lease_expires_at) == (None, None), "released, not held for 1 h"
    assert "poll of source wire failed unexpectedly: unexpected error: IntegrityError" in caplog.text
    assert "hunter22" not in caplog.text
