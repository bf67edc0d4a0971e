"""store_entries: each entry is stored once per source, whatever the feed does between polls."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from monitor.storage import Article, Database, store_entries
from monitor.storage.articles import MAX_KEY_CHARS, dedupe_key
from tests.storage.builders import NOW, Entry, add_source

A = Entry(guid="urn:a", url="https://ex.org/a", title="Shahed plant expands", summary="Alabuga")
B = Entry(guid="urn:b", url="https://ex.org/b", title="Rason rail link", summary="Tumangang")
C = Entry(guid="urn:c", url="https://ex.org/c", title="Shells to Russia", summary="Khasan")
NO_GUID_1 = Entry(url="https://ex.org/x", title="First wording")
NO_GUID_2 = Entry(url="https://ex.org/x", title="Second wording")
TITLE_ONLY = Entry(title="Only a title")

# (first poll, second poll, titles new on the second poll, articles stored in the end)
POLLS = [
    pytest.param([A], [A], [], 1, id="same GUID twice"),
    pytest.param([A, A, B], [], [], 2, id="entry repeated within one feed"),
    pytest.param([A, B, C], [C, A, B], [], 3, id="re-ordered feed"),
    pytest.param([A], [Entry(guid="urn:a", title="Shahed plant expands again")], [], 1, id="edited title"),
    pytest.param([NO_GUID_1], [NO_GUID_2], [], 1, id="same URL, no GUID, edited title"),
    pytest.param([TITLE_ONLY], [TITLE_ONLY], [], 1, id="title only, re-polled"),
    pytest.param([A], [A, B], ["Rason rail link"], 2, id="a new entry on top"),
    pytest.param([], [Entry()], [], 0, id="an entry with nothing to identify it is skipped"),
]


@pytest.mark.parametrize(("first", "second", "new_titles", "stored"), POLLS)
def test_an_entry_is_new_only_the_first_time(
    database: Database, first: list[Entry], second: list[Entry], new_titles: list[str], stored: int
) -> None:
    with database.session() as session:
        source = add_source(session)
        store_entries(session, source.id, first, now=NOW)
        session.commit()
        new = store_entries(session, source.id, second, now=NOW + timedelta(minutes=15))
        session.commit()
        count = len(session.exec(select(Article)).all())
    assert [article.title for article in new] == new_titles
    assert count == stored


def test_the_first_poll_returns_every_distinct_entry_in_feed_order(database: Database) -> None:
    with database.session() as session:
        new = store_entries(session, add_source(session).id, [B, A, B, C], now=NOW)
    assert [article.guid for article in new] == ["urn:b", "urn:a", "urn:c"]
    assert all(article.id is not None and article.first_seen_at == NOW for article in new)


def test_an_edited_entry_updates_the_stored_text(database: Database) -> None:
    edited = Entry(guid="urn:a", url="https://ex.org/a", title="Shahed plant doubles output", summary="new")
    with database.session() as session:
        source = add_source(session)
        store_entries(session, source.id, [A], now=NOW)
        store_entries(session, source.id, [edited], now=NOW + timedelta(hours=1))
        session.commit()
        article = session.exec(select(Article)).one()
    assert (article.title, article.summary) == ("Shahed plant doubles output", "new")
    assert article.first_seen_at == NOW


def test_the_same_entry_in_two_sources_is_two_articles(database: Database) -> None:
    with database.session() as session:
        first = store_entries(session, add_source(session, "one").id, [A], now=NOW)
        second = store_entries(session, add_source(session, "two").id, [A], now=NOW)
    assert len(first) == len(second) == 1


def test_hostile_sizes_are_capped(database: Database) -> None:
    huge = Entry(guid="g" * 10_000, title="t" * 100_000, content="c" * 10_000_000)
    with database.session() as session:
        (article,) = store_entries(session, add_source(session).id, [huge], now=NOW)
        again = store_entries(session, add_source(session).id, [huge], now=NOW)
    assert len(article.dedupe_key) <= MAX_KEY_CHARS
    assert len(article.title) <= 1_000 and len(article.content) <= 200_000
    assert again == []


@pytest.mark.parametrize(
    ("entry", "key"),
    [
        (Entry(guid=" urn:a ", url="https://ex.org/a", title="T"), "urn:a"),
        (Entry(url="https://ex.org/a", title="T"), "https://ex.org/a"),
        (Entry(guid="", url="https://ex.org/a", title="T"), "https://ex.org/a"),
        (Entry(title="  Same   Title "), dedupe_key(Entry(title="same title"))),
        (Entry(), None),
    ],
)
def test_dedupe_key_is_guid_else_url_else_title_hash(entry: Entry, key: str | None) -> None:
    assert dedupe_key(entry) == key


def test_two_writers_storing_the_same_entries_create_each_article_once(database: Database) -> None:
    with database.session() as session:
        source = add_source(session)
        session.commit()
    entries = [Entry(guid=f"urn:{n}", title=f"Article {n}") for n in range(50)]
    barrier = threading.Barrier(2, timeout=30)
    results: list[int] = []
    lock = threading.Lock()

    def poll() -> None:
        barrier.wait()  # both start at once: concurrent on PostgreSQL, queued in turn on SQLite
        with database.session() as session:
            new = store_entries(session, source.id, entries, now=NOW)
            session.commit()
        with lock:
            results.append(len(new))

    threads = [threading.Thread(target=poll) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with database.session() as session:
        stored = len(session.exec(select(Article)).all())
    assert sum(results) == 50, results
    assert stored == 50
