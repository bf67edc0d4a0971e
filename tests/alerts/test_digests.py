"""Held alerts on SQLite and PostgreSQL, sent through Apprise to a local receiver: quiet hours hold alerts and
release them together, max_per_hour folds the rest of the hour into one digest, priority high goes through,
a digest lists the later reports of a story, a channel that is down gets its digest later and in order, and
workers writing digests at once never put one alert in two digests. Time is given, never waited for."""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from monitor.alerts import dispatch_pending
from monitor.alerts.dispatcher import DispatchSummary, write_due_digests
from monitor.alerts.policy import channel_holds
from monitor.config import ChannelConfig, RuleConfig
from monitor.settings import DeliverySettings
from monitor.storage import Database, record_hits, store_entries
from monitor.storage.digests import held_count
from monitor.storage.outbox import list_deliveries
from monitor.storage.tables import Delivery, DigestItem, Source, Story, StoryArticle
from tests.storage.builders import Entry, Match, add_source
from tests.support.webhook_receiver import WebhookReceiver

SETTINGS = DeliverySettings.model_validate({"retry_base": "30s", "retry_max": "5m", "timeout": 5})
PARIS_QUIET = {"from": "22:00", "to": "07:00", "timezone": "Europe/Paris"}
EVENING = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)  # 23:00 in Paris (summer time)
MORNING = datetime(2026, 6, 2, 5, 0, tzinfo=UTC)  # 07:00 in Paris


def _channel(**policy: Any) -> ChannelConfig:
    return ChannelConfig.model_validate({"name": "analysts", "urls": ["json://localhost/x"], **policy})


def _rules(*high: str) -> list[RuleConfig]:
    return [
        RuleConfig(
            name=name, query=name, channels=["analysts"], priority="high" if name in high else "normal"
        )
        for name in ("shahed", "urgent")
    ]


class Newsroom:
    """Articles matched by rules and routed to `analysts` under a policy, as the poller records them."""

    def __init__(self, database: Database, channel: ChannelConfig, high: Sequence[str] = ()) -> None:
        self.database = database
        self.hold = channel_holds([channel], _rules(*high))

    def report(
        self,
        title: str,
        at: datetime,
        *,
        source: str = "meduza",
        language: str | None = None,
        story: int | None = None,
        rule: str = "shahed",
    ) -> None:
        with self.database.session() as session:
            row = session.exec(select(Source).where(Source.name == source)).first() or add_source(
                session, source
            )
            entry = Entry(guid=title, title=title, language=language)
            (article,) = store_entries(session, row.id, [entry], now=at)
            if story is not None:
                _join_story(session, article.id, story, at)
            record_hits(
                session, article, [Match(rule)], lambda _: ["analysts"], now=at, story=story, hold=self.hold
            )
            session.commit()


def _join_story(session: Any, article_id: int | None, story: int, at: datetime) -> None:
    assert article_id is not None
    if session.get(Story, story) is None:
        session.add(Story(id=story, first_at=at, last_at=at, created_at=at))
    session.add(StoryArticle(article_id=article_id, story_id=story, at=at, features={}))
    session.flush()


def _dispatch(database: Database, receiver: WebhookReceiver, at: datetime) -> DispatchSummary:
    channels = {"analysts": [receiver.apprise_url()]}
    return dispatch_pending(database, channels, SETTINGS, now=at, rng=random.Random(1))


def _messages(receiver: WebhookReceiver) -> list[dict[str, str]]:
    return [request.json for request in receiver.requests if request.status == 200]


def _items(database: Database) -> list[DigestItem]:
    with database.session() as session:
        return list(session.exec(select(DigestItem).order_by(DigestItem.id)))


def test_quiet_hours_hold_alerts_and_release_them_together(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    room = Newsroom(database, _channel(quiet_hours=PARIS_QUIET))
    for n, minutes in enumerate((0, 40, 300)):  # 23:00, 23:40, 04:00 in Paris
        room.report(f"Night report {n}", EVENING + timedelta(minutes=minutes))
    during = [_dispatch(database, webhook_receiver, EVENING + timedelta(hours=h)) for h in (1, 7)]
    with database.session() as session:
        waiting = held_count(session, "analysts")
    released = _dispatch(database, webhook_receiver, MORNING)
    again = _dispatch(database, webhook_receiver, MORNING + timedelta(hours=1))

    assert (during, waiting) == ([DispatchSummary()] * 2, 3), "held, not sent, not dropped"
    assert (released, again) == (DispatchSummary(sent=1), DispatchSummary())
    (message,) = _messages(webhook_receiver)
    assert message["title"] == "[analysts] 3 stories (held during quiet hours)"
    assert [message["message"].index(f"* Night report {n}") for n in range(3)] == sorted(
        message["message"].index(f"* Night report {n}") for n in range(3)
    ), "oldest first"
    assert {item.delivery_id for item in _items(database)} == {1}
    with database.session() as session:
        (row,) = list_deliveries(session)
    assert (row.subject, row.status) == ("digest (quiet hours)", "sent"), "as the outbox page lists it"


def test_past_max_per_hour_the_rest_of_the_hour_is_one_digest(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    room = Newsroom(database, _channel(max_per_hour=2))
    hour = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    for n in range(5):
        moment = hour + timedelta(minutes=5 + 10 * n)
        room.report(f"Report {n}", moment)
        _dispatch(database, webhook_receiver, moment)
    titles_in_the_hour = [message["title"] for message in _messages(webhook_receiver)]
    _dispatch(database, webhook_receiver, hour + timedelta(hours=1))
    room.report("Report 5", hour + timedelta(hours=1, minutes=10))
    _dispatch(database, webhook_receiver, hour + timedelta(hours=1, minutes=10))

    assert titles_in_the_hour == ["[shahed] Report 0", "[shahed] Report 1"]
    folded, after = _messages(webhook_receiver)[2:]
    assert folded["title"] == "[analysts] 3 stories (past the channel's max_per_hour)"
    assert all(f"* Report {n}" in folded["message"] for n in (2, 3, 4))
    assert after["title"] == "[shahed] Report 5", "a new hour, a new budget (the digest counts as one)"


def test_priority_high_goes_through_quiet_hours_and_digests(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    for policy in ({"quiet_hours": PARIS_QUIET}, {"mode": "digest", "every": "1h"}):
        before = len(_messages(webhook_receiver))
        room = Newsroom(database, _channel(**policy), high=["urgent"])
        room.report(f"Routine {policy}", EVENING + timedelta(minutes=10), rule="shahed")
        room.report(f"Missiles launched {policy}", EVENING + timedelta(minutes=10), rule="urgent")
        assert _dispatch(database, webhook_receiver, EVENING + timedelta(minutes=10)) == DispatchSummary(
            sent=1
        )
        (message,) = _messages(webhook_receiver)[before:]
        assert message["title"] == f"[urgent] Missiles launched {policy}"
    with database.session() as session:
        assert held_count(session, "analysts") == 2, "the routine reports wait"


def test_a_digest_lists_the_later_reports_of_a_story(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    room = Newsroom(database, _channel(mode="digest", at=["08:00", "17:30"], timezone="Europe/Paris"))
    morning = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)  # 08:00 in Paris
    reports = [
        ("Drones hit the Alabuga plant", "Reuters", "en"),
        ("Des drones frappent l'usine d'Alabuga", "Le Monde", "fr"),
        ("Дроны атаковали завод в Алабуге", "Meduza", "ru"),
        ("Drones strike Alabuga plant overnight", "AP", "en"),
    ]
    for n, (title, source, language) in enumerate(reports):
        room.report(title, morning + timedelta(minutes=10 * n), source=source, language=language, story=1)
    room.report("North Korean shells cross by rail", morning + timedelta(hours=1), source="AP", story=2)
    at_noon = _dispatch(database, webhook_receiver, morning + timedelta(hours=6))
    evening = _dispatch(database, webhook_receiver, morning + timedelta(hours=9, minutes=30))  # 17:30
    room.report("Alabuga: damage assessed", morning + timedelta(hours=10), source="Kyiv Independent", story=1)
    room.report(
        "Alabuga : les dégâts évalués",
        morning + timedelta(hours=11),
        source="Le Figaro",
        language="fr",
        story=1,
    )
    next_morning = _dispatch(database, webhook_receiver, morning + timedelta(days=1))

    assert (at_noon, evening, next_morning) == (
        DispatchSummary(),
        DispatchSummary(sent=1),
        DispatchSummary(sent=1),
    )
    first, second = _messages(webhook_receiver)
    assert first["title"] == "[analysts] 2 stories (digest)"
    body = first["message"]
    assert body.startswith("== shahed ==\n\n* Drones hit the Alabuga plant\n  Source: Reuters (en)")
    assert "Also reported by 3 more sources (en, fr, ru): Le Monde, Meduza, AP" in body
    assert "* North Korean shells cross by rail" in body
    assert "Des drones frappent" not in body, "one entry per story"
    assert "* Alabuga: damage assessed (alerted earlier)" in second["message"]
    assert "Also reported by 2 more sources (fr): Kyiv Independent, Le Figaro" in second["message"]


def test_without_a_policy_later_reports_of_a_story_stay_in_the_hit_log(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    room = Newsroom(database, _channel())
    room.report("Drones hit the Alabuga plant", EVENING, story=1)
    room.report("Drones strike Alabuga plant overnight", EVENING, source="AP", story=1)
    assert _dispatch(database, webhook_receiver, EVENING) == DispatchSummary(sent=1)
    assert _items(database) == []


def test_a_channel_down_gets_its_digest_later_behind_its_earlier_alerts(database: Database) -> None:
    down = WebhookReceiver().start()
    port = down.port
    down.stop()
    room = Newsroom(database, _channel(quiet_hours=PARIS_QUIET))
    room.report("Before the night", EVENING - timedelta(hours=2))  # 21:00 in Paris
    room.report("In the night", EVENING)
    for hour in range(9):  # the channel stays down all night and past the end of the quiet hours
        dispatch_pending(
            database,
            {"analysts": [f"json://127.0.0.1:{port}/"]},
            SETTINGS,
            now=EVENING + timedelta(hours=hour),
        )
    with WebhookReceiver(port=port) as back:
        assert _dispatch(database, back, MORNING + timedelta(hours=2)) == DispatchSummary(sent=2)
        titles = [message["title"] for message in _messages(back)]
    assert titles == ["[shahed] Before the night", "[analysts] 1 story (held during quiet hours)"]


def test_workers_writing_digests_at_once_put_each_alert_in_one_digest(database: Database) -> None:
    room = Newsroom(database, _channel(mode="digest", every="1h"))
    for n in range(450):
        room.report(f"Report {n}", EVENING)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker() -> None:
        start.wait()
        try:
            write_due_digests(database, EVENING + timedelta(hours=1))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    items = _items(database)
    with database.session() as session:
        digests = list(session.exec(select(Delivery).where(Delivery.digest == "digest")))
    assert errors == []
    assert len(items) == 450 and all(item.delivery_id is not None for item in items)
    sizes = [sum(item.delivery_id == digest.id for item in items) for digest in digests]
    assert sorted(sizes, reverse=True)[:2] == [200, 200] and sum(sizes) == 450 and min(sizes) > 0


def test_workers_recording_at_once_never_exceed_max_per_hour(database: Database) -> None:
    room = Newsroom(database, _channel(max_per_hour=3))
    moment = datetime(2026, 6, 1, 10, 30, tzinfo=UTC)
    with database.session() as session:
        add_source(session, "meduza")
        session.commit()
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        start.wait()
        try:
            room.report(f"Report {n}", moment)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    with database.session() as session:
        sent_at_once = len(list(session.exec(select(Delivery))))
    assert (errors, sent_at_once, len(_items(database))) == ([], 3, 5)
