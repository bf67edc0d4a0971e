"""Activity over time for the dashboard and the sources page: hits per rule per day, new items per source
per day (UTC days)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from monitor.storage.tables import Article, Hit, Source

_hit = Hit.__table__  # type: ignore[attr-defined]
_article = Article.__table__  # type: ignore[attr-defined]
_source = Source.__table__  # type: ignore[attr-defined]


def _day(column: Any, dialect: str) -> Any:
    """The UTC day of a timestamp column, as text YYYY-MM-DD."""
    if dialect == "postgresql":
        return sa.func.to_char(sa.func.timezone("UTC", column), "YYYY-MM-DD")
    return sa.func.substr(column, 1, 10)


def days(now: datetime, count: int) -> list[date]:
    """The last `count` UTC days, oldest first, today last."""
    today = now.date()
    return [today - timedelta(days=offset) for offset in range(count - 1, -1, -1)]


def hits_per_rule_per_day(session: Session, *, now: datetime, count: int = 30) -> dict[str, list[int]]:
    """For each rule with hits in the last `count` days: its hits on each of those days."""
    return _per_day(session, _hit.c.rule, _hit.c.matched_at, _hit, now, count)


def items_per_source_per_day(session: Session, *, now: datetime, count: int = 14) -> dict[str, list[int]]:
    """For each source: its new articles on each of the last `count` days."""
    joined = _article.join(_source, _source.c.id == _article.c.source_id)
    return _per_day(session, _source.c.name, _article.c.first_seen_at, joined, now, count)


def _per_day(
    session: Session, key: Any, moment: Any, table: Any, now: datetime, count: int
) -> dict[str, list[int]]:
    span = days(now, count)
    dialect = session.get_bind().dialect.name
    day = _day(moment, dialect)
    since = datetime.combine(span[0], datetime.min.time(), tzinfo=now.tzinfo)
    statement = (
        sa.select(key, day, sa.func.count())
        .select_from(table)
        .where(moment >= sa.bindparam("since", since, type_=_hit.c.matched_at.type))
        .group_by(key, day)
    )
    index = {value.isoformat(): position for position, value in enumerate(span)}
    found: dict[str, list[int]] = {}
    for name, when, number in session.connection().execute(statement):
        if str(when) in index:
            found.setdefault(name, [0] * count)[index[str(when)]] = number
    return dict(sorted(found.items()))
