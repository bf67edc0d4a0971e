"""`monitor rules test`: run rules on given articles or on stored history, without alerting."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer

from monitor import clock
from monitor.cli.context import CliContext, fail
from monitor.durations import parse_duration
from monitor.pipeline.poll import document_for
from monitor.rules import Document, Matcher, RuleCompileError, RuleSpec, compile_rules
from monitor.rules.model import words_at
from monitor.rules.results import unmarked
from monitor.sanitize import sanitize
from monitor.storage.articles import iter_articles
from monitor.wording import plural

app = typer.Typer(help="Work with watch rules.", no_args_is_help=True)

MAX_LINE_BYTES = 4_000_000
"""Longest input line read: an article of the longest text analysed (1,000,000 characters), JSON-escaped."""
_TEXT_FIELDS = ("title", "text", "language", "url", "source")

InputOption = Annotated[
    Path | None,
    typer.Option(
        "--input",
        "-i",
        help="Articles as JSON lines ('-' for stdin), one object a line: "
        '{"id": "a1", "title": "…", "text": "…", "language": "fr", "url": "…", "source": "…"}; '
        "title or text required, the rest optional (id defaults to the line number).",
    ),
]
FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        help="table (the matches only; the default with --since) or json (a line per article, matched or "
        "not; the default with --input).",
    ),
]
RuleOption = Annotated[list[str] | None, typer.Option("--rule", help="Only this rule (repeatable).")]
SinceOption = Annotated[str | None, typer.Option("--since", help="Replay stored articles, e.g. 30d.")]


class InputError(Exception):
    """A line of --input that cannot be read as an article."""


@app.command("test")
def test_rules(
    ctx: typer.Context,
    input: InputOption = None,
    rule: RuleOption = None,
    since: SinceOption = None,
    output: FormatOption = None,
) -> None:
    """Which rules match these articles (--input) or the stored ones (--since): disabled rules included,
    no hit stored, no alert sent. A table of the matches, or a JSON line per article."""
    context: CliContext = ctx.obj
    if (input is None) == (since is None):
        raise typer.BadParameter("give either --input FILE (or -) or --since DURATION", param_hint="--input")
    if output not in (None, "table", "json"):
        raise typer.BadParameter("table or json", param_hint="--format")
    show = (
        _print_table if (output or ("json" if input is not None else "table")) == "table" else _print_matches
    )
    try:
        cutoff = None if since is None else clock.now() - parse_duration(since)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--since") from error
    if input is not None and str(input) != "-" and (input.is_dir() or not input.exists()):
        reason = "is a directory" if input.is_dir() else "does not exist"
        raise typer.BadParameter(f"{input} {reason}", param_hint="--input")
    matcher = _matcher_for(context, rule)
    if input is not None:
        try:
            with sys.stdin.buffer if str(input) == "-" else input.open("rb") as stream:
                show(matcher, _documents_from_jsonl(stream))
        except InputError as error:
            fail(f"--input {error}")
        except OSError as error:
            fail(f"cannot read {input}: {error.strerror or error}")
        return
    with context.database.session() as session:
        documents = ((a.id, document_for(a, name)) for a, name in iter_articles(session, since=cutoff))
        show(matcher, documents)


@app.command("preview")
def preview_rule(
    ctx: typer.Context,
    query: Annotated[str, typer.Option("--query", "-q", help="The draft query.")],
    since: Annotated[str, typer.Option("--since", help="The window of stored articles, e.g. 30d.")] = "30d",
    rule: Annotated[
        str | None, typer.Option("--rule", help="Compare with this rule as saved (added and dropped).")
    ] = None,
) -> None:
    """Run a draft query on stored articles (no hit stored, no alert): how many it matches and, with
    --rule, the articles it adds and drops against the saved rule, with their triage state."""
    from monitor.workshop.corpus import CorpusWords
    from monitor.workshop.preview import preview

    context: CliContext = ctx.obj
    try:
        cutoff = clock.now() - parse_duration(since)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--since") from error
    config = context.config
    saved = next((r for r in config.rules if r.name == rule), None)
    if rule is not None and saved is None:
        raise typer.BadParameter(f"no rule named {rule}", param_hint="--rule")
    try:
        with context.database.session() as session:
            found = preview(
                session, CorpusWords(), rule or "", query, config.concepts,
                saved=saved.query if saved else None, since=cutoff,
            )  # fmt: skip
    except RuleCompileError as error:
        first = error.errors[0]
        fail(f"--query does not compile: {first.message} at column {first.offset + 1}")
    typer.echo(
        f"matches {found.matched} of {plural(found.scanned, 'article')} since {since} ({found.seconds:.2f} s)"
    )
    if saved is None:
        return
    typer.echo(f"saved rule '{saved.name}' matches {found.saved_matched}")
    for sign, listed, count, states in (
        ("+", found.added, found.added_count, found.added_states),
        ("-", found.dropped, found.dropped_count, found.dropped_states),
    ):
        by_state = ", ".join(f"{n} {state}" for state, n in sorted(states.items()))
        typer.echo(f"{'adds' if sign == '+' else 'drops'} {count}" + (f" ({by_state})" if by_state else ""))
        for article in listed:
            state = f" [{article.state}]" if article.state else ""
            typer.echo(f"  {sign} {article.article_id} {sanitize(article.title)[:100]}{state}")


def _matcher_for(context: CliContext, names: list[str] | None) -> Matcher:
    """All configured rules, enabled or not (testing comes before going live), or only the named ones."""
    rules = context.config.rules
    unknown = sorted(set(names or ()) - {r.name for r in rules})
    if unknown:
        raise typer.BadParameter(f"no rule named {', '.join(unknown)}", param_hint="--rule")
    chosen = [r for r in rules if not names or r.name in names]
    try:
        return compile_rules([RuleSpec(r.name, r.query) for r in chosen], context.config.concepts)
    except RuleCompileError as error:  # only disabled rules can be broken: enabled ones were checked
        first = error.errors[0]
        more = f" (and {len(error.errors) - 1} more)" if len(error.errors) > 1 else ""
        fail(
            f"rule '{first.rule}' (disabled) does not compile: {first.message} at offset {first.offset}"
            f"{more}; fix it, or leave it out with --rule"
        )


def _documents_from_jsonl(stream: BinaryIO) -> Iterator[tuple[Any, Document]]:
    """Articles from JSON lines, each read with bounded memory; InputError naming the line otherwise."""
    for number, line in enumerate(_lines(stream), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except RecursionError:
            raise InputError(f"line {number}: JSON nested too deeply") from None
        except ValueError as error:  # JSONDecodeError, or a number too long to read
            reason = error.msg if isinstance(error, json.JSONDecodeError) else str(error).split(";")[0]
            raise InputError(f"line {number}: not JSON: {reason}") from None
        yield _article(number, item)


def _lines(stream: BinaryIO) -> Iterator[str]:
    """The lines of a stream as text, none longer than MAX_LINE_BYTES (so /dev/zero is an error, not a
    memory exhaustion); InputError for a longer line or one that is not UTF-8."""
    number = 0
    while raw := stream.readline(MAX_LINE_BYTES + 1):
        number += 1
        if len(raw) > MAX_LINE_BYTES:
            raise InputError(f"line {number}: longer than {MAX_LINE_BYTES:,} bytes")
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InputError(f"line {number}: not UTF-8 (byte {error.start + 1})") from None


def _article(number: int, item: Any) -> tuple[Any, Document]:
    """The id and document of one JSON object; InputError when it is no article."""
    if not isinstance(item, dict) or not (item.get("text") or item.get("title")):
        raise InputError(f"line {number}: needs 'text' or 'title'")
    for key in _TEXT_FIELDS:
        if item.get(key) is not None and not isinstance(item[key], str):
            raise InputError(f"line {number}: '{key}' must be text")
    text = {key: sanitize(item.get(key) or "") for key in _TEXT_FIELDS}
    language = text.pop("language") or None
    return item.get("id", number), Document(**text, language=language)


def _print_matches(matcher: Matcher, documents: Iterable[tuple[Any, Document]]) -> None:
    for identifier, document in documents:
        matches = [
            {"rule": m.rule, "terms": list(m.terms), "snippet": unmarked(m.snippet)}
            for m in matcher.match(document)
        ]
        typer.echo(json.dumps({"id": identifier, "matches": matches}, ensure_ascii=False))


def _print_table(matcher: Matcher, documents: Iterable[tuple[Any, Document]]) -> None:
    """One aligned line per match (article, rule, source, title, the words found), then the counts."""
    read = matched = 0
    header = f"{'ARTICLE':>8}  {'RULE':<32}  {'SOURCE':<20}  TITLE — MATCHED"
    for identifier, document in documents:
        read += 1
        matches = matcher.match(document)
        if matches and not matched:
            typer.echo(header)
        matched += bool(matches)
        for match in matches:
            title = " ".join(sanitize(document.title).split())[:70] or "(untitled)"
            spans = ((h.field, h.start, h.end) for h in match.highlights)
            found = words_at(spans, {"title": document.title, "text": document.text}) or match.terms
            words = ", ".join(sanitize(word) for word in found)
            where = f"{str(identifier)[:8]:>8}  {match.rule[:32]:<32}  {document.source[:20]:<20}"
            typer.echo(f"{where}  {title} — {words}")
    typer.echo(f"{matched} of {plural(read, 'article')} matched")
