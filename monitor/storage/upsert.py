"""Insert-unless-present on both backends: the unique constraint, not a prior SELECT, decides what is new."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_if_absent(
    session: Session, model: type[SQLModel], values: Mapping[str, Any], unique: Sequence[str]
) -> int | None:
    """Insert one row and return its id, or None when a row with the same `unique` columns exists.

    Safe against concurrent writers: INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = model.__table__  # type: ignore[attr-defined]
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(table.c.id)
    )
    return session.exec(statement).scalar_one_or_none()  # type: ignore[call-overload,no-any-return]


def insert_many_if_absent(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[Mapping[str, Any]],
    unique: Sequence[str],
    *,
    key: str,
) -> dict[Any, int]:
    """Insert rows in one batched statement; the ids of those inserted (their unique columns were free),
    by the value of their `key` column. Safe against concurrent writers, like `insert_if_absent`.

    One statement compiled once and cached, sent as executemany (SQLAlchemy batches the RETURNING)."""
    if not rows:
        return {}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = model.__table__  # type: ignore[attr-defined]
    statement = (
        insert(table).on_conflict_do_nothing(index_elements=list(unique)).returning(table.c[key], table.c.id)
    )
    result = session.connection().execute(statement, [dict(row) for row in rows])
    return {value: row_id for value, row_id in result}
