"""Every misbehaving server ends in a short, clear FetchError (or a recovered result), and good fetches
running at the same time are unaffected."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest

from monitor.errors import FetchError
from monitor.fetching import Fetcher, FetchResult
from monitor.settings import FetchSettings
from tests.support.feed_server import FeedServer
from tests.support.hostile_server import CP1251_FEED, GOOD_FEED, INVALID_XML, serve_hostile

SHORT_LIMITS = FetchSettings.model_validate(
    {
        "connect_timeout": 2.0,
        "read_timeout": 1.0,
        "total_timeout": 1.5,
        "max_body_bytes": 1_000_000,
        "per_host_concurrency": 32,
    }
)

# name → (message, status); the message must be exactly this (the user reads it).
FAILURES: dict[str, tuple[str, int | None]] = {
    "slow_drip": ("timed out after 1.5 s (whole fetch)", None),
    "endless": ("body too large: more than 1,000,000 bytes", None),
    "redirect_loop": ("redirect loop: {base}/loop-b redirects back to itself", None),
    "too_many_requests": ("HTTP 429 Too Many Requests; retry after 120 s", 429),
    "unavailable": ("HTTP 503 Service Unavailable; retry after 86400 s", 503),
    "gone": ("gone: the publisher removed this feed (HTTP 410)", 410),
    "not_found_explicit": ("not found (HTTP 404): check the feed URL", 404),
    "server_error": ("HTTP 500 Internal Server Error", 500),
    "empty": ("empty response (HTTP 200 with no body)", 200),
    "reset": ("connection reset by the server", None),
}

# name → body that arrives intact (parsing, not fetching, judges these bytes)
DELIVERED: dict[str, bytes] = {
    "good": GOOD_FEED,
    "moved": GOOD_FEED,
    "invalid_xml": INVALID_XML,
    "wrong_charset": CP1251_FEED,
}


async def _fetch_all(settings: FetchSettings, urls: dict[str, str]) -> dict[str, FetchResult | FetchError]:
    """Fetch every URL at once (plus ten good fetches), collecting results and errors by name."""
    names = [*urls, *(f"good{i}" for i in range(10))]
    async with Fetcher(settings) as fetcher:
        outcomes = await asyncio.gather(
            *(fetcher.fetch(urls.get(name, urls["good"])) for name in names), return_exceptions=True
        )
    for outcome in outcomes:
        if not isinstance(outcome, FetchResult | FetchError):
            raise outcome  # anything else is a bug
    return dict(zip(names, outcomes, strict=True))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def hostile() -> Iterator[tuple[FeedServer, dict[str, FetchResult | FetchError]]]:
    """One server with every hostile route, fetched once for the module (concurrently, with good fetches)."""
    with FeedServer() as server:
        yield server, asyncio.run(_fetch_all(SHORT_LIMITS, serve_hostile(server)))


@pytest.fixture
def outcomes(
    hostile: tuple[FeedServer, dict[str, FetchResult | FetchError]],
) -> dict[str, FetchResult | FetchError]:
    """The outcome of each hostile route by name."""
    return hostile[1]


@pytest.mark.parametrize("name", sorted(FAILURES))
def test_hostile_server_gives_a_clear_error(
    hostile: tuple[FeedServer, dict[str, FetchResult | FetchError]], name: str
):
    server, outcomes = hostile
    message, status = FAILURES[name]
    error = outcomes[name]
    assert isinstance(error, FetchError), f"{name} should fail, got {error!r}"
    assert (error.message, error.status) == (message.format(base=server.base_url), status)


def test_gzip_bomb_is_stopped_before_it_expands(outcomes: dict[str, FetchResult | FetchError]):
    error = outcomes["gzip_bomb"]
    assert isinstance(error, FetchError)
    assert error.message.startswith("decompression bomb: ")
    assert error.message.endswith(" compressed bytes expand past 1,000,000 bytes")


def test_retry_after_is_exposed_on_the_error(outcomes: dict[str, FetchResult | FetchError]):
    busy, down = outcomes["too_many_requests"], outcomes["unavailable"]
    assert isinstance(busy, FetchError) and busy.retry_after == timedelta(seconds=120)
    assert isinstance(down, FetchError) and down.retry_after == timedelta(days=1)  # capped


def test_gone_is_flagged(outcomes: dict[str, FetchResult | FetchError]):
    gone = outcomes["gone"]
    assert isinstance(gone, FetchError) and gone.gone


@pytest.mark.parametrize("name", sorted(DELIVERED))
def test_body_arrives_intact(outcomes: dict[str, FetchResult | FetchError], name: str):
    result = outcomes[name]
    assert isinstance(result, FetchResult), f"{name} should succeed, got {result!r}"
    assert result.body == DELIVERED[name]


def test_moved_feed_reports_its_new_address(hostile: tuple[FeedServer, dict[str, FetchResult | FetchError]]):
    server, outcomes = hostile
    result = outcomes["moved"]
    assert isinstance(result, FetchResult)
    assert result.permanent_redirect == server.url("/good.xml")


def test_good_fetches_alongside_hostile_ones_succeed(outcomes: dict[str, FetchResult | FetchError]):
    goods = [outcomes[f"good{i}"] for i in range(10)]
    assert all(isinstance(r, FetchResult) and r.body == GOOD_FEED for r in goods)


def test_read_timeout_names_the_wait(feed_server: FeedServer, settings: FetchSettings):
    url = feed_server.serve("/stall", GOOD_FEED, delay=30.0)
    quick = settings.model_copy(update={"read_timeout": 0.2})
    with pytest.raises(FetchError, match=r"^timed out after 0\.2 s \(waiting for data\)$"):
        asyncio.run(_fetch_one(quick, url))


def test_refused_connection(settings: FetchSettings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=r"^connection refused$"):
        asyncio.run(_fetch_one(settings, f"http://127.0.0.1:{port}/feed"))


def test_tls_to_a_plain_http_server_is_a_tls_error(feed_server: FeedServer, settings: FetchSettings):
    url = feed_server.serve("/f.xml", GOOD_FEED).replace("http://", "https://")
    with pytest.raises(FetchError, match=r"^TLS error"):
        asyncio.run(_fetch_one(settings, url))


def test_content_length_over_the_cap_is_refused_before_reading(
    feed_server: FeedServer, settings: FetchSettings
):
    url = feed_server.serve("/big", b"x" * 1_000_001)
    with pytest.raises(FetchError, match=r"^body too large: more than 1,000,000 bytes$"):
        asyncio.run(_fetch_one(settings, url))


async def _fetch_one(settings: FetchSettings, url: str) -> FetchResult:
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url)
