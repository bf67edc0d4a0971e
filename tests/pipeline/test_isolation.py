"""One bad source never breaks a poll: whatever goes wrong inside one source's poll (a redirect httpx
cannot follow, a port out of range, text no database accepts) ends as that source's recorded failure with
a short message, and the other sources' articles of the same cycle are stored — on SQLite and PostgreSQL,
in `monitor poll`'s cycle and in `monitor run`'s poller alike."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from monitor import clock
from monitor.config import load_config
from monitor.pipeline import run_cycle
from monitor.pipeline.cycle import SourcePoller
from monitor.pipeline.poll import PollContext
from monitor.settings import build_settings
from monitor.storage.database import Database, open_database
from monitor.storage.tables import Article, Source
from tests.support.feed_server import FeedServer
from tests.support.hostile_server import GOOD_FEED
from tests.support.watch_config import write_config

T0 = clock.now().replace(microsecond=0)


def _json_feed(title: str, url: str) -> bytes:
    """A JSON Feed of one item, written with `json.dumps` so that escapes such as \\ud800 stay escapes."""
    item = {"id": url, "url": url, "title": title, "content_text": f"{title} body"}
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Hostile", "items": [item]}
    return json.dumps(feed).encode("ascii")


def serve_broken(server: FeedServer) -> dict[str, str]:
    """A good feed and one source per way a poll used to crash; name → URL."""
    json_type = {"Content-Type": "application/feed+json"}
    routes: dict[str, tuple[str, dict[str, object]]] = {
        "good": ("/good.xml", {"body": GOOD_FEED}),
        "to_javascript": ("/to-js", {"status": 302, "headers": {"Location": "javascript:alert(1)"}}),
        "to_mailto": ("/to-mail", {"status": 301, "headers": {"Location": "mailto:a@example.org"}}),
        "to_bad_port": ("/to-port", {"status": 302, "headers": {"Location": "http://127.0.0.1:99999/x"}}),
        "surrogate": (
            "/surrogate.json",
            {"body": _json_feed("Lone \ud800 surrogate", "https://e.example/\ud800"), "headers": json_type},
        ),
        "nul": (
            "/nul.json",
            {"body": _json_feed("Nul \x00 byte", "https://e.example/\x00nul"), "headers": json_type},
        ),
    }
    return {name: server.serve(path, **options) for name, (path, options) in routes.items()}  # type: ignore[arg-type]


FAILING = {
    "to_javascript": "redirect to an unsupported or invalid URL",
    "to_mailto": "redirect to an unsupported or invalid URL",
    "to_bad_port": "redirect to an invalid URL",
}
"""Sources that must fail, and the start of their stored message."""


class World:
    """The broken sources and a good one, configured on one database."""

    def __init__(self, server: FeedServer, database_url: str, tmp: Path) -> None:
        self.urls = serve_broken(server)
        directory = write_config(tmp / "config", sources=self.urls, alert_url="json://127.0.0.1:9/x")
        self.config = load_config(directory)
        self.settings = build_settings(self.config.settings_values, {"database_url": database_url})
        self.database: Database = open_database(database_url)

    def sources(self) -> dict[str, Source]:
        with self.database.session() as session:
            return {source.name: source for source in session.exec(select(Source))}

    def titles(self) -> set[str]:
        with self.database.session() as session:
            return set(session.exec(select(Article.title)))

    def urls_stored(self) -> set[str | None]:
        with self.database.session() as session:
            return set(session.exec(select(Article.url)))


@pytest.fixture
def world(feed_server: FeedServer, database_url: str, tmp_path: Path) -> Iterator[World]:
    built = World(feed_server, database_url, tmp_path)
    yield built
    built.database.dispose()


def _assert_isolated(world: World) -> None:
    sources = world.sources()
    for name, message in FAILING.items():
        source = sources[name]
        assert source.last_error is not None and source.last_error.startswith(message), (
            name,
            source.last_error,
        )
        assert "Traceback" not in source.last_error and len(source.last_error) < 300
        assert source.consecutive_failures == 1 and source.lease_owner is None, name
        assert source.last_checked_at is not None, f"{name} stays 'new'"
    for name in ("good", "surrogate", "nul"):
        assert sources[name].last_error is None and sources[name].last_success_at is not None, name
    titles = world.titles()
    assert "Rason rail terminal" in titles, "the good source's article of the same cycle is stored"
    assert "Lone \ufffd surrogate" in titles and "Nul  byte" in titles
    assert {"https://e.example/\ufffd", "https://e.example/nul"} <= world.urls_stored()


def test_a_poll_records_each_broken_source_and_stores_the_good_ones(world: World) -> None:
    summary = asyncio.run(run_cycle(world.config, world.settings, world.database, now=T0))
    failed = {outcome.source: outcome.error for outcome in summary.outcomes if not outcome.ok}
    assert set(failed) == set(FAILING)
    _assert_isolated(world)


def test_monitor_runs_poller_records_each_broken_source_and_releases_its_lease(world: World) -> None:
    from monitor.fetching import Fetcher
    from monitor.pipeline.cpu import CpuPool
    from monitor.pipeline.cycle import sync_configured_sources

    sync_configured_sources(world.database, world.config)

    async def run() -> None:
        async with (
            Fetcher(world.settings.fetch) as fetcher,
            CpuPool.for_config(world.config, 1) as cpu,
        ):
            poller = SourcePoller(PollContext(fetcher, world.database, world.config, world.settings, cpu))
            assert await poller.fill(now=T0, every_source=True) == len(world.urls)
            outcomes = await poller.wait_all()
            assert {outcome.source for outcome in outcomes if not outcome.ok} == set(FAILING)

    asyncio.run(run())
    _assert_isolated(world)
