"""Stories in the database: one story for copies stored at once by several workers, merges that alert
nobody, one alert per story and channel unless a rule wants every follow-up."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlmodel import Session, select

from monitor.storage import Database, Delivery, record_hits
from monitor.storage.articles import StoredArticle, store_entries
from monitor.storage.stories import StoryAssigner, list_stories, stories_of
from monitor.storage.tables import Story
from tests.storage.builders import NOW, Entry, Match, add_source

WINDOW = timedelta(hours=72)
WIRE = (
    "Ukrainian long-range drones struck the Alabuga special economic zone in Tatarstan overnight, hitting a "
    "workshop where Russia assembles Shahed-type drones, a source in the SBU said. The plant lies some 1,300 "
    "kilometres from the border. Rustam Minnikhanov said a fire had broken out and 3 people were injured."
)
FIRST_HALF = (
    "Russia launched 45 Shahed attack drones at Ukraine overnight, the Ukrainian Air Force said. " * 2
)
SECOND_HALF = "Two people were killed and nine wounded in Kyiv, mayor Vitali Klitschko said on Telegram. " * 2


def _store(session: Session, source_name: str, guid: str, title: str, text: str) -> StoredArticle:
    source = add_source(session, source_name)
    entry = Entry(guid=guid, title=title, summary=text, published=NOW - timedelta(hours=1), language="en")
    (article,) = store_entries(session, source.id, [entry], now=NOW)
    return article


def test_copies_stored_at_once_by_several_workers_make_one_story(database: Database) -> None:
    workers = 4
    with database.session() as session:
        for number in range(workers):
            add_source(session, f"outlet-{number}")
        session.commit()
    start = threading.Barrier(workers)
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        assigner = StoryAssigner(WINDOW)  # one per process in production: nothing shared but the database
        try:
            start.wait(timeout=30)
            with database.session() as session:
                article = _store(session, f"outlet-{number}", f"copy-{number}", f"Copy {number}", WIRE)
                assigner.assign(session, [article], now=NOW)
                session.commit()
        except BaseException as error:  # reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors
    with database.read_session() as session:
        stories = list_stories(session, since=NOW - WINDOW)
    assert [len(story.articles) for story in stories] == [workers]


def test_a_bridging_article_merges_two_stories_and_alerts_nobody(database: Database) -> None:
    assigner = StoryAssigner(WINDOW)
    channels = {"r": ["analysts"]}
    with database.session() as session:
        first = _store(session, "a", "first", "Attack", FIRST_HALF)
        second = _store(session, "b", "second", "Victims", SECOND_HALF)
        stories = assigner.assign(session, [first, second], now=NOW)
        assert stories[first.id] != stories[second.id]
        for article in (first, second):
            record_hits(session, article, [Match("r")], channels.get, now=NOW, story=stories[article.id])
        bridge = _store(session, "c", "bridge", "Both", FIRST_HALF + SECOND_HALF)
        merged = assigner.assign(session, [bridge], now=NOW)[bridge.id]
        record_hits(session, bridge, [Match("r")], channels.get, now=NOW, story=merged)
        session.commit()
    with database.read_session() as session:
        assert len(set(stories_of(session, [first.id, second.id, bridge.id]).values())) == 1
        assert len(session.exec(select(Delivery)).all()) == 2, "the two first alerts, none for the merge"


def test_a_rule_alerts_once_per_story_unless_it_wants_every_follow_up(database: Database) -> None:
    assigner = StoryAssigner(WINDOW)
    with database.session() as session:
        for number, name in enumerate(("wire", "copy", "other copy")):
            article = _store(session, name, f"g{number}", f"Copy {number}", WIRE)
            story = assigner.assign(session, [article], now=NOW)[article.id]
            matches = [Match("once"), Match("every")]
            record_hits(
                session,
                article,
                matches,
                lambda r: ["analysts"],
                now=NOW,
                story=story,
                every={"every"}.__contains__,
            )
        session.commit()
    with database.read_session() as session:
        deliveries = session.exec(select(Delivery)).all()
    assert len(deliveries) == 3, "the first article (both rules in one message), then each follow-up"


def test_a_batch_is_assigned_as_one_by_one_and_another_worker_sees_it(database: Database) -> None:
    """A poll's articles are written together: two events and the article that bridges them, in one
    batch, make one story row spanning their times, which another worker's assigner then extends."""
    texts = {"attack": FIRST_HALF, "victims": SECOND_HALF, "bridge": FIRST_HALF + SECOND_HALF}
    with database.session() as session:
        source = add_source(session, "wire")
        entries = [
            Entry(guid=name, title=name, summary=text, published=NOW - timedelta(hours=3 - n), language="en")
            for n, (name, text) in enumerate(texts.items())
        ]
        articles = store_entries(session, source.id, entries, now=NOW)
        stories = StoryAssigner(WINDOW).assign(session, articles, now=NOW)
        session.commit()
    assert len(set(stories.values())) == 1
    with database.session() as session:
        later = _store(session, "other", "later", "Later", FIRST_HALF + SECOND_HALF)
        joined = StoryAssigner(WINDOW).assign(session, [later], now=NOW + timedelta(hours=2))
        session.commit()
    assert joined[later.id] == next(iter(stories.values()))
    with database.read_session() as session:
        (story,) = session.exec(select(Story)).all()
    assert (story.first_at, story.last_at) == (NOW - timedelta(hours=3), NOW - timedelta(hours=1))
