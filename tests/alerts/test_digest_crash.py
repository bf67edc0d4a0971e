"""A process killed while it writes or sends a digest loses no held alert, on SQLite and PostgreSQL: killed
before the digest is committed, the alerts stay held for the next run; killed after, the digest is an outbox
row another process sends; killed mid-send, only that digest (sent, not yet recorded) is sent twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlmodel import select

from monitor.alerts import dispatch_pending
from monitor.alerts.dispatcher import DispatchSummary
from monitor.settings import DeliverySettings
from monitor.storage import Database, Delivery
from monitor.storage.digests import held_count
from tests.alerts.test_digests import EVENING, MORNING, PARIS_QUIET, Newsroom, _channel, _items, _messages
from tests.support.webhook_receiver import WebhookReceiver

SETTINGS = DeliverySettings.model_validate({"timeout": 5})
TITLES = [f"Night report {n}" for n in range(5)]

_CHILD = """
import os, sys
from datetime import datetime
from monitor.alerts import dispatch_pending
from monitor.alerts.dispatcher import write_due_digests
from monitor.settings import DeliverySettings
from monitor.storage import open_database
from monitor.storage.digests import make_digest
database, url, step = open_database(sys.argv[1]), sys.argv[2], sys.argv[4]
now = datetime.fromisoformat(sys.argv[3])
if step == "written, not committed":
    with database.session() as session:
        make_digest(session, "analysts", now)
        session.flush()
        os._exit(1)
if step == "committed, not sent":
    write_due_digests(database, now)
    os._exit(1)
dispatch_pending(database, {"analysts": [url]}, DeliverySettings.model_validate({"timeout": 120}), now=now)
"""


def _held_night(database: Database) -> None:
    room = Newsroom(database, _channel(quiet_hours=PARIS_QUIET))
    for n, title in enumerate(TITLES):
        room.report(title, EVENING + timedelta(minutes=30 * n))


def _digests(database: Database) -> list[Delivery]:
    with database.session() as session:
        return list(session.exec(select(Delivery).where(Delivery.digest.is_not(None))))  # type: ignore[union-attr]


def _child(database_url: str, url: str, step: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", _CHILD, database_url, url, MORNING.isoformat(), step])


@pytest.mark.parametrize("step", ["written, not committed", "committed, not sent"])
def test_a_process_killed_around_writing_a_digest_loses_nothing(
    database: Database, database_url: str, webhook_receiver: WebhookReceiver, step: str
) -> None:
    _held_night(database)
    url = webhook_receiver.apprise_url()
    assert _child(database_url, url, step).wait(timeout=120) == 1
    with database.session() as session:
        still_held = held_count(session, "analysts")
    after = dispatch_pending(database, {"analysts": [url]}, SETTINGS, now=MORNING + timedelta(seconds=1))

    assert still_held == (5 if step == "written, not committed" else 0)
    assert after == DispatchSummary(sent=1)
    (message,) = _messages(webhook_receiver)
    assert all(f"* {title}" in message["message"] for title in TITLES)
    (digest,) = _digests(database)
    assert digest.status == "sent" and {item.delivery_id for item in _items(database)} == {digest.id}


def test_a_process_killed_while_sending_a_digest_leaves_it_to_another_within_the_lease(
    database: Database, database_url: str, webhook_receiver: WebhookReceiver
) -> None:
    _held_night(database)
    url = webhook_receiver.apprise_url()
    webhook_receiver.hold(300)
    child = _child(database_url, url, "send")
    try:
        webhook_receiver.wait_for_requests(1, timeout=120)  # the child is mid-send
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    webhook_receiver.release()
    during_lease = dispatch_pending(
        database, {"analysts": [url]}, SETTINGS, now=MORNING + timedelta(seconds=5)
    )
    after_lease = dispatch_pending(
        database, {"analysts": [url]}, SETTINGS, now=MORNING + timedelta(minutes=2)
    )

    assert (during_lease, after_lease) == (DispatchSummary(), DispatchSummary(sent=1))
    first, second = _messages(webhook_receiver)
    assert first == second, "the digest that reached the receiver unrecorded is sent again, the same"
    assert all(f"* {title}" in second["message"] for title in TITLES)
    (digest,) = _digests(database)
    assert digest.status == "sent" and {item.delivery_id for item in _items(database)} == {digest.id}
