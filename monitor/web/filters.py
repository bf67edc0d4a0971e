"""The hit log's filter as it travels in a URL (`?rule=…&state=new&q=corée&since=7d`), read once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from monitor import clock
from monitor.durations import parse_duration
from monitor.errors import DeskError
from monitor.storage.hitlog import STATES, Cursor, HitFilter
from monitor.storage.types import as_utc

MAX_VALUES = 50


def hit_filter(params: Mapping[str, Any]) -> HitFilter:
    """A HitFilter from query parameters (a multi-dict, or a dict of lists or values); DeskError when a
    value makes no sense."""
    states = _many(params, "state")
    unknown = [state for state in states if state not in STATES]
    if unknown:
        raise DeskError(f"unknown state {unknown[0]!r}: one of {', '.join(STATES)}")
    starred = _one(params, "starred")
    if starred not in (None, "yes", "no"):
        raise DeskError("starred is yes or no")
    return HitFilter(
        rules=_many(params, "rule"),
        sources=_many(params, "source"),
        languages=_many(params, "language"),
        states=states,
        tag=_one(params, "tag"),
        starred=None if starred is None else starred == "yes",
        since=_moment(_one(params, "since"), "since"),
        until=_moment(_one(params, "until"), "until"),
        search=_one(params, "q"),
    )


def page_cursor(value: str | None) -> Cursor | None:
    if not value:
        return None
    try:
        return Cursor.decode(value)
    except ValueError as error:
        raise DeskError(str(error)) from error


def _values(params: Mapping[str, Any], key: str) -> list[str]:
    if hasattr(params, "getlist"):
        values = params.getlist(key)
    else:
        raw = params.get(key)
        values = raw if isinstance(raw, list | tuple) else [] if raw is None else [raw]
    return [str(value).strip() for value in values if str(value).strip()][:MAX_VALUES]


def _many(params: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_values(params, key)))


def _one(params: Mapping[str, Any], key: str) -> str | None:
    values = _values(params, key)
    return values[0][:500] if values else None


def _moment(value: str | None, name: str) -> datetime | None:
    """`7d` (that long ago), or an ISO date or time (UTC when no zone is given)."""
    if value is None:
        return None
    try:
        return clock.now() - parse_duration(value)
    except ValueError:
        pass
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError as error:
        raise DeskError(f"{name}: expected a duration such as 7d or a date such as 2025-03-01") from error
