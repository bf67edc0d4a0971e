"""Why a source's next check is when it is: `source.next_check_reason`, shown by `monitor sources`.

The reason's first word is its kind (`interval`, `busy`, `server`, `backoff`): a reload that shortens a
source's interval pulls in the next checks its interval decided, not those the server asked for. Rows
without a reason (checked before this revision) are treated as the interval's, so an upgrade pulls in the
checks that the former policy had stretched beyond the interval.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.add_column(sa.Column("next_check_reason", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.drop_column("next_check_reason")
