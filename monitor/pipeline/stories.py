"""Stories in a poll: features computed beside matching, assignment in the storing transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlmodel import Session

from monitor.config import WatchConfig
from monitor.parsing import FeedEntry
from monitor.settings import Settings
from monitor.storage.articles import StoredArticle
from monitor.storage.database import Database
from monitor.storage.stories import StoryAssigner, story_time
from monitor.stories import ArticleFeatures, ConceptFinder

FeaturesByKey = dict[str | None, ArticleFeatures]


def story_assigner(config: WatchConfig, settings: Settings) -> StoryAssigner | None:
    """The assigner of a poller, or None when stories are off."""
    if not settings.stories.enabled:
        return None
    return StoryAssigner(settings.stories.window, ConceptFinder(config.concepts))


def story_times(
    assigner: StoryAssigner | None, entries: Sequence[FeedEntry], now: datetime
) -> list[datetime] | None:
    """The time of each new entry's story features (None when stories are off): the CPU workers compute
    the features beside matching, from the documents the matcher reads (the text as it will be stored)."""
    if assigner is None:
        return None
    return [story_time(entry.published, now) for entry in entries]


def prepare_stories(assigner: StoryAssigner | None, database: Database) -> None:
    """Catch up with the other workers' stories before the storing transaction (see `prepare`)."""
    if assigner is not None:
        with database.read_session() as session:
            assigner.prepare(session)


def assign_stories(
    assigner: StoryAssigner | None,
    session: Session,
    articles: Sequence[StoredArticle],
    features: FeaturesByKey,
    now: datetime,
) -> dict[int, int]:
    """The story of each newly stored article (none when stories are off)."""
    if assigner is None:
        return {}
    by_id = {a.id: features[a.dedupe_key] for a in articles if a.dedupe_key in features}
    return assigner.assign(session, articles, now=now, features=by_id)


def follow_ups(config: WatchConfig) -> Callable[[str], bool]:
    """Whether a rule alerts every article of a story (`follow_ups: every`) rather than the first."""
    every = {rule.name for rule in config.rules if rule.follow_ups == "every"}
    return every.__contains__
