"""Operations alerts about sources: failing N times in a row, silent far longer than usual, recovered.

Each alert is a notice delivered through the outbox to the operations channel (a setting), written in the
same transaction as the source state that caused it, so it is sent once. A source carries the alert
raised for it (`health_alert`), so a failing source is reported once, not at every failure, and its
recovery is reported when it comes back.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from monitor.durations import describe_duration
from monitor.scheduling.policy import posting_gap
from monitor.secrets import mask_secrets_in, mask_url_secrets
from monitor.settings import HealthSettings
from monitor.storage.health import arrival_times
from monitor.storage.notices import record_notice
from monitor.storage.tables import Source

FAILING, SILENT = "failing", "silent"


def note_failure(session: Session, source: Source, settings: HealthSettings, *, now: datetime) -> None:
    """After a recorded failure: report the source once it has failed `failure_threshold` times in a row."""
    if source.health_alert == FAILING or source.consecutive_failures < settings.failure_threshold:
        return
    _raise(
        session,
        source,
        settings,
        FAILING,
        title=f"Source failing: {source.name}",
        body=(
            f"{source.name} failed {source.consecutive_failures} times in a row.\n"
            f"Last error: {mask_secrets_in(source.last_error or '(none)')}\n"
            f"URL: {mask_url_secrets(source.url)}"
        ),
        now=now,
    )


def note_success(
    session: Session, source: Source, settings: HealthSettings, *, new_items: int, now: datetime
) -> None:
    """After a success: report the recovery of a source reported failing (or silent, once it posts)."""
    if source.health_alert == FAILING or (source.health_alert == SILENT and new_items):
        was = source.health_alert
        source.health_alert = None
        session.add(source)
        _notify(
            session,
            source,
            settings,
            kind="recovered",
            title=f"Source recovered: {source.name}",
            body=f"{source.name} works again (it was {was}).\nURL: {mask_url_secrets(source.url)}",
            now=now,
        )


def report_silent_sources(session: Session, settings: HealthSettings, *, now: datetime) -> list[str]:
    """Report every healthy source silent far longer than its usual gap between items; their names."""
    reported = []
    statement = select(Source).where(
        col(Source.enabled).is_(True),
        col(Source.disabled_reason).is_(None),
        col(Source.health_alert).is_(None),
    )
    for source in session.exec(statement):
        arrivals = arrival_times(session, source, now=now)
        gap = posting_gap(arrivals, now=arrivals[-1]) if arrivals else None
        if gap is None:
            continue
        allowed = max(settings.min_silence, gap * settings.silence_factor)
        silence = now - arrivals[-1]
        if silence > allowed:
            _raise(
                session,
                source,
                settings,
                SILENT,
                title=f"Source silent: {source.name}",
                body=(
                    f"{source.name} has brought nothing new for {describe_duration(silence)}; it usually "
                    f"brings an item every {describe_duration(gap)}.\nURL: {mask_url_secrets(source.url)}"
                ),
                now=now,
            )
            reported.append(source.name)
    return reported


def _raise(
    session: Session,
    source: Source,
    settings: HealthSettings,
    kind: str,
    *,
    title: str,
    body: str,
    now: datetime,
) -> None:
    """Mark the source with the alert raised for it, and send the notice."""
    source.health_alert = kind
    session.add(source)
    _notify(session, source, settings, kind=kind, title=title, body=body, now=now)


def _notify(
    session: Session,
    source: Source,
    settings: HealthSettings,
    *,
    kind: str,
    title: str,
    body: str,
    now: datetime,
) -> None:
    channels = [settings.operations_channel] if settings.operations_channel else []
    record_notice(session, kind=kind, title=title, body=body, channels=channels, now=now, source=source)
