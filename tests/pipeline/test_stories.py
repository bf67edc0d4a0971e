"""Stories end to end: four outlets (one local feed server each) in three languages, the bundled rules,
one local receiver. One event reported everywhere alerts once per rule and channel; two events that share
their names alert twice; an article matching two rules gives one message naming both."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import ExitStack
from html import escape
from pathlib import Path

import pytest

from monitor import clock
from monitor.config import load_config
from monitor.pipeline import run_cycle
from monitor.settings import build_settings
from monitor.storage.database import open_database
from monitor.storage.hits import list_hits
from monitor.storage.stories import list_stories
from tests.support.feed_server import FeedServer
from tests.support.labelled_stories import LabelledArticle, load_labelled
from tests.support.watch_config import rss, write_config
from tests.support.webhook_receiver import WebhookReceiver

OUTLETS = {
    "Wire (en)": ("as-en", "ao-en", "ds-en"),
    "Daily (en)": ("as-en-c1", "ao-en-c1"),
    "Journal (fr)": ("as-fr", "ao-fr", "ds-fr"),
    "Gazeta (ru)": ("as-ru", "ao-ru", "ds-ru"),
}
LANGUAGES = {"Wire (en)": "en", "Daily (en)": "en", "Journal (fr)": "fr", "Gazeta (ru)": "ru"}
SHAHED = "shahed-production-russia"
MUNITIONS = "north-korean-munitions-to-russia"
RAIL = "rail-freight-north-korea-russia"


def _item(article: LabelledArticle) -> tuple[str, str, str]:
    return (article.id, escape(article.title), escape(article.text))


@pytest.fixture
def outlets() -> Iterator[dict[str, str]]:
    articles = {article.id: article for article in load_labelled()}
    with ExitStack() as stack:
        urls = {}
        for outlet, ids in OUTLETS.items():
            server = stack.enter_context(FeedServer())
            body = rss([_item(articles[i]) for i in ids], language=LANGUAGES[outlet])
            urls[outlet] = server.serve("/feed.xml", body)
        yield urls


def test_one_event_in_four_outlets_and_three_languages_alerts_once_per_rule(
    outlets: dict[str, str], webhook_receiver: WebhookReceiver, database_url: str, tmp_path: Path
) -> None:
    directory = write_config(
        tmp_path / "config", sources=outlets, alert_url=webhook_receiver.apprise_url("/a")
    )
    config = load_config(directory)
    settings = build_settings(config.settings_values, {"database_url": database_url})
    database = open_database(database_url)
    try:
        summary = asyncio.run(run_cycle(config, settings, database, now=clock.now()))
        assert summary.new_articles == 11
        with database.read_session() as session:
            hits = list_hits(session)
            stories = list_stories(session)
    finally:
        database.dispose()

    by_rule = {rule: {hit.title for hit in hits if hit.rule == rule} for rule in (SHAHED, MUNITIONS, RAIL)}
    assert len(by_rule[SHAHED]) >= 6, "every report of both Alabuga events is a hit of the rule"
    assert {len(story.articles) for story in stories} >= {3, 4}
    strike = next(
        story for story in stories if any(a.title.startswith("Ukrainian drones") for a in story.articles)
    )
    assert (strike.sources, strike.languages) == (4, ("en", "fr", "ru"))

    messages = [request.json for request in webhook_receiver.wait_for(3)]
    titles = sorted(message["title"] for message in messages)
    assert len(messages) == 3, titles
    shahed = [m for m in messages if SHAHED in m["title"]]
    assert len(shahed) == 2, "Alabuga's output and the strike on Alabuga are two events: two alerts"
    shells = next(m for m in messages if MUNITIONS in m["title"])
    assert RAIL in shells["title"] and "Rules:" in shells["message"], "one message names both rules"
