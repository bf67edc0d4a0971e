"""Serving the desk: uvicorn in a thread of the process that supervises the pollers (`monitor run`), or in
the foreground (`monitor web`); and the setup link printed while no user exists."""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import uvicorn
from fastapi import FastAPI

from monitor import clock
from monitor.settings import Settings
from monitor.storage.database import Database
from monitor.storage.users import issue_setup_token

logger = logging.getLogger(__name__)
START_TIMEOUT = 30.0


class DeskServer:
    """uvicorn serving an app on its own thread and event loop, until `stop()`."""

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        config = uvicorn.Config(
            app, host=host, port=port, log_level="warning", access_log=False, lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name="desk", daemon=True)

    def _serve(self) -> None:
        asyncio.run(self._server.serve())

    def start(self) -> DeskServer:
        """Start serving and wait until the socket listens (RuntimeError if it never does)."""
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the desk could not start listening (is the address in use?)")
            time.sleep(0.02)
        return self

    @property
    def port(self) -> int:
        """The port listened on (the one the system chose when the setting says 0)."""
        sockets = self._server.servers[0].sockets
        return int(sockets[0].getsockname()[1])

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def setup_link(database: Database, settings: Settings, base_url: str | None = None) -> str | None:
    """A new one-time setup link when the database has no user yet, else None."""
    with database.session() as session:
        token = issue_setup_token(session, now=clock.now())
        session.commit()
    if token is None:
        return None
    return f"{(base_url or settings.web.base_url).rstrip('/')}/setup/{token}"


def announce(database: Database, settings: Settings, base_url: str) -> None:
    """Log where the desk listens and, with no user yet, the setup link that creates the first admin."""
    link = setup_link(database, settings, base_url)
    logger.warning("the desk is at %s", base_url)
    if link is not None:
        logger.warning("no user yet: open this one-time link to create the first admin: %s", link)
