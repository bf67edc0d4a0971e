"""Alerts go out oldest first per channel, and the last good configuration is kept.

- delivery: index (channel, status, id), so the dispatcher finds each channel's oldest pending delivery
  (the only one it may send: a later alert never overtakes an earlier one) without scanning the backlog.
- config_snapshot: the files of the last configuration that loaded cleanly, by configuration directory,
  for a process to start on while the current files are broken or missing.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_delivery_channel_status_id", "delivery", ["channel", "status", "id"])
    op.create_table(
        "config_snapshot",
        sa.Column("directory", sa.String(1000), primary_key=True),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("config_snapshot")
    op.drop_index("ix_delivery_channel_status_id", table_name="delivery")
