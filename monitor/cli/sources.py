"""`monitor sources`: how each source is doing, and adding, importing and exporting sources.

The sub-commands edit sources.yaml in place (comments and order kept) and load the whole configuration
again before keeping the change: on any problem the file is restored and the problems are printed.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

import typer

from monitor import clock
from monitor.cli.context import CliContext, fail, fail_with_problems
from monitor.config import WatchConfig
from monitor.config.editing import append_sources, source_entry, unique_name
from monitor.durations import parse_duration
from monitor.errors import ConfigError, FetchError
from monitor.parsing.discovery import DiscoveredFeed, discover_feeds, looks_like_feed
from monitor.parsing.opml import MAX_OPML_BYTES, parse_opml
from monitor.pipeline.source_admin import (
    FoundFeed,
    configured_urls,
    fetch_page,
    language_code,
    no_feed_message,
    plan_import,
    read_discovered,
    read_feed,
    sources_opml,
    url_key,
)
from monitor.sanitize import sanitize
from monitor.settings import FetchSettings
from monitor.storage.health import SourceHealth, list_source_health
from monitor.storage.sources import sync_sources
from monitor.wording import plural

app = typer.Typer(
    help="Sources: their health (with no sub-command), and adding, importing and exporting them.",
    invoke_without_command=True,
)

ERROR_CHARS = 60
NAME_CHARS = 40
REASON_CHARS = 40
STATUSES = frozenset({"ok", "new", "failing", "gone", "disabled"})
_LANGUAGE = re.compile(r"[a-z]{2}")


class HealthFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[HealthFormat, typer.Option("--format", help="table, or json (one line a source).")]
NameOption = Annotated[str | None, typer.Option("--name", help="Name of the source (default: feed title).")]
IntervalOption = Annotated[str | None, typer.Option("--interval", help="How often to poll, e.g. 30m.")]
LanguageOption = Annotated[str | None, typer.Option("--language", help="ISO 639-1 hint (default: feed's).")]
TagOption = Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")]
AllOption = Annotated[bool, typer.Option("--all", help="Add every feed a page lists, not only the first.")]
StatusOption = Annotated[
    list[str] | None, typer.Option("--status", help="Only this status: ok, new, failing, gone, disabled.")
]


@app.callback()
def health(
    ctx: typer.Context, output: FormatOption = HealthFormat.table, status: StatusOption = None
) -> None:
    """List every source's health: status, failures in a row, last success, next check, last error."""
    if ctx.invoked_subcommand is not None:
        return
    if status and not set(status) <= STATUSES:
        raise typer.BadParameter(f"one of {', '.join(sorted(STATUSES))}", param_hint="--status")
    context: CliContext = ctx.obj
    with context.database.session() as session:
        if (
            context.config_problems is None
        ):  # else the stored sources, as the last good configuration left them
            sync_sources(session, context.config.sources)
            session.commit()
        records = list_source_health(session, now=clock.now())
    rows = [health_row(record) for record in records if not status or record.status in status]
    if output is HealthFormat.json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
    elif not rows and records:
        typer.echo(f"no {' or '.join(status or ())} sources ({plural(len(records), 'source')} configured)")
    else:
        typer.echo(render_health(rows))


def health_row(record: SourceHealth) -> dict[str, Any]:
    """One source's health as plain JSON-able values, times in ISO 8601 UTC, text sanitized."""
    return {key: _plain(value) for key, value in asdict(record).items()}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    return sanitize(value) if isinstance(value, str) else value


def _iso(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


def render_health(rows: Sequence[Mapping[str, Any]]) -> str:
    """An aligned table for a terminal, errors shortened, then a count of sources by status."""
    if not rows:
        return "no sources configured"
    header = ("NAME", "STATUS", "FAILS", "NEW 24H", "LAST SUCCESS", "NEXT CHECK", "WHY", "LAST ERROR")
    body = [
        (
            _shorten(row["name"], NAME_CHARS),
            row["status"],
            str(row["consecutive_failures"]),
            str(row["new_items_24h"]),
            _minute(row["last_success_at"]),
            _minute(row["next_check_at"]),
            _shorten(row["next_check_reason"] or "-", REASON_CHARS),
            _shorten(_problem(row), ERROR_CHARS),
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = [_aligned(line, widths) for line in [header, *body]]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    tally = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    return "\n".join([*lines, f"{plural(len(rows), 'source')}: {tally}"])


def _problem(row: Mapping[str, Any]) -> str:
    """The last error, or for a source read despite a problem, its warning."""
    if row["last_error"]:
        return str(row["last_error"])
    return f"warning: {row['last_warning']}" if row.get("last_warning") else ""


def _aligned(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def _minute(moment: str | None) -> str:
    return moment[:16].replace("T", " ") if moment else "-"


def _shorten(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


@app.command("add")
def add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="A feed's URL, or a web page that links to its feeds.")],
    name: NameOption = None,
    interval: IntervalOption = None,
    language: LanguageOption = None,
    tag: TagOption = None,
    add_all: AllOption = False,
) -> None:
    """Add a feed to sources.yaml: given directly, or found on a web page (`<link rel=alternate>`)."""
    context: CliContext = ctx.obj
    config = context.config
    _check_options(interval, language)
    configured = configured_urls(config)
    _refuse_configured(configured, url, "this URL")
    found = _find_feeds(context.settings.fetch, url, configured, add_all)
    taken = {source.name for source in config.sources}
    entries = []
    for feed in found:
        chosen = unique_name(name or feed.title, taken, fallback=urlsplit(feed.url).netloc)
        taken.add(chosen)
        code = language_code(language or feed.language)
        entries.append(source_entry(chosen, feed.url, interval=interval, language=code, tags=tag or []))
    _save(context, entries)
    for entry in entries:
        typer.echo(f"added source '{entry['name']}': {entry['url']}")


def _check_options(interval: str | None, language: str | None) -> None:
    try:
        if interval is not None:
            parse_duration(interval)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--interval") from error
    if language is not None and language_code(language) is None:
        raise typer.BadParameter("an ISO 639-1 code such as en, fr, uk, ru or de", param_hint="--language")


def _refuse_configured(configured: Mapping[str, str], url: str, what: str) -> None:
    existing = configured.get(url_key(url))
    if existing is not None:
        fail(f"{what} is already configured as source '{existing}': {url}")


def _find_feeds(
    settings: FetchSettings, url: str, configured: Mapping[str, str], add_all: bool
) -> list[FoundFeed]:
    """The feeds to add for `url`: itself when it is a feed, else those its page lists."""
    try:
        page = asyncio.run(fetch_page(settings, url))
        if looks_like_feed(page.body or b"", page.content_type):
            return [read_feed(page, url)]
    except FetchError as error:
        fail(f"could not read {url}: {error.message}")
    discovered = discover_feeds(page.body or b"", page.url, content_type=page.content_type)
    if not discovered:
        fail(no_feed_message(url))
    chosen = _choose(discovered, configured, add_all)
    found, failures = asyncio.run(read_discovered(settings, [feed.url for feed in chosen]))
    for feed_url, message in failures:
        typer.secho(f"warning: could not read {feed_url}: {message}", fg=typer.colors.YELLOW, err=True)
    if not found:
        fail(f"no feed listed by {url} could be read")
    titles = {feed.url: feed.title for feed in chosen}
    return [FoundFeed(f.url, f.title or titles.get(f.url) or "", f.language) for f in found]


def _choose(
    discovered: list[DiscoveredFeed], configured: Mapping[str, str], add_all: bool
) -> list[DiscoveredFeed]:
    """The first feed (naming the others), or with --all every feed not configured yet."""
    if not add_all:
        _refuse_configured(configured, discovered[0].url, "the page's feed")
        if len(discovered) > 1:
            typer.echo("the page lists other feeds too (add them with --all, or by URL):")
            for feed in discovered[1:]:
                typer.echo(f"  {feed.url}" + (f"  ({feed.title})" if feed.title else ""))
        return discovered[:1]
    fresh = [feed for feed in discovered if url_key(feed.url) not in configured]
    for feed in discovered:
        if feed not in fresh:
            typer.echo(f"skipped {feed.url}: already configured as '{configured[url_key(feed.url)]}'")
    if not fresh:
        fail("every feed the page lists is already configured")
    return fresh


def _save(context: CliContext, entries: Sequence[Mapping[str, Any]]) -> WatchConfig:
    """Append to sources.yaml and check the whole configuration; restore the file on problems."""
    try:
        return append_sources(context.config_dir, entries)
    except ConfigError as error:
        typer.secho("sources.yaml left unchanged: the change would make the configuration invalid", err=True)
        fail_with_problems(error)
        raise AssertionError("unreachable") from error


@app.command("import")
def import_opml(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="An OPML file of subscriptions.")],
) -> None:
    """Add every feed of an OPML file not configured yet (names from titles, folders become tags)."""
    context: CliContext = ctx.obj
    try:
        with file.open("rb") as stream:  # read up to the cap: a device such as /dev/zero has no size
            data = stream.read(MAX_OPML_BYTES + 1)
    except OSError as error:
        fail(f"cannot read {file}: {error.strerror or error}")
    if len(data) > MAX_OPML_BYTES:
        fail(f"{file}: larger than {MAX_OPML_BYTES:,} bytes")
    try:
        outlines = parse_opml(data)
    except ValueError as error:
        fail(f"{file}: {error}")
    entries, skipped = plan_import(outlines, context.config)
    if entries:
        _save(context, entries)
    typer.echo(f"added {plural(len(entries), 'source')}, skipped {len(skipped)}")
    for title, reason in skipped:
        typer.echo(f"  skipped '{title}': {reason}")


@app.command("export")
def export_opml(
    ctx: typer.Context,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
    title: Annotated[str, typer.Option("--title", help="Title of the OPML document.")] = "monitor sources",
) -> None:
    """Write the configured feeds as OPML (each in a folder named after its first tag, tags kept)."""
    context: CliContext = ctx.obj
    sources = context.config.sources
    document, left_out = sources_opml(context.config, title)
    if left_out:
        typer.echo(f"left out {left_out} html source(s): OPML lists feeds only", err=True)
    if output is None:
        typer.echo(document, nl=False)
        return
    try:
        output.write_bytes(document)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror or error}")
    typer.echo(f"exported {plural(len(sources) - left_out, 'source')} to {output}", err=True)
