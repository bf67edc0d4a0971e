"""What the rule workshop's pages and API share: drafts read from a form or JSON, and the services of
`monitor.workshop` called with the desk's database, configuration directory and word index."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor import clock
from monitor.config import RuleConfig, WatchConfig, load_config
from monitor.durations import parse_duration
from monitor.errors import DeskError, NotFound
from monitor.rules import RuleCompileError
from monitor.rules.lexer import lex
from monitor.storage.rule_history import ChangeRecord
from monitor.web.desk import Desk
from monitor.web.security import Caller
from monitor.workshop.files import (
    CONCEPTS_FILE,
    RULES_FILE,
    DraftCheck,
    RuleDraft,
    check_rule,
    open_file,
    save_text,
    with_concept,
    with_rule,
)
from monitor.workshop.history import Applied, apply_to_history
from monitor.workshop.preview import Preview, preview

MAX_QUERY_CHARS = 20_000
MAX_LINES = 200
MAX_WINDOW = "3650d"


def config_of(desk: Desk) -> WatchConfig:
    config = desk.config.current()
    if config is None:
        raise DeskError("the configuration directory does not load: fix it first (monitor check)")
    return config


def saved_rule(desk: Desk, name: str) -> RuleConfig | None:
    return next((rule for rule in config_of(desk).rules if rule.name == name), None)


def _lines(value: Any) -> list[str]:
    """A list from JSON, or the non-empty lines of a textarea."""
    items = value if isinstance(value, list) else str(value or "").splitlines()
    return [" ".join(str(item).split()) for item in items if str(item).strip()][:MAX_LINES]


def draft_from(values: Mapping[str, Any], name: str) -> RuleDraft:
    """A rule draft from a form (textareas: one example per line; channels separated by commas) or JSON."""
    query = str(values.get("query") or "")
    if len(query) > MAX_QUERY_CHARS:
        raise DeskError(f"a query is at most {MAX_QUERY_CHARS:,} characters")
    channels = values.get("channels") or []
    if isinstance(channels, str):
        channels = [part.strip() for part in channels.split(",")]
    enabled = values.get("enabled", True)
    if isinstance(enabled, str):
        enabled = enabled in ("on", "yes", "true", "1")
    return RuleDraft(
        name=name,
        query=query,
        description=str(values.get("description") or ""),
        channels=[str(c) for c in channels if str(c).strip()],
        enabled=bool(enabled),
        match=_lines(values.get("match")),
        no_match=_lines(values.get("no_match")),
    )


def since_of(text: str | None) -> datetime | None:
    """The start of a preview window (`30d` by default; `all` for all history)."""
    if text in ("all", "*"):
        return None
    try:
        window = parse_duration(text or "30d")
    except ValueError as error:
        raise DeskError(f"window: {error}") from error
    return clock.now() - min(window, parse_duration(MAX_WINDOW))


def check_draft(desk: Desk, draft: RuleDraft) -> DraftCheck:
    return check_rule(desk.config.directory, draft, config_of(desk).concepts)


def run_preview(
    desk: Desk, name: str, query: str, window: str | None, concepts: Mapping[str, list[str]] | None = None
) -> Preview:
    """The draft's preview against the saved rule `name` (if any); DeskError when it does not compile."""
    config = config_of(desk)
    saved = saved_rule(desk, name)
    try:
        with desk.database.read_session() as session:
            return preview(
                session, desk.corpus, name, query, concepts or config.concepts,
                saved=saved.query if saved else None, since=since_of(window), saved_concepts=config.concepts,
            )  # fmt: skip
    except RuleCompileError as error:
        raise DeskError(f"the query does not compile: {error.errors[0].message}") from error


MAX_ALTERNATIVES = 1_000
MAX_ALTERNATIVE_CHARS = 500


def alternatives_from(value: Any) -> list[str]:
    """A concept's alternatives from JSON (a list) or a textarea (one per line), blank lines left out."""
    items = value if isinstance(value, list) else str(value or "").splitlines()
    found = [str(item).strip() for item in items if str(item).strip()]
    if len(found) > MAX_ALTERNATIVES or any(len(item) > MAX_ALTERNATIVE_CHARS for item in found):
        raise DeskError(
            f"a concept has at most {MAX_ALTERNATIVES:,} alternatives of {MAX_ALTERNATIVE_CHARS} characters"
        )
    return found


def rules_using(config: WatchConfig, concept: str) -> list[RuleConfig]:
    """The rules whose query names the concept, directly or through concepts that name it."""
    users = {concept}
    grown = True
    while grown:
        named = {
            name
            for name, alternatives in config.concepts.items()
            if any(item.strip().startswith("@") and item.strip()[1:] in users for item in alternatives)
        }
        grown = not named <= users
        users |= named
    return [rule for rule in config.rules if users & _concepts_named(rule.query)]


def _concepts_named(query: str) -> set[str]:
    return {lexeme.value for lexeme in lex(query)[0] if lexeme.kind == "CONCEPT" and lexeme.value}


@dataclass(frozen=True)
class ConceptEffect:
    """What a draft concept does to one rule that uses it: its preview, or why there is none."""

    rule: str
    found: Preview | None
    error: str | None


def preview_concept(
    desk: Desk, name: str, alternatives: list[str], window: str | None
) -> list[ConceptEffect]:
    """The preview of every rule using the concept, with the draft alternatives against the saved ones."""
    config = config_of(desk)
    if name not in config.concepts:
        raise NotFound(f"no concept named {name!r}")
    draft = {**config.concepts, name: alternatives}
    effects = []
    for rule in rules_using(config, name):
        try:
            found = run_preview(desk, rule.name, rule.query, window, draft)
        except DeskError as error:
            effects.append(ConceptEffect(rule.name, None, str(error)))
        else:
            effects.append(ConceptEffect(rule.name, found, None))
    return effects


@dataclass(frozen=True)
class Saved:
    change: ChangeRecord
    applied: Applied | None


def save_rule(
    desk: Desk,
    caller: Caller,
    draft: RuleDraft,
    version: str,
    *,
    apply: str | None = None,
    alert: bool = False,
) -> Saved:
    """Write the rule to rules.yaml (see files.save_text), then, if `apply` names a window, apply the saved
    rule to it. A bad window is refused before anything is written: an error means nothing was saved."""
    if apply:
        since_of(apply)
    opened = open_file(desk.config.directory, RULES_FILE)
    text = with_rule(opened.text, draft)
    now = clock.now()
    with desk.database.session() as session:
        change = save_text(
            session, desk.config.directory, RULES_FILE, text, version=version, actor=caller.name,
            subject=draft.name, summary=f"rule {draft.name}", now=now,
        )  # fmt: skip
        session.commit()
    applied = None
    if apply:
        applied = apply_rule(desk, draft.name, apply, alert=alert)
    return Saved(change, applied)


def apply_rule(desk: Desk, name: str, window: str | None, *, alert: bool) -> Applied:
    config = load_config(desk.config.directory)
    with desk.database.session() as session:
        applied = apply_to_history(
            session, desk.corpus, config, name, since=since_of(window), alert=alert, now=clock.now()
        )
        session.commit()
    return applied


def save_concept(
    desk: Desk, caller: Caller, name: str, alternatives: list[str], version: str
) -> ChangeRecord:
    if not name or not name.replace("_", "").replace("-", "").isalnum():
        raise NotFound(f"no concept named {name!r}")
    text = with_concept(open_file(desk.config.directory, CONCEPTS_FILE).text, name, alternatives)
    with desk.database.session() as session:
        change = save_text(
            session, desk.config.directory, CONCEPTS_FILE, text, version=version, actor=caller.name,
            subject=f"@{name}", summary=f"concept @{name}", now=clock.now(),
        )  # fmt: skip
        session.commit()
    return change
