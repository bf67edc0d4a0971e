"""The volume notice: a rule whose hits in the last hours are several times its usual rate is reported to
the operations channel, once per spike.

The usual rate is the rule's hits over `volume_baseline` before the window, scaled to the window (over the
part of the baseline the rule existed for; a rule younger than one window has no usual rate yet). A rule is
reported when its hits in `volume_window` reach `volume_ratio` times that, and at least `volume_min_hits`.
The report opens an episode (one row per rule, written with the notice in one transaction, so that several
workers report it once); the episode ends when the rule falls below half that threshold, and the next
spike is reported again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from monitor.durations import describe_duration
from monitor.settings import HealthSettings
from monitor.storage.notices import record_notice
from monitor.storage.volume import (
    close_episodes,
    first_hit_at,
    hits_between,
    open_episode,
    open_episodes,
    rule_hits_between,
)

KIND = "volume"


@dataclass(frozen=True)
class Spike:
    """A rule hitting far above its usual rate: hits in the window and the usual number for one."""

    rule: str
    hits: int
    usual: float


def report_volume_spikes(session: Session, settings: HealthSettings, *, now: datetime) -> list[Spike]:
    """Report each rule that newly spikes, end the episodes of those back to usual; the spikes reported.
    The caller commits."""
    recent = hits_between(session, now - settings.volume_window, now)
    episodes = open_episodes(session)
    reported = []
    for rule, hits in sorted(recent.items()):
        if rule in episodes or hits < settings.volume_min_hits:
            continue
        usual = _usual(session, rule, hits, settings, now)
        if usual is not None and open_episode(session, rule, hits=hits, now=now):
            spike = Spike(rule, hits, usual)
            _notify(session, spike, settings, now)
            reported.append(spike)
    calmed = [rule for rule in episodes if _calm(session, rule, recent.get(rule, 0), settings, now)]
    close_episodes(session, calmed)
    return reported


def _usual(session: Session, rule: str, hits: int, settings: HealthSettings, now: datetime) -> float | None:
    """The hits `rule` usually gets in one window when `hits` is `volume_ratio` times that or more, else
    None (and None for a rule younger than a window: it has no usual rate yet). Counting the baseline stops
    as soon as it is too high for a spike."""
    known = _known(session, rule, settings, now)
    if known is None:
        return None
    scale = settings.volume_window / known
    enough = int(hits / (settings.volume_ratio * scale)) + 1  # this many in the baseline: no spike
    start = now - settings.volume_window
    before = rule_hits_between(session, rule, start - known, start, limit=enough)
    return before * scale if before < enough else None


def _calm(session: Session, rule: str, hits: int, settings: HealthSettings, now: datetime) -> bool:
    """Whether a rule reported as spiking is back below half the threshold (its episode ends)."""
    if hits < settings.volume_min_hits / 2:
        return True
    known = _known(session, rule, settings, now)
    if known is None:
        return True
    start = now - settings.volume_window
    usual = rule_hits_between(session, rule, start - known, start) * (settings.volume_window / known)
    return hits < max(settings.volume_min_hits, settings.volume_ratio * usual) / 2


def _known(session: Session, rule: str, settings: HealthSettings, now: datetime) -> timedelta | None:
    """How much of the baseline the rule existed for, or None when less than one window."""
    start = now - settings.volume_window
    first = first_hit_at(session, rule)
    if first is None or start - first < settings.volume_window:
        return None
    return min(settings.volume_baseline, start - first)


def _notify(session: Session, spike: Spike, settings: HealthSettings, now: datetime) -> None:
    window = describe_duration(settings.volume_window)
    baseline = describe_duration(settings.volume_baseline)
    times = f"{spike.hits / spike.usual:.0f} times" if spike.usual >= 0.05 else "far above"
    body = (
        f"Rule {spike.rule} got {spike.hits} hits in the last {window}: {times} its usual rate "
        f"(about {spike.usual:.2f} per {window} over the previous {baseline}).\n"
        "Something may be happening, or the rule may match more than it should."
    )
    channels = [settings.operations_channel] if settings.operations_channel else []
    title = f"Rule surging: {spike.rule} ({spike.hits} hits in {window})"
    record_notice(session, kind=KIND, title=title, body=body, channels=channels, now=now)
