"""Alert policy per channel: hits held for digests, quiet hours and max_per_hour.

- digest_item: a hit held for a channel, when it is due, and the digest delivery that included it.
- delivery.digest: set on a digest's delivery (why its alerts were held).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("delivery") as batch:
        batch.add_column(sa.Column("digest", sa.String(16), nullable=True))
    op.create_table(
        "digest_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "hit_id",
            sa.Integer(),
            sa.ForeignKey("hit.id", name="fk_digest_item_hit_id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "delivery_id",
            sa.Integer(),
            sa.ForeignKey("delivery.id", name="fk_digest_item_delivery_id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.UniqueConstraint("hit_id", "channel", name="uq_digest_item_hit_id_channel"),
    )
    op.create_index("ix_digest_item_delivery_id_due_at", "digest_item", ["delivery_id", "due_at"])


def downgrade() -> None:
    op.drop_table("digest_item")
    with op.batch_alter_table("delivery") as batch:
        batch.drop_column("digest")
