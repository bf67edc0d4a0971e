"""When to check a source next, and why: its interval, its posting rate, the server's hints, its failures.

The user's `interval` is the longest wait between two checks of a healthy source: the first item after
a quiet spell is usually the one that matters, so silence never stretches the wait. The policy is a pure
function, read and tested as a table:

1. A source that keeps failing backs off exponentially from its interval (×2 per failure, ±10 % jitter
   so that many failing sources do not retry in step), capped at `max_backoff`; a `Retry-After` sent with
   the failure is honoured.
2. Otherwise a busy feed may be checked more often: a feed posting every 20 minutes on average is checked
   about twice as often as it posts, never sooner than its floor (`min_interval`, by default a quarter of
   `interval` but at least 2 minutes) and never later than `interval`.
3. Only the server may stretch the wait of a healthy source: RSS `<ttl>`, `Cache-Control: max-age` and
   `Retry-After`, each up to a cap (the source's `max_interval`, else `polling.max_server_wait`).

Each result carries its reason, shown by `monitor sources`; a reason starts with its kind (`interval`,
`busy`, `server`, `backoff`) so that a reload can tell a wait the user's interval decided from one the
server asked for.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.durations import format_duration
from monitor.wording import plural

MIN_POSTS_FOR_RATE = 3
RATE_WINDOW = timedelta(days=7)
DEFAULT_MAX_BACKOFF = timedelta(hours=24)
DEFAULT_MAX_SERVER_WAIT = timedelta(hours=1)
SMALLEST_FLOOR = timedelta(minutes=2)

INTERVAL, BUSY, SERVER, BACKOFF = "interval", "busy", "server", "backoff"
"""The kinds of reason, the first word of each reason."""


@dataclass(frozen=True)
class IntervalBounds:
    """A source's configured interval, the floor busy feeds may go down to, and the cap on server hints."""

    interval: timedelta
    min_interval: timedelta | None = None
    max_interval: timedelta | None = None
    """The longest wait a server's hints may ask for; None: the `max_server_wait` given to the policy."""

    @property
    def lower(self) -> timedelta:
        return self.min_interval or min(self.interval, max(self.interval / 4, SMALLEST_FLOOR))

    def server_cap(self, default: timedelta) -> timedelta:
        return max(self.max_interval or default, self.interval)


@dataclass(frozen=True)
class FeedHints:
    """What the last response said about when to come back."""

    ttl: timedelta | None = None
    max_age: timedelta | None = None
    retry_after: timedelta | None = None


@dataclass(frozen=True)
class NextCheck:
    """How long to wait before the next check, and why (one short line, for `monitor sources`)."""

    delay: timedelta
    reason: str

    @property
    def kind(self) -> str:
        return _kind(self.reason)


def reason_kind(reason: str | None) -> str | None:
    """The kind of a stored reason (`interval`, `busy`, `server`, `backoff`), None for none."""
    return _kind(reason) if reason else None


def _kind(reason: str) -> str:
    """The first word of a reason, before any colon."""
    return reason.split(":", 1)[0].split(" ", 1)[0]


def posting_gap(post_times: Sequence[datetime], *, now: datetime) -> timedelta | None:
    """The average time between posts over the last week, or None without enough posts to say."""
    recent = sorted(t for t in post_times if now - RATE_WINDOW <= t <= now)
    if len(recent) < MIN_POSTS_FOR_RATE:
        return None
    average = (recent[-1] - recent[0]) / (len(recent) - 1)
    return max(average, timedelta(minutes=1))


def next_check(
    bounds: IntervalBounds,
    *,
    consecutive_failures: int = 0,
    hints: FeedHints | None = None,
    post_times: Sequence[datetime] = (),
    now: datetime,
    max_backoff: timedelta = DEFAULT_MAX_BACKOFF,
    max_server_wait: timedelta = DEFAULT_MAX_SERVER_WAIT,
    rng: random.Random | None = None,
) -> NextCheck:
    """How long to wait before the next check of a source, and why."""
    hints = hints or FeedHints()
    if consecutive_failures > 0:
        return _backoff(bounds, consecutive_failures, hints, max_backoff, rng)
    result = NextCheck(bounds.interval, f"{INTERVAL} {format_duration(bounds.interval)}")
    gap = posting_gap(post_times, now=now)
    if gap is not None and gap / 2 < bounds.interval:
        delay = max(gap / 2, bounds.lower)
        result = NextCheck(
            delay, f"{BUSY}: posts every ~{_rounded(gap)}, floor {format_duration(bounds.lower)}"
        )
    cap = bounds.server_cap(max_server_wait)
    for name, hint in (("ttl", hints.ttl), ("max-age", hints.max_age), ("Retry-After", hints.retry_after)):
        if hint is not None and hint > result.delay:
            wait = min(hint, cap)
            capped = f" (capped at {format_duration(cap)})" if hint > cap else ""
            result = NextCheck(wait, f"{SERVER}: {name} {_rounded(hint)}{capped}")
    return result


def next_check_delay(bounds: IntervalBounds, **kwargs: object) -> timedelta:
    """`next_check(...)`'s delay alone."""
    return next_check(bounds, **kwargs).delay  # type: ignore[arg-type]


def _backoff(
    bounds: IntervalBounds,
    failures: int,
    hints: FeedHints,
    max_backoff: timedelta,
    rng: random.Random | None,
) -> NextCheck:
    backoff = bounds.interval * (2 ** min(failures - 1, 16))
    jitter = (rng or random).uniform(0.9, 1.1)
    delay = min(backoff, max(max_backoff, bounds.interval)) * jitter
    if hints.retry_after is not None and hints.retry_after > delay:
        return NextCheck(hints.retry_after, f"{BACKOFF}: {plural(failures, 'failure')}, Retry-After")
    return NextCheck(delay, f"{BACKOFF}: {plural(failures, 'failure')} in a row")


def _rounded(value: timedelta) -> str:
    """A duration for a reason shown to people: to the minute from 10 minutes on, else to the second."""
    seconds = round(value.total_seconds())
    return format_duration(timedelta(seconds=round(seconds / 60) * 60 if seconds >= 600 else seconds))
