"""`monitor poll` (one cycle now) and `monitor run` (the scheduler, until stopped)."""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from monitor.cli.banner import start_banner
from monitor.cli.context import CliContext, fail, fail_with_problems
from monitor.cli.web import desk_beside
from monitor.errors import ConfigError, MonitorError
from monitor.pipeline import CycleSummary, run_cycle
from monitor.pipeline.lastgood import load_or_last_good, remember
from monitor.pipeline.pollers import PollerSpec, check_pollable, poller_count, settings_for_poller
from monitor.scheduling.processes import PollerSupervisor, shared_metrics
from monitor.scheduling.service import MonitorService
from monitor.storage.deliveries import undelivered_count
from monitor.wording import plural

EXIT_UNDELIVERED = 3
"""`monitor poll`'s exit status when alerts could not be delivered (see README, "Exit codes")."""

logger = logging.getLogger(__name__)

SourceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--source",
        "-s",
        help="Check only this source, now, whether due or not (repeatable); beside a running service, "
        "after its poll of the source if one is under way.",
    ),
]


def poll(ctx: typer.Context, source: SourceOption = None) -> None:
    """Poll every enabled source once, match, store hits and deliver pending alerts; print a summary.
    Exit status 3 when alerts could not be delivered: failed, or waiting for a retry."""
    context: CliContext = ctx.obj
    config = context.config
    try:
        check_pollable(config, source or ())
        summary = asyncio.run(run_cycle(config, context.settings, context.database, names=source or None))
    except MonitorError as error:
        fail(str(error))
    typer.echo(render_summary(summary))
    remember(context.database, config)
    with context.database.read_session() as session:
        undelivered = undelivered_count(session)
    if undelivered:
        typer.secho(
            f"{plural(undelivered, 'alert')} not delivered: failed, or waiting for "
            "a retry (see `monitor deliveries`)",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(EXIT_UNDELIVERED)


def run(ctx: typer.Context) -> None:
    """Run the scheduler: poll each source at its interval and deliver alerts, until SIGINT/SIGTERM."""
    context: CliContext = ctx.obj
    context.use_service_log_level()
    database = context.database  # opened and migrated here, once, before any poller starts
    try:  # a broken configuration: every problem logged, the last good one run
        config = load_or_last_good(context.config_dir, database)
    except ConfigError as error:
        fail_with_problems(error)
    pollers = poller_count(context.settings)
    web = context.settings.web
    desk = web.base_url if web.enabled else None
    logger.info(
        "%s", start_banner(config, context.settings, database.display_url, pollers=pollers, desk=desk)
    )
    if pollers == 1:
        with desk_beside(context, lambda: {"poller": True}):
            asyncio.run(MonitorService(config, context.settings, database).run())
        return
    level = logging.getLogger().getEffectiveLevel()
    settings = settings_for_poller(context.settings, pollers)
    supervisor = PollerSupervisor(PollerSpec(config.directory, settings, level), pollers)
    with shared_metrics():  # before the pollers start: they inherit where to write their counts
        supervisor.serve(beside=desk_beside(context, supervisor.alive))


def render_summary(summary: CycleSummary) -> str:
    """The lines `monitor poll` prints: one per failed source, then the totals."""
    lines = [f"failed: {o.source}: {o.error}" for o in summary.outcomes if not o.ok]
    lines += [f"warning: {o.source}: {o.warning}" for o in summary.outcomes if o.ok and o.warning]
    lines += [
        f"skipped: {o.source}: {plural(o.skipped, 'entry', 'entries')} with neither link, GUID nor title"
        for o in summary.outcomes
        if o.skipped
    ]
    delivery = summary.delivery
    sent, failed = (delivery.sent, delivery.failed + delivery.retried) if delivery else (0, 0)
    waiting = f" ({delivery.retried} to retry)" if delivery and delivery.retried else ""
    lines.append(
        f"sources: {summary.sources_ok} ok, {summary.sources_failed} failed; "
        f"new articles: {summary.new_articles}; new hits: {summary.new_hits}; "
        f"alerts: {sent} sent, {failed} failed{waiting}"
    )
    return "\n".join(lines)
