"""`monitor web`: the desk alone (the pollers may run elsewhere); and the desk beside `monitor run`."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated

import typer

from monitor.cli.context import CliContext, fail
from monitor.settings import split_address

if TYPE_CHECKING:
    from monitor.web.desk import PollerStatus

logger = logging.getLogger(__name__)


@contextlib.contextmanager
def desk_beside(
    context: CliContext, pollers: PollerStatus | None = None, *, alone: bool = False
) -> Iterator[None]:
    """Serve the desk on a thread while the body runs (when `web.enabled`). `alone` (`monitor web`): the
    desk is the whole command, served whatever `web.enabled` says, and exit 1 when it cannot listen."""
    settings = context.settings
    if not settings.web.enabled and not alone:
        yield
        return
    from monitor.web.app import create_app  # the web stack loads only where the desk runs, not in pollers
    from monitor.web.server import DeskServer, announce

    app = create_app(context.database, settings, context.config_dir, config=context.config, pollers=pollers)
    try:
        server = DeskServer(app, settings.web.host, settings.web.port).start()
    except RuntimeError as error:
        if alone:
            fail(f"the desk is not served at {settings.web.address}: {error}")
        logger.error("the desk is not served at %s: %s; polling goes on", settings.web.address, error)
        yield
        return
    announce(context.database, settings, _base_url(context, server.port))
    try:
        yield
    finally:
        server.stop()


def _base_url(context: CliContext, port: int) -> str:
    web = context.settings.web
    if web.public_url:
        return web.base_url
    return web.base_url.rsplit(":", 1)[0] + f":{port}"


def web(
    ctx: typer.Context,
    address: Annotated[
        str | None,
        typer.Option("--address", help="host:port to listen on (default: the web.address setting)."),
    ] = None,
) -> None:
    """Serve the desk (hit log, triage, search, REST API) until Ctrl-C; pollers run in `monitor run`."""
    context: CliContext = ctx.obj
    context.use_service_log_level()
    if address is not None:
        try:
            split_address(address)
        except ValueError as error:
            raise typer.BadParameter(str(error), param_hint="--address") from error
        web_settings = context.settings.web.model_copy(update={"address": address})
        context.__dict__["settings"] = context.settings.model_copy(update={"web": web_settings})
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    with desk_beside(context, alone=True):
        stop.wait()
