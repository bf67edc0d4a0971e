"""The last good configuration, kept in the database: the files of the last configuration directory that
loaded without a problem, as written (`${VAR}` unexpanded, so no secret from the environment is stored)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from monitor.storage.tables import ConfigSnapshot


@dataclass(frozen=True)
class SavedConfig:
    """The files of a configuration directory (name → text) and when they were saved."""

    files: dict[str, str]
    saved_at: datetime


def save_config(session: Session, directory: str, files: dict[str, str], *, now: datetime) -> None:
    """Keep these files as the last good configuration of `directory`; the caller commits.

    One upsert (INSERT … ON CONFLICT DO UPDATE): the pollers of one service start at the same moment and
    each saves the configuration it loaded; a read-then-insert let two of them insert the same row."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = ConfigSnapshot.__table__  # type: ignore[attr-defined]
    values = {"files": json.dumps(files, ensure_ascii=False), "saved_at": now}
    statement = (
        insert(table)
        .values(directory=directory, **values)
        .on_conflict_do_update(index_elements=["directory"], set_=values)
    )
    session.exec(statement)  # type: ignore[call-overload]


def saved_config(session: Session, directory: str) -> SavedConfig | None:
    """The last good configuration of `directory`, if one was saved."""
    row = session.get(ConfigSnapshot, directory)
    return SavedConfig(json.loads(row.files), row.saved_at) if row is not None else None
