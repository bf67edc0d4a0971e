"""The tables of monitor, as described in docs/architecture.md (identical on SQLite and PostgreSQL).

Timestamps are `UTCDateTime` (aware UTC in and out). Constraint and index names are explicit so that the
migrations name the same objects on both backends.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from monitor.storage.types import UTCDateTime

metadata = SQLModel.metadata


class DeliveryStatus(StrEnum):
    """Where an alert stands in the outbox."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def _when(*, nullable: bool = True, index: bool = False) -> Any:
    """A UTC timestamp column."""
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class Source(SQLModel, table=True):
    """A feed being followed, with the state of its last fetches (what the source list shows)."""

    __tablename__ = "source"
    __table_args__ = (
        sa.UniqueConstraint("name", name="uq_source_name"),
        sa.Index("ix_source_enabled_next_check_at", "enabled", "next_check_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(200), nullable=False)
    url: str = Field(sa_type=sa.Text, nullable=False)
    enabled: bool = Field(default=True, nullable=False)
    etag: str | None = Field(default=None, sa_type=sa.Text)
    last_modified: str | None = Field(default=None, sa_type=sa.Text)
    last_checked_at: datetime | None = _when()
    last_success_at: datetime | None = _when()
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    consecutive_failures: int = Field(default=0, nullable=False)
    next_check_at: datetime | None = _when()
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    configured_url: str | None = Field(default=None, sa_type=sa.Text)
    disabled_reason: str | None = Field(default=None, sa_type=sa.Text)
    lease_owner: str | None = Field(default=None, sa_type=sa.String(200))
    lease_expires_at: datetime | None = _when()
    body_hash: str | None = Field(default=None, sa_type=sa.String(64))
    health_alert: str | None = Field(default=None, sa_type=sa.String(16))


class Notice(SQLModel, table=True):
    """A message about monitor itself (a source failing, silent or recovered), delivered like a hit."""

    __tablename__ = "notice"
    __table_args__ = (sa.Index("ix_notice_created_at", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=sa.String(32), nullable=False)
    source_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("source.id", name="fk_notice_source_id", ondelete="CASCADE"),
            nullable=True,
        ),
    )
    title: str = Field(sa_type=sa.Text, nullable=False)
    body: str = Field(sa_type=sa.Text, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Article(SQLModel, table=True):
    """One feed entry, stored once per source under its dedupe key."""

    __tablename__ = "article"
    __table_args__ = (
        sa.UniqueConstraint("source_id", "dedupe_key", name="uq_article_source_id_dedupe_key"),
        sa.Index("ix_article_first_seen_at", "first_seen_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("source.id", name="fk_article_source_id"), nullable=False
        )
    )
    dedupe_key: str = Field(sa_type=sa.String(300), nullable=False)
    url: str | None = Field(default=None, sa_type=sa.Text)
    guid: str | None = Field(default=None, sa_type=sa.Text)
    title: str = Field(default="", sa_type=sa.Text, nullable=False)
    summary: str = Field(default="", sa_type=sa.Text, nullable=False)
    content: str = Field(default="", sa_type=sa.Text, nullable=False)
    language: str | None = Field(default=None, sa_type=sa.String(35))
    published_at: datetime | None = _when()
    first_seen_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    content_hash: str = Field(sa_type=sa.String(64), nullable=False)


class Hit(SQLModel, table=True):
    """An article matched by a rule; stored once per (rule, article)."""

    __tablename__ = "hit"
    __table_args__ = (
        sa.UniqueConstraint("rule", "article_id", name="uq_hit_rule_article_id"),
        sa.Index("ix_hit_matched_at", "matched_at"),
        sa.Index("ix_hit_rule_matched_at", "rule", "matched_at"),
        sa.Index("ix_hit_article_id", "article_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    rule: str = Field(sa_type=sa.String(200), nullable=False)
    article_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("article.id", name="fk_hit_article_id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    terms: list[str] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    highlights: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON, nullable=False)
    snippet: str = Field(default="", sa_type=sa.Text, nullable=False)
    matched_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Delivery(SQLModel, table=True):
    """The outbox: one alert of one hit to one channel, with its attempts."""

    __tablename__ = "delivery"
    __table_args__ = (
        sa.UniqueConstraint("hit_id", "channel", name="uq_delivery_hit_id_channel"),
        sa.UniqueConstraint("notice_id", "channel", name="uq_delivery_notice_id_channel"),
        sa.Index("ix_delivery_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    hit_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("hit.id", name="fk_delivery_hit_id", ondelete="CASCADE"),
            nullable=True,
        ),
    )
    notice_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("notice.id", name="fk_delivery_notice_id", ondelete="CASCADE"),
            nullable=True,
        ),
    )
    channel: str = Field(sa_type=sa.String(200), nullable=False)
    status: str = Field(default=DeliveryStatus.PENDING.value, sa_type=sa.String(16), nullable=False)
    attempts: int = Field(default=0, nullable=False)
    next_attempt_at: datetime | None = _when()
    last_error: str | None = Field(default=None, sa_type=sa.Text)
    sent_at: datetime | None = _when()
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
