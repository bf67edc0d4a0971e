"""The next-check policy, as a table: interval bounds, posting rate, feed hints, failures."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.scheduling.policy import (
    FeedHints,
    IntervalBounds,
    next_check,
    next_check_delay,
    posting_gap,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
M = timedelta(minutes=1)
H = timedelta(hours=1)


def posts_every(gap: timedelta, count: int) -> list[datetime]:
    return [NOW - gap * i for i in range(count)]


@pytest.mark.parametrize(
    ("case", "bounds", "kwargs", "expected", "why"),
    [
        ("no history: the configured interval", IntervalBounds(15 * M), {}, 15 * M, "interval 15m"),
        (
            "a busy feed is checked twice as often as it posts",
            IntervalBounds(15 * M, min_interval=5 * M),
            {"post_times": posts_every(20 * M, 30)},
            10 * M,
            "busy: posts every ~20m, floor 5m",
        ),
        (
            "busier than the floor: min_interval",
            IntervalBounds(15 * M, min_interval=5 * M),
            {"post_times": posts_every(M, 200)},
            5 * M,
            "busy: posts every ~1m, floor 5m",
        ),
        (
            "a quiet feed is still checked at its interval",
            IntervalBounds(15 * M, max_interval=6 * H),
            {"post_times": posts_every(48 * H, 4)},
            15 * M,
            "interval 15m",
        ),
        (
            "a long silence after busy posting does not stretch the interval",
            IntervalBounds(10 * M),
            {"post_times": [NOW - 30 * H, NOW - 29 * H, NOW - 28 * H]},
            10 * M,
            "interval 10m",
        ),
        (
            "RSS ttl stretches the wait",
            IntervalBounds(15 * M),
            {"hints": FeedHints(ttl=40 * M)},
            40 * M,
            "server: ttl 40m",
        ),
        (
            "a server hint is capped by max_server_wait (1h by default)",
            IntervalBounds(15 * M),
            {"hints": FeedHints(max_age=24 * H)},
            H,
            "server: max-age 1d (capped at 1h)",
        ),
        (
            "a source's max_interval overrides the cap",
            IntervalBounds(15 * M, max_interval=2 * H),
            {"hints": FeedHints(max_age=24 * H)},
            2 * H,
            "server: max-age 1d (capped at 2h)",
        ),
        (
            "so does the setting",
            IntervalBounds(15 * M),
            {"hints": FeedHints(retry_after=3 * H), "max_server_wait": 6 * H},
            3 * H,
            "server: Retry-After 3h",
        ),
        (
            "a hint shorter than the interval changes nothing",
            IntervalBounds(15 * M),
            {"hints": FeedHints(ttl=5 * M)},
            15 * M,
            "interval 15m",
        ),
        (
            "Retry-After on a failure is honoured beyond the backoff",
            IntervalBounds(15 * M),
            {"hints": FeedHints(retry_after=3 * H), "consecutive_failures": 1},
            3 * H,
            "backoff: 1 failure, Retry-After",
        ),
    ],
)
def test_next_check(case: str, bounds: IntervalBounds, kwargs: dict, expected: timedelta, why: str) -> None:
    result = next_check(bounds, now=NOW, **kwargs)
    assert (result.delay, result.reason) == (expected, why), case


@pytest.mark.parametrize("interval", [10 * M, 15 * M, H, 6 * H])
@pytest.mark.parametrize("silence", [0 * H, 2 * H, 3 * 24 * H, 30 * 24 * H])
def test_a_healthy_source_is_never_checked_later_than_its_interval_without_a_server_hint(
    interval: timedelta, silence: timedelta
) -> None:
    posts = [NOW - silence - 5 * M * i for i in range(20)]
    assert next_check_delay(IntervalBounds(interval), post_times=posts, now=NOW) <= interval


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
    assert posting_gap([NOW - 50 * H, NOW - 49 * H, NOW - 48 * H], now=NOW) == H, "silence does not count"
