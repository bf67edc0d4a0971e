"""Full-text search over stored articles: the index, kept in step with the articles, and the queries.

Both backends index the same text: the article's title and text folded by monitor's own analysis (the one
the matcher uses: case, Latin accents, ё → е, elisions; stress marks dropped), words joined by spaces. So a
search folds alike on SQLite and PostgreSQL and alike to the rules: `coree` finds « Corée », `самолет`
finds « самолёт », `Київ` stays distinct from `Киев`. SQLite keeps it in an FTS5 table (`unicode61` without
its own diacritic removal, which would also merge й into и), PostgreSQL in a `tsvector` (configuration
`simple`) under a GIN index. A search is words (all must occur), `"quoted phrases"` and `prefix*`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Integer, column, func, select, text
from sqlmodel import Session

from monitor.rules.analysis import RESIDUAL_MARK
from monitor.rules.tokens import words_of

MAX_INDEXED_CHARS = 100_000
MAX_SEARCH_CHARS = 500
MAX_SEARCH_TERMS = 12
_BATCH = 500
_QUERY_PART = re.compile(r'"([^"]*)"?|(\S+)')


def is_managed(name: str | None, type_: str = "table", *_: Any) -> bool:
    """Whether a schema object belongs to the search index, which the migrations manage by hand (it is no
    SQLModel table): an `include_name` hook for Alembic's comparison, which then leaves it out."""
    return not (type_ == "table" and (name or "").startswith("article_search"))


class _FoldedWords:
    """Raw word → its folded words, shared by the articles a process indexes (news vocabularies repeat),
    forgotten whole past MAX_CACHED words so that it stays bounded."""

    MAX_CACHED = 200_000

    def __init__(self) -> None:
        self.cache: dict[str, str] = {}
        self.lock = threading.Lock()

    def words(self, value: str) -> str:
        with self.lock:
            if len(self.cache) > self.MAX_CACHED:
                self.cache.clear()
            return " ".join(words_of(value, cache=self.cache))


_folded = _FoldedWords()


def search_text(title: str, body: str) -> str:
    """The folded words of an article's title and text, as both indexes store them."""
    joined = _folded.words(f"{title}\n{body}"[:MAX_INDEXED_CHARS])
    return RESIDUAL_MARK.sub("", joined) if not joined.isascii() else joined


def fold_words(value: str) -> list[str]:
    """Words folded as the matcher folds them, without the combining marks left on non-Latin letters."""
    return [RESIDUAL_MARK.sub("", word) for word in words_of(value)]


@dataclass(frozen=True)
class SearchTerm:
    """One part of a search: a word, a phrase (several words in a row) or a prefix."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """A parsed search: every term must occur in the article."""

    terms: tuple[SearchTerm, ...]

    def fts5(self) -> str:
        """The FTS5 MATCH expression (only quoted folded words: no operator of the user's reaches it)."""
        return " ".join(f'"{" ".join(t.words)}"' + ("*" if t.prefix else "") for t in self.terms)

    def tsquery(self) -> str:
        """The `to_tsquery('simple', …)` expression (folded words are letters and digits only)."""
        parts = []
        for term in self.terms:
            quoted = [f"'{word}'" for word in term.words]
            if term.prefix:
                quoted[-1] += ":*"
            parts.append("(" + " <-> ".join(quoted) + ")")
        return " & ".join(parts)


def parse_search(value: str | None) -> SearchQuery | None:
    """A search as typed (words, `"phrases"`, `prefix*`) → its folded terms; None when it has no word."""
    terms: list[SearchTerm] = []
    for match in _QUERY_PART.finditer((value or "")[:MAX_SEARCH_CHARS]):
        phrase, word = match.groups()
        raw = phrase if phrase is not None else word
        words = tuple(fold_words(raw))
        if not words:
            continue
        prefix = phrase is None and raw.endswith("*") and len(words) == 1
        terms.extend([SearchTerm(words, prefix)] if phrase is not None or prefix else _each(words))
    return SearchQuery(tuple(terms[:MAX_SEARCH_TERMS])) if terms else None


def _each(words: Sequence[str]) -> list[SearchTerm]:
    """`nord-coréen` typed as one word is two words: both must occur, side by side."""
    return [SearchTerm(tuple(words))] if len(words) > 1 else [SearchTerm((words[0],))]


def article_ids_matching(dialect: str, query: SearchQuery) -> Any:
    """A subquery (one column, `id`) of the ids of the articles matching `query`."""
    if dialect == "postgresql":
        clause = text(
            "SELECT article_id AS id FROM article_search WHERE body @@ to_tsquery('simple', :search_q)"
        )
        bound = clause.bindparams(search_q=query.tsquery())
    else:
        clause = text("SELECT rowid AS id FROM article_search WHERE article_search MATCH :search_q")
        bound = clause.bindparams(search_q=query.fts5())
    return bound.columns(column("id", Integer))


@dataclass(frozen=True)
class Reach:
    """How a page of the hit log, newest first, reaches the hits of a search's articles (`reach`)."""

    articles: tuple[int, ...] | None
    """Every matching article, when they are few: their hits are fetched by article and sorted."""
    per_hit: bool
    """The matches are dense: walk the log newest first and ask the index about each hit's article."""

    def condition(self, dialect: str, query: SearchQuery, article_id: Any) -> Any:
        """The condition on `article_id` (the hit's column) keeping the hits of matching articles."""
        if self.articles is not None:
            return article_id.in_(self.articles)
        if self.per_hit:
            if dialect == "postgresql":
                ask = "article_id = hit.article_id AND body @@ to_tsquery('simple', :search_q)"
                return text(f"EXISTS (SELECT 1 FROM article_search WHERE {ask})").bindparams(
                    search_q=query.tsquery()
                )
            ask = "rowid = hit.article_id AND article_search MATCH :search_q"
            return text(f"EXISTS (SELECT 1 FROM article_search WHERE {ask})").bindparams(
                search_q=query.fts5()
            )
        return (article_id + 0).in_(article_ids_matching(dialect, query))  # `+ 0`: walk, no index on it


FEW_ARTICLES = 2_000
"""Matching articles up to which a page fetches their hits (and sorts them) rather than walking the log."""
DENSE_ARTICLES = {"sqlite": 50_000, "postgresql": FEW_ARTICLES}
"""Matching articles from which a walk asks the index per hit rather than listing every match first:
listing costs what the matches count (FTS5 lists fast but answers one rowid slowly; a tsvector is
checked per row fast), asking costs what the walk is long, short when matches are dense."""


def reach(connection: Connection, query: SearchQuery) -> Reach:
    """How to reach the hits of `query`'s articles newest first, from how many articles match it (counted
    up to what the choice needs): few → by article; more → a walk of the log checking a list of them;
    dense → a walk asking the index per hit. Each bounds its work where the others would not."""
    dialect = connection.dialect.name
    matching = article_ids_matching(dialect, query).subquery()
    dense = DENSE_ARTICLES.get(dialect, FEW_ARTICLES)
    first = [row[0] for row in connection.execute(select(matching.c.id).limit(FEW_ARTICLES))]
    if len(first) < FEW_ARTICLES:
        return Reach(tuple(first), per_hit=False)
    if dense == FEW_ARTICLES:
        return Reach(None, per_hit=True)
    counted = select(func.count()).select_from(select(matching.c.id).limit(dense).subquery())
    return Reach(None, per_hit=int(connection.execute(counted).scalar_one()) >= dense)


def index_articles(session: Session | Connection, articles: Iterable[tuple[int, str, str]]) -> None:
    """Index (or index again) articles given as (id, title, text), in the caller's transaction."""
    rows = [{"i": article_id, "b": search_text(title, body)} for article_id, title, body in articles]
    if not rows:
        return
    connection = session.connection() if isinstance(session, Session) else session
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                "INSERT INTO article_search (article_id, body) VALUES (:i, to_tsvector('simple', :b)) "
                "ON CONFLICT (article_id) DO UPDATE SET body = excluded.body"
            ),
            rows,
        )
        return
    connection.execute(text("DELETE FROM article_search WHERE rowid = :i"), rows)
    connection.execute(text("INSERT INTO article_search (rowid, body) VALUES (:i, :b)"), rows)


def create_search_index(connection: Connection) -> None:
    """Create the index table of this backend (see the module docstring)."""
    if connection.dialect.name == "postgresql":
        connection.execute(
            text(
                "CREATE TABLE article_search (article_id INTEGER PRIMARY KEY "
                "REFERENCES article (id) ON DELETE CASCADE, body TSVECTOR NOT NULL)"
            )
        )
        connection.execute(text("CREATE INDEX ix_article_search_body ON article_search USING GIN (body)"))
        return
    connection.execute(
        text(
            "CREATE VIRTUAL TABLE article_search USING fts5(body, tokenize = 'unicode61 remove_diacritics 0')"
        )
    )
    connection.execute(
        text(
            "CREATE TRIGGER article_search_delete AFTER DELETE ON article BEGIN "
            "DELETE FROM article_search WHERE rowid = old.id; END"
        )
    )


def drop_search_index(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text("DROP TRIGGER IF EXISTS article_search_delete"))
    connection.execute(text("DROP TABLE IF EXISTS article_search"))


def reindex_all_articles(connection: Connection) -> int:
    """Index every stored article (for the migration that creates the index); how many there were."""
    from monitor.storage.articles import article_text

    last, count = 0, 0
    while True:
        batch = connection.execute(
            text("SELECT id, title, summary, content FROM article WHERE id > :last ORDER BY id LIMIT :size"),
            {"last": last, "size": _BATCH},
        ).all()
        if not batch:
            return count
        index_articles(connection, [(row[0], row[1], article_text(row[2], row[3])) for row in batch])
        last, count = batch[-1][0], count + len(batch)
