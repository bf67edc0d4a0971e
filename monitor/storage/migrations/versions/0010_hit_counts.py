"""Counts of hits per rule and triage state, kept by the database as hits change; the article of each hit
in the index of the hit log's order.

- hit_count (rule, state, n): the count of a (rule, state) is the sum of its rows' `n`, filled here from
  the hits already stored.
- SQLite: row triggers on hit (insert, delete, update of rule or state) add to the one row of each
  (rule, state) (SQLite has one writer at a time: no contention).
- PostgreSQL: statement triggers with transition tables append one row per (rule, state) a statement
  changes, with the net change; they never update a shared row, so concurrent writers of hits never wait
  on each other and cannot deadlock. `monitor.storage.hitcounts` folds the rows together from time to time.
- ix_hit_matched_at_id_article_id replaces ix_hit_matched_at_id: a search matching many articles walks
  the log newest first and checks each hit's article, from the index alone (`monitor.storage.hitlog`).

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_ADD = """
    UPDATE hit_count SET n = n + 1 WHERE rule = new.rule AND state = new.state;
    INSERT INTO hit_count (rule, state, n) SELECT new.rule, new.state, 1
        WHERE NOT EXISTS (SELECT 1 FROM hit_count WHERE rule = new.rule AND state = new.state);"""
_SQLITE_REMOVE = """
    UPDATE hit_count SET n = n - 1 WHERE rule = old.rule AND state = old.state;"""
_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER hit_count_insert AFTER INSERT ON hit BEGIN {_SQLITE_ADD} END",
    f"CREATE TRIGGER hit_count_delete AFTER DELETE ON hit BEGIN {_SQLITE_REMOVE} END",
    "CREATE TRIGGER hit_count_update AFTER UPDATE OF rule, state ON hit "
    f"WHEN old.rule IS NOT new.rule OR old.state IS NOT new.state BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END",
)
_POSTGRES_FUNCTIONS = {
    "insert": "SELECT rule, state, 1 AS n FROM new_rows",
    "delete": "SELECT rule, state, -1 AS n FROM old_rows",
    "update": "SELECT rule, state, 1 AS n FROM new_rows UNION ALL SELECT rule, state, -1 FROM old_rows",
}
_POSTGRES_TABLES = {
    "insert": "NEW TABLE AS new_rows",
    "delete": "OLD TABLE AS old_rows",
    "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def upgrade() -> None:
    op.create_index("ix_hit_matched_at_id_article_id", "hit", ["matched_at", "id", "article_id"])
    op.drop_index("ix_hit_matched_at_id", table_name="hit")
    op.create_table(
        "hit_count",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_hit_count_rule_state", "hit_count", ["rule", "state"])
    op.execute(
        "INSERT INTO hit_count (rule, state, n) SELECT rule, state, count(*) FROM hit GROUP BY rule, state"
    )
    if op.get_bind().dialect.name == "postgresql":
        for event, rows in _POSTGRES_FUNCTIONS.items():
            op.execute(
                f"CREATE FUNCTION hit_count_{event}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"INSERT INTO hit_count (rule, state, n) SELECT rule, state, sum(n) FROM ({rows}) AS change "
                "GROUP BY rule, state HAVING sum(n) <> 0; RETURN NULL; END $$"
            )
            op.execute(
                f"CREATE TRIGGER hit_count_{event} AFTER {event.upper()} ON hit "
                f"REFERENCING {_POSTGRES_TABLES[event]} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION hit_count_{event}()"
            )
        return
    for trigger in _SQLITE_TRIGGERS:
        op.execute(trigger)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for event in _POSTGRES_FUNCTIONS:
        op.execute(f"DROP TRIGGER IF EXISTS hit_count_{event}" + (" ON hit" if postgres else ""))
        if postgres:
            op.execute(f"DROP FUNCTION IF EXISTS hit_count_{event}()")
    op.drop_index("ix_hit_count_rule_state", table_name="hit_count")
    op.drop_table("hit_count")
    op.create_index("ix_hit_matched_at_id", "hit", ["matched_at", "id"])
    op.drop_index("ix_hit_matched_at_id_article_id", table_name="hit")
