"""Alembic environment: migrate the connection handed over by `monitor.storage.database`.

`open_database` passes an open connection (already inside a transaction that holds the migration lock) in
`config.attributes["connection"]`. Run from the command line (`alembic -c monitor/storage/alembic.ini ...`,
for `revision --autogenerate`), the URL comes from `MONITOR_DATABASE_URL`.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection, create_engine

from monitor.storage.search import is_managed
from monitor.storage.tables import metadata


def _migrate(connection: Connection) -> None:
    """Run the pending migrations on one connection (batch mode, so that SQLite can alter tables)."""
    context.configure(
        connection=connection, target_metadata=metadata, render_as_batch=True, include_name=is_managed
    )
    with context.begin_transaction():
        context.run_migrations()


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = os.environ.get("MONITOR_DATABASE_URL", "sqlite:///data/monitor.db")
    engine = create_engine(url)
    try:
        with engine.begin() as own_connection:
            _migrate(own_connection)
    finally:
        engine.dispose()


_run()
