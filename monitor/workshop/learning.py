"""Learning from triage: the words and phrases that tell a rule's irrelevant hits from its relevant ones,
each with a draft that excludes it, and the articles that become examples.

The statistic is the log-odds ratio of a term's document frequency among irrelevant and relevant hits
(add-½ smoothing), divided by its standard error (a z-score, as in Monroe, Colaresi & Quinn 2008): a term
seen in 30 of 40 irrelevant hits and 1 of 50 relevant ones scores far above one seen twice. Only terms in
more irrelevant than relevant hits (proportionally), and in at least MIN_DOCUMENTS of them, are proposed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import cast

from sqlmodel import Session, col, select

from monitor.storage.articles import article_text
from monitor.storage.search import fold_words
from monitor.storage.tables import Article, Hit, MissedMatch

MAX_HITS = 2_000
MIN_DOCUMENTS = 2
MAX_EXAMPLE_CHARS = 300
_WORDS_READ = 2_000


@dataclass(frozen=True)
class Suggestion:
    """A term (a word or a two-word phrase) found more in irrelevant hits, and a draft without it."""

    term: str
    irrelevant: int
    relevant: int
    score: float
    draft: str


@dataclass(frozen=True)
class Example:
    article_id: int
    text: str


@dataclass
class Learning:
    """What a rule's triage teaches."""

    relevant: int = 0
    irrelevant: int = 0
    suggestions: list[Suggestion] = field(default_factory=list)
    match_examples: list[Example] = field(default_factory=list)
    no_match_examples: list[Example] = field(default_factory=list)


def learn_from_triage(session: Session, rule: str, query: str, *, limit: int = 10) -> Learning:
    """Suggestions for `rule` (whose saved query is `query`) from its triaged hits and missed articles."""
    learning = Learning()
    documents: dict[str, list[tuple[int, str]]] = {"relevant": [], "irrelevant": []}
    statement = (
        select(Hit.state, Article.id, Article.title, Article.summary, Article.content, Hit.terms)  # type: ignore[call-overload]
        .join(Article, col(Article.id) == Hit.article_id)
        .where(Hit.rule == rule, col(Hit.state).in_(["relevant", "irrelevant"]))
        .order_by(col(Hit.id).desc())
        .limit(MAX_HITS)
    )
    matched_terms: set[str] = set()
    for state, article_id, title, summary, content, terms in session.exec(statement):
        documents[state].append((article_id, f"{title}\n{article_text(summary, content)}"))
        matched_terms.update(word for term in terms or () for word in fold_words(term))
    learning.relevant, learning.irrelevant = len(documents["relevant"]), len(documents["irrelevant"])
    scored = score_terms(
        [text for _, text in documents["irrelevant"]],
        [text for _, text in documents["relevant"]],
        matched_terms,
    )
    learning.suggestions = [
        Suggestion(term, bad, good, score, exclude(query, term)) for term, bad, good, score in scored[:limit]
    ]
    learning.no_match_examples = [Example(i, _example(text)) for i, text in documents["irrelevant"][:limit]]
    missed = (
        select(Article.id, Article.title, Article.summary, Article.content)
        .join(MissedMatch, col(MissedMatch.article_id) == Article.id)
        .where(MissedMatch.rule == rule)
        .order_by(col(MissedMatch.id).desc())
        .limit(limit)
    )
    learning.match_examples = [
        Example(cast(int, i), _example(f"{title}\n{article_text(summary, content)}"))
        for i, title, summary, content in session.exec(missed)
    ]
    return learning


def score_terms(
    irrelevant: list[str], relevant: list[str], skip: Iterable[str] = ()
) -> list[tuple[str, int, int, float]]:
    """(term, irrelevant documents, relevant documents, z-score), best separating first."""
    bad, good = _frequencies(irrelevant), _frequencies(relevant)
    skipped = set(skip)
    n_bad, n_good = len(irrelevant), len(relevant)
    if not n_bad:
        return []
    scored = []
    for term, a in bad.items():
        b = good.get(term, 0)
        if a < MIN_DOCUMENTS or a / n_bad <= b / max(n_good, 1) or skipped.intersection(term.split()):
            continue
        ratio = math.log((a + 0.5) / (n_bad - a + 0.5)) - math.log((b + 0.5) / (n_good - b + 0.5))
        error = math.sqrt(1 / (a + 0.5) + 1 / (n_bad - a + 0.5) + 1 / (b + 0.5) + 1 / (n_good - b + 0.5))
        scored.append((term, a, b, ratio / error))
    scored.sort(key=lambda item: (-item[3], -item[1], item[0]))
    return _without_redundant_phrases(scored)


def _frequencies(texts: list[str]) -> Counter[str]:
    """In how many texts each folded word and each two-word phrase occurs."""
    counts: Counter[str] = Counter()
    for text in texts:
        words = fold_words(text)[:_WORDS_READ]
        counts.update(set(words) | {f"{a} {b}" for a, b in pairwise(words)})
    return counts


def _without_redundant_phrases(
    scored: list[tuple[str, int, int, float]],
) -> list[tuple[str, int, int, float]]:
    """A phrase is left out when one of its words, ranked above it, is in as many hits of each kind."""
    counts = {term: (a, b) for term, a, b, _ in scored}
    kept = []
    for term, a, b, score in scored:
        if " " in term and any(counts.get(word) == (a, b) for word in term.split()):
            continue
        kept.append((term, a, b, score))
    return kept


def exclude(query: str, term: str) -> str:
    """The query with `NOT term` added (a phrase quoted)."""
    written = f'"{term}"' if " " in term else term
    return f"({query.strip()}) AND NOT {written}"


def _example(text: str) -> str:
    line = " ".join(text.split())
    return line[:MAX_EXAMPLE_CHARS]
