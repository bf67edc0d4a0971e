"""Learning from triage: the words and phrases that tell a rule's irrelevant hits from its relevant ones,
each with a draft that excludes it, and the articles that become examples.

The statistic is the log-odds ratio of a term's document frequency among irrelevant and relevant hits
(add-½ smoothing), divided by its standard error (a z-score, as in Monroe, Colaresi & Quinn 2008): a term
seen in 30 of 40 irrelevant hits and 1 of 50 relevant ones scores far above one seen twice. Only terms in
more irrelevant than relevant hits (proportionally), and in at least MIN_DOCUMENTS of them, are proposed.

Each `NEAR/n` of the query is also tried tighter (`tightenings`): the Matcher runs the query with smaller
distances on the triaged articles, and the loosest distance that keeps every relevant hit the query still
matches and drops the most irrelevant ones is proposed, with the counts.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import cast

from sqlmodel import Session, col, select

from monitor.pipeline.poll import document_for
from monitor.rules import Document, RuleCompileError, RuleSpec, compile_rules
from monitor.rules.lexer import MIN_DISTANCE, Lexeme, lex
from monitor.storage.articles import article_text
from monitor.storage.search import fold_words
from monitor.storage.tables import Article, Hit, MissedMatch, Source

MAX_HITS = 2_000
MAX_TIGHTENING_HITS = 300
"""Triaged hits the NEAR tightenings are tried on (the latest): each is matched once by every variant."""
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
class Tightening:
    """A `NEAR/n` of the query made tighter, and what that does to the triaged hits."""

    before: str
    after: str
    relevant_kept: int
    relevant: int
    irrelevant_dropped: int
    irrelevant: int
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
    tightenings: list[Tightening] = field(default_factory=list)
    match_examples: list[Example] = field(default_factory=list)
    no_match_examples: list[Example] = field(default_factory=list)


def learn_from_triage(
    session: Session,
    rule: str,
    query: str,
    *,
    concepts: Mapping[str, Sequence[str]] | None = None,
    limit: int = 10,
) -> Learning:
    """Suggestions for `rule` (whose saved query is `query`, with these concepts) from its triaged hits
    and missed articles."""
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
    learning.tightenings = tightenings(session, rule, query, concepts or {})
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


def tightenings(
    session: Session, rule: str, query: str, concepts: Mapping[str, Sequence[str]]
) -> list[Tightening]:
    """For each `NEAR/n` of the query, a smaller distance (of a few tried) that keeps every relevant hit
    the query matches and drops the most irrelevant ones (the loosest of those; none proposed when none
    drops any). One Matcher holds every variant: each triaged article is analysed once."""
    nears = [lexeme for lexeme in lex(query)[0] if lexeme.kind == "NEAR" and "/" in lexeme.text]
    variants: list[tuple[Lexeme, int, str]] = []
    for lexeme in nears:
        for distance in sorted({lexeme.distance * 2 // 3, lexeme.distance // 2, lexeme.distance // 4, 1}):
            if MIN_DISTANCE <= distance < lexeme.distance:
                tighter = f"{lexeme.text.split('/')[0]}/{distance}"
                end = lexeme.offset + len(lexeme.text)
                variants.append((lexeme, distance, query[: lexeme.offset] + tighter + query[end:]))
    if not variants:
        return []
    specs = [RuleSpec("saved", query)] + [RuleSpec(f"v{n}", v[2]) for n, v in enumerate(variants)]
    try:
        matcher = compile_rules(specs, concepts)
    except RuleCompileError:
        return []
    matched: dict[str, Counter[str]] = {"relevant": Counter(), "irrelevant": Counter()}
    for state, document in _triaged_documents(session, rule):
        matched[state].update(match.rule for match in matcher.match(document))
    good, bad = matched["relevant"], matched["irrelevant"]
    found: list[Tightening] = []
    for lexeme in nears:
        best: Tightening | None = None
        for number, (origin, distance, draft) in enumerate(variants):
            name = f"v{number}"
            if origin is not lexeme or good[name] < good["saved"] or bad[name] >= bad["saved"]:
                continue
            dropped = bad["saved"] - bad[name]
            if best is None or dropped >= best.irrelevant_dropped:  # a looser one dropping as many wins
                after = f"{lexeme.text.split('/')[0]}/{distance}"
                kept = good[name]
                best = Tightening(lexeme.text, after, kept, good["saved"], dropped, bad["saved"], draft)
        if best is not None:
            found.append(best)
    return sorted(found, key=lambda t: -t.irrelevant_dropped)


def _triaged_documents(session: Session, rule: str) -> Iterable[tuple[str, Document]]:
    """The latest triaged hits' articles (relevant or irrelevant) as the Matcher reads them."""
    statement = (
        select(Hit.state, Article, Source.name)  # type: ignore[call-overload]
        .join(Article, col(Article.id) == Hit.article_id)
        .join(Source, col(Source.id) == Article.source_id)
        .where(Hit.rule == rule, col(Hit.state).in_(["relevant", "irrelevant"]))
        .order_by(col(Hit.id).desc())
        .limit(MAX_TIGHTENING_HITS)
    )
    for state, article, source in session.exec(statement):
        yield state, document_for(article, source)


def _example(text: str) -> str:
    line = " ".join(text.split())
    return line[:MAX_EXAMPLE_CHARS]
