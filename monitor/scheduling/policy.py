"""When to check a source next: its interval bounds, the feed's own hints, its posting rate, its failures.

The policy is a pure function so that it can be read and tested as a table:

1. A source that keeps failing backs off exponentially from its interval (×2 per failure, ±10 % jitter
   so that many failing sources do not retry in step), capped at `max_backoff`.
2. Otherwise the posting rate decides: a feed posting every 20 minutes on average is checked about twice
   as often as it posts; a quiet one less often. Without enough history, the configured interval is used.
3. The result stays within [min_interval, max_interval].
4. The server's hints are a floor: RSS `<ttl>` and Cache-Control `max-age` (up to `max_interval`), and
   `Retry-After`, which is always honoured, even beyond `max_interval`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_POSTS_FOR_RATE = 3
RATE_WINDOW = timedelta(days=7)
DEFAULT_MAX_BACKOFF = timedelta(hours=24)


@dataclass(frozen=True)
class IntervalBounds:
    """A source's configured interval and the range adaptive scheduling may move it within."""

    interval: timedelta
    min_interval: timedelta | None = None
    max_interval: timedelta | None = None

    @property
    def lower(self) -> timedelta:
        return self.min_interval or min(self.interval, max(self.interval / 4, timedelta(minutes=2)))

    @property
    def upper(self) -> timedelta:
        return self.max_interval or max(self.interval, self.interval * 8)


@dataclass(frozen=True)
class FeedHints:
    """What the last response said about when to come back."""

    ttl: timedelta | None = None
    max_age: timedelta | None = None
    retry_after: timedelta | None = None


def posting_gap(post_times: Sequence[datetime], *, now: datetime) -> timedelta | None:
    """The average time between posts over the last week (at least the current silence), or None
    without enough posts to say."""
    recent = sorted(t for t in post_times if now - RATE_WINDOW <= t <= now)
    if len(recent) < MIN_POSTS_FOR_RATE:
        return None
    average = (recent[-1] - recent[0]) / (len(recent) - 1)
    return max(average, now - recent[-1], timedelta(minutes=1))


def next_check_delay(
    bounds: IntervalBounds,
    *,
    consecutive_failures: int = 0,
    hints: FeedHints | None = None,
    post_times: Sequence[datetime] = (),
    now: datetime,
    max_backoff: timedelta = DEFAULT_MAX_BACKOFF,
    rng: random.Random | None = None,
) -> timedelta:
    """How long to wait before the next check of a source."""
    hints = hints or FeedHints()
    if consecutive_failures > 0:
        backoff = bounds.interval * (2 ** min(consecutive_failures - 1, 16))
        jitter = (rng or random).uniform(0.9, 1.1)
        delay = min(backoff, max(max_backoff, bounds.interval)) * jitter
    else:
        gap = posting_gap(post_times, now=now)
        delay = bounds.interval if gap is None else gap / 2
        delay = min(max(delay, bounds.lower), bounds.upper)
        for hint in (hints.ttl, hints.max_age):
            if hint is not None:
                delay = max(delay, min(hint, bounds.upper))
    if hints.retry_after is not None:
        delay = max(delay, hints.retry_after)
    return delay
