"""Sources at scale: leases for several workers, health state, operations notices in the outbox.

- source: `configured_url` (what sources.yaml says; `url` may differ after a permanent redirect),
  `disabled_reason` (410 Gone…), `lease_owner`/`lease_expires_at` (which worker is fetching it),
  `body_hash` (skip parsing byte-identical bodies), `health_alert` (the operations alert raised, if any).
- notice: a message about monitor itself (a source failing, silent, recovered), delivered like a hit.
- delivery: `hit_id` becomes optional and `notice_id` is added: a delivery announces a hit or a notice.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.add_column(sa.Column("configured_url", sa.Text(), nullable=True))
        batch.add_column(sa.Column("disabled_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("lease_owner", sa.String(200), nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("body_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("health_alert", sa.String(16), nullable=True))
    op.execute("UPDATE source SET configured_url = url")

    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column(
            "source_id",
            sa.Integer(),
            sa.ForeignKey("source.id", name="fk_notice_source_id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_notice_created_at", "notice", ["created_at"])

    with op.batch_alter_table("delivery") as batch:
        batch.alter_column("hit_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("notice_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_delivery_notice_id", "notice", ["notice_id"], ["id"], ondelete="CASCADE")
        batch.create_unique_constraint("uq_delivery_notice_id_channel", ["notice_id", "channel"])


def downgrade() -> None:
    op.execute("DELETE FROM delivery WHERE notice_id IS NOT NULL")
    with op.batch_alter_table("delivery") as batch:
        batch.drop_constraint("uq_delivery_notice_id_channel", type_="unique")
        batch.drop_constraint("fk_delivery_notice_id", type_="foreignkey")
        batch.drop_column("notice_id")
        batch.alter_column("hit_id", existing_type=sa.Integer(), nullable=False)
    op.drop_index("ix_notice_created_at", table_name="notice")
    op.drop_table("notice")
    with op.batch_alter_table("source") as batch:
        for column in (
            "health_alert",
            "body_hash",
            "lease_expires_at",
            "lease_owner",
            "disabled_reason",
            "configured_url",
        ):
            batch.drop_column(column)
