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
    next_check_reason: str | None = Field(default=None, sa_type=sa.String(200))
    last_warning: str | None = Field(default=None, sa_type=sa.Text)
    """What was wrong with the feed last read, though it could be read (recovered XML, entries capped)."""


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
        # the hit log's keyset order, and the article of each hit for a search walking it (hitlog.hit_page)
        sa.Index("ix_hit_matched_at_id_article_id", "matched_at", "id", "article_id"),
        sa.Index("ix_hit_rule_matched_at", "rule", "matched_at"),
        sa.Index("ix_hit_article_id_matched_at", "article_id", "matched_at"),  # covers a search's sort
        sa.Index("ix_hit_state_matched_at", "state", "matched_at"),
        sa.Index("ix_hit_rule_state_matched_at", "rule", "state", "matched_at"),
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
    state: str = Field(default="new", sa_type=sa.String(16), nullable=False)
    """Triage: new, seen, relevant, irrelevant (see `monitor.storage.triage`)."""
    starred: bool = Field(default=False, nullable=False)


class HitCount(SQLModel, table=True):
    """How many hits a rule has in a triage state, kept by triggers on `hit` (see
    `monitor.storage.hitcounts`): the counts of a (rule, state) are the sum of its rows' `n`."""

    __tablename__ = "hit_count"
    __table_args__ = (sa.Index("ix_hit_count_rule_state", "rule", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    rule: str = Field(sa_type=sa.String(200), nullable=False)
    state: str = Field(sa_type=sa.String(16), nullable=False)
    n: int = Field(sa_type=sa.BigInteger, nullable=False)


class Delivery(SQLModel, table=True):
    """The outbox: one alert of one hit to one channel, with its attempts."""

    __tablename__ = "delivery"
    __table_args__ = (
        sa.UniqueConstraint("hit_id", "channel", name="uq_delivery_hit_id_channel"),
        sa.UniqueConstraint("notice_id", "channel", name="uq_delivery_notice_id_channel"),
        sa.Index("ix_delivery_status_next_attempt_at", "status", "next_attempt_at"),
        sa.Index("ix_delivery_channel_status_id", "channel", "status", "id"),
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
    digest: str | None = Field(default=None, sa_type=sa.String(16))
    """For a digest (the held alerts whose `digest_item` rows point here): why they were held."""


class DigestItem(SQLModel, table=True):
    """A hit held for a channel's next digest (see `monitor.storage.digests`); `delivery_id` is set, in the
    transaction that writes the digest's delivery, once a digest includes it."""

    __tablename__ = "digest_item"
    __table_args__ = (
        sa.UniqueConstraint("hit_id", "channel", name="uq_digest_item_hit_id_channel"),
        sa.Index("ix_digest_item_delivery_id_due_at", "delivery_id", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    hit_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("hit.id", name="fk_digest_item_hit_id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    channel: str = Field(sa_type=sa.String(200), nullable=False)
    kind: str = Field(sa_type=sa.String(8), nullable=False)
    """alert: the story's alert, held; also: a later article of a story that has alerted."""
    reason: str = Field(sa_type=sa.String(16), nullable=False)
    """digest, quiet_hours or max_per_hour."""
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    delivery_id: int | None = Field(
        default=None,
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("delivery.id", name="fk_digest_item_delivery_id", ondelete="CASCADE"),
            nullable=True,
        ),
    )


def _hit_id(constraint: str) -> Any:
    """A hit_id column deleted with its hit."""
    return Field(
        sa_column=sa.Column(
            sa.Integer, sa.ForeignKey("hit.id", name=constraint, ondelete="CASCADE"), nullable=False
        )
    )


class DeskUser(SQLModel, table=True):
    """A person who logs in to the desk: a viewer reads, an analyst triages, an admin manages."""

    __tablename__ = "desk_user"
    __table_args__ = (sa.UniqueConstraint("name", name="uq_desk_user_name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(100), nullable=False)
    password_hash: str = Field(sa_type=sa.Text, nullable=False)
    role: str = Field(sa_type=sa.String(16), nullable=False)
    session_epoch: int = Field(default=0, nullable=False)
    """Raised on a password change: every session signed with an older epoch is logged out."""
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class ApiToken(SQLModel, table=True):
    """A bearer token of the REST API (`api`) or the secret of an Atom feed (`feed`), stored hashed."""

    __tablename__ = "api_token"
    __table_args__ = (sa.UniqueConstraint("token_hash", name="uq_api_token_token_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("desk_user.id", name="fk_api_token_user_id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    kind: str = Field(sa_type=sa.String(8), nullable=False)
    label: str = Field(default="", sa_type=sa.String(200), nullable=False)
    token_hash: str = Field(sa_type=sa.String(64), nullable=False)
    filters: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_used_at: datetime | None = _when()


class SetupToken(SQLModel, table=True):
    """A one-time link that creates the first admin; printed at a start with no user, valid until used."""

    __tablename__ = "setup_token"

    token_hash: str = Field(sa_type=sa.String(64), primary_key=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class DeskSecret(SQLModel, table=True):
    """A secret every process of the desk shares (the session signing key)."""

    __tablename__ = "desk_secret"

    name: str = Field(sa_type=sa.String(50), primary_key=True)
    value: str = Field(sa_type=sa.Text, nullable=False)


class ConfigSnapshot(SQLModel, table=True):
    """The last configuration that loaded without a problem: its files as written (`${VAR}` unexpanded),
    so that a process can start on it while the current files are broken or gone."""

    __tablename__ = "config_snapshot"

    directory: str = Field(sa_type=sa.String(1000), primary_key=True)
    files: str = Field(sa_type=sa.Text, nullable=False)
    """JSON: file name → text."""
    saved_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class HitTag(SQLModel, table=True):
    """A free tag on a hit."""

    __tablename__ = "hit_tag"
    __table_args__ = (sa.Index("ix_hit_tag_tag_hit_id", "tag", "hit_id"),)

    hit_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("hit.id", name="fk_hit_tag_hit_id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    tag: str = Field(sa_type=sa.String(100), primary_key=True)


class HitNote(SQLModel, table=True):
    """A plain-text note on a hit, with its author and time."""

    __tablename__ = "hit_note"
    __table_args__ = (sa.Index("ix_hit_note_hit_id", "hit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    hit_id: int = _hit_id("fk_hit_note_hit_id")
    author: str = Field(sa_type=sa.String(100), nullable=False)
    body: str = Field(sa_type=sa.Text, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class HitEvent(SQLModel, table=True):
    """The audit trail of a hit: who changed what, and when."""

    __tablename__ = "hit_event"
    __table_args__ = (sa.Index("ix_hit_event_hit_id", "hit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    hit_id: int = _hit_id("fk_hit_event_hit_id")
    actor: str = Field(sa_type=sa.String(100), nullable=False)
    action: str = Field(sa_type=sa.String(32), nullable=False)
    detail: str = Field(default="", sa_type=sa.Text, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class MissedMatch(SQLModel, table=True):
    """An article a person says a rule should have matched (the rule workshop turns these into examples)."""

    __tablename__ = "missed_match"
    __table_args__ = (sa.UniqueConstraint("article_id", "rule", name="uq_missed_match_article_id_rule"),)

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("article.id", name="fk_missed_match_article_id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    rule: str = Field(sa_type=sa.String(200), nullable=False)
    reported_by: str = Field(sa_type=sa.String(100), nullable=False)
    note: str = Field(default="", sa_type=sa.Text, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Story(SQLModel, table=True):
    """The articles that report one event (see `monitor.storage.stories`); a merged story points to the
    story that took its articles."""

    __tablename__ = "story"
    __table_args__ = (sa.Index("ix_story_last_at", "last_at"),)

    id: int | None = Field(default=None, primary_key=True)
    first_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    merged_into: int | None = Field(default=None, nullable=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class StoryArticle(SQLModel, table=True):
    """The story of an article, and the features it was assigned by (what other workers' indexes load).
    `id` grows in the order assignments commit (they are made under one lock)."""

    __tablename__ = "story_article"
    __table_args__ = (
        sa.UniqueConstraint("article_id", name="uq_story_article_article_id"),
        sa.Index("ix_story_article_story_id", "story_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    article_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("article.id", name="fk_story_article_article_id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    story_id: int = Field(nullable=False)
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    features: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)


class StoryMerge(SQLModel, table=True):
    """A story folded into another by an article that bridged them (replayed by other workers' indexes)."""

    __tablename__ = "story_merge"
    __table_args__ = (sa.Index("ix_story_merge_into_id", "into_id"),)  # the stories merged into a story

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(nullable=False)
    into_id: int = Field(nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class StoryAlert(SQLModel, table=True):
    """A rule has alerted a channel about a story: later articles of the story do not alert it again."""

    __tablename__ = "story_alert"

    story_id: int = Field(primary_key=True)
    rule: str = Field(sa_type=sa.String(200), primary_key=True)
    channel: str = Field(sa_type=sa.String(200), primary_key=True)


class AlertRule(SQLModel, table=True):
    """The rules one alert names when an article matched several rules routed to one channel."""

    __tablename__ = "alert_rule"

    hit_id: int = Field(
        sa_column=sa.Column(
            sa.Integer,
            sa.ForeignKey("hit.id", name="fk_alert_rule_hit_id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    channel: str = Field(sa_type=sa.String(200), primary_key=True)
    rule: str = Field(sa_type=sa.String(200), primary_key=True)


class RuleChange(SQLModel, table=True):
    """A change saved from the rule workshop to rules.yaml or concepts.yaml: who, when, the text before
    and after (so that it can be shown and rolled back)."""

    __tablename__ = "rule_change"
    __table_args__ = (sa.Index("ix_rule_change_created_at", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    file: str = Field(sa_type=sa.String(50), nullable=False)
    subject: str = Field(default="", sa_type=sa.String(200), nullable=False)
    """The rule or @concept changed ("" for the whole file)."""
    actor: str = Field(sa_type=sa.String(100), nullable=False)
    summary: str = Field(default="", sa_type=sa.Text, nullable=False)
    before: str = Field(sa_type=sa.Text, nullable=False)
    after: str = Field(sa_type=sa.Text, nullable=False)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class VolumeEpisode(SQLModel, table=True):
    """A rule hitting far above its usual rate, reported once: the row lasts while the spike does."""

    __tablename__ = "volume_episode"

    rule: str = Field(sa_type=sa.String(200), primary_key=True)
    started_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    hits: int = Field(nullable=False)
    """Hits in the window when the spike was reported."""
