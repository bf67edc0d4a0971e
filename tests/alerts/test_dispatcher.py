"""dispatch_pending delivers the outbox through Apprise to real local receivers, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

import pytest
from sqlmodel import select

from monitor.alerts import dispatch_pending
from monitor.alerts.dispatcher import DispatchSummary
from monitor.settings import DeliverySettings
from monitor.storage import Database, Delivery, delivery_counts, record_hits
from tests.storage.builders import NOW, Match, add_article, add_source
from tests.support.smtp_server import SmtpServer
from tests.support.webhook_receiver import WebhookReceiver

TOKEN = "a1b2c3d4e5f6g7h8"
SETTINGS = DeliverySettings.model_validate(
    {"max_attempts": 3, "retry_base": "30s", "retry_max": "10m", "timeout": 5}
)


def _hit_for(database: Database, *channels: str, title: str = "Alabuga doubles Shahed output") -> None:
    """One article matched by rule `shahed`, routed to `channels`."""
    with database.session() as session:
        article = add_article(session, add_source(session, "meduza"), "g1", title)
        record_hits(session, article, [Match("shahed")], lambda _rule: list(channels), now=NOW)
        session.commit()


def _deliveries(database: Database) -> list[Delivery]:
    with database.session() as session:
        return list(session.exec(select(Delivery).order_by(Delivery.channel)).all())


def _dispatch(
    database: Database, channels: dict[str, list[str]], at: timedelta = timedelta()
) -> DispatchSummary:
    return dispatch_pending(database, channels, SETTINGS, now=NOW + at, rng=random.Random(1))


def test_an_alert_is_sent_once_and_never_again(database: Database, webhook_receiver: WebhookReceiver) -> None:
    _hit_for(database, "analysts")
    channels = {"analysts": [webhook_receiver.apprise_url(f"/hooks/{TOKEN}")]}
    first = _dispatch(database, channels)
    (alert,) = webhook_receiver.wait_for(1)
    second = _dispatch(database, channels, timedelta(days=1))
    assert (first, second) == (DispatchSummary(sent=1), DispatchSummary())
    assert alert.path == f"/hooks/{TOKEN}"
    assert alert.json["title"] == "[shahed] Alabuga doubles Shahed output"
    assert "Source: meduza" in alert.json["message"]
    (delivery,) = _deliveries(database)
    assert (delivery.status, delivery.attempts, delivery.sent_at, delivery.last_error) == (
        "sent",
        1,
        NOW,
        None,
    )
    assert len(webhook_receiver.requests) == 1


def test_a_receiver_failing_once_gets_the_alert_on_the_retry(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    _hit_for(database, "analysts")
    channels = {"analysts": [webhook_receiver.apprise_url()]}
    webhook_receiver.fail_next(1)
    summaries = [
        _dispatch(database, channels),
        _dispatch(database, channels, timedelta(seconds=1)),  # not due yet: backoff of 15-30 s
        _dispatch(database, channels, timedelta(seconds=30)),
    ]
    assert summaries == [DispatchSummary(retried=1), DispatchSummary(), DispatchSummary(sent=1)]
    assert len(webhook_receiver.wait_for(1)) == 1
    (delivery,) = _deliveries(database)
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def test_after_max_attempts_the_delivery_fails_visibly_with_the_url_masked(
    database: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _hit_for(database, "analysts")
    channels = {"analysts": [f"json://127.0.0.1:1/hooks/{TOKEN}"]}  # nothing listens on port 1
    summaries = [_dispatch(database, channels, SETTINGS.retry_max * n) for n in range(4)]
    assert summaries == [DispatchSummary(retried=1)] * 2 + [DispatchSummary(failed=1), DispatchSummary()]
    (delivery,) = _deliveries(database)
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.last_error and "Connection error" in delivery.last_error
    assert TOKEN not in caplog.text and TOKEN not in delivery.last_error
    assert "json://127.0.0.1:1/hooks/a...8" in caplog.text or "****" in caplog.text


def test_a_receiver_answering_500_is_recorded_with_apprise_reason(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    _hit_for(database, "analysts")
    webhook_receiver.fail_next(1, status=503)
    _dispatch(database, {"analysts": [webhook_receiver.apprise_url()]})
    (delivery,) = _deliveries(database)
    assert delivery.status == "pending" and delivery.last_error is not None
    assert delivery.last_error.startswith("attempt 1: ") and "503" in delivery.last_error


def test_a_channel_removed_from_config_fails_its_deliveries_with_a_clear_error(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    _hit_for(database, "analysts", "retired")
    summary = _dispatch(database, {"analysts": [webhook_receiver.apprise_url()]})
    analysts, retired = _deliveries(database)
    assert summary == DispatchSummary(sent=1, failed=1)
    assert (analysts.status, retired.status) == ("sent", "failed")
    assert retired.last_error == "channel 'retired' is no longer configured"


def test_a_channel_without_a_usable_url_fails_without_showing_it(database: Database) -> None:
    _hit_for(database, "broken")
    summary = _dispatch(database, {"broken": [f"nosuchservice://{TOKEN}"]})
    (delivery,) = _deliveries(database)
    assert summary == DispatchSummary(failed=1)
    assert delivery.last_error == "no usable Apprise URL in channel 'broken': nosuchservice://***"


def test_one_failing_channel_does_not_hold_back_another(
    database: Database, webhook_receiver: WebhookReceiver
) -> None:
    _hit_for(database, "analysts", "ops")
    channels = {"analysts": [webhook_receiver.apprise_url()], "ops": ["json://127.0.0.1:1/ops"]}
    summary = _dispatch(database, channels)
    assert summary == DispatchSummary(sent=1, retried=1)
    with database.session() as session:
        assert delivery_counts(session) == {"pending": 1, "sent": 1, "failed": 0}


def test_mailto_delivers_a_plain_text_mail(database: Database, smtp_server: SmtpServer) -> None:
    _hit_for(database, "mail", title="<b>Shahed</b> plant & Alabuga")
    summary = _dispatch(database, {"mail": [smtp_server.apprise_url(to="analyst@example.org")]})
    (mail,) = smtp_server.wait_for(1)
    assert summary == DispatchSummary(sent=1)
    assert mail.recipients == ("analyst@example.org",)
    assert mail.message["Subject"] == "[shahed] <b>Shahed</b> plant & Alabuga"
    assert mail.message.get_content_type() == "text/plain"
    assert "Link: (none)" in mail.text and "Rule: shahed — matched: " in mail.text
