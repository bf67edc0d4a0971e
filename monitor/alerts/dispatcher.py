"""Send the outbox: claim due deliveries, notify through Apprise, record each outcome.

Each delivery goes claim → send → record, in short transactions: the claim (a lease, see
`monitor.storage.deliveries`) is committed before sending, and `sent` is recorded only after Apprise
accepted the alert. A crash between the two sends that alert again once the lease expires: at-least-once,
a rare duplicate rather than a lost alert. A channel with several URLs is one delivery, so a retry after a
partial failure repeats the alert on the URLs that had accepted it.

Apprise never raises into the caller, and no URL is logged or stored in clear: Apprise's own log records
are scrubbed while sending, and the recorded error is its captured warning with the channel's URLs masked.

Alerts are plain text. Apprise escapes the body for services that render HTML or Markdown, but not a
title the service shows apart from the body (`json://…?format=html`): such services get the title escaped
here, with Apprise's own converter, so that an article's `<script>` never reaches them as markup.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import apprise
from apprise.conversion import convert_between

from monitor import clock
from monitor.alerts.backoff import retry_delay
from monitor.alerts.messages import AlertMessage, format_alert, without_mentions
from monitor.alerts.redaction import mask_url, redact, redacted_logs
from monitor.settings import DeliverySettings
from monitor.storage.database import Database
from monitor.storage.deliveries import ClaimedDelivery, claim_due_deliveries, mark_attempt_failed, mark_sent

log = logging.getLogger(__name__)

BATCH_SIZE = 10
MAX_PER_RUN = 500


@dataclass(frozen=True)
class DispatchSummary:
    """What one dispatch run did: alerts sent, deliveries failed for good, deliveries to retry later."""

    sent: int = 0
    failed: int = 0
    retried: int = 0

    def __add__(self, other: DispatchSummary) -> DispatchSummary:
        return DispatchSummary(
            self.sent + other.sent, self.failed + other.failed, self.retried + other.retried
        )


@dataclass(frozen=True)
class _Outcome:
    """The result of one attempt: no error means sent; `permanent` errors are not retried."""

    error: str | None = None
    permanent: bool = False


def dispatch_pending(
    database: Database,
    channels: Mapping[str, Sequence[str]],
    settings: DeliverySettings,
    *,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> DispatchSummary:
    """Send every delivery due at `now` (default: the current time) to its channel's Apprise URLs."""
    now = now or clock.now()
    lease = timedelta(seconds=BATCH_SIZE * settings.timeout * 2) + timedelta(minutes=1)
    secrets = [url for urls in channels.values() for url in urls]
    notifiers = _Notifiers(channels, settings.timeout)
    summary = DispatchSummary()
    with redacted_logs(secrets):
        while summary.sent + summary.failed + summary.retried < MAX_PER_RUN:
            with database.session() as session:
                claimed = claim_due_deliveries(session, now=now, limit=BATCH_SIZE, lease=lease)
                session.commit()
            if not claimed:
                break
            for delivery in claimed:
                outcome = notifiers.send(delivery, secrets)
                summary += _record(database, delivery, outcome, settings, now, rng)
    return summary


def message_for(delivery: ClaimedDelivery) -> AlertMessage:
    """The alert of a hit, or the text of a notice about monitor itself."""
    if delivery.hit is not None:
        return format_alert(delivery.hit, delivery.rules)
    assert delivery.notice is not None, "a delivery announces a hit or a notice"
    return AlertMessage(
        title=without_mentions(delivery.notice.title), body=without_mentions(delivery.notice.body)
    )


class _Notifiers:
    """Apprise objects per configured channel, one for each way its services want a title (built on first
    use, with the delivery timeout applied)."""

    def __init__(self, channels: Mapping[str, Sequence[str]], timeout: float) -> None:
        self._channels = channels
        self._timeout = timeout
        self._built: dict[str, tuple[dict[str, apprise.Apprise], list[str]]] = {}

    def send(self, delivery: ClaimedDelivery, secrets: Sequence[str]) -> _Outcome:
        """Notify the delivery's channel; never raises."""
        if delivery.channel not in self._channels:
            return _Outcome(f"channel {delivery.channel!r} is no longer configured", permanent=True)
        notifiers, rejected = self._build(delivery.channel)
        if not notifiers:
            error = f"no usable Apprise URL in channel {delivery.channel!r}: {', '.join(rejected)}"
            return _Outcome(error, permanent=True)
        message = message_for(delivery)
        reasons = []
        for title_format, notifier in notifiers.items():
            accepted, reason = _notify(notifier, _titled(message, title_format))
            if not accepted:
                reasons.append(reason)
        return _Outcome() if not reasons else _Outcome(redact(reasons[-1], secrets))

    def _build(self, channel: str) -> tuple[dict[str, apprise.Apprise], list[str]]:
        if channel not in self._built:
            notifiers: dict[str, apprise.Apprise] = {}
            rejected = []
            for url in self._channels[channel]:
                plugin = apprise.Apprise.instantiate(url)
                if plugin is None:
                    rejected.append(mask_url(url))
                    continue
                plugin.socket_connect_timeout = plugin.socket_read_timeout = self._timeout
                notifiers.setdefault(_title_format(plugin), apprise.Apprise()).add(plugin)
            self._built[channel] = (notifiers, rejected)
        return self._built[channel]


_TEXT = apprise.NotifyFormat.TEXT.value
_ESCAPED_TITLES = frozenset({apprise.NotifyFormat.HTML.value, apprise.NotifyFormat.MARKDOWN.value})


def _title_format(plugin: Any) -> str:
    """The format a service shows its title in: its own format when it shows the title apart from the body
    (Apprise converts a title it blends into the body), else plain text."""
    if plugin.title_maxlen <= 0:
        return _TEXT
    resolve = getattr(plugin, "resolve_format", None)  # Apprise 2: services with several formats
    shown = resolve(apprise.NotifyFormat.TEXT) if resolve is not None else plugin.notify_format
    return str(getattr(shown, "value", shown))


def _titled(message: AlertMessage, title_format: str) -> AlertMessage:
    """The message with its plain-text title escaped for a service that renders titles as HTML/Markdown."""
    if title_format not in _ESCAPED_TITLES:
        return message
    title = convert_between(_TEXT, title_format, message.title)
    if title_format == apprise.NotifyFormat.MARKDOWN.value:
        title = title.replace("<", "\\<")  # Apprise leaves `<` alone; escaped, no tag can open
    return replace(message, title=title)


def _record(
    database: Database,
    delivery: ClaimedDelivery,
    outcome: _Outcome,
    settings: DeliverySettings,
    now: datetime,
    rng: random.Random | None,
) -> DispatchSummary:
    """Store the outcome of one attempt in its own short transaction."""
    attempts = delivery.attempts + 1
    with database.session() as session:
        if outcome.error is None:
            mark_sent(session, delivery.id, now=now)
            result = DispatchSummary(sent=1)
            log.info("alert %d sent to channel %s", delivery.id, delivery.channel)
        elif outcome.permanent or attempts >= settings.max_attempts:
            mark_attempt_failed(session, delivery.id, outcome.error, None)
            result = DispatchSummary(failed=1)
            log.warning(
                "alert %d to channel %s failed for good: %s", delivery.id, delivery.channel, outcome.error
            )
        else:
            retry_at = now + retry_delay(attempts, settings, rng)
            mark_attempt_failed(session, delivery.id, f"attempt {attempts}: {outcome.error}", retry_at)
            result = DispatchSummary(retried=1)
            log.info(
                "alert %d to channel %s will be retried: %s", delivery.id, delivery.channel, outcome.error
            )
        session.commit()
    return result


def _notify(notifier: apprise.Apprise, message: AlertMessage) -> tuple[bool, str]:
    """Send one alert as plain text; whether it was accepted and, if not, the reason Apprise logged."""
    with apprise.LogCapture(level=logging.WARNING) as captured:
        try:
            result = notifier.notify(
                body=message.body, title=message.title, body_format=apprise.NotifyFormat.TEXT
            )
            accepted = bool(result)
        except Exception as exc:  # Apprise must never break the dispatcher
            accepted = False
            captured.write(f"Apprise raised {exc.__class__.__name__}: {exc}\n")
        return accepted, _last_reason(captured.getvalue())


def _last_reason(captured: str) -> str:
    """The last warning Apprise logged, without its timestamp prefix, or a generic reason."""
    lines = [line.split(" - ", 2)[-1].strip() for line in captured.splitlines() if line.strip()]
    return lines[-1] if lines else "the notification service did not accept the alert"


class Dispatcher:
    """`dispatch_pending` bound to one database, channel set and settings (what `monitor run` schedules)."""

    def __init__(
        self, database: Database, channels: Mapping[str, Sequence[str]], settings: DeliverySettings
    ) -> None:
        self.database, self.channels, self.settings = database, channels, settings

    def dispatch(self, *, now: datetime | None = None) -> DispatchSummary:
        """Send what is due now; see `dispatch_pending`."""
        return dispatch_pending(self.database, self.channels, self.settings, now=now)


def send_test_alert(channel: str, urls: Sequence[str], timeout: float) -> str | None:
    """Send a test alert to a channel now, outside the outbox: None when it was accepted, else why not
    (free of the channel's secrets)."""
    notifiers, rejected = _Notifiers({channel: urls}, timeout)._build(channel)
    if not notifiers:
        return f"no usable Apprise URL in channel {channel!r}: {', '.join(rejected)}"
    message = AlertMessage(
        title="monitor: test alert", body=f"A test alert to channel {channel}, sent from the desk."
    )
    reasons = []
    with redacted_logs(urls):
        for title_format, notifier in notifiers.items():
            accepted, reason = _notify(notifier, _titled(message, title_format))
            if not accepted:
                reasons.append(reason)
    return redact(reasons[-1], urls) if reasons else None
