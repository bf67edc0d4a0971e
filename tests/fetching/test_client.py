"""Fetcher against a real local server: bodies, validators, conditional GET, redirects, user agent."""

from __future__ import annotations

import asyncio
import gzip
from datetime import timedelta

import pytest

from monitor.errors import FetchError
from monitor.fetching import Fetcher, FetchResult
from monitor.settings import FetchSettings
from tests.support.feed_server import FeedServer

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>'


def fetch(settings: FetchSettings, url: str, **kwargs: str | None) -> FetchResult:
    """One fetch with a fresh Fetcher."""

    async def run() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(run())


def test_fetch_returns_body_validators_and_content_type(feed_server: FeedServer, settings: FetchSettings):
    url = feed_server.serve("/f.xml", FEED, etag='"v1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    result = fetch(settings, url)
    assert (result.status, result.body, result.not_modified) == (200, FEED, False)
    assert (result.etag, result.last_modified) == ('"v1"', "Mon, 01 Jan 2024 00:00:00 GMT")
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.url == url and result.permanent_redirect is None


def test_user_agent_from_settings_is_sent(feed_server: FeedServer, settings: FetchSettings):
    url = feed_server.serve("/f.xml", FEED)
    fetch(settings, url)
    assert feed_server.requests_for("/f.xml")[0].headers["user-agent"] == "monitor-tests/1.0"


@pytest.mark.parametrize(
    ("validators", "sent_header"),
    [
        ({"etag": '"v1"'}, "if-none-match"),
        ({"last_modified": "Mon, 01 Jan 2024 00:00:00 GMT"}, "if-modified-since"),
    ],
)
def test_conditional_get_gives_not_modified(
    feed_server: FeedServer, settings: FetchSettings, validators: dict[str, str], sent_header: str
):
    url = feed_server.serve("/f.xml", FEED, etag='"v1"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    result = fetch(settings, url, **validators)
    assert (result.status, result.not_modified, result.body) == (304, True, None)
    assert result.etag == '"v1"'
    assert sent_header in feed_server.requests_for("/f.xml")[0].headers


def test_changed_etag_gives_the_new_body(feed_server: FeedServer, settings: FetchSettings):
    url = feed_server.serve("/f.xml", FEED, etag='"v2"')
    result = fetch(settings, url, etag='"v1"')
    assert (result.status, result.body, result.etag) == (200, FEED, '"v2"')


def test_gzip_body_is_decoded(feed_server: FeedServer, settings: FetchSettings):
    url = feed_server.serve("/z.xml", gzip.compress(FEED), headers={"Content-Encoding": "gzip"})
    assert fetch(settings, url).body == FEED
    assert "gzip" in feed_server.requests_for("/z.xml")[0].headers["accept-encoding"]


@pytest.mark.parametrize(
    ("chain", "permanent"),
    [
        ([301], True),
        ([308], True),
        ([301, 308], True),
        ([302], False),
        ([301, 302], False),
        ([307, 301], False),
    ],
)
def test_permanent_redirect_reported_only_for_all_permanent_chains(
    feed_server: FeedServer, settings: FetchSettings, chain: list[int], permanent: bool
):
    final = feed_server.serve("/final.xml", FEED)
    for hop, status in enumerate(chain):
        target = f"/hop{hop + 1}" if hop + 1 < len(chain) else "/final.xml"
        feed_server.serve(f"/hop{hop}", status=status, headers={"Location": target})
    result = fetch(settings, feed_server.url("/hop0"))
    assert (result.url, result.body) == (final, FEED)
    assert result.permanent_redirect == (final if permanent else None)


def test_redirect_chain_longer_than_the_limit_is_an_error(feed_server: FeedServer, settings: FetchSettings):
    for hop in range(12):
        feed_server.serve(f"/r{hop}", status=302, headers={"Location": f"/r{hop + 1}"})

    async def run() -> None:
        async with Fetcher(settings, max_redirects=5) as fetcher:
            await fetcher.fetch(feed_server.url("/r0"))

    with pytest.raises(FetchError, match=r"^too many redirects \(more than 5\)$"):
        asyncio.run(run())


def test_cache_max_age_is_exposed(feed_server: FeedServer, settings: FetchSettings):
    url = feed_server.serve("/f.xml", FEED, headers={"Cache-Control": "public, max-age=600"})
    assert fetch(settings, url).cache_max_age == timedelta(seconds=600)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/feed", "only http:// and https://"),
        ("not a url", "invalid URL"),
    ],
)
def test_unfetchable_urls_are_clear_errors(settings: FetchSettings, url: str, message: str):
    with pytest.raises(FetchError, match=message):
        fetch(settings, url)


def test_fetch_outside_the_context_manager_is_a_programming_error(settings: FetchSettings):
    with pytest.raises(RuntimeError, match="async with"):
        asyncio.run(Fetcher(settings).fetch("http://127.0.0.1/"))
