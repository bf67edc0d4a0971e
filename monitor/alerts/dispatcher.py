"""Send the outbox: claim due deliveries, notify through Apprise, record each outcome.

Each delivery goes claim → send → record, in short transactions: the claim (a short lease, see
`monitor.storage.deliveries`) is committed before sending and renewed by a background thread while sending,
and `sent` is recorded only after Apprise accepted the alert. A process killed between the two leaves its
lease to expire within `delivery.claim_lease` and the alert is sent again: at-least-once, a rare duplicate
rather than a lost alert. A channel with several URLs is one delivery, so a retry after a partial failure
repeats the alert on the URLs that had accepted it.

A channel's alerts go out oldest first: when one fails, the rest of its queue is given back unattempted and
waits behind it. A channel that is down is retried with a capped backoff for as long as it takes (unless
`delivery.max_attempts` sets a limit), each attempt logged with how long the alert has waited.

Apprise never raises into the caller, and no URL is logged or stored in clear: Apprise's own log records
are scrubbed while sending, and the recorded error is its captured warning with the channel's URLs masked.

An alert's body is in its channel's format (`text`, `markdown` or `html`, see `monitor.alerts.rendering`),
given to Apprise as such so that it converts it for each service. Titles are plain text: a service that
shows the title apart from the body in HTML or Markdown (`json://…?format=html`), or one that blends it
into a Markdown or HTML body, gets it escaped here with Apprise's own converter, so that an article's
`<script>` never reaches it as markup. Notices about monitor itself are plain text.

Held alerts (a channel's digest, quiet hours, `max_per_hour`: see `monitor.alerts.policy`) become digests
here first: each digest is written to the outbox with the alerts it lists in one transaction
(`monitor.storage.digests`), then sent like any alert, in its channel's order, written in the channel's
format and templates like alerts (`monitor.alerts.digest_context`).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import apprise
from apprise.conversion import convert_between

from monitor import clock
from monitor.alerts.backoff import retry_delay
from monitor.alerts.digest import build_digest
from monitor.alerts.digest_context import format_digest
from monitor.alerts.messages import PLAIN, AlertMessage, format_alert, sample_alert, without_mentions
from monitor.alerts.redaction import mask_url, redact, redacted_logs
from monitor.alerts.rendering import escaped_for
from monitor.alerts.styles import MessageStyle
from monitor.durations import describe_duration
from monitor.settings import DeliverySettings
from monitor.storage.database import Database
from monitor.storage.deliveries import (
    ClaimedDelivery,
    claim_due_deliveries,
    mark_attempt_failed,
    mark_sent,
    release_claims,
    renew_claims,
)
from monitor.storage.digests import channels_with_due_items, make_digest

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
    styles: Mapping[str, MessageStyle] | None = None,
) -> DispatchSummary:
    """Send every delivery due at `now` (default: the current time) to its channel's Apprise URLs, each
    channel's oldest first, written in the channel's style (`styles`; plain text by default)."""
    now = now or clock.now()
    secrets = [url for urls in channels.values() for url in urls]
    notifiers = _Notifiers(channels, settings.timeout, styles or {})
    summary = DispatchSummary()
    write_due_digests(database, now)
    with redacted_logs(secrets):
        while summary.sent + summary.failed + summary.retried < MAX_PER_RUN:
            with database.session() as session:
                claimed = claim_due_deliveries(session, now=now, limit=BATCH_SIZE, lease=settings.claim_lease)
                session.commit()
            if not claimed:
                break
            with _renewed(database, claimed, now, settings.claim_lease) as keeper:
                summary += _send_claimed(database, claimed, keeper, notifiers, secrets, settings, now, rng)
    return summary


def write_due_digests(database: Database, now: datetime) -> int:
    """Turn the held alerts due at `now` into digest deliveries, one transaction per digest; how many."""
    written = 0
    with database.read_session() as session:
        channels = channels_with_due_items(session, now)
    for channel in channels:
        while True:
            with database.session() as session:
                delivery = make_digest(session, channel, now)
                session.commit()
            if delivery is None:
                break
            written += 1
            log.info("digest %d written for channel %s", delivery, channel)
    return written


def _send_claimed(
    database: Database,
    claimed: Sequence[ClaimedDelivery],
    keeper: _LeaseKeeper,
    notifiers: _Notifiers,
    secrets: Sequence[str],
    settings: DeliverySettings,
    now: datetime,
    rng: random.Random | None,
) -> DispatchSummary:
    """Send the claimed queues in order; a channel's first failure gives the rest of its queue back."""
    summary = DispatchSummary()
    held_back: dict[str, datetime] = {}
    for delivery in claimed:
        if delivery.channel in held_back:
            keeper.release(delivery.id)
            with database.session() as session:
                release_claims(session, [delivery.id], next_attempt_at=held_back[delivery.channel])
                session.commit()
            continue
        outcome = notifiers.send(delivery, secrets)
        keeper.release(delivery.id)
        result, retry_at = _record(database, delivery, outcome, settings, now, rng)
        summary += result
        if outcome.error is not None:
            held_back[delivery.channel] = retry_at or now
    return summary


class _LeaseKeeper:
    """Renews the claim of the deliveries not yet recorded, every third of the lease, until closed.

    `release` returns only once no renewal of that delivery is under way, so that the outcome recorded
    next is never overwritten by a renewal."""

    def __init__(self, database: Database, ids: Sequence[int], now: datetime, lease: timedelta) -> None:
        self._database, self._now, self._lease = database, now, lease
        self._ids = set(ids)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, name="delivery-lease", daemon=True)

    def release(self, delivery_id: int) -> None:
        with self._lock:
            self._ids.discard(delivery_id)

    def _run(self) -> None:
        while not self._stop.wait(self._lease.total_seconds() / 3):
            with self._lock:
                elapsed = timedelta(seconds=time.monotonic() - self._started)
                try:
                    with self._database.session() as session:
                        renew_claims(session, self._ids, until=self._now + elapsed + self._lease)
                        session.commit()
                except Exception as exc:  # the lease then expires and another process sends them
                    log.warning("could not renew the claim of alerts being sent: %s", exc)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def _renewed(
    database: Database, claimed: Sequence[ClaimedDelivery], now: datetime, lease: timedelta
) -> Iterator[_LeaseKeeper]:
    """A running `_LeaseKeeper` for the claimed deliveries, stopped on exit."""
    keeper = _LeaseKeeper(database, [delivery.id for delivery in claimed], now, lease)
    keeper.start()
    try:
        yield keeper
    finally:
        keeper.close()


def message_for(delivery: ClaimedDelivery, style: MessageStyle = PLAIN) -> AlertMessage:
    """The alert of a hit or the digest of held alerts in the channel's style, or the text of a notice about
    monitor itself."""
    if delivery.digest is not None:
        digest = build_digest(delivery.channel, delivery.digest, delivery.created_at, delivery.held)
        return format_digest(digest, style)
    if delivery.hit is not None:
        return format_alert(delivery.hit, delivery.rules, style, story=delivery.story)
    assert delivery.notice is not None, "a delivery announces a hit or a notice"
    return AlertMessage(
        title=without_mentions(delivery.notice.title), body=without_mentions(delivery.notice.body)
    )


class _Notifiers:
    """Apprise objects per configured channel and body format, one for each way its services want a title
    (built on first use, with the delivery timeout applied)."""

    def __init__(
        self,
        channels: Mapping[str, Sequence[str]],
        timeout: float,
        styles: Mapping[str, MessageStyle] | None = None,
    ) -> None:
        self._channels = channels
        self._timeout = timeout
        self._styles = styles or {}
        self._built: dict[tuple[str, str], tuple[dict[_Way, apprise.Apprise], list[str]]] = {}

    def send(self, delivery: ClaimedDelivery, secrets: Sequence[str]) -> _Outcome:
        """Notify the delivery's channel; never raises."""
        if delivery.channel not in self._channels:
            return _Outcome(f"channel {delivery.channel!r} is no longer configured", permanent=True)
        try:
            message = message_for(delivery, self._styles.get(delivery.channel, PLAIN))
        except Exception as exc:  # a default template failing is a bug of monitor: say so, retry later
            log.exception("could not write alert %d for channel %s", delivery.id, delivery.channel)
            return _Outcome(f"could not write the alert: {exc.__class__.__name__}")
        notifiers, rejected = self._build(delivery.channel, message.format)
        if not notifiers:
            error = f"no usable Apprise URL in channel {delivery.channel!r}: {', '.join(rejected)}"
            return _Outcome(error, permanent=True)
        reasons = []
        for way, notifier in notifiers.items():
            accepted, reason = _notify(notifier, _prepared(message, way))
            if not accepted:
                reasons.append(reason)
        return _Outcome() if not reasons else _Outcome(redact(reasons[-1], secrets))

    def _build(
        self, channel: str, body_format: str = "text"
    ) -> tuple[dict[_Way, apprise.Apprise], list[str]]:
        if (channel, body_format) not in self._built:
            notifiers: dict[_Way, apprise.Apprise] = {}
            rejected = []
            for url in self._channels[channel]:
                plugin = apprise.Apprise.instantiate(url)
                if plugin is None:
                    rejected.append(mask_url(url))
                    continue
                plugin.socket_connect_timeout = plugin.socket_read_timeout = self._timeout
                notifiers.setdefault(_way(plugin, body_format), apprise.Apprise()).add(plugin)
            self._built[(channel, body_format)] = (notifiers, rejected)
        return self._built[(channel, body_format)]


_TEXT = apprise.NotifyFormat.TEXT.value
_MARKDOWN = apprise.NotifyFormat.MARKDOWN.value
_ESCAPED_TITLES = frozenset({apprise.NotifyFormat.HTML.value, _MARKDOWN})
_Way = tuple[str, str]
"""How a service gets a message: (the body's format as given to Apprise, the format of the title)."""


def _way(plugin: Any, body_format: str = _TEXT) -> _Way:
    """How to give a service a message whose body is in `body_format`. A plain-text body for a Markdown
    service is escaped here (Apprise would leave `<` open); a title is written in the body's format when
    the service blends it into the body (Apprise converts both alike), else in the format it is shown in."""
    resolve = getattr(plugin, "resolve_format", None)  # Apprise 2: services with several formats
    shown = resolve(apprise.NotifyFormat(body_format)) if resolve is not None else plugin.notify_format
    shown = str(getattr(shown, "value", shown))
    sent = _MARKDOWN if body_format == _TEXT and shown == _MARKDOWN else body_format
    return sent, (sent if plugin.title_maxlen <= 0 else shown)


def _prepared(message: AlertMessage, way: _Way) -> AlertMessage:
    """The message as `way` says: the body in the format sent, the plain-text title escaped for a service
    that renders titles as HTML or Markdown."""
    sent, title_format = way
    body = message.body if sent == message.format else _escaped(message.body, sent)
    title = message.title if title_format not in _ESCAPED_TITLES else _escaped(message.title, title_format)
    return replace(message, title=title, body=body, format=sent)  # type: ignore[arg-type]


def _escaped(text: str, into: str) -> str:
    """Plain text written in `into` (HTML or Markdown) so that it reads as itself."""
    escaped = convert_between(_TEXT, into, text)
    return escaped.replace("<", "\\<") if into == _MARKDOWN else escaped  # Apprise leaves `<` open


def _record(
    database: Database,
    delivery: ClaimedDelivery,
    outcome: _Outcome,
    settings: DeliverySettings,
    now: datetime,
    rng: random.Random | None,
) -> tuple[DispatchSummary, datetime | None]:
    """Store the outcome of one attempt in its own short transaction; the next attempt's time, if any."""
    attempts = delivery.attempts + 1
    retry_at = None
    waited = describe_duration(now - delivery.created_at)
    with database.session() as session:
        if outcome.error is None:
            mark_sent(session, delivery.id, now=now)
            result = DispatchSummary(sent=1)
            log.info("alert %d sent to channel %s", delivery.id, delivery.channel)
        elif outcome.permanent or (settings.max_attempts is not None and attempts >= settings.max_attempts):
            mark_attempt_failed(session, delivery.id, outcome.error, None)
            result = DispatchSummary(failed=1)
            log.warning(
                "alert %d to channel %s failed for good after %d attempts (%s): %s",
                delivery.id,
                delivery.channel,
                attempts,
                waited,
                outcome.error,
            )
        else:
            retry_at = now + retry_delay(attempts, settings, rng)
            mark_attempt_failed(session, delivery.id, f"attempt {attempts}: {outcome.error}", retry_at)
            result = DispatchSummary(retried=1)
            log.warning(
                "alert %d to channel %s waiting for %s (attempt %d), retried in %s: %s",
                delivery.id,
                delivery.channel,
                waited,
                attempts,
                describe_duration(retry_at - now),
                outcome.error,
            )
        session.commit()
    return result, retry_at


def _notify(notifier: apprise.Apprise, message: AlertMessage) -> tuple[bool, str]:
    """Send one alert in its format; whether it was accepted and, if not, the reason Apprise logged."""
    with apprise.LogCapture(level=logging.WARNING) as captured:
        try:
            result = notifier.notify(
                body=message.body, title=message.title, body_format=apprise.NotifyFormat(message.format)
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
        self,
        database: Database,
        channels: Mapping[str, Sequence[str]],
        settings: DeliverySettings,
        styles: Mapping[str, MessageStyle] | None = None,
    ) -> None:
        self.database, self.channels, self.settings, self.styles = database, channels, settings, styles

    def dispatch(self, *, now: datetime | None = None) -> DispatchSummary:
        """Send what is due now; see `dispatch_pending`."""
        return dispatch_pending(self.database, self.channels, self.settings, now=now, styles=self.styles)


def send_test_alert(
    channel: str, urls: Sequence[str], timeout: float, style: MessageStyle = PLAIN
) -> str | None:
    """Send a test alert to a channel now, outside the outbox, showing a sample alert in the channel's
    format and templates: None when it was accepted, else why not (free of the channel's secrets)."""
    notifiers, rejected = _Notifiers({channel: urls}, timeout)._build(channel, style.format)
    if not notifiers:
        return f"no usable Apprise URL in channel {channel!r}: {', '.join(rejected)}"
    sample = sample_alert(style)
    intro = f"A test alert to channel {channel}, sent from the desk. An alert looks like this:"
    heading = f"{intro}\n\n{sample.title}"
    body = f"{escaped_for(heading, style.format)}\n\n{sample.body}"
    message = AlertMessage(title="monitor: test alert", body=body, format=style.format)
    reasons = []
    with redacted_logs(urls):
        for way, notifier in notifiers.items():
            accepted, reason = _notify(notifier, _prepared(message, way))
            if not accepted:
                reasons.append(reason)
    return redact(reasons[-1], urls) if reasons else None
