"""The next-check policy, as a table: interval bounds, posting rate, feed hints, failures."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.scheduling.policy import FeedHints, IntervalBounds, next_check_delay, posting_gap

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)
H = timedelta(hours=1)


def posts_every(gap: timedelta, count: int) -> list[datetime]:
    return [NOW - gap * i for i in range(count)]


@pytest.mark.parametrize(
    ("case", "bounds", "kwargs", "expected"),
    [
        ("no history: the configured interval", IntervalBounds(15 * M), {}, 15 * M),
        (
            "a busy feed is checked twice as often as it posts",
            IntervalBounds(15 * M, min_interval=5 * M),
            {"post_times": posts_every(20 * M, 30)},
            10 * M,
        ),
        (
            "busier than the floor: min_interval",
            IntervalBounds(15 * M, min_interval=5 * M),
            {"post_times": posts_every(M, 200)},
            5 * M,
        ),
        (
            "a quiet feed waits longer, up to max_interval",
            IntervalBounds(15 * M, max_interval=6 * H),
            {"post_times": posts_every(48 * H, 4)},
            6 * H,
        ),
        (
            "RSS ttl is a floor",
            IntervalBounds(15 * M),
            {"hints": FeedHints(ttl=60 * M)},
            60 * M,
        ),
        (
            "Cache-Control max-age never pushes past max_interval",
            IntervalBounds(15 * M, max_interval=2 * H),
            {"hints": FeedHints(max_age=24 * H)},
            2 * H,
        ),
        (
            "Retry-After is honoured even beyond max_interval",
            IntervalBounds(15 * M, max_interval=H),
            {"hints": FeedHints(retry_after=3 * H)},
            3 * H,
        ),
    ],
)
def test_next_check_delay(case: str, bounds: IntervalBounds, kwargs: dict, expected: timedelta) -> None:
    assert next_check_delay(bounds, now=NOW, **kwargs) == expected, case


@pytest.mark.parametrize(("failures", "nominal"), [(1, 15 * M), (2, 30 * M), (3, 60 * M), (5, 240 * M)])
def test_failures_back_off_exponentially_with_jitter(failures: int, nominal: timedelta) -> None:
    delays = [
        next_check_delay(IntervalBounds(15 * M), consecutive_failures=failures, now=NOW, rng=random.Random(s))
        for s in range(50)
    ]
    assert all(nominal * 0.9 <= d <= nominal * 1.1 for d in delays)
    assert len(set(delays)) > 1, "retries of many failing sources must not fall in step"


def test_backoff_is_capped() -> None:
    delay = next_check_delay(
        IntervalBounds(15 * M), consecutive_failures=40, now=NOW, max_backoff=6 * H, rng=random.Random(1)
    )
    assert 6 * H * 0.9 <= delay <= 6 * H * 1.1


def test_posting_gap_needs_enough_recent_posts() -> None:
    assert posting_gap(posts_every(H, 2), now=NOW) is None
    assert posting_gap(posts_every(30 * 24 * H, 5), now=NOW) is None, "posts older than a week do not count"
    assert posting_gap(posts_every(H, 10), now=NOW) == H
    assert posting_gap([NOW - 50 * H, NOW - 49 * H, NOW - 48 * H], now=NOW) == 48 * H, "silence counts"
