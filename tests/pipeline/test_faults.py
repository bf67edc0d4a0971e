"""Sources under faults, polled in one cycle through the whole pipeline: each failure is stored on its
source with a short message and the right next check, and the good sources of the same cycle are
unaffected."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from monitor import clock
from monitor.config import load_config
from monitor.pipeline import CycleSummary, run_cycle
from monitor.settings import build_settings
from monitor.storage.database import Database, open_database
from monitor.storage.health import list_source_health
from monitor.storage.tables import Article, Source
from tests.support.feed_server import FeedServer
from tests.support.hostile_server import serve_hostile
from tests.support.watch_config import write_config

T0 = clock.now().replace(microsecond=0)
"""The cycles' clock: now, as the feeds' dates are (they were published an hour before it)."""
LIMITS = """
fetch:
  connect_timeout: 1
  read_timeout: 1
  total_timeout: 1.5
  max_body_bytes: 1000000
polling:
  parse_workers: 1
"""

# source → (status after one cycle, start of the stored error)
EXPECTED = {
    "good": ("ok", None),
    "moved": ("ok", None),
    "invalid_xml": ("ok", None),
    "wrong_charset": ("ok", None),
    "slow_drip": ("failing", "timed out after 1.5 s"),
    "endless": ("failing", "body too large"),
    "gzip_bomb": ("failing", "decompression bomb"),
    "redirect_loop": ("failing", "redirect loop"),
    "too_many_requests": ("failing", "HTTP 429 Too Many Requests; retry after 120 s"),
    "unavailable": ("failing", "HTTP 503 Service Unavailable"),
    "gone": ("gone", "gone: the publisher removed this feed (HTTP 410)"),
    "not_found_explicit": ("failing", "not found (HTTP 404)"),
    "server_error": ("failing", "HTTP 500 Internal Server Error"),
    "html_page": ("failing", "this is an HTML page, not a feed; it links to: http://127.0.0.1:"),
    "empty": ("failing", "empty response"),
    "reset": ("failing", "connection reset"),
}


@pytest.fixture(scope="module")
def hostile_cycle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CycleSummary, Database, dict]]:
    """One cycle over every hostile source and the good ones, on SQLite."""
    tmp = tmp_path_factory.mktemp("faults")
    with FeedServer() as server:
        urls = serve_hostile(server)
        sources = {name: urls[name] for name in EXPECTED}
        config = load_config(
            write_config(tmp / "config", sources=sources, alert_url="json://127.0.0.1:9/x", settings=LIMITS)
        )
        settings = build_settings(config.settings_values, {"database_url": f"sqlite:///{tmp / 'db.sqlite'}"})
        database = open_database(settings.database_url)
        summary = asyncio.run(run_cycle(config, settings, database, now=T0))
        yield summary, database, urls
        database.dispose()


def _sources(database: Database) -> dict[str, Source]:
    with database.session() as session:
        return {source.name: source for source in session.exec(select(Source))}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_source_ends_the_cycle_with_its_status_and_message(
    hostile_cycle: tuple[CycleSummary, Database, dict], name: str
) -> None:
    _, database, _ = hostile_cycle
    status, message = EXPECTED[name]
    with database.session() as session:
        (health,) = list_source_health(session, now=T0, names=[name])
    assert health.status == status
    if message is None:
        assert health.last_error is None and health.last_success_at == T0
    else:
        assert (health.last_error or "").startswith(message)


def test_good_sources_in_the_same_cycle_store_their_articles(
    hostile_cycle: tuple[CycleSummary, Database, dict],
) -> None:
    summary, database, _ = hostile_cycle
    ok = {outcome.source for outcome in summary.outcomes if outcome.ok}
    assert ok == {name for name, (status, _) in EXPECTED.items() if status == "ok"}
    with database.session() as session:
        titles = set(session.exec(select(Article.title)))
    assert "Rason rail terminal" in titles
    assert "Производство беспилотников в Елабуге" in titles, "the cp1251 feed decoded despite its header"


def test_retry_after_sets_the_next_check(hostile_cycle: tuple[CycleSummary, Database, dict]) -> None:
    sources = _sources(hostile_cycle[1])
    assert sources["too_many_requests"].next_check_at >= T0 + timedelta(seconds=120)
    assert sources["unavailable"].next_check_at >= T0 + timedelta(hours=23)
    assert sources["server_error"].next_check_at < T0 + timedelta(hours=1), (
        "an ordinary failure backs off less"
    )


def test_a_permanent_redirect_updates_the_stored_url(
    hostile_cycle: tuple[CycleSummary, Database, dict],
) -> None:
    _, database, urls = hostile_cycle
    moved = _sources(database)["moved"]
    assert moved.url == urls["good"]
    assert moved.configured_url == urls["moved"], "the configured URL is kept to notice a config change"


def test_a_gone_source_is_disabled_with_its_reason_and_not_polled_again(
    hostile_cycle: tuple[CycleSummary, Database, dict],
) -> None:
    gone = _sources(hostile_cycle[1])["gone"]
    assert gone.disabled_reason == "gone: the publisher removed this feed (HTTP 410)"
    assert gone.next_check_at is None or gone.lease_owner is None
