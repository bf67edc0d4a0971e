"""A channel's alert policy (channels.yaml): when an alert goes out at once and when it is held for a digest.

Pure time arithmetic on monitor's clock, in the channel's time zone. Digest times (`every`, `at`) and quiet
hours are times of the local day, turned into instants with `zoneinfo`, so that they follow daylight saving:
an `at` time skipped by a spring-forward change happens just after the gap, one repeated by a fall-back change
happens once (the first time); `every` slots happen at every instant the local clock shows them, so an hourly
digest stays hourly through both changes. `max_per_hour` counts clock hours in UTC.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlmodel import Session

from monitor.storage.digests import Hold, alerts_since
from monitor.storage.hits import HoldFor

if TYPE_CHECKING:
    from monitor.config.models import ChannelConfig, RuleConfig

HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)
_LARGEST_SHIFT = timedelta(hours=3)
"""More than any daylight-saving change: how far around a moment to look for the next local slot."""


class ChannelPolicy:
    """When one channel's alerts go out."""

    def __init__(self, channel: ChannelConfig) -> None:
        self.channel = channel
        self._zone = ZoneInfo(channel.timezone)
        quiet = channel.quiet_hours
        self._quiet = (quiet.start, quiet.end, ZoneInfo(quiet.timezone)) if quiet is not None else None
        self._next_digest = lru_cache(maxsize=64)(self._compute_next_digest)

    def hold(self, now: datetime, *, high: bool, sent_since: Callable[[datetime], int]) -> Hold | None:
        """How long an alert written at `now` waits, or None when it goes out at once. `sent_since(t)`
        counts the channel's alerts written since t (read only when `max_per_hour` needs it)."""
        if high:
            return None
        if self.channel.mode == "digest":
            return Hold(self.released(self.next_digest(now)), "digest")
        if self.quiet_at(now):
            return Hold(self.quiet_end(now), "quiet_hours")
        limit = self.channel.max_per_hour
        hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        if limit is not None and sent_since(hour) >= limit:
            return Hold(self.released(hour + HOUR), "max_per_hour")
        return None

    def next_digest(self, after: datetime) -> datetime:
        """The first digest time strictly after `after` (mode digest)."""
        return self._next_digest(after.astimezone(UTC))

    def _compute_next_digest(self, after: datetime) -> datetime:
        every, at = self.channel.every, self.channel.at
        if every is not None:
            return _first_after(after, _every_slots(after, every, self._zone))
        assert at is not None, "a digest channel has `every` or `at`"
        return _first_after(after, _daily(after, at, self._zone))

    def quiet_at(self, moment: datetime) -> bool:
        """Whether `moment` falls in the channel's quiet hours."""
        if self._quiet is None:
            return False
        start, end, zone = self._quiet
        local = moment.astimezone(zone).time()
        return start <= local < end if start < end else (local >= start or local < end)

    def quiet_end(self, moment: datetime) -> datetime:
        """The end of the quiet hours that `moment` falls in."""
        assert self._quiet is not None
        _, end, zone = self._quiet
        return _first_after(moment, _daily(moment, [end], zone))

    def released(self, moment: datetime) -> datetime:
        """`moment`, or the end of the quiet hours it falls in."""
        return self.quiet_end(moment) if self.quiet_at(moment) else moment


def channel_holds(channels: Sequence[ChannelConfig], rules: Sequence[RuleConfig]) -> HoldFor:
    """The holds of these channels, as `record_hits` asks for them: alerts of priority-high rules are never
    held, channels without a policy never hold anything."""
    policies = {
        channel.name: ChannelPolicy(channel)
        for channel in channels
        if channel.mode == "digest" or channel.quiet_hours is not None or channel.max_per_hour is not None
    }
    high = {rule.name for rule in rules if rule.priority == "high"}

    def hold(session: Session, channel: str, rule: str, now: datetime) -> Hold | None:
        policy = policies.get(channel)
        if policy is None:
            return None
        return policy.hold(
            now, high=rule in high, sent_since=lambda since: alerts_since(session, channel, since)
        )

    return hold


def _first_after(after: datetime, candidates: Iterator[datetime]) -> datetime:
    found = min((moment for moment in candidates if moment > after), default=None)
    assert found is not None, "a daily schedule always has a time in the next days"
    return found


def _instant(day: date, at: time, zone: ZoneInfo, fold: int = 0) -> datetime:
    """The instant the local clock of `zone` shows `at` on `day` (`fold` 1: the second time, in a repeated
    hour); a time skipped by a change is the instant just after the gap."""
    return datetime.combine(day, at, tzinfo=zone).replace(fold=fold).astimezone(UTC)


def _daily(after: datetime, times: Sequence[time], zone: ZoneInfo) -> Iterator[datetime]:
    """The instants of these local times of day around `after` (each once a day: the first time)."""
    today = after.astimezone(zone).date()
    for offset in (-1, 0, 1, 2):
        for at in times:
            yield _instant(today + timedelta(days=offset), at, zone)


def _every_slots(after: datetime, every: timedelta, zone: ZoneInfo) -> Iterator[datetime]:
    """The instants, around `after`, at which the local clock shows a multiple of `every` since midnight."""
    local = after.astimezone(zone).replace(tzinfo=None)
    start, end = local - _LARGEST_SHIFT - every, local + _LARGEST_SHIFT + every
    day = start.date()
    while datetime.combine(day, time()) <= end:
        midnight = datetime.combine(day, time())
        slot = midnight + max(timedelta(), (start - midnight) // every * every)
        while slot < midnight + _DAY and slot <= end:
            for fold in (0, 1):
                yield _instant(day, slot.time(), zone, fold)
            slot += every
        day += _DAY
