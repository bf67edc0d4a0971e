"""The current time as monitor sees it: aware UTC, shiftable as a whole for time-travel testing.

Every "now" in monitor comes from `now()`. `MONITOR_CLOCK_SHIFT` (a duration such as `365d`, or `-2h`)
moves that clock for the whole process and the pollers it starts, so that the test suite can run a year
ahead and show that nothing depends on today's date. It is read once, at import.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from monitor.durations import parse_duration

SHIFT_VARIABLE = "MONITOR_CLOCK_SHIFT"


def _read_shift(text: str | None) -> timedelta:
    """The shift named by the environment; `-` in front moves the clock back."""
    if not text or not text.strip():
        return timedelta(0)
    cleaned = text.strip()
    sign = -1 if cleaned.startswith("-") else 1
    try:
        return sign * parse_duration(cleaned.lstrip("+-"))
    except ValueError as exc:
        raise SystemExit(f"{SHIFT_VARIABLE}: {exc}") from None


SHIFT: timedelta = _read_shift(os.environ.get(SHIFT_VARIABLE))


def now() -> datetime:
    """The current time, aware UTC, with the configured shift."""
    return datetime.now(UTC) + SHIFT


def wall_now() -> datetime:
    """The machine's real time, unshifted: for APScheduler, which runs jobs by the real clock."""
    return datetime.now(UTC)
