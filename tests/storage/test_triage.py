"""The hit log's pages and filters, and triage with its audit trail, on both backends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.errors import DeskError
from monitor.storage import Database, store_entries
from monitor.storage.hitcounts import hit_counts
from monitor.storage.hitlog import Cursor, HitFilter, hit_page
from monitor.storage.hits import record_hits
from monitor.storage.reading import hit_detail
from monitor.storage.triage import add_note, add_tag, mark_seen, remove_tag, set_starred, set_state
from tests.storage.builders import NOW, Entry, Match, add_source


@pytest.fixture
def hits(database: Database) -> Database:
    """12 articles, each matched by `drones`; the even ones by `rail` too; a minute apart."""
    with database.session() as session:
        source = add_source(session)
        for number in range(12):
            entry = Entry(guid=f"g{number}", title=f"Article {number}", language="fr" if number % 3 else "ru")
            (article,) = store_entries(session, source.id, [entry], now=NOW)
            rules = ["drones", "rail"] if number % 2 == 0 else ["drones"]
            when = NOW + timedelta(minutes=number)
            record_hits(session, article, [Match(rule) for rule in rules], lambda rule: [], now=when)
        session.commit()
    return database


def test_keyset_pages_cover_every_hit_once_newest_first(hits: Database) -> None:
    seen: list[int] = []
    cursor = None
    with hits.read_session() as session:
        while True:
            page = hit_page(session, HitFilter(), after=Cursor.decode(cursor) if cursor else None, limit=5)
            seen += [row.hit_id for row in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                break
        offset_page = hit_page(session, HitFilter(), limit=5, offset=5)
    assert len(seen) == len(set(seen)) == 18
    assert [row.hit_id for row in offset_page.rows] == seen[5:10]
    with hits.read_session() as session:
        first = hit_page(session, HitFilter(), limit=18).rows
    assert [row.matched_at for row in first] == sorted((row.matched_at for row in first), reverse=True)
    assert (first[0].rule, first[0].other_rules) == ("drones", ())
    assert (first[1].rule, first[1].other_rules) == ("rail", ("drones",))


def test_filters_combine(hits: Database) -> None:
    with hits.session() as session:
        page = hit_page(session, HitFilter(rules=("rail",), languages=("ru",)))
        assert sorted(row.title for row in page.rows) == ["Article 0", "Article 6"]
        set_state(session, [page.rows[0].hit_id], "relevant", actor="ana", now=NOW)
        session.commit()
    with hits.read_session() as session:
        relevant = hit_page(session, HitFilter(states=("relevant",))).rows
        counts = hit_counts(session)
    assert [row.title for row in relevant] == [page.rows[0].title]
    assert counts.by_rule["rail"] == {"new": 5, "seen": 0, "relevant": 1, "irrelevant": 0}
    assert counts.total == 18


def test_bulk_changes_on_a_filter_touch_only_its_hits_and_are_audited(hits: Database) -> None:
    with hits.session() as session:
        changed = set_state(session, HitFilter(rules=("rail",)), "irrelevant", actor="ana", now=NOW)
        tagged = add_tag(
            session, HitFilter(rules=("rail",), languages=("fr",)), "rason", actor="ana", now=NOW
        )
        again = add_tag(session, HitFilter(rules=("rail",)), "rason", actor="ana", now=NOW)
        session.commit()
    assert (changed, tagged) == (6, 4)
    assert again == 2  # the two Russian ones; the French ones had the tag
    with hits.read_session() as session:
        states = {row.rule: set() for row in hit_page(session, HitFilter(), limit=50).rows}
        for row in hit_page(session, HitFilter(), limit=50).rows:
            states[row.rule].add(row.state)
        tagged_rows = hit_page(session, HitFilter(tag="rason")).rows
        detail = hit_detail(session, tagged_rows[0].hit_id)
    assert states == {"rail": {"irrelevant"}, "drones": {"new"}}
    assert len(tagged_rows) == 6 and all(row.tags == ("rason",) for row in tagged_rows)
    assert [(e.actor, e.action, e.detail) for e in detail.events] == [
        ("ana", "state", "new → irrelevant"),
        ("ana", "tag", "+rason"),
    ]


def test_opening_marks_new_hits_seen_and_notes_star_and_tags_are_kept(hits: Database) -> None:
    with hits.session() as session:
        row = hit_page(session, HitFilter(rules=("rail",)), limit=1).rows[0]
        set_state(session, [row.hit_id], "relevant", actor="ana", now=NOW)
        assert mark_seen(session, row.article_id, actor="ana", now=NOW) == 1  # the drones hit only
        set_starred(session, [row.hit_id], True, actor="ana", now=NOW)
        add_note(session, row.hit_id, "  Check <b>Rason</b> port  ", author="ana", now=NOW)
        add_tag(session, [row.hit_id], "ports", actor="ana", now=NOW)
        remove_tag(session, [row.hit_id], "ports", actor="ana", now=NOW)
        session.commit()
        detail = hit_detail(session, row.hit_id)
    assert {(r.rule, r.state) for r in detail.rules} == {("rail", "relevant"), ("drones", "seen")}
    assert detail.hit.starred and detail.tags == []
    assert [(n.author, n.body) for n in detail.notes] == [("ana", "Check <b>Rason</b> port")]
    assert [e.action for e in detail.events] == ["state", "star", "note", "tag", "tag"]


@pytest.mark.parametrize(("state", "tag"), [("done", "ok"), ("seen", "  "), ("seen", "x" * 101)])
def test_bad_states_and_tags_are_refused(hits: Database, state: str, tag: str) -> None:
    with hits.session() as session, pytest.raises(DeskError):
        set_state(session, [1], state, actor="ana", now=NOW)
        add_tag(session, [1], tag, actor="ana", now=NOW)
