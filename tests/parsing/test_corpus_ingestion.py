"""Every corpus feed served over local HTTP, fetched with Fetcher and parsed: no crash, nothing lost.

For each file: either parse_feed returns entries + skipped equal to what feedparser finds in the same
bytes, or it raises FetchError and feedparser finds no entry either (the file is not a feed).
JSON Feeds (which feedparser does not read) only have to parse without a crash.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import feedparser
import pytest

from monitor.errors import FetchError
from monitor.fetching import Fetcher
from monitor.parsing import parse_feed
from monitor.settings import FetchSettings
from tests.support.corpus import content_type, corpus_files
from tests.support.feed_server import FeedServer

# The module fixture fetches and parses the whole corpus: minutes on a loaded machine, past the default 120 s.
pytestmark = [pytest.mark.corpus, pytest.mark.timeout(900)]


@dataclass(frozen=True)
class Outcome:
    """What ingesting one file gave, next to what feedparser alone finds in its bytes."""

    path: str
    found: int | None  # entries + skipped, None on FetchError
    error: str | None
    reference: int
    is_json: bool


def ingest(path: str, body: bytes, url: str, content_type: str | None) -> Outcome:
    """parse_feed on fetched bytes, and feedparser's own count for the same bytes (run in a worker)."""
    plain = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    reference = len(
        feedparser.parse(io.BytesIO(plain), sanitize_html=False, resolve_relative_uris=False).entries
    )
    is_json = plain.lstrip()[:1] == b"{"
    try:
        parsed = parse_feed(body, url=url, content_type=content_type)
    except FetchError as exc:
        return Outcome(path, None, exc.message, reference, is_json)
    return Outcome(path, len(parsed.entries) + parsed.skipped, None, reference, is_json)


async def fetch_and_ingest(server: FeedServer, paths: dict[str, Path]) -> list[Outcome | BaseException]:
    """Fetch every path concurrently; parse in worker processes as the bodies arrive."""
    settings = FetchSettings.model_validate({"max_concurrency": 16, "per_host_concurrency": 16})
    loop = asyncio.get_running_loop()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        async with Fetcher(settings) as fetcher:

            async def one(name: str) -> Outcome:
                try:
                    result = await fetcher.fetch(server.url(name))
                except FetchError as exc:
                    return Outcome(name, None, exc.message, 0, False)
                body = result.body or b""
                return await loop.run_in_executor(pool, ingest, name, body, result.url, result.content_type)

            return await asyncio.gather(*(one(name) for name in paths), return_exceptions=True)


@pytest.fixture(scope="module")
def outcomes(corpus_dir: Path) -> list[Outcome | BaseException]:
    """The outcome of every corpus file, served from one local server."""
    files = corpus_files(corpus_dir)
    with FeedServer() as server:
        paths = {}
        for number, path in enumerate(files):
            name = f"/{number}{path.suffix}"
            headers = {"Content-Type": content_type(path)}
            server.serve(name, path.read_bytes(), headers=headers)
            paths[name] = path
        results = asyncio.run(fetch_and_ingest(server, paths))
    return [
        replace(r, path=str(paths[r.path].relative_to(corpus_dir))) if isinstance(r, Outcome) else r
        for r in results
    ]


def test_the_whole_corpus_is_read(outcomes: list[Outcome | BaseException]):
    assert len(outcomes) > 2400


def test_no_file_crashes(outcomes: list[Outcome | BaseException]):
    crashes = [repr(r) for r in outcomes if not isinstance(r, Outcome)]
    assert crashes == []


def test_entries_equal_what_feedparser_finds(outcomes: list[Outcome | BaseException]):
    different = [
        (o.path, o.found, o.reference)
        for o in outcomes
        if isinstance(o, Outcome) and o.found is not None and not o.is_json and o.found != o.reference
    ]
    assert different == []


def test_errors_only_for_files_without_entries(outcomes: list[Outcome | BaseException]):
    lost = [(o.path, o.error) for o in outcomes if isinstance(o, Outcome) and o.error and o.reference > 0]
    assert lost == []


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("real-feeds/node-feedparser/feeds/notafeed.html", "this is an HTML page, not a feed"),
        ("real-feeds/feedjira/historic-2009/google-reader-subscriptions.xml", "not a feed"),
    ],
)
def test_known_non_feeds_get_clear_errors(outcomes: list[Outcome | BaseException], path: str, message: str):
    outcome = next(o for o in outcomes if isinstance(o, Outcome) and o.path == path)
    assert outcome.error is not None and outcome.error.startswith(message)
