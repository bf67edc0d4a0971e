"""A poll that outlasts its lease keeps its source: the worker renews the lease while the poll runs, so no
other worker fetches the same source in the meantime (a slow server, a loaded machine)."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import timedelta
from pathlib import Path

from monitor import clock
from monitor.config import load_config
from monitor.pipeline.cycle import poll_all, sync_configured_sources
from monitor.settings import build_settings
from monitor.storage.database import open_database
from monitor.storage.sources import claim_sources
from tests.support.feed_server import FeedServer
from tests.support.watch_config import rss, write_config

LEASE = timedelta(seconds=1)
SLOW_SERVER_SECONDS = 12.0


def test_a_poll_longer_than_its_lease_keeps_its_source_from_other_workers(
    feed_server: FeedServer, database_url: str, tmp_path: Path
) -> None:
    url = feed_server.serve("/slow.xml", rss([("s1", "Slow item", "text")]), delay=SLOW_SERVER_SECONDS)
    settings_text = "fetch:\n  total_timeout: 60\n  read_timeout: 60\npolling:\n  lease: 1s\n"
    config = load_config(
        write_config(
            tmp_path / "config",
            sources={"slow": url},
            alert_url="json://127.0.0.1:9/x",
            settings=settings_text,
        )
    )
    settings = build_settings(config.settings_values, {"database_url": database_url})
    database = open_database(database_url)
    sync_configured_sources(database, config)
    poll = threading.Thread(target=lambda: asyncio.run(poll_all(config, settings, database)))
    poll.start()
    try:
        deadline = time.monotonic() + 60
        while not feed_server.requests_for("/slow.xml"):
            assert time.monotonic() < deadline, "the poll never reached the feed server"
            time.sleep(0.05)
        asked_at = feed_server.requests_for("/slow.xml")[0].at
        while time.monotonic() < asked_at + 4 * LEASE.total_seconds():
            time.sleep(0.05)  # the first lease and three renewal periods have passed

        with database.session() as session:
            taken = claim_sources(
                session, owner="another worker", now=clock.now(), lease=LEASE, limit=10, due_only=False
            )
            session.rollback()
        still_polling = poll.is_alive()
    finally:
        poll.join(timeout=120)
        database.dispose()

    assert still_polling, "the server's delay was meant to outlast the check"
    assert taken == [], "another worker could take the source while its poll was running"
    assert len(feed_server.requests_for("/slow.xml")) == 1
