"""`monitor hits`: the stored hit log, as a table, JSON lines or CSV."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer

from monitor import clock
from monitor.cli.context import CliContext, fail_unknown
from monitor.durations import parse_duration
from monitor.sanitize import sanitize, sanitize_optional, spreadsheet_safe
from monitor.storage.hitlog import STATES, Cursor, HitFilter, HitRow, has_hits_of_rule, hit_page
from monitor.storage.stories import stories_of


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


FIELDS = (
    *("rule", "state", "starred", "tags", "title", "url", "source", "published", "matched_at", "terms"),
    "snippet",
)


RuleOption = Annotated[str | None, typer.Option("--rule", help="Only the hits of this rule.")]
SinceOption = Annotated[str | None, typer.Option("--since", help="Only newer hits, e.g. 7d, 12h.")]
MAX_LIMIT = 1_000_000
LimitOption = Annotated[
    int | None, typer.Option("--limit", min=1, max=MAX_LIMIT, help="At most this many hits.")
]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table, json (a line each) or csv.")]
StateOption = Annotated[
    list[str] | None,
    typer.Option("--state", help="Only hits in this triage state (repeatable): " + ", ".join(STATES)),
]
TagOption = Annotated[str | None, typer.Option("--tag", help="Only hits with this tag.")]
StarredOption = Annotated[bool, typer.Option("--starred", help="Only starred hits.")]
SearchOption = Annotated[str | None, typer.Option("--search", help="Full-text search of titles and text.")]


def hits(
    ctx: typer.Context,
    rule: RuleOption = None,
    since: SinceOption = None,
    limit: LimitOption = None,
    output: FormatOption = OutputFormat.table,
    state: StateOption = None,
    tag: TagOption = None,
    starred: StarredOption = False,
    search: SearchOption = None,
) -> None:
    """List stored hits, newest first, with their triage (state, star, tags)."""
    context: CliContext = ctx.obj
    context.reading_only = True
    try:
        cutoff = clock.now() - parse_duration(since) if since else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--since") from error
    if state and not set(state) <= set(STATES):
        raise typer.BadParameter(f"one of {', '.join(STATES)}", param_hint="--state")
    chosen = HitFilter(
        rules=(rule,) if rule else (),
        states=tuple(state or ()),
        tag=tag,
        starred=True if starred else None,
        since=cutoff,
        search=search,
    )
    if rule:
        _check_rule(context, rule)
    records = _all_rows(context, chosen, limit)
    with context.database.read_session() as session:
        stories = stories_of(session, [record.article_id for record in records])
    rows = [hit_row(record) | {"story": stories.get(record.article_id)} for record in records]
    if output is OutputFormat.json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
    elif output is OutputFormat.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(
            csv_row({**row, "terms": ", ".join(row["terms"]), "tags": ", ".join(row["tags"])}) for row in rows
        )
    else:
        typer.echo(render_table(rows))


def _check_rule(context: CliContext, rule: str) -> None:
    """Exit 1 naming `rule` when no stored hit has it and the configuration has no rule of that name."""
    with context.database.read_session() as session:
        if has_hits_of_rule(session, rule):
            return
    if context.config_problems is not None:
        return  # the configuration cannot tell: list what is stored (nothing) rather than fail
    names = [configured.name for configured in context.config.rules]
    if rule in names:
        return
    fail_unknown("rule", rule, names, f"{context.config.directory / 'rules.yaml'} nor in the stored hits")


def _all_rows(context: CliContext, chosen: HitFilter, limit: int | None) -> list[HitRow]:
    """The hits of the filter, page after page of the hit log, at most `limit`."""
    found: list[HitRow] = []
    cursor: Cursor | None = None
    with context.database.read_session() as session:
        while limit is None or len(found) < limit:
            page = hit_page(
                session, chosen, after=cursor, limit=min(500, limit - len(found)) if limit else 500
            )
            found += page.rows
            if page.next_cursor is None:
                break
            cursor = Cursor.decode(page.next_cursor)
    return found


def hit_row(record: HitRow) -> dict[str, Any]:
    """One hit as plain JSON-able values, its text sanitized (stored before sanitizing existed, maybe)."""
    return {
        "id": record.hit_id,
        "rule": sanitize(record.rule),
        "state": record.state,
        "starred": record.starred,
        "tags": [sanitize(tag) for tag in record.tags],
        "title": sanitize(record.title),
        "url": sanitize_optional(record.url),
        "source": sanitize(record.source),
        "published": _iso(record.published),
        "matched_at": _iso(record.matched_at),
        "terms": [sanitize(term) for term in record.terms],
        "snippet": sanitize(record.snippet),
    }


csv_row = spreadsheet_safe


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def render_table(rows: list[dict[str, Any]]) -> str:
    """A plain aligned table of matched time, rule, source and title, for a terminal."""
    if not rows:
        return "no hits"
    header = ("MATCHED", "RULE", "STATE", "SOURCE", "TITLE")
    body = [
        (
            (row["matched_at"] or "")[:16].replace("T", " "),
            row["rule"],
            row["state"] + (" *" if row["starred"] else ""),
            row["source"],
            row["title"][:80],
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(widths[i]) if i < 4 else cell for i, cell in enumerate(line))
        for line in [header, *body]
    ]
    return "\n".join(lines)
