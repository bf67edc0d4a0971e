"""The volume notice: a rule hitting several times its usual rate is reported to the operations channel once
per spike, on SQLite and PostgreSQL, and delivered through the outbox; a steady rule never is."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from monitor.alerts import dispatch_pending
from monitor.pipeline.volume import report_volume_spikes
from monitor.settings import DeliverySettings, HealthSettings
from monitor.storage import Database, record_hits, store_entries
from monitor.storage.tables import Delivery, Notice
from tests.storage.builders import NOW, Entry, Match, add_source
from tests.storage.conftest import database
from tests.support.webhook_receiver import WebhookReceiver, webhook_receiver

__all__ = ["database", "webhook_receiver"]

SETTINGS = HealthSettings.model_validate(
    {"operations_channel": "ops", "volume_window": "3h", "volume_ratio": 5, "volume_min_hits": 8}
)


class Hits:
    """Hits of a rule at chosen times, each on its own article."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.count = 0
        with database.session() as session:
            self.source_id = add_source(session, "wire").id
            session.commit()

    def add(self, rule: str, times: list[datetime]) -> None:
        with self.database.session() as session:
            for when in times:
                self.count += 1
                entry = Entry(guid=f"g{self.count}", title=f"Shahed {self.count}")
                (article,) = store_entries(session, self.source_id, [entry], now=when)
                record_hits(session, article, [Match(rule)], lambda _rule: [], now=when)
            session.commit()


def every(step: timedelta, start: datetime, end: datetime) -> list[datetime]:
    times, at = [], start
    while at <= end:
        times.append(at)
        at += step
    return times


def check(database: Database, now: datetime) -> list[str]:
    with database.session() as session:
        spikes = report_volume_spikes(session, SETTINGS, now=now)
        session.commit()
    return [spike.rule for spike in spikes]


def volume_notices(session: Session) -> list[str]:
    statement = (
        select(Notice.title)
        .join(Delivery, col(Delivery.notice_id) == Notice.id)
        .where(Notice.kind == "volume", Delivery.channel == "ops")
        .order_by(col(Notice.id))
    )
    return list(session.exec(statement))


def test_a_spike_is_reported_once_per_episode_and_a_steady_rule_never(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    hits = Hits(database)
    start = NOW - timedelta(days=8)
    hits.add("steady", every(timedelta(hours=1), start, NOW))
    hits.add("spiky", every(timedelta(hours=12), start, NOW))
    assert check(database, NOW) == []

    hits.add("steady", every(timedelta(hours=1), NOW + timedelta(hours=1), NOW + timedelta(hours=9)))
    hits.add("spiky", every(timedelta(minutes=4), NOW + timedelta(minutes=4), NOW + timedelta(hours=1)))
    assert check(database, NOW + timedelta(hours=1)) == ["spiky"]
    assert check(database, NOW + timedelta(hours=1, minutes=10)) == []  # the next polls: same episode
    assert check(database, NOW + timedelta(hours=2)) == []
    assert check(database, NOW + timedelta(hours=6)) == []  # back to usual: the episode ends

    hits.add("spiky", every(timedelta(minutes=5), NOW + timedelta(hours=8), NOW + timedelta(hours=9)))
    assert check(database, NOW + timedelta(hours=9)) == ["spiky"]  # a new spike, a new notice
    with database.session() as session:
        assert volume_notices(session) == [
            "Rule surging: spiky (16 hits in 3 hours)",
            "Rule surging: spiky (13 hits in 3 hours)",
        ]

    delivery = DeliverySettings.model_validate({"max_attempts": 1, "timeout": 5})
    url = webhook_receiver.apprise_url("/ops")
    summary = dispatch_pending(
        database, {"ops": [url]}, delivery, now=NOW + timedelta(hours=9), rng=random.Random(1)
    )
    assert summary.sent == 2
    first, _ = webhook_receiver.wait_for(2)
    assert first.json["title"] == "Rule surging: spiky (16 hits in 3 hours)"
    assert first.json["message"].startswith(
        "Rule spiky got 16 hits in the last 3 hours: 64 times its usual rate (about 0.25 per 3 hours"
    )


def test_a_rule_too_young_for_a_usual_rate_or_below_the_minimum_is_not_reported(database: Database) -> None:
    hits = Hits(database)
    hits.add("new", every(timedelta(minutes=5), NOW - timedelta(hours=1), NOW))  # 13 hits, no history
    hits.add("rare", every(timedelta(days=3), NOW - timedelta(days=8), NOW - timedelta(days=1)))
    hits.add("rare", every(timedelta(minutes=30), NOW - timedelta(hours=2), NOW))  # 5 hits: under 8
    assert check(database, NOW) == []
