"""Times of day and time zones in the configuration: `"08:00"`, `Europe/Paris`, checked as they are read."""

from __future__ import annotations

import re
from datetime import time
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator

_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


def _clock_time(value: Any) -> time:
    """`"08:00"` → 08:00; anything else is an error that says how to write a time."""
    if isinstance(value, time):
        return value
    if not isinstance(value, str):
        raise ValueError(f'expected a time of day such as "08:00", got {type(value).__name__}')
    found = _CLOCK.fullmatch(value.strip())
    if found is None:
        raise ValueError(f'expected a time of day from "00:00" to "23:59", got {value!r}')
    return time(int(found.group(1)), int(found.group(2)))


def _time_zone(value: str) -> str:
    """A name of the IANA time zone database (`Europe/Paris`, `UTC`)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {value!r}: use a name of the IANA database such as Europe/Paris or UTC"
        ) from None
    return value


ClockTime = Annotated[time, BeforeValidator(_clock_time)]
TimeZoneName = Annotated[str, AfterValidator(_time_zone)]
