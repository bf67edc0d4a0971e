"""A channel that is down gets every alert once it is back, oldest first, however long it was down; a
process killed mid-send leaves its alerts to another process within a short lease, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import select

from monitor.alerts import dispatch_pending
from monitor.alerts.dispatcher import DispatchSummary
from monitor.settings import DeliverySettings
from monitor.storage import Database, Delivery, record_hits
from tests.storage.builders import NOW, Match, add_article, add_source
from tests.support.webhook_receiver import WebhookReceiver

SETTINGS = DeliverySettings.model_validate({"retry_base": "30s", "retry_max": "5m", "timeout": 5})


def _hits(database: Database, first: int, count: int, at: datetime = NOW) -> None:
    """Stories `first`…`first + count - 1`, each matched by rule `shahed` and routed to `analysts`."""
    with database.session() as session:
        source = add_source(session, "meduza")
        for n in range(first, first + count):
            article = add_article(session, source, f"g{n}", f"Story {n}")
            record_hits(session, article, [Match("shahed")], lambda _rule: ["analysts"], now=at)
        session.commit()


def _titles(receiver: WebhookReceiver) -> list[str]:
    return [request.json["title"].removeprefix("[shahed] ") for request in receiver.requests]


def _deliveries(database: Database) -> list[Delivery]:
    with database.session() as session:
        return list(session.exec(select(Delivery).order_by(Delivery.id)).all())


def test_alerts_wait_for_a_channel_down_all_night_and_go_out_oldest_first(database: Database) -> None:
    down = WebhookReceiver().start()
    port, channels = down.port, {"analysts": [down.apprise_url()]}
    down.stop()
    _hits(database, 0, 3)
    night = [
        dispatch_pending(database, channels, SETTINGS, now=NOW + k * SETTINGS.retry_max) for k in range(12)
    ]
    _hits(database, 3, 2, at=NOW + 12 * SETTINGS.retry_max)  # new alerts while the channel is still down
    with WebhookReceiver(port=port) as back:
        morning = dispatch_pending(database, channels, SETTINGS, now=NOW + timedelta(hours=12))
        back.wait_for(5)
        assert _titles(back) == [f"Story {n}" for n in range(5)]
    assert night == [DispatchSummary(retried=1)] * 12  # only the oldest is tried while the channel is down
    assert morning == DispatchSummary(sent=5)
    deliveries = _deliveries(database)
    assert [(d.status, d.attempts) for d in deliveries] == [("sent", 13)] + [("sent", 1)] * 4


def test_a_later_alert_never_overtakes_an_earlier_pending_one(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    channels = {"analysts": [webhook_receiver.apprise_url()]}
    _hits(database, 0, 1)
    webhook_receiver.fail_next(1, status=503)
    first = dispatch_pending(database, channels, SETTINGS, now=NOW)
    _hits(database, 1, 2, at=NOW + timedelta(seconds=1))
    while_waiting = dispatch_pending(database, channels, SETTINGS, now=NOW + timedelta(seconds=2))
    after = dispatch_pending(database, channels, SETTINGS, now=NOW + SETTINGS.retry_max)
    webhook_receiver.wait_for(3)
    assert (first, while_waiting, after) == (
        DispatchSummary(retried=1),
        DispatchSummary(),
        DispatchSummary(sent=3),
    )
    assert _titles(webhook_receiver) == ["Story 0", "Story 0", "Story 1", "Story 2"]  # the 503, then in order


def test_a_set_attempt_limit_still_fails_a_delivery_for_good(database: Database) -> None:
    limited = SETTINGS.model_copy(update={"max_attempts": 2})
    channels = {"analysts": ["json://127.0.0.1:1/hook"]}  # nothing listens on port 1
    _hits(database, 0, 1)
    summaries = [
        dispatch_pending(database, channels, limited, now=NOW + k * SETTINGS.retry_max) for k in range(3)
    ]
    assert summaries == [DispatchSummary(retried=1), DispatchSummary(failed=1), DispatchSummary()]


_SEND_IN_A_CHILD = """
import sys
from datetime import datetime
from monitor.alerts import dispatch_pending
from monitor.settings import DeliverySettings
from monitor.storage import open_database
settings = DeliverySettings.model_validate({"timeout": 120})
dispatch_pending(open_database(sys.argv[1]), {"analysts": [sys.argv[2]]}, settings,
                 now=datetime.fromisoformat(sys.argv[3]))
"""


def test_a_killed_senders_alerts_are_sent_by_another_process_within_the_claim_lease(
    database: Database, database_url: str, webhook_receiver: WebhookReceiver
) -> None:
    _hits(database, 0, 4)
    url = webhook_receiver.apprise_url()
    webhook_receiver.hold(300)
    child = subprocess.Popen([sys.executable, "-c", _SEND_IN_A_CHILD, database_url, url, NOW.isoformat()])
    try:
        webhook_receiver.wait_for_requests(1, timeout=120)  # the child is mid-send
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    webhook_receiver.release()
    settings = DeliverySettings.model_validate({"timeout": 5})
    during_lease = dispatch_pending(database, {"analysts": [url]}, settings, now=NOW + timedelta(seconds=5))
    after_lease = dispatch_pending(database, {"analysts": [url]}, settings, now=NOW + timedelta(minutes=2))
    assert during_lease == DispatchSummary()
    assert after_lease == DispatchSummary(sent=4)
    # Story 0 reached the receiver but was not recorded as sent: it alone is sent twice.
    assert _titles(webhook_receiver) == ["Story 0", "Story 0", "Story 1", "Story 2", "Story 3"]
    assert [d.status for d in _deliveries(database)] == ["sent"] * 4


def test_a_send_longer_than_the_claim_lease_keeps_its_claim(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    _hits(database, 0, 2)
    channels = {"analysts": [webhook_receiver.apprise_url()]}
    settings = DeliverySettings.model_validate({"timeout": 60, "claim_lease": 1.5})
    webhook_receiver.hold(10)  # each send takes 10 s, several leases
    sender = threading.Thread(target=dispatch_pending, args=(database, channels, settings))
    sender.start()
    webhook_receiver.wait_for_requests(1, timeout=60)
    first_lease_end = _deliveries(database)[0].next_attempt_at
    assert first_lease_end is not None
    _wait_until(lambda: _lease_end(database) >= first_lease_end + settings.claim_lease)  # first one expired
    meanwhile = dispatch_pending(database, channels, settings)
    sender.join(timeout=120)
    assert meanwhile == DispatchSummary()
    assert _titles(webhook_receiver) == ["Story 0", "Story 1"]


def _lease_end(database: Database) -> datetime:
    end = _deliveries(database)[0].next_attempt_at
    assert end is not None
    return end


def _wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait for `condition`, looking every 0.1 s; AssertionError after `timeout` s."""
    done = threading.Event()
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        done.wait(0.1)
