"""`monitor rules test`: run rules on given articles or on stored history, without alerting."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from monitor import clock
from monitor.cli.context import CliContext
from monitor.durations import parse_duration
from monitor.pipeline.poll import document_for
from monitor.rules import Document, Matcher, RuleSpec, compile_rules
from monitor.storage.articles import iter_articles

app = typer.Typer(help="Work with watch rules.", no_args_is_help=True)

InputOption = Annotated[
    Path | None,
    typer.Option("--input", "-i", help="Articles as JSON lines ('-' for stdin): id, title, text, language…"),
]
RuleOption = Annotated[list[str] | None, typer.Option("--rule", help="Only this rule (repeatable).")]
SinceOption = Annotated[str | None, typer.Option("--since", help="Replay stored articles, e.g. 30d.")]


@app.command("test")
def test_rules(
    ctx: typer.Context, input: InputOption = None, rule: RuleOption = None, since: SinceOption = None
) -> None:
    """Print, one JSON line per article, which rules match it: disabled rules included, no alert sent."""
    context: CliContext = ctx.obj
    if (input is None) == (since is None):
        raise typer.BadParameter("give either --input FILE (or -) or --since DURATION", param_hint="--input")
    matcher = _matcher_for(context, rule)
    if input is not None:
        stream = sys.stdin if str(input) == "-" else input.open(encoding="utf-8")
        with stream:
            _print_matches(matcher, _documents_from_jsonl(stream))
        return
    try:
        cutoff = clock.now() - parse_duration(since or "")
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--since") from error
    with context.database.session() as session:
        documents = ((a.id, document_for(a, name)) for a, name in iter_articles(session, since=cutoff))
        _print_matches(matcher, documents)


def _matcher_for(context: CliContext, names: list[str] | None) -> Matcher:
    """All configured rules, enabled or not (testing comes before going live), or only the named ones."""
    rules = context.config.rules
    unknown = sorted(set(names or ()) - {r.name for r in rules})
    if unknown:
        raise typer.BadParameter(f"no rule named {', '.join(unknown)}", param_hint="--rule")
    chosen = [r for r in rules if not names or r.name in names]
    return compile_rules([RuleSpec(r.name, r.query) for r in chosen], context.config.concepts)


def _documents_from_jsonl(stream: TextIO) -> Iterator[tuple[Any, Document]]:
    """Articles from JSON lines; a bad line is an error naming its line number."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise typer.BadParameter(f"line {number}: not JSON: {error.msg}", param_hint="--input") from error
        if not isinstance(item, dict) or not (item.get("text") or item.get("title")):
            raise typer.BadParameter(f"line {number}: needs 'text' or 'title'", param_hint="--input")
        yield (
            item.get("id", number),
            Document(
                title=str(item.get("title") or ""),
                text=str(item.get("text") or ""),
                language=item.get("language"),
                url=str(item.get("url") or ""),
                source=str(item.get("source") or ""),
            ),
        )


def _print_matches(matcher: Matcher, documents: Iterable[tuple[Any, Document]]) -> None:
    for identifier, document in documents:
        matches = [
            {"rule": m.rule, "terms": list(m.terms), "snippet": m.snippet} for m in matcher.match(document)
        ]
        typer.echo(json.dumps({"id": identifier, "matches": matches}, ensure_ascii=False))
