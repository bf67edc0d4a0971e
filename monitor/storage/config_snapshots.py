"""The last good configuration, kept in the database: the files of the last configuration directory that
loaded without a problem, as written (`${VAR}` unexpanded, so no secret from the environment is stored)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from monitor.storage.tables import ConfigSnapshot


@dataclass(frozen=True)
class SavedConfig:
    """The files of a configuration directory (name → text) and when they were saved."""

    files: dict[str, str]
    saved_at: datetime


def save_config(session: Session, directory: str, files: dict[str, str], *, now: datetime) -> None:
    """Keep these files as the last good configuration of `directory`; the caller commits."""
    row = session.get(ConfigSnapshot, directory) or ConfigSnapshot(
        directory=directory, files="", saved_at=now
    )
    row.files, row.saved_at = json.dumps(files, ensure_ascii=False), now
    session.add(row)
    session.flush()


def saved_config(session: Session, directory: str) -> SavedConfig | None:
    """The last good configuration of `directory`, if one was saved."""
    row = session.get(ConfigSnapshot, directory)
    return SavedConfig(json.loads(row.files), row.saved_at) if row is not None else None
