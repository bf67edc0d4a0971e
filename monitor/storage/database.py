"""Open the database: build the engine, migrate it to the latest schema, hand out sessions.

SQLite: the file's directory is created, WAL journal, foreign keys on, a busy timeout, and every transaction
starts with `BEGIN IMMEDIATE` so that two writers queue up instead of failing on a stale snapshot; writers
of every process using the file queue on an flock (`<file>.writer-lock`) first.
PostgreSQL: psycopg 3 (`postgresql://` becomes `postgresql+psycopg://`). Migrations run at open inside one
transaction holding a lock (SQLite's write lock, PostgreSQL's advisory lock), so processes starting together
migrate once.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from monitor.errors import StorageError
from monitor.secrets import hide, mask_url_secrets, url_secrets

_REVISION = re.compile(r'^revision(?:: str)? = "([^"]+)"', re.MULTILINE)
_DOWN_REVISION = re.compile(r'^down_revision(?:: [^=]+)? = "([^"]+)"', re.MULTILINE)
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_SECONDS = 30
POSTGRES_CONNECT_TIMEOUT_SECONDS = 10
MIGRATION_LOCK_KEY = 0x6D6F6E69  # any fixed number: every monitor process asks for the same advisory lock
READ_ONLY = "monitor_read_only"


class Database:
    """An open, migrated database: sessions for the services, `dispose()` at shutdown."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer: contextlib.AbstractContextManager[Any] = contextlib.nullcontext()
        if engine.dialect.name == "sqlite":
            # SQLite has one writer at a time. Writers queue here, in order, rather than in SQLite's busy
            # handler, which sleeps in growing steps and leaves the lock idle meanwhile: threads of this
            # process on a lock, processes sharing the file on an flock beside it.
            self._writer = _SqliteWriterLock(engine.url.database)

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The URL with its password masked, safe for logs and messages."""
        return _masked(self.engine.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction the caller commits; rolled back unless committed."""
        with self._writer, self._session(self.engine) as session:
            yield session

    @contextmanager
    def _session(self, bind: Engine) -> Iterator[Session]:
        session = Session(bind, expire_on_commit=False)
        try:
            yield session
        except OperationalError as exc:
            session.rollback()
            raise StorageError(
                f"database error on {self.display_url}: {_reason(exc, self.engine.url)}"
            ) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reading only: on SQLite it does not take the write lock, so reads never queue
        behind writers (WAL lets them see the last committed state meanwhile)."""
        with self._session(self.engine.execution_options(**{READ_ONLY: True})) as session:
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


class _SqliteWriterLock:
    """Re-entrant for the threads of this process, and exclusive across processes for a database file."""

    def __init__(self, database: str | None) -> None:
        self._threads = threading.RLock()
        self._depth = 0
        self._lock_file: Path | None = None
        self._descriptor: int | None = None
        if database and database != ":memory:" and not database.startswith("file:"):
            self._lock_file = Path(database).expanduser().with_name(Path(database).name + ".writer-lock")

    def __enter__(self) -> None:
        self._threads.acquire()
        try:
            if self._depth == 0 and self._lock_file is not None:
                if self._descriptor is None:
                    self._descriptor = os.open(self._lock_file, os.O_RDWR | os.O_CREAT, 0o600)
                fcntl.flock(self._descriptor, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        self._depth += 1

    def __exit__(self, *exc_info: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._descriptor is not None:
            fcntl.flock(self._descriptor, fcntl.LOCK_UN)
        self._threads.release()


def open_database(url: str, *, create: bool = True) -> Database:
    """Connect to `url` and migrate it to the latest schema; StorageError (password masked) on failure.
    `create=False` (commands that only read): a SQLite file that does not exist is an error, not a new
    empty database, so that a mistyped path does not read as "no hits"."""
    parsed = normalise_url(url)
    if not create and _missing_sqlite_file(parsed):
        raise StorageError(
            f"no database at {parsed.database}: `monitor run` or `monitor poll` creates it "
            "(a typo in --db or MONITOR_DATABASE_URL?)"
        )
    try:
        engine = _create_engine(parsed)
    except (SQLAlchemyError, ImportError, OSError) as exc:
        raise StorageError(f"cannot open database {_masked(parsed)}: {_reason(exc, parsed)}") from exc
    try:
        migrate(engine)
    except (SQLAlchemyError, OSError) as exc:
        engine.dispose()
        raise StorageError(f"cannot open database {_masked(parsed)}: {_reason(exc, parsed)}") from exc
    return Database(engine)


def normalise_url(url: str) -> URL:
    """Parse a database URL, choosing psycopg 3 for PostgreSQL; StorageError for anything else."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:  # ValueError: a port that is not a number
        shown = mask_url_secrets(url, bare_user_is_secret=False)
        raise StorageError(
            f"invalid database URL {shown!r}: expected sqlite:///path/to/file.db or postgresql://user@host/db"
        ) from exc
    if parsed.drivername in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StorageError(f"unsupported database {_masked(parsed)}: monitor runs on SQLite or PostgreSQL")
    return parsed


def migrate(engine: Engine, revision: str = "head") -> None:
    """Apply the pending Alembic migrations up to `revision`, holding a lock so that concurrent starts
    migrate once. A database already at the head is left alone without loading Alembic (a second of
    start-up for every command)."""
    if revision == "head" and _stored_revision(engine) == head_revision():
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def head_revision() -> str | None:
    """The newest migration: the one no other names as its `down_revision` (read from the files)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text_ = path.read_text(encoding="utf-8")
        if found := _REVISION.search(text_):
            revisions.add(found.group(1))
        parents.update(_DOWN_REVISION.findall(text_))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _stored_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None (no database yet, or several heads)."""
    try:
        with engine.execution_options(**{READ_ONLY: True}).connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except SQLAlchemyError:
        return None
    return versions[0] if len(versions) == 1 else None


def _missing_sqlite_file(url: URL) -> bool:
    """Whether `url` names a SQLite file (not memory, not a `file:` URI) that does not exist."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return False
    return not url.database.startswith("file:") and not Path(url.database).expanduser().exists()


def _create_engine(url: URL) -> Engine:
    """An engine with the per-backend settings described in the module docstring."""
    if url.get_backend_name() == "postgresql":
        return create_engine(
            url, pool_pre_ping=True, connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_SECONDS}
        )
    in_memory = url.database in (None, "", ":memory:")
    if not in_memory and url.database and not url.database.startswith("file:"):
        _create_private(Path(url.database).expanduser())
    engine = create_engine(
        url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        poolclass=StaticPool if in_memory else None,
    )
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _create_private(database: Path) -> None:
    """The database file (and its directory) created readable by this user alone: it holds the articles,
    the hits and the desk's accounts. SQLite gives its -wal and -shm files the database's permissions;
    an existing file or directory is left as its owner set it."""
    if not database.parent.exists():
        database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not database.exists():
        os.close(os.open(database, os.O_CREAT | os.O_WRONLY, 0o600))


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """WAL, foreign keys and a busy timeout; transactions are begun by `_begin_immediate`, not the driver."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    finally:
        cursor.close()


def _begin_immediate(connection: Any) -> None:
    """Take SQLite's write lock when a transaction starts, so it never has to upgrade a stale read;
    read-only sessions begin a plain (deferred) transaction."""
    read_only = connection.get_execution_options().get(READ_ONLY)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def _masked(url: URL) -> str:
    """The URL with its password and secret query values (`?password=`) masked."""
    return mask_url_secrets(url.render_as_string(hide_password=False), bare_user_is_secret=False)


def _reason(exc: BaseException, url: URL) -> str:
    """The first line of the driver's message, without the password should the driver have echoed it
    (even a piece of it, as a host name misparsed from an unencoded `@`)."""
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(inner).strip().splitlines()
    reason = lines[0] if lines else exc.__class__.__name__
    secrets = url_secrets(url.render_as_string(hide_password=False))
    return hide(reason, [*secrets, *([str(url.password)] if url.password else [])])
