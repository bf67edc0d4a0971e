"""A poll that fails for a reason other than its source's (here the database refusing the articles) is
recorded as that source's failure, named, and releases its lease at once instead of holding it for
`polling.lease`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select

from monitor import clock
from monitor.config import load_config
from monitor.pipeline import run_cycle
from monitor.settings import build_settings
from monitor.storage.database import open_database
from monitor.storage.tables import Source
from tests.support.feed_server import FeedServer
from tests.support.watch_config import rss, write_config

SETTINGS = "polling:\n  parse_workers: 1\n  processes: 1\n  lease: 1h\n"


def test_a_crashed_poll_releases_its_lease_and_records_a_failure_naming_the_source(
    feed_server: FeedServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = feed_server.serve("/wire.xml", rss([("s1", "Shahed drones", "Built at Alabuga.")]))
    config = load_config(
        write_config(
            tmp_path / "c", sources={"wire": url}, alert_url="json://127.0.0.1:9/x", settings=SETTINGS
        )
    )
    settings = build_settings(config.settings_values, {"database_url": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    database = open_database(settings.database_url)
    try:
        with database.session() as session:  # the articles can no longer be stored
            session.execute(text("DROP TABLE article_search"))
            session.commit()
        summary = asyncio.run(run_cycle(config, settings, database, now=clock.now()))
        with database.session() as session:
            (source,) = session.exec(select(Source)).all()
    finally:
        database.dispose()
    (outcome,) = summary.outcomes
    assert not outcome.ok and outcome.error and outcome.error.startswith("unexpected error: StorageError")
    assert (source.lease_owner, source.lease_expires_at) == (None, None)
    assert source.consecutive_failures == 1 and source.last_error == outcome.error
    assert "poll of source wire failed" in caplog.text
