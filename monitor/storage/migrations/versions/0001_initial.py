"""Create source, article, hit and delivery (the outbox).

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, *, nullable: bool = True) -> sa.Column:
    """A timestamp with time zone (monitor stores UTC)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "source",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        _when("last_checked_at"),
        _when("last_success_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        _when("next_check_at"),
        _when("created_at", nullable=False),
        sa.UniqueConstraint("name", name="uq_source_name"),
    )
    op.create_index("ix_source_enabled_next_check_at", "source", ["enabled", "next_check_at"])

    op.create_table(
        "article",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "source_id", sa.Integer(), sa.ForeignKey("source.id", name="fk_article_source_id"), nullable=False
        ),
        sa.Column("dedupe_key", sa.String(300), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("guid", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("language", sa.String(35), nullable=True),
        _when("published_at"),
        _when("first_seen_at", nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("source_id", "dedupe_key", name="uq_article_source_id_dedupe_key"),
    )
    op.create_index("ix_article_first_seen_at", "article", ["first_seen_at"])

    op.create_table(
        "hit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column(
            "article_id",
            sa.Integer(),
            sa.ForeignKey("article.id", name="fk_hit_article_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("highlights", sa.JSON(), nullable=False),
        sa.Column("snippet", sa.Text(), nullable=False),
        _when("matched_at", nullable=False),
        sa.UniqueConstraint("rule", "article_id", name="uq_hit_rule_article_id"),
    )
    op.create_index("ix_hit_matched_at", "hit", ["matched_at"])
    op.create_index("ix_hit_rule_matched_at", "hit", ["rule", "matched_at"])
    op.create_index("ix_hit_article_id", "hit", ["article_id"])

    op.create_table(
        "delivery",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "hit_id",
            sa.Integer(),
            sa.ForeignKey("hit.id", name="fk_delivery_hit_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("next_attempt_at"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _when("sent_at"),
        _when("created_at", nullable=False),
        sa.UniqueConstraint("hit_id", "channel", name="uq_delivery_hit_id_channel"),
    )
    op.create_index("ix_delivery_status_next_attempt_at", "delivery", ["status", "next_attempt_at"])


def downgrade() -> None:
    for table in ("delivery", "hit", "article", "source"):
        op.drop_table(table)
