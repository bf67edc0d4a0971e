"""A desk over one story told by three outlets in two languages (and one article on its own): the labelled
set's strike on Alabuga from a wire, a daily that reprints it and a French journal, each polled from a local
feed server of its own, with the bundled rules."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from html import escape
from pathlib import Path

from tests.support.desk import DeskSite, start_site
from tests.support.feed_server import FeedServer
from tests.support.labelled_stories import load_labelled
from tests.support.watch_config import FETCH_SETTINGS, rss, write_config

OUTLETS = {"Wire": ("as-en", "ao-en"), "Daily": ("as-en-c1",), "Journal": ("as-fr",)}
LANGUAGES = {"Wire": "en", "Daily": "en", "Journal": "fr"}
STORY = ("as-en", "as-en-c1", "as-fr")
"""The labelled ids of the story's articles (one event: the strike on the Alabuga plant)."""
ALONE = "ao-en"
"""Another event (the plant's output), reported once."""
RULE = "shahed-production-russia"
HOSTILE_TITLES = {
    "as-en-c1": '<img src=x onerror="window.__xss = 1">Drones hit Russia\'s main Shahed factory'
}
"""The daily's copy has a hostile headline (stored as written, shown as text)."""


def titles(*ids: str) -> list[str]:
    """The titles of these labelled articles, as the outlets publish them."""
    articles = {article.id: article for article in load_labelled()}
    return [HOSTILE_TITLES.get(i, articles[i].title) for i in ids]


@contextmanager
def story_site(database_url: str, directory: Path) -> Iterator[DeskSite]:
    articles = {article.id: article for article in load_labelled()}
    with ExitStack() as stack:
        urls = {}
        for outlet, ids in OUTLETS.items():
            server = stack.enter_context(FeedServer())
            items = [
                (i, escape(title), escape(articles[i].text))
                for i, title in zip(ids, titles(*ids), strict=True)
            ]
            urls[outlet] = server.serve("/feed.xml", rss(items, language=LANGUAGES[outlet]))
        alert_url = "json://127.0.0.1:9/hook?token=s3cretvalue"
        settings = FETCH_SETTINGS
        config_dir = write_config(directory / "config", sources=urls, alert_url=alert_url, settings=settings)
        site = start_site(database_url, config_dir)
        try:
            yield site
        finally:
            site.stop()
