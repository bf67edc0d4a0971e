"""The stories of the window in memory: which story a new article joins, and which stories it bridges.

Candidates come from two inverted indexes: LSH band keys of the shingle sketch (copies in one language) and
(strong number, name) pairs (reports in other languages: a pair is specific where a name or a number alone
is not). Each candidate is checked with `link_score`; the article joins the story it links to, and when it
links to several, they merge into the oldest (lowest id). Ties and orders are fixed, so the same articles
in the same order always give the same stories. The caller allocates story ids (a database sequence, or a
counter) and tells the index what it stored (`add`, `merge`), so an index can also be rebuilt from storage.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from monitor.stories.features import ArticleFeatures
from monitor.stories.linking import DEFAULT_POLICY, LinkPolicy, link_score
from monitor.stories.sketch import band_keys

DEFAULT_WINDOW = timedelta(hours=72)
MAX_POSTINGS = 50
"""A key with more postings than this in the window is not specific (a boilerplate shingle, a common
pair): it is skipped, or assignment would grow with the window."""
MAX_CANDIDATES = 100
"""At most this many candidates are scored, those that share the most keys with the new article."""
MAX_PAIR_KEYS = 64
Key = int | str
"""An index key: an LSH band (band, two bin values) packed in an int, or a pair of features joined."""


@dataclass(frozen=True)
class Decision:
    """Where a new article goes: an existing story (`story`), or a new one (None); `merged` are the other
    stories it bridges, to fold into `story`."""

    story: int | None
    merged: tuple[int, ...] = ()


@dataclass
class _Story:
    earliest: datetime
    latest: datetime
    articles: list[int] = field(default_factory=list)


class StoryIndex:
    """Articles of the recent stories, indexed for assignment. Not thread-safe: one per worker, used under
    the storage's story lock."""

    def __init__(self, window: timedelta = DEFAULT_WINDOW, policy: LinkPolicy = DEFAULT_POLICY) -> None:
        self.window = window
        self.policy = policy
        self._features: dict[int, ArticleFeatures] = {}
        self._story_of: dict[int, int] = {}
        self._stories: dict[int, _Story] = {}
        self._postings: dict[Key, int | list[int]] = {}
        """Key → the article that has it, or the articles when several do: most keys (LSH bands) belong
        to one article, and a plain int is no object for the garbage collector to scan (millions of
        one-item lists made its passes the larger part of assignment)."""
        self._decided: tuple[ArticleFeatures, list[Key]] | None = None
        """The last article decided and its keys, which `add` then reuses (computing keys costs)."""

    def __len__(self) -> int:
        return len(self._stories)

    def __contains__(self, article_id: int) -> bool:
        return article_id in self._story_of

    def story_of(self, article_id: int) -> int | None:
        return self._story_of.get(article_id)

    def decide(self, features: ArticleFeatures) -> Decision:
        """The story a new article belongs to (read-only: call `add` once it is stored)."""
        scores: dict[int, float] = {}
        for article_id in self._candidates(features):
            story = self._story_of[article_id]
            if not self._in_window(self._stories[story], features.at):
                continue
            score = link_score(features, self._features[article_id], self.policy)
            if score > scores.get(story, 0.0):
                scores[story] = score
        linked = sorted(story for story, score in scores.items() if score > 0)
        if not linked:
            return Decision(None)
        return Decision(linked[0], tuple(linked[1:]))

    def add(self, article_id: int, story: int, features: ArticleFeatures) -> None:
        """Record a stored article of `story` (a no-op for an article already indexed)."""
        if article_id in self._story_of:
            return
        self._features[article_id] = features
        self._story_of[article_id] = story
        entry = self._stories.get(story)
        if entry is None:
            entry = self._stories[story] = _Story(features.at, features.at)
        entry.earliest, entry.latest = min(entry.earliest, features.at), max(entry.latest, features.at)
        entry.articles.append(article_id)
        postings = self._postings
        for key in self._keys_of(features):
            found = postings.get(key)
            if found is None:
                postings[key] = article_id
            elif isinstance(found, int):
                postings[key] = [found, article_id]
            else:
                found.append(article_id)

    def merge(self, stories: Iterable[int], into: int) -> None:
        """Fold `stories` into `into` (stories unknown here are ignored)."""
        target = self._stories.get(into)
        for story in stories:
            gone = self._stories.pop(story, None)
            if gone is None or story == into:
                continue
            if target is None:
                target = self._stories[into] = _Story(gone.earliest, gone.latest)
            target.earliest = min(target.earliest, gone.earliest)
            target.latest = max(target.latest, gone.latest)
            for article_id in gone.articles:
                self._story_of[article_id] = into
            target.articles.extend(gone.articles)

    def prune(self, now: datetime) -> int:
        """Forget the stories whose window closed before `now`; returns how many."""
        closed = [story for story, entry in self._stories.items() if entry.latest + self.window < now]
        forgotten: set[int] = set()
        for story in closed:
            for article_id in self._stories.pop(story).articles:
                forgotten.add(article_id)
                del self._story_of[article_id]
        keys = {key for article_id in forgotten for key in _keys(self._features.pop(article_id))}
        for key in keys:
            found = self._postings[key]
            kept = [found] if isinstance(found, int) else found
            kept = [article_id for article_id in kept if article_id not in forgotten]
            if len(kept) > 1:
                self._postings[key] = kept
            elif kept:
                self._postings[key] = kept[0]
            else:
                del self._postings[key]
        return len(closed)

    def _keys_of(self, features: ArticleFeatures) -> list[Key]:
        decided = self._decided
        if decided is not None and decided[0] is features:
            return decided[1]
        keys = _keys(features)
        self._decided = (features, keys)
        return keys

    def _candidates(self, features: ArticleFeatures) -> list[int]:
        shared: Counter[int] = Counter()
        single: list[int] = []
        for key in self._keys_of(features):
            postings = self._postings.get(key)
            if postings is None:
                continue
            if isinstance(postings, int):
                single.append(postings)
            elif len(postings) <= MAX_POSTINGS:
                shared.update(postings)
        shared.update(single)
        if len(shared) > MAX_CANDIDATES:
            ranked = sorted(shared.items(), key=lambda item: (-item[1], item[0]))
            return sorted(article_id for article_id, _ in ranked[:MAX_CANDIDATES])
        return sorted(shared)

    def _in_window(self, story: _Story, at: datetime) -> bool:
        return story.latest + self.window >= at and story.earliest - self.window <= at


def _keys(features: ArticleFeatures) -> list[Key]:
    """LSH band keys (as one integer each), and pairs of specific features (strong numbers, names,
    concepts with a strong number; as one string each): the same bottom-k pairs are chosen on both sides,
    as with MinHash. Neither is a container the garbage collector tracks."""
    keys: list[Key] = [
        (band << 116) | (first << 58) | second for band, first, second in band_keys(features.sketch)
    ]
    specific = sorted(features.strong | features.names)
    pairs = [(a, b) for i, a in enumerate(specific) for b in specific[i + 1 :]]
    pairs += [(number, concept) for number in features.strong for concept in features.concepts]
    pairs.sort(key=_pair_hash)
    keys.extend("\x00".join(pair) for pair in pairs[:MAX_PAIR_KEYS])
    return keys


@lru_cache(maxsize=100_000)
def _pair_hash(pair: tuple[str, str]) -> bytes:
    """A pair's rank, the same in every process; cached: the names and numbers of a story recur."""
    return hashlib.blake2b("\x00".join(pair).encode(), digest_size=8).digest()


def assign_all(
    articles: Iterable[tuple[int, ArticleFeatures]], index: StoryIndex | None = None
) -> dict[int, int]:
    """Stories for articles taken in order, with story ids from a counter (the pure form of what storage
    does): article id → story id, merges applied."""
    index = index if index is not None else StoryIndex()
    next_story = 1
    ids: list[int] = []
    for article_id, features in articles:
        decision = index.decide(features)
        story = decision.story
        if story is None:
            story, next_story = next_story, next_story + 1
        index.add(article_id, story, features)
        index.merge(decision.merged, story)
        ids.append(article_id)
    return {article_id: index.story_of(article_id) or 0 for article_id in ids}
