"""Hits per rule and triage state, read from counters the database keeps (migration 0010), not counted.

Counting a million hits by (rule, state) reads a whole index (80–550 ms); the counters are a few rows per
rule, so the hit log can show them on every page. Triggers on `hit` keep them exact whoever writes (the
pollers, triage, bulk actions, deletions cascading from articles). On PostgreSQL each writing statement
appends its net change as new rows (see the migration), which `compact_hit_counts` folds into one row per
(rule, state) once there are many.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from monitor.storage.hitlog import STATES
from monitor.storage.tables import HitCount

COMPACT_ABOVE = 2_000
"""Counter rows past which a PostgreSQL reader asks for compaction (a read of 2,000 rows takes ~1 ms)."""

_count = HitCount.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class HitCounts:
    """How many hits each rule has in each triage state."""

    by_rule: dict[str, dict[str, int]]
    rows: int = 0
    """How many counter rows were summed (to decide on compaction)."""

    @property
    def by_state(self) -> dict[str, int]:
        totals = dict.fromkeys(STATES, 0)
        for states in self.by_rule.values():
            for state, count in states.items():
                totals[state] = totals.get(state, 0) + count
        return totals

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    @property
    def needs_compaction(self) -> bool:
        return self.rows > COMPACT_ABOVE


def hit_counts(session: Session) -> HitCounts:
    """Hits per rule and state (rules without any hit left out)."""
    statement = sa.select(_count.c.rule, _count.c.state, sa.func.sum(_count.c.n), sa.func.count()).group_by(
        _count.c.rule, _count.c.state
    )
    by_rule: dict[str, dict[str, int]] = {}
    rows = 0
    for rule, state, total, summed in session.connection().execute(statement):
        rows += summed
        if total:
            if rule not in by_rule:
                by_rule[rule] = dict.fromkeys(STATES, 0)
            by_rule[rule][state] = int(total)
    return HitCounts(dict(sorted(by_rule.items())), rows)


def compact_hit_counts(session: Session) -> None:
    """Fold the counter rows into one per (rule, state), in the caller's transaction (PostgreSQL only:
    SQLite's triggers keep one row each). Safe beside writers and other compactions: it moves exactly the
    rows its DELETE removed, and rows committed meanwhile stay for the next time."""
    if session.get_bind().dialect.name != "postgresql":
        return
    session.connection().execute(
        sa.text(
            "WITH moved AS (DELETE FROM hit_count RETURNING rule, state, n) "
            "INSERT INTO hit_count (rule, state, n) SELECT rule, state, sum(n) FROM moved "
            "GROUP BY rule, state HAVING sum(n) <> 0"
        )
    )
