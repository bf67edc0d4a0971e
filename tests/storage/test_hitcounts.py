"""Counts per rule and state, kept by the database: they follow every way hits change, on both backends."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from monitor.storage import Database, store_entries
from monitor.storage.hitcounts import COMPACT_ABOVE, compact_hit_counts, hit_counts
from monitor.storage.hitlog import STATES, HitFilter
from monitor.storage.hits import record_hits
from monitor.storage.tables import Article, Hit
from monitor.storage.triage import set_state
from tests.storage.builders import NOW, Entry, Match, add_source


def counted(database: Database) -> dict[str, dict[str, int]]:
    """The counters, checked against a count of the hits themselves."""
    with database.read_session() as session:
        kept = hit_counts(session).by_rule
        recount: dict[str, dict[str, int]] = {}
        statement = sa.text("SELECT rule, state, count(*) FROM hit GROUP BY rule, state")
        for rule, state, number in session.connection().execute(statement):
            recount.setdefault(rule, dict.fromkeys(STATES, 0))[state] = number
    assert kept == recount
    return kept


def store(database: Database, count: int) -> None:
    """`count` articles, each matched by `drones`, the even ones by `rail` too."""
    with database.session() as session:
        source = add_source(session)
        for number in range(count):
            (article,) = store_entries(session, source.id, [Entry(guid=f"g{number}")], now=NOW)
            rules = ["drones", "rail"] if number % 2 == 0 else ["drones"]
            when = NOW + timedelta(minutes=number)
            record_hits(session, article, [Match(r) for r in rules], lambda r: [], now=when)
            record_hits(session, article, [Match("drones")], lambda r: [], now=when)  # known: no change
        session.commit()


def test_counts_follow_new_hits_triage_renames_and_deletions(database: Database) -> None:
    store(database, 6)
    assert counted(database) == {
        "drones": {"new": 6, "seen": 0, "relevant": 0, "irrelevant": 0},
        "rail": {"new": 3, "seen": 0, "relevant": 0, "irrelevant": 0},
    }
    with database.session() as session:
        set_state(session, HitFilter(rules=("rail",)), "relevant", actor="ana", now=NOW)
        set_state(session, HitFilter(), "seen", actor="ana", now=NOW)  # the relevant ones too
        session.execute(sa.update(Hit).where(Hit.rule == "rail").values(rule="rail-freight"))
        session.execute(sa.update(Hit).values(starred=True))  # no count changes
        session.commit()
    assert counted(database)["rail-freight"] == {"new": 0, "seen": 3, "relevant": 0, "irrelevant": 0}
    with database.session() as session:
        first = session.execute(sa.select(sa.func.min(Article.id))).scalar_one()
        session.execute(sa.delete(Article).where(Article.id == first))  # its two hits go with it
        session.commit()
    assert counted(database) == {
        "drones": {"new": 0, "seen": 5, "relevant": 0, "irrelevant": 0},
        "rail-freight": {"new": 0, "seen": 2, "relevant": 0, "irrelevant": 0},
    }
    with database.session() as session:
        session.execute(sa.delete(Hit))
        session.commit()
    assert counted(database) == {}


def test_compaction_keeps_the_counts_and_folds_the_rows(database: Database) -> None:
    store(database, 4)
    with database.session() as session:
        for _ in range(3):
            set_state(session, HitFilter(rules=("drones",)), "relevant", actor="ana", now=NOW)
            set_state(session, HitFilter(rules=("drones",)), "new", actor="ana", now=NOW)
        session.commit()
    before = counted(database)
    with database.session() as session:
        compact_hit_counts(session)
        session.commit()
    assert counted(database) == before
    with database.read_session() as session:
        folded = hit_counts(session)
    assert folded.rows <= 4 < COMPACT_ABOVE and not folded.needs_compaction
