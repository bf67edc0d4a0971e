"""record_hits / list_hits: a hit is stored once, together with its outbox rows or not at all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from monitor.rules import Highlight, RuleMatch
from monitor.storage import Database, Delivery, Hit, list_hits, record_hits
from monitor.storage.reading import hit_detail
from tests.storage.builders import NOW, Match, add_article, add_source

CHANNELS = {"shahed": ["analysts", "ops"], "rail": ["analysts"], "quiet": []}


def channels_for(rule: str) -> list[str]:
    return CHANNELS[rule]


def test_a_hit_and_one_pending_delivery_per_channel(database: Database) -> None:
    with database.session() as session:
        article = add_article(session, add_source(session))
        hits = record_hits(session, article, [Match("shahed"), Match("quiet")], channels_for, now=NOW)
        session.commit()
        deliveries = session.exec(select(Delivery).order_by(Delivery.channel)).all()
    assert [hit.rule for hit in hits] == ["shahed", "quiet"]
    assert hits[0].terms == ["shahed"] and hits[0].highlights[0] == {
        "term": "shahed",
        "field": "title",
        "start": 0,
        "end": 6,
    }
    assert [(d.channel, d.status, d.attempts, d.next_attempt_at) for d in deliveries] == [
        ("analysts", "pending", 0, NOW),
        ("ops", "pending", 0, NOW),
    ]


def test_a_second_call_adds_nothing(database: Database) -> None:
    with database.session() as session:
        article = add_article(session, add_source(session))
        record_hits(session, article, [Match("shahed")], channels_for, now=NOW)
        session.commit()
        again = record_hits(session, article, [Match("shahed"), Match("shahed")], channels_for, now=NOW)
        session.commit()
        counts = (len(session.exec(select(Hit)).all()), len(session.exec(select(Delivery)).all()))
    assert again == []
    assert counts == (1, 2)


def test_a_failing_transaction_leaves_neither_hit_nor_delivery(database: Database) -> None:
    with database.session() as session:
        article = add_article(session, add_source(session))
        session.commit()
    with pytest.raises(RuntimeError), database.session() as session:
        record_hits(session, article, [Match("shahed")], channels_for, now=NOW)
        raise RuntimeError("the pipeline failed after recording the hits")
    with database.session() as session:
        counts = (len(session.exec(select(Hit)).all()), len(session.exec(select(Delivery)).all()))
    assert counts == (0, 0)


def test_list_hits_reads_like_the_user_sees_it(database: Database) -> None:
    with database.session() as session:
        source = add_source(session, "rferl")
        older = add_article(session, source, "g1", "Rason rail link")
        newer = add_article(session, source, "g2", "Shahed plant")
        record_hits(session, older, [Match("rail")], channels_for, now=NOW)
        record_hits(session, newer, [Match("shahed")], channels_for, now=NOW + timedelta(hours=1))
        record_hits(session, older, [Match("shahed")], channels_for, now=NOW + timedelta(hours=2))
        session.commit()
        everything = list_hits(session)
        rail = list_hits(session, rule="rail")
        recent = list_hits(session, since=NOW + timedelta(minutes=30))
        latest = list_hits(session, limit=1)
    assert [(h.rule, h.title) for h in everything] == [
        ("shahed", "Rason rail link"),
        ("shahed", "Shahed plant"),
        ("rail", "Rason rail link"),
    ]
    assert [h.rule for h in rail] == ["rail"]
    assert len(recent) == 2 and len(latest) == 1
    first = everything[0]
    assert (first.source, first.terms, first.article_id) == ("rferl", ("shahed",), older.id)
    assert first.matched_at == NOW + timedelta(hours=2) and first.snippet.startswith("…")


def test_the_article_view_names_the_words_found_not_the_rules_words(database: Database) -> None:
    """The rule says "factories"; the reader sees the title's "Factory" that its stem matched."""
    with database.session() as session:
        article = add_article(session, add_source(session), title="Shahed Factory opens")
        match = RuleMatch(
            "shahed", ("factories",), (Highlight("factories", "title", 7, 14),), "Shahed Factory opens"
        )
        (hit,) = record_hits(session, article, [match], channels_for, now=NOW)
        session.commit()
        assert hit.id is not None
        detail = hit_detail(session, hit.id)
    assert [(h.term, h.field) for h in detail.hit.highlights] == [("Factory", "title")]
    assert [h.term for rule in detail.rules for h in rule.highlights] == ["Factory"]
