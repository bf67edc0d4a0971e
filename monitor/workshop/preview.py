"""A draft rule run on stored history: what it matches, and what it adds and drops against the saved rule.

The real Matcher decides every match; the stored articles' word index (`corpus.CorpusWords`) only says
which articles cannot match (they lack every word of some clause of the rule) so that they are not read.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from sqlmodel import Session, col, func, select

from monitor.pipeline.poll import document_for
from monitor.rules import Matcher, RuleMatch, RuleSpec, compile_rules
from monitor.rules.evaluate import Mark
from monitor.rules.results import build_match
from monitor.rules.stemming import language_code
from monitor.storage.tables import Article, Hit, MissedMatch, Source
from monitor.workshop.corpus import CorpusWords, StoredText
from monitor.workshop.evaluation import evaluate
from monitor.workshop.prefilter import Candidates, candidate_ids

DRAFT, SAVED = "draft", "saved"
MAX_LISTED = 200
_CHUNK = 500


@dataclass(frozen=True)
class PreviewArticle:
    """An article the draft adds or drops, with the match that decides it and its triage for the rule."""

    article_id: int
    title: str
    url: str | None
    source: str
    first_seen_at: datetime
    terms: tuple[str, ...]
    snippet: str
    state: str | None
    """The triage state of the rule's hit on this article (None: no hit)."""
    missed: bool
    """Someone said the rule should have matched this article."""


@dataclass
class Preview:
    """How many articles of the window the draft and the saved rule match, and the difference."""

    matched: int = 0
    saved_matched: int = 0
    scanned: int = 0
    candidates: int = 0
    added: list[PreviewArticle] = field(default_factory=list)
    dropped: list[PreviewArticle] = field(default_factory=list)
    added_count: int = 0
    dropped_count: int = 0
    dropped_states: dict[str, int] = field(default_factory=dict)
    added_states: dict[str, int] = field(default_factory=dict)
    matched_ids: list[int] = field(default_factory=list)
    seconds: float = 0.0


@dataclass(frozen=True)
class Stored:
    """A stored article as the preview reads it."""

    article: StoredText
    source: str
    first_seen_at: datetime


@dataclass
class Found:
    """The matches of one query on a window: the marks by article id, made RuleMatches on demand (only
    the listed articles need their highlights and snippet)."""

    matcher: Matcher
    marks: dict[int, tuple[Stored, list[Mark]]] = field(default_factory=dict)

    def match(self, article_id: int) -> RuleMatch:
        """The RuleMatch Matcher.match gives for this article (the same marks, the same build)."""
        stored, marks = self.marks[article_id]
        document = document_for(stored.article, stored.source)  # type: ignore[arg-type]
        return build_match(DRAFT, marks, self.matcher.analyse(document))

    def since(self, since: datetime | None) -> Found:
        """The matches first seen at or after `since`."""
        if since is None:
            return self
        kept = {i: found for i, found in self.marks.items() if found[0].first_seen_at >= since}
        return Found(self.matcher, kept)


def rule_matches(
    session: Session,
    corpus: CorpusWords,
    query: str,
    concepts: Mapping[str, Sequence[str]],
    since: datetime | None,
) -> tuple[Found, int]:
    """The matches of one query on the window, and how many candidate articles were read (0 when the
    answer came from the corpus's remembered results, completed with the articles learnt since);
    RuleCompileError when it does not compile.

    Each candidate is evaluated by the Evaluator (as Matcher.match does) with the sub-tree answers kept
    for it by earlier previews (`evaluation.ArticleMemos`): only the sub-trees the edit changed are
    evaluated again."""
    corpus.refresh(session)
    key = (query, repr(sorted((name, tuple(values)) for name, values in concepts.items())))
    cached = corpus.recall(key)
    if cached is not None and (cached[0] is None or (since is not None and since >= cached[0])):
        window, covered, found = cached
        if covered >= corpus.last_id:
            return found.since(since), 0
        mark, found = corpus.last_id, Found(found.matcher, dict(found.marks))
        read = _match_window(session, corpus, found, window, after=covered)  # the articles learnt since
        corpus.remember(key, (window, mark, found))
        return found.since(since), read
    mark, found = corpus.last_id, Found(compile_rules([RuleSpec(DRAFT, query)], concepts))
    read = _match_window(session, corpus, found, since)
    corpus.remember(key, (since, mark, found))
    return found, read


def _match_window(
    session: Session, corpus: CorpusWords, found: Found, since: datetime | None, after: int = 0
) -> int:
    """Add to `found` the matches of its matcher on the window's articles (those learnt after article id
    `after` only, if given); how many candidates were read."""
    matcher = found.matcher
    numbers, by_node = corpus.memos.number(matcher)
    candidates = Candidates(corpus, matcher, (numbers, by_node), after)
    ids = sorted(candidates.ids)
    for stored in load_articles(session, ids, since):
        article_id, language = stored.article.id, language_code(stored.article.language)
        document = document_for(stored.article, stored.source)  # type: ignore[arg-type]
        memo = corpus.memos.memo(article_id, stored.article.content_hash, numbers)
        possible = partial(candidates.possible, language, article_id)
        marks = evaluate(matcher, document, memo, by_node, possible)
        if marks is not None:
            found.marks[article_id] = (stored, marks)
    return len(ids)


def preview(
    session: Session,
    corpus: CorpusWords,
    rule: str,
    query: str,
    concepts: Mapping[str, Sequence[str]],
    *,
    saved: str | None,
    since: datetime | None,
    saved_concepts: Mapping[str, Sequence[str]] | None = None,
) -> Preview:
    """Run the draft `query` (and the `saved` one, for the difference, with `saved_concepts` if they
    differ) on the articles first seen at or after `since` (all history when None). `rule` names the saved
    rule whose hits give triage states. RuleCompileError when the draft does not compile.

    The saved rule's results are usually remembered from the previous preview (the corpus keeps the last
    few results until a new article is stored)."""
    started = time.perf_counter()
    draft, wanted = rule_matches(session, corpus, query, concepts, since)
    before: dict[int, object] = {}
    result = {DRAFT: draft}
    if saved is not None:
        result[SAVED], read = rule_matches(session, corpus, saved, saved_concepts or concepts, since)
        before, wanted = result[SAVED].marks, wanted + read  # type: ignore[assignment]
    outcome = Preview(candidates=wanted, scanned=count_articles(session, since))
    outcome.matched, outcome.saved_matched = len(draft.marks), len(before)
    outcome.matched_ids = sorted(draft.marks)
    added = sorted(set(draft.marks) - set(before), reverse=True) if saved is not None else []
    dropped = sorted(set(before) - set(draft.marks), reverse=True)
    states = hit_states(session, rule, added + dropped)
    missed = missed_articles(session, rule, added + dropped)
    outcome.added_count, outcome.dropped_count = len(added), len(dropped)
    for ids, side, listed, counts in (
        (added, DRAFT, outcome.added, outcome.added_states),
        (dropped, SAVED, outcome.dropped, outcome.dropped_states),
    ):
        for article_id in ids:
            state = states.get(article_id)
            counts[state or "no hit"] = counts.get(state or "no hit", 0) + 1
        for article_id in ids[:MAX_LISTED]:
            stored, match = result[side].marks[article_id][0], result[side].match(article_id)
            listed.append(_listed(stored, match, states.get(article_id), article_id in missed))
    outcome.seconds = time.perf_counter() - started
    return outcome


class WindowMatches:
    """The matches of every rule of a matcher on the stored articles of a window (iterate once); counts the
    candidate articles read."""

    def __init__(
        self, session: Session, corpus: CorpusWords, matcher: Matcher, since: datetime | None
    ) -> None:
        corpus.refresh(session)
        self._ids = sorted(candidate_ids(corpus, matcher))
        self.candidates = len(self._ids)
        self._session, self._matcher, self._since = session, matcher, since

    def __iter__(self) -> Iterator[tuple[Stored, list[RuleMatch]]]:
        for stored in load_articles(self._session, self._ids, self._since):
            document = document_for(stored.article, stored.source)  # type: ignore[arg-type]
            matches = self._matcher.match(document)
            if matches:
                yield stored, matches


def _listed(stored: Stored, match: RuleMatch, state: str | None, missed: bool) -> PreviewArticle:
    article = stored.article
    return PreviewArticle(
        article.id,
        article.title,
        article.url,
        stored.source,
        stored.first_seen_at,
        match.terms,
        match.snippet,
        state,
        missed,
    )


def load_articles(session: Session, ids: Sequence[int], since: datetime | None) -> Iterable[Stored]:
    """The stored articles with these ids first seen at or after `since`, with their source's name."""
    columns = (
        Article.id, Article.title, Article.summary, Article.content, Article.language, Article.url,
        Article.content_hash,
    )  # fmt: skip
    for start in range(0, len(ids), _CHUNK):
        statement = (
            select(*columns, Source.name, Article.first_seen_at)  # type: ignore[call-overload]
            .join(Source, col(Source.id) == Article.source_id)
            .where(col(Article.id).in_(ids[start : start + _CHUNK]))
        )
        if since is not None:
            statement = statement.where(col(Article.first_seen_at) >= since)
        for row in session.exec(statement):
            yield Stored(StoredText(*row[:7]), row[7], row[8])


def count_articles(session: Session, since: datetime | None) -> int:
    """How many articles were first seen at or after `since`."""
    statement = select(func.count()).select_from(Article)
    if since is not None:
        statement = statement.where(col(Article.first_seen_at) >= since)
    return int(session.exec(statement).one())


def hit_states(session: Session, rule: str, article_ids: Sequence[int]) -> dict[int, str]:
    """The triage state of the rule's hit on each of these articles that has one."""
    found: dict[int, str] = {}
    for start in range(0, len(article_ids), _CHUNK):
        chunk = article_ids[start : start + _CHUNK]
        statement = select(Hit.article_id, Hit.state).where(Hit.rule == rule, col(Hit.article_id).in_(chunk))
        found.update((article_id, state) for article_id, state in session.exec(statement))
    return found


def missed_articles(session: Session, rule: str, article_ids: Sequence[int]) -> set[int]:
    """Those of these articles someone said the rule should have matched."""
    found: set[int] = set()
    for start in range(0, len(article_ids), _CHUNK):
        chunk = article_ids[start : start + _CHUNK]
        statement = select(MissedMatch.article_id).where(
            MissedMatch.rule == rule, col(MissedMatch.article_id).in_(chunk)
        )
        found.update(session.exec(statement))
    return found
