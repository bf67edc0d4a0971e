"""`monitor poll` (one cycle now) and `monitor run` (the scheduler, until stopped)."""

from __future__ import annotations

import asyncio

import typer

from monitor.cli.context import CliContext
from monitor.pipeline import CycleSummary, run_cycle
from monitor.scheduling.service import MonitorService


def poll(ctx: typer.Context) -> None:
    """Poll every enabled source once, match, store hits and deliver pending alerts; print a summary."""
    context: CliContext = ctx.obj
    summary = asyncio.run(run_cycle(context.config, context.settings, context.database))
    typer.echo(render_summary(summary))


def run(ctx: typer.Context) -> None:
    """Run the scheduler: poll each source at its interval and deliver alerts, until SIGINT/SIGTERM."""
    context: CliContext = ctx.obj
    service = MonitorService(context.config, context.settings, context.database)
    asyncio.run(service.run())


def render_summary(summary: CycleSummary) -> str:
    """The lines `monitor poll` prints: one per failed source, then the totals."""
    lines = [f"failed: {o.source}: {o.error}" for o in summary.outcomes if not o.ok]
    lines += [f"warning: {o.source}: {o.warning}" for o in summary.outcomes if o.ok and o.warning]
    lines += [
        f"skipped: {o.source}: {o.skipped} entries with neither link, GUID nor title"
        for o in summary.outcomes
        if o.skipped
    ]
    delivery = summary.delivery
    sent, failed = (delivery.sent, delivery.failed + delivery.retried) if delivery else (0, 0)
    lines.append(
        f"sources: {summary.sources_ok} ok, {summary.sources_failed} failed; "
        f"new articles: {summary.new_articles}; new hits: {summary.new_hits}; "
        f"alerts: {sent} sent, {failed} failed"
    )
    return "\n".join(lines)
