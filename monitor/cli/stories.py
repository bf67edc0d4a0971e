"""`monitor stories`: stories (articles reporting one event across outlets and languages) with articles."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from monitor import clock
from monitor.cli.context import CliContext
from monitor.cli.hits import OutputFormat, _check_rule, _iso
from monitor.durations import parse_duration
from monitor.sanitize import sanitize, sanitize_optional
from monitor.storage.stories import StoryRecord, list_stories
from monitor.wording import plural

SinceOption = Annotated[
    str, typer.Option("--since", help="Stories with an article this recent, e.g. 7d, 12h.")
]
RuleOption = Annotated[str | None, typer.Option("--rule", help="Only stories with a hit of this rule.")]
FormatOption = Annotated[OutputFormat, typer.Option("--format", help="table or json (a line per story).")]


def stories(
    ctx: typer.Context,
    since: SinceOption = "7d",
    rule: RuleOption = None,
    output: FormatOption = OutputFormat.table,
) -> None:
    """List stories, latest first, each with its articles (source, language, title, URL, time)."""
    context: CliContext = ctx.obj
    context.reading_only = True
    try:
        cutoff = clock.now() - parse_duration(since)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--since") from error
    if output is OutputFormat.csv:
        raise typer.BadParameter("table or json", param_hint="--format")
    with context.database.read_session() as session:
        found = list_stories(session, since=cutoff, rule=rule)
    if rule is not None and not found:
        _check_rule(context, rule)
    if output is OutputFormat.json:
        for story in found:
            typer.echo(json.dumps(story_row(story), ensure_ascii=False))
    else:
        typer.echo(render_stories(found))


def story_row(story: StoryRecord) -> dict[str, Any]:
    """One story as plain JSON-able values."""
    return {
        "id": story.id,
        "first_at": _iso(story.first_at),
        "last_at": _iso(story.last_at),
        "sources": story.sources,
        "languages": list(story.languages),
        "articles": [
            {
                "source": sanitize(article.source),
                "language": article.language,
                "title": sanitize(article.title),
                "url": sanitize_optional(article.url),
                "at": _iso(article.at),
            }
            for article in story.articles
        ],
    }


def render_stories(found: list[StoryRecord]) -> str:
    """Each story as a heading ("N sources in M languages") and its articles indented, for a terminal."""
    if not found:
        return "no stories"
    lines: list[str] = []
    for story in found:
        languages = ", ".join(story.languages) or "?"
        spread = f"{plural(story.sources, 'source')} in {plural(len(story.languages), 'language')}"
        lines.append(f"story {story.id}: {spread} ({languages})")
        for article in story.articles:
            when = (_iso(article.at) or "")[:16].replace("T", " ")
            title = sanitize(article.title)[:80]
            lines.append(f"  {when}  {article.language or '--':<3} {sanitize(article.source)}  {title}")
    return "\n".join(lines)
