"""The decompression cap applies to every way a body can be compressed: Content-Encoding, raw gzip bytes
served without the header (which the parser would otherwise decompress past the cap), gzip twice over."""

from __future__ import annotations

import asyncio
import gzip

import pytest

from monitor.errors import FetchError
from monitor.fetching import Fetcher, FetchResult
from monitor.settings import FetchSettings
from tests.support.feed_server import FeedServer
from tests.support.hostile_server import GOOD_FEED

XML = {"Content-Type": "application/rss+xml"}


def _fetch(settings: FetchSettings, url: str) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (gzip.compress(GOOD_FEED), XML),
        (gzip.compress(gzip.compress(GOOD_FEED)), {**XML, "Content-Encoding": "gzip"}),
    ],
    ids=["raw gzip without Content-Encoding", "gzip twice over"],
)
def test_a_compressed_feed_arrives_decompressed(
    feed_server: FeedServer, settings: FetchSettings, body: bytes, headers: dict[str, str]
) -> None:
    url = feed_server.serve("/feed.xml.gz", body, headers=headers)
    assert _fetch(settings, url).body == GOOD_FEED


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (gzip.compress(b"<rss>" + b" " * 3_000_000), XML),
        (gzip.compress(gzip.compress(b"<rss>" + b" " * 3_000_000)), {**XML, "Content-Encoding": "gzip"}),
    ],
    ids=["raw gzip without Content-Encoding", "gzip twice over"],
)
def test_a_compressed_body_past_the_cap_is_a_decompression_bomb(
    feed_server: FeedServer, settings: FetchSettings, body: bytes, headers: dict[str, str]
) -> None:
    assert len(body) < settings.max_body_bytes < 3_000_000
    url = feed_server.serve("/bomb.xml", body, headers=headers)
    with pytest.raises(FetchError) as caught:
        _fetch(settings, url)
    assert caught.value.message.startswith("decompression bomb: ")
    assert caught.value.message.endswith(f"compressed bytes expand past {settings.max_body_bytes:,} bytes")
