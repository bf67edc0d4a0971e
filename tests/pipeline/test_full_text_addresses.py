"""Full text under the address policy: an article link found in a feed reaches no internal address unless
`fetch.allowed_networks` allows it; a blocked page keeps the article with its summary, nothing is lost."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlmodel import select

from monitor import clock
from monitor.config import load_config
from monitor.pipeline import run_cycle
from monitor.settings import build_settings
from monitor.storage.database import open_database
from monitor.storage.tables import Article, Source
from tests.support.feed_server import FeedServer
from tests.support.watch_config import FETCH_SETTINGS, LOOPBACK_CONTENT_SETTINGS, recent_pubdate, write_config

PAGE = (
    "<html><body><article><h1>Rason port</h1><p>"
    + "The full story of the port of Rason, told at length. " * 20
    + "</p></article></body></html>"
).encode()


def _poll(server: FeedServer, tmp_path: Path, sqlite_url: str, settings: str) -> tuple[Article, Source, int]:
    page_url = server.serve("/story", PAGE, headers={"Content-Type": "text/html"}).replace(
        "127.0.0.1", "localhost"
    )
    feed = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Summaries</title><item><guid>s1</guid>"
        f"<title>Rason port</title><link>{page_url}</link><pubDate>{recent_pubdate()}</pubDate>"
        "<description>A short summary.</description></item></channel></rss>"
    ).encode()
    feed_url = server.serve("/summaries.xml", feed)
    directory = write_config(
        tmp_path / "config", sources={}, alert_url="json://127.0.0.1:9/x", settings=settings
    )
    (directory / "sources.yaml").write_text(
        f"sources:\n  - name: summaries\n    url: {feed_url}\n    full_text: true\n", encoding="utf-8"
    )
    config = load_config(directory)
    values = build_settings(config.settings_values, {"database_url": sqlite_url})
    database = open_database(sqlite_url)
    try:
        asyncio.run(run_cycle(config, values, database, now=clock.now()))
        with database.session() as session:
            (article,) = session.exec(select(Article)).all()
            (source,) = session.exec(select(Source)).all()
            return article, source, len(server.requests_for("/story"))
    finally:
        database.dispose()


def test_an_article_link_to_an_internal_address_is_not_fetched_and_the_summary_is_kept(
    feed_server: FeedServer, tmp_path: Path, sqlite_url: str
) -> None:
    article, source, page_requests = _poll(feed_server, tmp_path, sqlite_url, FETCH_SETTINGS)
    assert page_requests == 0, "the internal page was never requested"
    assert (article.title, article.summary, article.content) == ("Rason port", "A short summary.", "")
    assert source.last_error is None, "the feed itself was fetched: a configured source may be internal"


def test_allowed_networks_let_full_text_reach_a_page_on_them(
    feed_server: FeedServer, tmp_path: Path, sqlite_url: str
) -> None:
    article, _, page_requests = _poll(feed_server, tmp_path, sqlite_url, LOOPBACK_CONTENT_SETTINGS)
    assert page_requests == 1
    assert "told at length" in article.content
