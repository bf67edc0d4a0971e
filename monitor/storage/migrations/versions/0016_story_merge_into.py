"""The stories merged into a story, found by an index: a story's page (and /api/v1/stories/{id}) names
them, and `story_merge` grows with every merge.

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_story_merge_into_id", "story_merge", ["into_id"])


def downgrade() -> None:
    op.drop_index("ix_story_merge_into_id", table_name="story_merge")
