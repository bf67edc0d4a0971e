"""`monitor run` while its PostgreSQL database goes away and comes back: one line for each, no traceback
every tick, and the sources whose polls the outage cut are released and polled again at once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import select

from monitor.config import load_config
from monitor.scheduling.service import MonitorService
from monitor.settings import build_settings
from monitor.storage.database import open_database
from monitor.storage.tables import Source
from tests.conftest import _postgres_admin_engine, make_postgres_database
from tests.scheduling.test_service import SHAHED, SHELLS, eventually, run_while
from tests.support.feed_server import FeedServer, feed_server
from tests.support.watch_config import rss, write_config

__all__ = ["feed_server"]

pytestmark = pytest.mark.postgres

SETTINGS = "polling:\n  tick: 0.2s\n  parse_workers: 1\n  lease: 1h\ndelivery:\n  dispatch_interval: 1s\n"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from make_postgres_database()


def _connections(url: str, *, allowed: bool) -> None:
    """Let clients into the test's database again, or shut them out and cut those connected."""
    name = make_url(url).database
    admin = _postgres_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allowed).lower()}'))
        if not allowed:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )
        connection.commit()
    admin.dispose()


def test_a_database_outage_is_logged_once_each_way_and_cut_polls_are_released(
    feed_server: FeedServer, postgres_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sources = {
        "wire": feed_server.serve("/wire.xml", rss([SHAHED])),
        "slow": feed_server.serve("/slow.xml", rss([SHELLS]), delay=2),  # in flight when the database goes
    }
    config = load_config(
        write_config(tmp_path / "c", sources=sources, alert_url="json://127.0.0.1:9/x", settings=SETTINGS)
    )
    settings = build_settings(config.settings_values, {"database_url": postgres_url})
    database = open_database(postgres_url)
    service = MonitorService(config, settings, database)
    caplog.set_level("INFO", logger="monitor")

    def slow_polled() -> bool:
        with database.read_session() as session:
            slow = session.exec(select(Source).where(Source.name == "slow")).one()
            return slow.last_success_at is not None

    async def body() -> None:
        await eventually(lambda: len(feed_server.requests_for("/slow.xml")) == 1)
        await asyncio.to_thread(_connections, postgres_url, allowed=False)
        try:
            # Ticks fail for a while (8 s at least): the slow poll ends meanwhile and cannot be stored.
            await eventually(lambda: service.database_watch.failures >= 40, timeout=90)
        finally:
            await asyncio.to_thread(_connections, postgres_url, allowed=True)
        await eventually(lambda: "database available again" in caplog.text, timeout=60)
        await eventually(lambda: len(feed_server.requests_for("/slow.xml")) == 2, timeout=60)
        await eventually(slow_polled, timeout=60)

    run_while(service, body)
    assert caplog.text.count("database unavailable") == 1
    assert caplog.text.count("database available again") == 1
    assert "Traceback" not in caplog.text and "raised an exception" not in caplog.text
    assert "whose polls failed during the outage released" in caplog.text  # not after `lease: 1h`
