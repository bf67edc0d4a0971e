"""Stories: the articles that report one event, and alerts once per story.

- story: `first_at`, `last_at` (the window runs from the latest article), `merged_into`.
- story_article: the story of each article and the features it was assigned by; `id` grows in the order
  assignments commit, which lets each worker's index catch up with the others'.
- story_merge: stories folded into others by a bridging article.
- story_alert: (story, rule, channel) that has alerted already.
- alert_rule: the rules an alert names when one article matched several rules routed to one channel.

Existing articles get no story: they are older than any story window by the time this runs, or will be.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "story",
        sa.Column("id", sa.Integer(), primary_key=True),
        _when("first_at"),
        _when("last_at"),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        _when("created_at"),
    )
    op.create_index("ix_story_last_at", "story", ["last_at"])
    op.create_table(
        "story_article",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "article_id",
            sa.Integer(),
            sa.ForeignKey("article.id", name="fk_story_article_article_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("story_id", sa.Integer(), nullable=False),
        _when("at"),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.UniqueConstraint("article_id", name="uq_story_article_article_id"),
    )
    op.create_index("ix_story_article_story_id", "story_article", ["story_id"])
    op.create_table(
        "story_merge",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("into_id", sa.Integer(), nullable=False),
        _when("created_at"),
    )
    op.create_table(
        "story_alert",
        sa.Column("story_id", sa.Integer(), primary_key=True),
        sa.Column("rule", sa.String(200), primary_key=True),
        sa.Column("channel", sa.String(200), primary_key=True),
    )
    op.create_table(
        "alert_rule",
        sa.Column(
            "hit_id",
            sa.Integer(),
            sa.ForeignKey("hit.id", name="fk_alert_rule_hit_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("channel", sa.String(200), primary_key=True),
        sa.Column("rule", sa.String(200), primary_key=True),
    )


def downgrade() -> None:
    for table in ("alert_rule", "story_alert", "story_merge", "story_article", "story"):
        op.drop_table(table)
