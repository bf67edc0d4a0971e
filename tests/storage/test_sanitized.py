"""Hostile characters never reach the database: titles and texts are sanitized where they are stored."""

from __future__ import annotations

from sqlmodel import select

from monitor.storage import Article, Database, store_entries
from tests.storage.builders import NOW, Entry, add_source


def test_bidi_overrides_and_control_characters_are_not_stored(database: Database) -> None:
    entry = Entry(guid="g", title="Shahed\u202e gnp.exe\x1b[0m", summary="a\u2066b\x00c", content="ok\ttab")
    with database.session() as session:
        (stored,) = store_entries(session, add_source(session).id, [entry], now=NOW)
        session.commit()
    with database.session() as session:
        article = session.exec(select(Article)).one()
    assert (article.title, article.summary, article.content) == ("Shahed gnp.exe[0m", "abc", "ok\ttab")
    assert stored.title == article.title
