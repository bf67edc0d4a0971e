"""Apply to history: the hits a rule finds in the stored articles of a window, recorded as if the rule had
been there all along (without alerts unless asked), so that the hit log is complete for the new rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from monitor.config import WatchConfig
from monitor.errors import NotFound
from monitor.rules import RuleSpec, compile_rules
from monitor.storage.hits import record_hits
from monitor.workshop.corpus import CorpusWords
from monitor.workshop.preview import WindowMatches


@dataclass(frozen=True)
class Applied:
    """What applying a rule to history did."""

    rule: str
    matched: int
    created: int
    alerted: bool


def apply_to_history(
    session: Session,
    corpus: CorpusWords,
    config: WatchConfig,
    rule: str,
    *,
    since: datetime | None,
    alert: bool,
    now: datetime,
) -> Applied:
    """Record a hit for every article of the window the rule (as configured now) matches and has no hit
    for yet; with `alert`, a pending delivery to each of the rule's channels too. In the caller's
    transaction."""
    found = next((r for r in config.rules if r.name == rule), None)
    if found is None:
        raise NotFound(f"no rule named {rule!r}")
    matcher = compile_rules([RuleSpec(found.name, found.query)], config.concepts)
    channels = list(found.channels) if alert else []
    matched = created = 0
    for stored, matches in WindowMatches(session, corpus, matcher, since):
        matched += 1
        created += len(record_hits(session, stored.article, matches, lambda _: channels, now=now))  # type: ignore[arg-type]
    return Applied(rule, matched, created, alert)
