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
from datetime import datetime

from sqlmodel import Session

from monitor.durations import describe_duration
from monitor.settings import HealthSettings
from monitor.storage.notices import record_notice
from monitor.storage.volume import close_episodes, first_hit_at, hits_between, open_episode, open_episodes

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
    window = settings.volume_window
    recent = hits_between(session, now - window, now)
    baseline = hits_between(session, now - window - settings.volume_baseline, now - window)
    reported, calmed = [], []
    episodes = open_episodes(session)
    for rule in sorted(set(recent) | episodes):
        hits = recent.get(rule, 0)
        usual = _usual(session, rule, baseline.get(rule, 0), settings, now) if hits else 0.0
        threshold = max(float(settings.volume_min_hits), settings.volume_ratio * (usual or 0))
        if rule in episodes:
            if hits < threshold / 2 or usual is None:
                calmed.append(rule)
        elif usual is not None and hits >= threshold and open_episode(session, rule, hits=hits, now=now):
            spike = Spike(rule, hits, usual)
            _notify(session, spike, settings, now)
            reported.append(spike)
    close_episodes(session, calmed)
    return reported


def _usual(session: Session, rule: str, before: int, settings: HealthSettings, now: datetime) -> float | None:
    """The hits `rule` usually gets in one window, or None when it is younger than a window."""
    window_start = now - settings.volume_window
    first = first_hit_at(session, rule)
    if first is None or first >= window_start:
        return None
    known = min(settings.volume_baseline, window_start - first)
    if known < settings.volume_window:
        return None
    return before * (settings.volume_window / known)


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
