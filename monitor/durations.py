"""Durations written the way people write them: `30s`, `10m`, `2h`, `7d`, `1w` (or `1h30m`).

A duration is at most MAX_DURATION (100 years): longer ones, and infinite ones (`.inf` in YAML), are
errors rather than an overflow somewhere later.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhdw])")
MAX_DURATION = timedelta(days=36_500)
_MAX_SECONDS = MAX_DURATION.total_seconds()


def parse_duration(text: str | int | float | timedelta) -> timedelta:
    """Parse `10m`, `1h30m`, `7d`; a bare number means seconds. Raises ValueError on anything else,
    and on durations longer than MAX_DURATION."""
    if isinstance(text, timedelta):
        return _bounded(text.total_seconds(), text)
    if isinstance(text, int | float) and not isinstance(text, bool):
        return _bounded(text, text)  # an int is compared as it is: float() of a huge one overflows
    if not isinstance(text, str):
        raise ValueError(f"expected a duration such as 10m, 2h or 7d, got {text!r}")
    cleaned = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
        return _bounded(float(cleaned), text)
    position, seconds = 0, 0.0
    for match in _PART.finditer(cleaned):
        if cleaned[position : match.start()].strip():
            break
        seconds += float(match.group(1)) * _UNITS[match.group(2)]
        position = match.end()
    if position == 0 or cleaned[position:].strip():
        raise ValueError(f"expected a duration such as 10m, 2h or 7d, got {text!r}")
    return _bounded(seconds, text)


def _bounded(seconds: float, text: object) -> timedelta:
    """The duration of `seconds`, or ValueError when it is not finite or longer than MAX_DURATION."""
    if seconds != seconds or abs(seconds) > _MAX_SECONDS:  # NaN is the one value unequal to itself
        if isinstance(text, str):
            shown = repr(text) if len(text) <= 40 else repr(text[:37]) + "..."
        elif isinstance(text, int) and abs(text) >= 10**40:
            shown = "a larger number"  # str() of an int of more than 4,300 digits raises
        else:
            shown = str(text)
        raise ValueError(f"expected a duration of at most {MAX_DURATION.days:,}d (100 years), got {shown}")
    return timedelta(seconds=seconds)


def format_duration(value: timedelta) -> str:
    """The shortest exact spelling of a duration: 900 s → `15m`."""
    seconds = int(value.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


Duration = Annotated[
    timedelta,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
]
"""A pydantic field type accepting `10m`, `2h`, `7d` or seconds."""


def describe_duration(value: timedelta) -> str:
    """A duration for people, to its two largest units: `2 days 3 hours`, `45 minutes`, `20 seconds`."""
    seconds = max(0, int(value.total_seconds()))
    parts = []
    for name, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}{'s' if count != 1 else ''}")
    return " ".join(parts[:2]) or "0 seconds"


def short_duration(value: timedelta) -> str:
    """A duration for a table column, to its two largest units: `2d 3h`, `5m 10s`, `40s`."""
    seconds = max(0, int(value.total_seconds()))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts[:2]) or "0s"
