"""The feed corpora through the whole pipeline: every file a source served over local HTTP, one
`run_cycle` into SQLite, then what was stored compared with what the same bytes give outside the pipeline.

For each source, the stored articles are the distinct dedupe keys among `parse_feed`'s entries, and those
are feedparser's entries minus the ones `parse_feed` skips (no link, GUID nor title: `ParsedFeed.skipped`)
minus the repeats within the feed (entries whose key an earlier entry already has: stored once). Files
that are not feeds end as failing sources with `parse_feed`'s own message. A second cycle, with the kept
body hashes forgotten so that every body is parsed again rather than recognised as unchanged, stores
nothing new.

Which files: all of real-feeds (385 files, nearly all the bytes), and every 4th file of feedparser-tests in
sorted order (527 of 2,106 tiny files, from every folder). The pipeline spends ~13 ms a source on SQLite
whatever its size, so all of feedparser-tests would add well over a minute (measured on two busy cores:
~60 s sampled, ~165 s with all 2,491 files); the parse-level test (tests/parsing/test_corpus_ingestion.py)
reads every one of them. MONITOR_CORPUS_STRIDE=1 runs them all here too.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import multiprocessing
import os
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from sqlalchemy import func, update
from sqlmodel import col, select

from monitor.config import load_config
from monitor.errors import FetchError
from monitor.parsing import parse_feed
from monitor.pipeline import CycleSummary, run_cycle
from monitor.settings import build_settings
from monitor.storage.articles import dedupe_key
from monitor.storage.database import Database, open_database
from monitor.storage.health import SourceHealth, list_source_health
from monitor.storage.tables import Article, Source
from tests.support.corpus import content_type, corpus_files
from tests.support.feed_server import FeedServer
from tests.support.watch_config import write_config

# Ingesting the whole corpus (the module fixture) takes a minute alone and several on a loaded machine,
# within the first test's time limit.
pytestmark = [pytest.mark.corpus, pytest.mark.timeout(900)]

SETTINGS = """
fetch:
  connect_timeout: 2
  read_timeout: 5
  total_timeout: 10
  max_concurrency: 16
  per_host_concurrency: 16
"""
NO_ALERTS = "json://127.0.0.1:9/x"
FEEDPARSER_TESTS_STRIDE = int(os.environ.get("MONITOR_CORPUS_STRIDE", "4"))


@dataclass(frozen=True)
class Reference:
    """What one file's bytes give outside the pipeline: feedparser alone, and parse_feed."""

    feedparser_entries: int
    entries: int
    skipped: int
    keys: int
    error: str | None
    is_json: bool

    @property
    def repeats(self) -> int:
        """Entries whose dedupe key an earlier entry of the same feed already has."""
        return self.entries - self.keys


def reference(body: bytes, url: str, kind: str) -> Reference:
    """feedparser's entry count and parse_feed's entries, skips and distinct keys (run in a worker)."""
    plain = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    found = feedparser.parse(io.BytesIO(plain), sanitize_html=False, resolve_relative_uris=False)
    is_json = plain.lstrip()[:1] == b"{"
    try:
        parsed = parse_feed(body, url=url, content_type=kind)
    except FetchError as error:
        return Reference(len(found.entries), 0, 0, 0, error.message, is_json)
    keys = {dedupe_key(entry) for entry in parsed.entries}
    return Reference(len(found.entries), len(parsed.entries), parsed.skipped, len(keys), None, is_json)


@dataclass(frozen=True)
class Ingestion:
    """Two cycles over the corpus, and the references to judge them by (all keyed by source name)."""

    files: dict[str, str]
    references: dict[str, Reference]
    first: CycleSummary
    second: CycleSummary
    stored: dict[str, int]
    stored_after_second: dict[str, int]
    health: dict[str, SourceHealth]


def stored_counts(database: Database) -> dict[str, int]:
    """The number of stored articles of each source that has any."""
    statement = (
        select(Source.name, func.count(col(Article.id)))
        .join(Article, col(Article.source_id) == Source.id)
        .group_by(col(Source.name))
    )
    with database.read_session() as session:
        return dict(session.exec(statement).all())


def sampled_files(corpus: Path) -> list[Path]:
    """All of real-feeds, and every FEEDPARSER_TESTS_STRIDE-th file of feedparser-tests."""
    tests = corpus_files(corpus, ("feedparser-tests",))[::FEEDPARSER_TESTS_STRIDE]
    return corpus_files(corpus, ("real-feeds",)) + tests


def forget_body_hashes(database: Database) -> None:
    """Make the next cycle parse every body again instead of skipping the unchanged ones."""
    with database.session() as session:
        session.exec(update(Source).values(body_hash=None))  # type: ignore[call-overload]
        session.commit()


def references_of(server: FeedServer, paths: dict[str, Path]) -> dict[str, Reference]:
    """The reference of every served file, computed on both cores."""
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        futures = {
            name: pool.submit(reference, path.read_bytes(), server.url(f"/{name}"), content_type(path))
            for name, path in paths.items()
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.fixture(scope="module")
def ingestion(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Ingestion:
    """Serve the corpus files, poll them all twice into a fresh SQLite database."""
    tmp = tmp_path_factory.mktemp("corpus")
    paths = {f"corpus-{number:04d}": path for number, path in enumerate(sampled_files(corpus_dir))}
    url = f"sqlite:///{tmp / 'monitor.db'}"
    now = datetime.now(UTC)
    with FeedServer() as server:
        sources = {
            name: server.serve(f"/{name}", path.read_bytes(), headers={"Content-Type": content_type(path)})
            for name, path in paths.items()
        }
        references = references_of(server, paths)
        directory = write_config(tmp / "config", sources=sources, alert_url=NO_ALERTS, settings=SETTINGS)
        config = load_config(directory)
        settings = build_settings(config.settings_values, {"database_url": url})
        database = open_database(url)
        try:
            first = asyncio.run(run_cycle(config, settings, database, now=now))
            stored = stored_counts(database)
            with database.read_session() as session:
                health = {h.name: h for h in list_source_health(session, now=now)}
            forget_body_hashes(database)
            second = asyncio.run(run_cycle(config, settings, database, now=now + timedelta(minutes=15)))
            stored_after_second = stored_counts(database)
        finally:
            database.dispose()
    files = {name: str(path.relative_to(corpus_dir)) for name, path in paths.items()}
    return Ingestion(files, references, first, second, stored, stored_after_second, health)


def feeds(ingestion: Ingestion) -> dict[str, Reference]:
    """The sources whose bytes parse_feed reads as a feed."""
    return {name: ref for name, ref in ingestion.references.items() if ref.error is None}


def test_every_file_is_polled_once_without_a_crash(ingestion: Ingestion) -> None:
    assert sum(file.startswith("real-feeds/") for file in ingestion.files.values()) > 380
    polled = Counter(outcome.source for outcome in ingestion.first.outcomes)
    assert polled == Counter(list(ingestion.files))


def test_each_feed_stores_one_article_per_distinct_dedupe_key(ingestion: Ingestion) -> None:
    different = [
        (ingestion.files[name], ingestion.stored.get(name, 0), ref.keys)
        for name, ref in feeds(ingestion).items()
        if ingestion.stored.get(name, 0) != ref.keys
    ]
    assert different == []


def test_distinct_keys_are_feedparsers_entries_minus_skipped_minus_repeats(ingestion: Ingestion) -> None:
    """JSON Feeds are left out: feedparser does not read them."""
    different = [
        (ingestion.files[name], ref.keys, ref.feedparser_entries, ref.skipped, ref.repeats)
        for name, ref in feeds(ingestion).items()
        if not ref.is_json and ref.keys != ref.feedparser_entries - ref.skipped - ref.repeats
    ]
    assert different == []


def test_the_corpus_has_entries_to_skip_and_repeats_to_fold(
    ingestion: Ingestion, record_property: Callable[[str, object], None]
) -> None:
    """Both subtractions above are exercised, not vacuous; their totals are reported with the test."""
    skipped = sum(ref.skipped for ref in ingestion.references.values())
    repeats = sum(ref.repeats for ref in ingestion.references.values())
    record_property("entries_skipped", skipped)
    record_property("entries_repeated", repeats)
    assert skipped > 0 and repeats > 0


def test_feeds_are_healthy_sources(ingestion: Ingestion) -> None:
    unhealthy = [
        (ingestion.files[name], ingestion.health[name].status, ingestion.health[name].last_error)
        for name in feeds(ingestion)
        if ingestion.health[name].status != "ok"
    ]
    assert unhealthy == []


def test_non_feeds_fail_with_the_parsers_message_and_lose_nothing(ingestion: Ingestion) -> None:
    non_feeds = {name: ref for name, ref in ingestion.references.items() if ref.error is not None}
    assert non_feeds, "the corpus holds files that are not feeds"
    wrong = [
        (ingestion.files[name], ingestion.health[name].status, ingestion.health[name].last_error, ref.error)
        for name, ref in non_feeds.items()
        if (ingestion.health[name].status, ingestion.health[name].last_error) != ("failing", ref.error)
        or ref.feedparser_entries
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("real-feeds/node-feedparser/feeds/notafeed.html", "this is an HTML page, not a feed"),
        ("real-feeds/feedjira/historic-2009/google-reader-subscriptions.xml", "not a feed"),
    ],
)
def test_known_non_feeds_are_reported_clearly(ingestion: Ingestion, path: str, message: str) -> None:
    name = next(name for name, file in ingestion.files.items() if file == path)
    health = ingestion.health[name]
    assert health.status == "failing"
    assert health.last_error is not None and health.last_error.startswith(message)


def test_a_second_cycle_parses_every_feed_again_and_stores_nothing_new(ingestion: Ingestion) -> None:
    outcomes = {outcome.source: outcome for outcome in ingestion.second.outcomes}
    assert set(outcomes) == set(ingestion.files)
    assert {name for name, outcome in outcomes.items() if outcome.ok} == set(feeds(ingestion))
    assert ingestion.second.new_articles == 0
    assert ingestion.stored_after_second == ingestion.stored
    assert [name for name in feeds(ingestion) if outcomes[name].not_modified] == []
