"""Full-text search of stored articles folds case and accents the way the matcher does, on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from monitor.storage import Database, open_database, search, store_entries
from monitor.storage.hitlog import Cursor, HitFilter, hit_page
from monitor.storage.hits import record_hits
from monitor.storage.search import parse_search
from monitor.storage.tables import Article
from tests.conftest import BACKENDS, migrated_url
from tests.storage.builders import NOW, Entry, Match, add_source

ARTICLES = [
    ("fr", "La Corée du Nord livre des obus", "Pyongyang et Moscou renforcent l'armée."),
    ("ru", "Самолёт приземлился в Хасане", "Грузовой поезд прошёл через Туманган."),
    ("uk", "Київ отримав нові дрони", "Ще п'ять «Шахедів» збито над областю."),
    ("de", "Größe der Lieferungen wächst", "Die Straße nach Rason ist gesperrt."),
    ("en", "Freight rail at the border", "Shahed-136 drones assembled in Alabuga."),
]


def store_articles(database: Database) -> Database:
    """ARTICLES stored in `database`, each with a hit."""
    with database.session() as session:
        source = add_source(session)
        entries = [
            Entry(guid=f"g{i}", title=t, summary=s, language=lang) for i, (lang, t, s) in enumerate(ARTICLES)
        ]
        for article in store_entries(session, source.id, entries, now=NOW):
            record_hits(session, article, [Match("everything")], lambda rule: [], now=NOW)
        session.commit()
    return database


@pytest.fixture
def stored(database: Database) -> Database:
    return store_articles(database)


@pytest.fixture(scope="module", params=BACKENDS)
def searched(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """ARTICLES stored once per backend for the tests that only search them."""
    for url in migrated_url(request, request.param, tmp_path_factory.mktemp("search")):
        database = open_database(url)
        yield store_articles(database)
        database.dispose()


@pytest.mark.parametrize(
    ("search", "languages"),
    [
        ("coree", ["fr"]),  # no accent typed, accent stored
        ("CORÉE", ["fr"]),
        ("armee", ["fr"]),  # elision l' dropped
        ("самолет", ["ru"]),  # ё typed as е
        ("САМОЛЁТ", ["ru"]),
        ("туманган", ["ru"]),
        ("київ", ["uk"]),
        ("пять", ["uk"]),  # the Ukrainian apostrophe is not a word break
        ("grosse strasse", ["de"]),  # ß and umlauts
        ("shahed", ["en"]),
        ("shah*", ["en"]),
        ('"freight rail"', ["en"]),
        ('"rail freight"', []),
        ("coree shahed", []),  # every word must occur
        ("киев", []),  # Ukrainian і/ї are letters, not accents
    ],
)
def test_search_folds_case_and_accents(searched: Database, search: str, languages: list[str]) -> None:
    with searched.read_session() as session:
        page = hit_page(session, HitFilter(search=search))
    assert sorted(row.language or "" for row in page.rows) == sorted(languages)


def test_an_edited_article_is_found_by_its_new_words(stored: Database) -> None:
    with stored.session() as session:
        source = add_source(session)
        store_entries(
            session, source.id, [Entry(guid="g0", title="Rason port reopens", language="fr")], now=NOW
        )
        session.commit()
    with stored.read_session() as session:
        assert [r.title for r in hit_page(session, HitFilter(search="rason port")).rows] == [
            "Rason port reopens"
        ]
        assert hit_page(session, HitFilter(search="obus")).rows == []


@pytest.mark.parametrize(
    ("typed", "fts5", "tsquery"),
    [
        ("Corée", '"coree"', "('coree')"),
        ("nord-coréen", '"nord coreen"', "('nord' <-> 'coreen')"),
        ('"North Korea" rail*', '"north korea" "rail"*', "('north' <-> 'korea') & ('rail':*)"),
        ('NEAR( " OR *', None, None),
        ("", None, None),
    ],
)
def test_searches_reach_the_index_as_folded_quoted_words_only(
    typed: str, fts5: str | None, tsquery: str | None
) -> None:
    query = parse_search(typed)
    if fts5 is None:
        assert query is None or all(word.isalnum() for term in query.terms for word in term.words)
        return
    assert query is not None
    assert (query.fts5(), query.tsquery()) == (fts5, tsquery)


@pytest.mark.parametrize(
    ("few", "dense"),
    [(1_000, 1_000), (3, 10_000), (3, 3)],
    ids=["by article", "walk with a list", "walk asking per hit"],
)
def test_every_way_to_reach_a_search_pages_alike(
    database: Database, monkeypatch: pytest.MonkeyPatch, few: int, dense: int
) -> None:
    """Whichever way a page reaches a search's hits (chosen by how many articles match), the pages are the
    newest hits first, each once, even where an old article was matched late (its hit is new)."""
    monkeypatch.setattr(search, "FEW_ARTICLES", few)
    monkeypatch.setattr(search, "DENSE_ARTICLES", {"sqlite": dense, "postgresql": few})
    with database.session() as session:
        source = add_source(session)
        for number in range(12):
            text = "la Corée du Nord" if number % 3 else "rien à voir"
            (article,) = store_entries(session, source.id, [Entry(guid=f"g{number}", summary=text)], now=NOW)
            late = timedelta(days=30) if number == 1 else timedelta(minutes=number)
            rules = ["rail", "drones"] if number % 2 else ["rail"]
            record_hits(session, article, [Match(rule) for rule in rules], lambda rule: [], now=NOW + late)
        session.commit()
    seen: list[tuple[datetime, int]] = []
    cursor = None
    with database.read_session() as session:
        expected = hit_page(session, HitFilter(), limit=100).rows
        while True:
            page = hit_page(session, HitFilter(search="coree"), after=cursor, limit=3)
            seen += [(row.matched_at, row.hit_id) for row in page.rows]
            if page.next_cursor is None:
                break
            cursor = Cursor.decode(page.next_cursor)
        matching = set(session.exec(select(Article.id).where(col(Article.summary).contains("Corée"))))
    assert seen == [(row.matched_at, row.hit_id) for row in expected if row.article_id in matching]
    assert len(seen) == 12  # 8 matching articles, the odd ones matched twice
    assert seen[0][0] == NOW + timedelta(days=30)
