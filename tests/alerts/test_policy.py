"""A channel's policy in time: digest times (`every`, `at`) and quiet hours in the channel's time zone,
through daylight-saving changes; what holds an alert and until when. Pure: time is given, never read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.alerts.policy import ChannelPolicy
from monitor.config import ChannelConfig
from monitor.storage.digests import Hold

PARIS_QUIET = {"from": "22:00", "to": "07:00", "timezone": "Europe/Paris"}


def _policy(**options: Any) -> ChannelPolicy:
    channel = {"name": "c", "urls": ["json://localhost/x"], **options}
    return ChannelPolicy(ChannelConfig.model_validate(channel))


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _slots(policy: ChannelPolicy, start: datetime, count: int) -> list[datetime]:
    slots, moment = [], start
    for _ in range(count):
        moment = policy.next_digest(moment)
        slots.append(moment)
    return slots


def test_digests_at_times_of_day_follow_the_zone_through_the_spring_change() -> None:
    policy = _policy(mode="digest", at=["17:30", "08:00"], timezone="Europe/Paris")
    # Paris moves from UTC+1 to UTC+2 on 29 March 2026 at 02:00.
    assert _slots(policy, _utc(2026, 3, 28, 12), 4) == [
        _utc(2026, 3, 28, 16, 30),  # 17:30 CET
        _utc(2026, 3, 29, 6),  # 08:00 CEST
        _utc(2026, 3, 29, 15, 30),  # 17:30 CEST
        _utc(2026, 3, 30, 6),
    ]


def test_a_time_skipped_or_repeated_by_a_change_gives_one_digest() -> None:
    policy = _policy(mode="digest", at=["02:30"], timezone="Europe/Paris")
    # 29 March: 02:30 does not exist, the digest comes just after the gap (03:30 CEST).
    assert _slots(policy, _utc(2026, 3, 28, 12), 2) == [_utc(2026, 3, 29, 1, 30), _utc(2026, 3, 30, 0, 30)]
    # 25 October: 02:30 happens twice (CEST, then CET), the digest comes once, the first time.
    assert _slots(policy, _utc(2026, 10, 24, 12), 2) == [_utc(2026, 10, 25, 0, 30), _utc(2026, 10, 26, 1, 30)]


def test_an_hourly_digest_stays_hourly_through_both_changes() -> None:
    policy = _policy(mode="digest", every="1h", timezone="Europe/Paris")
    for night in (_utc(2026, 3, 28, 22), _utc(2026, 10, 24, 22)):
        slots = _slots(policy, night, 8)
        assert [later - earlier for earlier, later in zip([night, *slots], slots, strict=False)] == [
            timedelta(hours=1)
        ] * 8


def test_every_counts_from_local_midnight() -> None:
    policy = _policy(mode="digest", every="90m", timezone="Asia/Kolkata")  # UTC+5:30
    # 12:00 UTC is 17:30 in Kolkata: the next slots are 18:00 and 19:30 local.
    assert _slots(policy, _utc(2026, 6, 1, 12), 2) == [_utc(2026, 6, 1, 12, 30), _utc(2026, 6, 1, 14)]
    daily = _policy(mode="digest", every="1d", timezone="America/New_York")
    assert daily.next_digest(_utc(2026, 6, 1, 12)) == _utc(2026, 6, 2, 4)  # midnight EDT


def test_quiet_hours_span_midnight_and_end_by_the_local_clock() -> None:
    policy = _policy(quiet_hours=PARIS_QUIET)
    # 24 October 2026 is summer time (UTC+2): quiet from 20:00 to 05:00 UTC
    assert [policy.quiet_at(_utc(2026, 10, 24, h, m)) for h, m in ((19, 59), (20, 0), (4, 59), (5, 0))] == [
        False,
        True,
        True,
        False,
    ]
    # A night when the clocks go back: 07:00 the next morning is winter time, 06:00 UTC.
    assert policy.quiet_end(_utc(2026, 10, 24, 21)) == _utc(2026, 10, 25, 6)
    assert policy.quiet_end(_utc(2026, 10, 25, 1)) == _utc(2026, 10, 25, 6)


def _never_counted(since: datetime) -> int:
    raise AssertionError("the count is read only for max_per_hour")


def test_what_holds_an_alert_and_until_when() -> None:
    late = _utc(2026, 6, 1, 21, 30)  # 23:30 in Paris: quiet
    day = _utc(2026, 6, 1, 10, 15)
    quiet = _policy(quiet_hours=PARIS_QUIET)
    assert quiet.hold(late, high=False, sent_since=_never_counted) == Hold(_utc(2026, 6, 2, 5), "quiet_hours")
    assert quiet.hold(late, high=True, sent_since=_never_counted) is None
    assert quiet.hold(day, high=False, sent_since=_never_counted) is None

    limited = _policy(max_per_hour=3)
    hours: list[datetime] = []
    assert limited.hold(day, high=False, sent_since=lambda s: hours.append(s) or 2) is None
    assert limited.hold(day, high=False, sent_since=lambda s: 3) == Hold(_utc(2026, 6, 1, 11), "max_per_hour")
    assert hours == [_utc(2026, 6, 1, 10)], "the clock hour is counted"

    digest = _policy(mode="digest", every="1h", quiet_hours=PARIS_QUIET)
    assert digest.hold(day, high=False, sent_since=_never_counted) == Hold(_utc(2026, 6, 1, 11), "digest")
    # a digest time in the quiet hours waits for their end
    assert digest.hold(late, high=False, sent_since=_never_counted) == Hold(_utc(2026, 6, 2, 5), "digest")
    assert digest.hold(late, high=True, sent_since=_never_counted) is None
