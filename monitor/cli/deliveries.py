"""`monitor deliveries`: the outbox (pending, failed, sent alerts) and `deliveries retry`.

The same services as the desk's outbox page (`monitor.storage.outbox`); errors are shown with every URL
starred out. Reading needs only the database, not a valid configuration.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import typer

from monitor import clock
from monitor.alerts.listing import delivery_fields
from monitor.cli.context import MAX_ROW_ID, CliContext, fail, fail_unknown
from monitor.durations import short_duration
from monitor.storage.deliveries import delivery_counts
from monitor.storage.digests import held_count
from monitor.storage.outbox import list_deliveries, retry_deliveries, retry_failed, stored_channels
from monitor.wording import plural

app = typer.Typer(
    help="The outbox: alerts pending, failed and sent (`retry` sends failed ones again).",
    invoke_without_command=True,
    no_args_is_help=False,
)


class Status(StrEnum):
    pending = "pending"
    failed = "failed"
    sent = "sent"


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


@app.callback()
def deliveries(
    ctx: typer.Context,
    status: Annotated[Status | None, typer.Option("--status", help="Only pending, failed or sent.")] = None,
    channel: Annotated[str | None, typer.Option("--channel", help="Only this channel's.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=100_000, help="At most this many.")] = 200,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table, or json (a line each).")
    ] = OutputFormat.table,
) -> None:
    """List deliveries, newest first: status, channel, attempts, age, next attempt, masked error."""
    if ctx.invoked_subcommand is not None:
        return
    context: CliContext = ctx.obj
    context.reading_only = True
    with context.database.read_session() as session:
        rows = list_deliveries(session, status=status.value if status else None, channel=channel, limit=limit)
        counts = delivery_counts(session)
        held = held_count(session, channel)
    if channel and not rows and not held:
        _check_channel(context, channel)
    now = clock.now()
    fields = [delivery_fields(row, now) for row in rows]
    if output is OutputFormat.json:
        for item in fields:
            typer.echo(json.dumps(item, ensure_ascii=False))
        return
    typer.echo(render_table(fields, now))
    held_line = f", {held} held for digests" if held else ""
    typer.echo(
        f"outbox: {counts['pending']} pending, {counts['failed']} failed, {counts['sent']} sent{held_line}"
    )


@app.command("retry")
def retry(
    ctx: typer.Context,
    ids: Annotated[
        list[int] | None, typer.Argument(min=1, max=MAX_ROW_ID, help="Deliveries to send again now.")
    ] = None,
    all_failed: Annotated[bool, typer.Option("--all-failed", help="Every failed delivery.")] = False,
    channel: Annotated[
        str | None, typer.Option("--channel", help="With --all-failed: only this channel's.")
    ] = None,
) -> None:
    """Make failed (or waiting) deliveries due now, with a fresh round of attempts; the running service,
    or the next `monitor poll`, sends them."""
    context: CliContext = ctx.obj
    if bool(ids) == all_failed:
        raise typer.BadParameter("give delivery IDs or --all-failed (not both)")
    if channel:
        _check_channel(context, channel)
    with context.database.session() as session:
        if all_failed:
            count = retry_failed(session, now=clock.now(), channel=channel)
            missing: list[int] = []
        else:
            missing = retry_deliveries(session, ids or [], now=clock.now())
            count = len(ids or []) - len(missing)
        session.commit()
    typer.echo(f"{plural(count, 'delivery', 'deliveries')} due now")
    if missing:
        fail(f"not waiting or failed (sent already, or unknown): {', '.join(map(str, missing))}")


def _check_channel(context: CliContext, channel: str) -> None:
    """Exit 1 naming `channel` when no stored delivery has it and the configuration has no channel of that
    name; the configuration is read only then (and a broken one cannot tell: nothing is said)."""
    with context.database.read_session() as session:
        stored = stored_channels(session)
    if channel in stored or context.config_problems is not None:
        return
    configured = [item.name for item in context.config.channels]
    if channel not in configured:
        where = f"{context.config.directory / 'channels.yaml'} nor in the stored deliveries"
        fail_unknown("channel", channel, sorted({*stored, *configured}), where)


HEADER = ("ID", "STATUS", "CHANNEL", "ATTEMPTS", "AGE", "NEXT ATTEMPT", "ALERT")


def render_table(fields: list[dict[str, Any]], now: datetime) -> str:
    """An aligned table, a delivery a line and its masked error on the line below."""
    if not fields:
        return "no deliveries"
    body = [
        (
            str(item["id"]),
            item["status"],
            item["channel"],
            str(item["attempts"]),
            short_duration(timedelta(seconds=item["age_seconds"])),
            _next_attempt(item["next_attempt_at"], now),
            item["subject"][:70],
        )
        for item in fields
    ]
    widths = [max(len(line[i]) for line in [HEADER, *body]) for i in range(len(HEADER) - 1)]
    lines = ["  ".join([*(cell.ljust(w) for cell, w in zip(HEADER[:-1], widths, strict=True)), HEADER[-1]])]
    for item, line in zip(fields, body, strict=True):
        lines.append(
            "  ".join([*(cell.ljust(w) for cell, w in zip(line[:-1], widths, strict=True)), line[-1]])
        )
        if item["last_error"] and item["status"] != "sent":
            lines.append(f"    error: {item['last_error'][:200]}")
    return "\n".join(lines)


def _next_attempt(moment: str | None, now: datetime) -> str:
    if moment is None:
        return "-"
    wait = datetime.fromisoformat(moment.replace("Z", "+00:00")) - now
    return "now" if wait <= timedelta() else f"in {short_duration(wait)}"
