"""Full-text search of stored articles folds case and accents the way the matcher does, on both backends."""

from __future__ import annotations

import pytest

from monitor.storage import Database, store_entries
from monitor.storage.hitlog import HitFilter, hit_page
from monitor.storage.hits import record_hits
from monitor.storage.search import parse_search
from tests.storage.builders import NOW, Entry, Match, add_source

ARTICLES = [
    ("fr", "La Corée du Nord livre des obus", "Pyongyang et Moscou renforcent l'armée."),
    ("ru", "Самолёт приземлился в Хасане", "Грузовой поезд прошёл через Туманган."),
    ("uk", "Київ отримав нові дрони", "Ще п'ять «Шахедів» збито над областю."),
    ("de", "Größe der Lieferungen wächst", "Die Straße nach Rason ist gesperrt."),
    ("en", "Freight rail at the border", "Shahed-136 drones assembled in Alabuga."),
]


@pytest.fixture
def stored(database: Database) -> Database:
    with database.session() as session:
        source = add_source(session)
        entries = [
            Entry(guid=f"g{i}", title=t, summary=s, language=lang) for i, (lang, t, s) in enumerate(ARTICLES)
        ]
        for article in store_entries(session, source.id, entries, now=NOW):
            record_hits(session, article, [Match("everything")], lambda rule: [], now=NOW)
        session.commit()
    return database


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
def test_search_folds_case_and_accents(stored: Database, search: str, languages: list[str]) -> None:
    with stored.read_session() as session:
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
