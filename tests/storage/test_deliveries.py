"""The outbox: due deliveries are leased to one worker, then sent or retried or failed for good."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import Session

from monitor.storage import (
    Database,
    claim_due_deliveries,
    delivery_counts,
    mark_attempt_failed,
    mark_sent,
    record_hits,
)
from monitor.storage.deliveries import release_claims
from monitor.storage.tables import Delivery
from tests.storage.builders import NOW, Match, add_article, add_source


def _outbox(session: Session, channels: list[str], articles: int = 1) -> None:
    source = add_source(session)
    for n in range(articles):
        article = add_article(session, source, f"g{n}", f"Shahed story {n}")
        record_hits(session, article, [Match("shahed")], lambda _rule: channels, now=NOW)


def test_claim_returns_due_deliveries_with_their_hit_and_leases_them(database: Database) -> None:
    with database.session() as session:
        _outbox(session, ["analysts", "ops"])
        session.commit()
        claimed = claim_due_deliveries(session, now=NOW, limit=10, lease=timedelta(minutes=5))
        session.commit()
        during_lease = claim_due_deliveries(session, now=NOW + timedelta(minutes=4), limit=10)
        after_lease = claim_due_deliveries(session, now=NOW + timedelta(minutes=6), limit=10)
    assert [(c.channel, c.attempts, c.hit.title, c.hit.rule) for c in claimed] == [
        ("analysts", 0, "Shahed story 0", "shahed"),
        ("ops", 0, "Shahed story 0", "shahed"),
    ]
    assert during_lease == []
    assert len(after_lease) == 2


def test_claim_respects_the_limit_and_the_due_time(database: Database) -> None:
    with database.session() as session:
        _outbox(session, ["analysts"], articles=3)
        session.commit()
        assert claim_due_deliveries(session, now=NOW - timedelta(seconds=1), limit=10) == []
        first = claim_due_deliveries(session, now=NOW, limit=2)
        assert len(first) == 2
        assert claim_due_deliveries(session, now=NOW, limit=2) == []  # the channel's queue is taken
        for delivery in first:
            mark_sent(session, delivery.id, now=NOW)
        assert len(claim_due_deliveries(session, now=NOW, limit=2)) == 1


def test_a_channel_queue_is_claimed_oldest_first_and_waits_behind_its_head(database: Database) -> None:
    with database.session() as session:
        _outbox(session, ["analysts"], articles=3)
        session.commit()
        head, *rest = claim_due_deliveries(session, now=NOW, limit=10)
        mark_attempt_failed(session, head.id, "HTTP 503", NOW + timedelta(minutes=5))
        release_claims(session, [d.id for d in rest], next_attempt_at=NOW + timedelta(minutes=5))
        session.add(session.get(Delivery, rest[-1].id).sqlmodel_update({"next_attempt_at": NOW}))
        session.commit()
        while_head_waits = claim_due_deliveries(session, now=NOW + timedelta(minutes=1), limit=10)
        after = claim_due_deliveries(session, now=NOW + timedelta(minutes=5), limit=10)
    assert while_head_waits == []  # the last one is due, but never overtakes the head
    assert [d.id for d in after] == [head.id] + [d.id for d in rest]


def test_a_sent_delivery_is_never_claimed_again(database: Database) -> None:
    with database.session() as session:
        _outbox(session, ["analysts"])
        (claimed,) = claim_due_deliveries(session, now=NOW, limit=10)
        assert mark_sent(session, claimed.id, now=NOW) is True
        assert mark_sent(session, claimed.id, now=NOW) is False
        session.commit()
        later = claim_due_deliveries(session, now=NOW + timedelta(days=1), limit=10)
        row = session.get(Delivery, claimed.id)
    assert later == []
    assert row is not None and (row.status, row.attempts, row.sent_at) == ("sent", 1, NOW)


@pytest.mark.parametrize(
    ("next_attempt", "status"),
    [(NOW + timedelta(minutes=1), "pending"), (None, "failed")],
)
def test_a_failed_attempt_is_retried_or_failed_for_good(
    database: Database, next_attempt: datetime | None, status: str
) -> None:
    with database.session() as session:
        _outbox(session, ["analysts"])
        (claimed,) = claim_due_deliveries(session, now=NOW, limit=10)
        mark_attempt_failed(session, claimed.id, "HTTP 500 from json://127.0.0.1/***", next_attempt)
        session.commit()
        row = session.get(Delivery, claimed.id)
        counts = delivery_counts(session)
    assert row is not None
    assert (row.status, row.attempts, row.next_attempt_at, row.last_error) == (
        status,
        1,
        next_attempt,
        "HTTP 500 from json://127.0.0.1/***",
    )
    assert counts == {"pending": int(status == "pending"), "sent": 0, "failed": int(status == "failed")}


@pytest.mark.postgres
def test_two_workers_claiming_at_once_never_take_the_same_row(postgres_database: Database) -> None:
    database = postgres_database
    with database.session() as session:
        _outbox(session, ["analysts", "ops"], articles=4)
        session.commit()
    with database.session() as first, database.session() as second:
        taken_first = claim_due_deliveries(first, now=NOW, limit=4)
        taken_second = claim_due_deliveries(second, now=NOW, limit=4)
        first.commit()
        second.commit()
    assert [c.channel for c in taken_first] == ["analysts"] * 4
    assert [c.channel for c in taken_second] == ["ops"] * 4
    assert {c.id for c in taken_first}.isdisjoint(c.id for c in taken_second)
