"""The stored articles' words, held in memory for previews: language → folded word → article ids.

A preview turns the matcher's pre-filter around. The matcher picks, for one article, the rules whose every
clause some word of the article satisfies; here, for one draft rule, the words of the stored articles that
satisfy each clause are found in the vocabulary, and only the articles holding a word of every clause are
read and matched by the real Matcher. The words are those the matcher itself sees (same raw words, same
caps, same folding), so the candidates hold every article the rule can match.

The index learns the articles stored since its last look at each preview (ids only grow); an article whose
text was edited after being learnt is learnt again when the index is rebuilt (`REBUILD_AFTER`).
"""

from __future__ import annotations

import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from monitor.pipeline.poll import document_for
from monitor.rules.document import MAX_TEXT_CHARS, MAX_TITLE_CHARS
from monitor.rules.stemming import Stemmers, language_code
from monitor.rules.syntax import Unit
from monitor.rules.tokens import learn, raw_words
from monitor.workshop.evaluation import ArticleMemos

BATCH = 2_000
REBUILD_AFTER = 3_600.0
"""Seconds after which the index is built again from scratch (to learn edited articles)."""
MAX_FOLD_CACHE = 500_000
REMEMBERED_RESULTS = 16
MAX_REMEMBERED_IDS = 1_000_000
"""Article ids kept per language for the sub-trees (but single terms) of earlier previews: about 60 MB
per language at most (the bundled rules and 20 edits of them kept 0.2 M per language at 100k articles)."""


class NodeSets:
    """The article ids (`prefilter`) of query sub-trees by their number (`evaluation.NodeNumbers`), kept
    between previews, each with the last article id it covers: new articles are evaluated alone and
    added (an edit, or a preview after a poll, evaluates only what changed). Bounded by
    MAX_REMEMBERED_IDS ids in all (the least recently used forgotten first); thread-safe."""

    def __init__(self) -> None:
        self._sets: OrderedDict[int, tuple[int, set[int] | None]] = OrderedDict()
        self._size = 0
        self._owner: object = None
        self._lock = threading.Lock()

    def get(self, owner: object, number: int) -> tuple[int, set[int] | None] | None:
        """(last article id covered, ids) for sub-tree `number` of the numbering `owner`, if known."""
        with self._lock:
            if owner is not self._owner or number not in self._sets:
                return None
            self._sets.move_to_end(number)
            return self._sets[number]

    def put(self, owner: object, number: int, ids: set[int] | None, covered: int) -> None:
        with self._lock:
            if owner is not self._owner:
                self._sets.clear()
                self._size, self._owner = 0, owner
            known = self._sets.pop(number, None)
            if known is not None:
                self._size -= len(known[1] or ())
            self._sets[number] = (covered, ids)
            self._size += len(ids or ())
            while self._size > MAX_REMEMBERED_IDS and self._sets:
                _, (_, dropped) = self._sets.popitem(last=False)
                self._size -= len(dropped or ())

    def clear(self) -> None:
        with self._lock:
            self._sets.clear()
            self._size = 0


@dataclass
class LanguageWords:
    """The articles of one language: their ids, and the ids of those holding each folded word."""

    ids: array[int] = field(default_factory=lambda: array("I"))
    postings: dict[str, array[int]] = field(default_factory=dict)
    words: list[str] = field(default_factory=list)
    stems: list[str] = field(default_factory=list)
    """`postings`' words in a list, and their stems in this language, kept in step (new words appended)."""
    stemmers: Stemmers = field(default_factory=Stemmers)
    units: dict[Unit, set[str]] = field(default_factory=dict)
    """The words each rule word or prefix finds (`prefilter.unit_words`) among the first `units_words`."""
    units_words: int = 0
    sets: NodeSets = field(default_factory=NodeSets)
    """The ids of sub-trees evaluated by earlier previews (completed with the articles learnt since)."""

    @property
    def last_id(self) -> int:
        """The last article learnt (every id up to it is in the postings)."""
        return self.ids[-1] if self.ids else 0


@dataclass(frozen=True)
class StoredText:
    """What the index reads of an article (the fields document_for needs)."""

    id: int
    title: str
    summary: str
    content: str
    language: str | None
    url: str | None = None
    content_hash: str | None = None
    """The hash of title, summary and content: answers kept for an older text are not used."""


class CorpusWords:
    """The in-memory word index of every stored article; thread-safe, refreshed before each use."""

    def __init__(self) -> None:
        self.languages: dict[str | None, LanguageWords] = {}
        self.last_id = 0
        self.built_at = time.monotonic()
        self._lock = threading.Lock()
        self._folded: dict[str, str] = {}
        self._results: dict[Any, Any] = {}
        self.memos = ArticleMemos()
        """The sub-query answers kept for each article between previews (`evaluation`)."""

    def recall(self, key: Any) -> Any:
        """A result remembered under `key` (None otherwise): it covers the articles learnt when it was
        remembered (the caller completes it with the newer ones)."""
        return self._results.get(key)

    def remember(self, key: Any, value: Any) -> None:
        """Remember a result of a query on the stored articles (at most REMEMBERED_RESULTS, the oldest
        forgotten first; all of them when the index is rebuilt)."""
        self._results.pop(key, None)
        self._results[key] = value
        while len(self._results) > REMEMBERED_RESULTS:
            del self._results[next(iter(self._results))]

    def refresh(self, session: Session) -> int:
        """Learn the articles stored since the last refresh; how many were learnt."""
        with self._lock:
            if time.monotonic() - self.built_at > REBUILD_AFTER:
                self.languages, self.last_id, self.built_at = {}, 0, time.monotonic()
                self._results.clear()
                self.memos.clear()
            learnt = 0
            for batch in _batches(session, self.last_id):
                self.add(batch)
                learnt += len(batch)
            return learnt

    def add(self, articles: Iterable[StoredText]) -> None:
        """Learn articles, given in increasing id order. Their ids are published last (`ids`, `last_id`):
        a reader seeing an id finds the article's postings, words and stems complete."""
        new_words: dict[str | None, list[str]] = {}
        new_ids: dict[str | None, list[int]] = {}
        for article in articles:
            document = document_for(article, "")  # type: ignore[arg-type]
            raws = set(raw_words(document.title, MAX_TITLE_CHARS)[0])
            raws.update(raw_words(document.text, MAX_TEXT_CHARS)[0])
            words = set(" ".join(self._fold(raws)).split())
            language = language_code(document.language)
            found = self.languages.get(language)
            if found is None:
                found = self.languages[language] = LanguageWords()
            postings = found.postings
            for word in words:
                ids = postings.get(word)
                if ids is None:
                    ids = postings[word] = array("I")
                    new_words.setdefault(language, []).append(word)
                ids.append(article.id)
            new_ids.setdefault(language, []).append(article.id)
        for language, learnt in new_words.items():
            found = self.languages[language]
            found.stems.extend(found.stemmers.word_stems(language, learnt))
            found.words.extend(learnt)
        for language, added in new_ids.items():
            self.languages[language].ids.extend(added)
            self.last_id = max(self.last_id, added[-1])

    def _fold(self, raws: set[str]) -> list[str]:
        cache = self._folded
        if len(cache) > MAX_FOLD_CACHE:
            cache = self._folded = {}
        missing = raws.difference(cache)
        if missing:
            learn(missing, cache)
        return list(map(cache.__getitem__, raws))


def _batches(session: Session, after: int) -> Iterator[list[StoredText]]:
    """The stored articles with an id above `after`, in id order, a batch at a time."""
    while True:
        rows = session.connection().execute(
            text(
                "SELECT id, title, summary, content, language FROM article "
                "WHERE id > :after ORDER BY id LIMIT :size"
            ),
            {"after": after, "size": BATCH},
        )
        batch = [StoredText(*row) for row in rows]
        if not batch:
            return
        yield batch
        after = batch[-1].id
