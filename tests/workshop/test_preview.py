"""The preview on stored history: exactly Matcher.match's results, and the difference from the saved rule
with each article's triage state."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from monitor.pipeline.poll import document_for
from monitor.rules import RuleCompileError, RuleSpec, compile_rules
from monitor.storage import Database, open_database, store_entries
from monitor.storage.hits import record_hits
from monitor.storage.tables import Article
from monitor.storage.triage import report_missed, set_state
from monitor.workshop.corpus import CorpusWords
from monitor.workshop.preview import preview
from tests.rules.test_properties import CONCEPTS, VOCABULARY, _query
from tests.storage.builders import NOW, Entry, Match, add_source


def _store(database: Database, texts: list[tuple[str, str, str | None]], *, days_ago: int = 0) -> list[int]:
    with database.session() as session:
        source = add_source(session)
        entries = [
            Entry(guid=f"g{days_ago}-{i}", title=title, content=text, language=language)
            for i, (title, text, language) in enumerate(texts)
        ]
        stored = store_entries(session, source.id, entries, now=NOW - timedelta(days=days_ago))
        session.commit()
        return [a.id for a in stored]


def test_preview_lists_added_and_dropped_articles_with_their_triage(database: Database) -> None:
    ids = _store(
        database,
        [
            ("Shahed drones built in Alabuga", "The factory assembles drones.", "en"),
            ("Shahed drones hit Kyiv", "An attack overnight.", "en"),
            ("Weather", "Rain in Kyiv.", "en"),
        ],
    )
    with database.session() as session:
        _, second = session.exec(select(Article).where(col(Article.id).in_(ids[:2]))).all()
        (hit,) = record_hits(session, second, [Match("drones")], lambda _: [], now=NOW)
        set_state(session, [hit.id], "irrelevant", actor="ana", now=NOW)
        report_missed(session, ids[2], "drones", actor="ana", now=NOW)
        session.commit()
    with database.session() as session:
        found = preview(
            session, CorpusWords(), "drones", "Shahed AND (factory OR Kyiv) NOT attack", {},
            saved="Shahed", since=None,
        )  # fmt: skip
        assert (found.matched, found.saved_matched) == (1, 2)
        assert [a.article_id for a in found.dropped] == [ids[1]]
        assert found.dropped[0].state == "irrelevant" and found.dropped_states == {"irrelevant": 1}
        assert found.added == []
        widened = preview(session, CorpusWords(), "drones", "Shahed OR rain", {}, saved="Shahed", since=None)
        assert [(a.article_id, a.missed, a.terms) for a in widened.added] == [(ids[2], True, ("rain",))]


def test_the_window_leaves_older_articles_out(database: Database) -> None:
    _store(database, [("Shahed old", "", "en")], days_ago=40)
    recent = _store(database, [("Shahed new", "", "en")], days_ago=1)
    with database.session() as session:
        found = preview(session, CorpusWords(), "r", "Shahed", {}, saved=None, since=NOW - timedelta(days=30))
        assert found.matched_ids == recent and found.scanned == 1


def test_a_draft_that_does_not_compile_is_refused(database: Database) -> None:
    with database.session() as session, pytest.raises(RuleCompileError):
        preview(session, CorpusWords(), "r", "(Shahed", {}, saved=None, since=None)


def _articles(seed: int, count: int) -> list[tuple[str, str, str | None]]:
    chance = random.Random(seed)
    words = [*VOCABULARY, "the", "a", "x", ",", "."]
    languages = [None, "en", "fr", "de", "ru", "uk"]
    return [
        (
            " ".join(chance.choices(words, k=chance.randint(0, 6))),
            " ".join(chance.choices(words, k=chance.randint(0, 30))),
            chance.choice(languages),
        )
        for _ in range(count)
    ]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Database:
    database = open_database(f"sqlite:///{tmp_path_factory.mktemp('preview') / 'monitor.db'}")
    _store(database, _articles(11, 300))
    return database


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(_query())
def test_preview_equals_the_matcher_over_every_stored_article(stored: Database, query: str) -> None:
    try:
        matcher = compile_rules([RuleSpec("r", query)], CONCEPTS)
    except RuleCompileError:
        return
    corpus = CorpusWords()
    with stored.session() as session:
        found = preview(session, corpus, "r", query, CONCEPTS, saved=None, since=None)
        articles = session.exec(select(Article).order_by(col(Article.id))).all()
        expected = [a.id for a in articles if matcher.match(document_for(a, "kyiv-independent"))]
    assert found.matched_ids == expected


@pytest.fixture(scope="module")
def remembering() -> CorpusWords:
    """One word index for every example: the sub-query answers and id sets of earlier drafts are reused."""
    return CorpusWords()


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(_query(), _query(), st.sampled_from(["({a}) AND NOT ({b})", "({a}) OR ({b})", "({a}) NEAR/3 ({b})"]))
def test_successive_edits_reusing_earlier_answers_equal_the_matcher(
    stored: Database, remembering: CorpusWords, first: str, second: str, edit: str
) -> None:
    """A draft shares sub-trees with the drafts before it (the edits an analyst makes): the answers kept
    for each article give exactly Matcher.match's results, draft after draft, concepts widened too."""
    widened = CONCEPTS | {"nk": [*CONCEPTS["nk"], "Alabuga"]}
    drafts = [
        (first, CONCEPTS),
        (edit.format(a=first, b=second), CONCEPTS),
        (first, widened),
        (first.replace("NEAR/2", "NEAR/9"), CONCEPTS),
    ]
    for query, concepts in drafts:
        try:
            matcher = compile_rules([RuleSpec("r", query)], concepts)
        except RuleCompileError:
            continue
        with stored.session() as session:
            found = preview(session, remembering, "r", query, concepts, saved=None, since=None)
            articles = session.exec(select(Article).order_by(col(Article.id))).all()
            expected = [a.id for a in articles if matcher.match(document_for(a, "kyiv-independent"))]
        assert found.matched_ids == expected, query


def test_previews_after_new_articles_complete_the_remembered_results(database: Database) -> None:
    """A poll stores articles between two previews: the remembered results of the saved rule and the
    sub-queries' ids are completed with them, and every preview still equals Matcher.match."""
    queries = ["@uav NEAR/3 (usine OR factory)", "(@uav NEAR/3 (usine OR factory)) OR rail", "@nk OR fret"]
    corpus = CorpusWords()
    for batch in range(3):
        _store(database, _articles(batch, 120), days_ago=3 - batch)
        for query in [*queries, f"({queries[1]}) AND NOT drone{'s' * batch}"]:  # new, sharing sub-trees
            matcher = compile_rules([RuleSpec("r", query)], CONCEPTS)
            with database.session() as session:
                found = preview(session, corpus, "r", query, CONCEPTS, saved=queries[0], since=None)
                articles = session.exec(select(Article).order_by(col(Article.id))).all()
                expected = [a.id for a in articles if matcher.match(document_for(a, "kyiv-independent"))]
            assert found.matched_ids == expected, (batch, query)
            assert found.matched > 0


def test_a_word_first_seen_after_a_preview_is_found_by_the_rule_words_it_matches(database: Database) -> None:
    corpus = CorpusWords()
    _store(database, [("Alabuga factory", "", "en")], days_ago=2)
    with database.session() as session:
        assert preview(session, corpus, "r", "fac* OR drones", {}, saved=None, since=None).matched == 1
    later = _store(database, [("Facilities expanded", "", "en"), ("Drones seen", "", "ru")], days_ago=1)
    with database.session() as session:
        found = preview(
            session, corpus, "r", "(fac* OR drones) AND NOT x", {}, saved="fac* OR drones", since=None
        )
    assert found.matched_ids[1:] == later and found.saved_matched == 3  # new words, a new language


def test_an_article_whose_text_changed_is_evaluated_again(database: Database) -> None:
    corpus = CorpusWords()
    with database.session() as session:
        source = add_source(session)
        (article,) = store_entries(session, source.id, [Entry(guid="g", title="Shahed factory")], now=NOW)
        session.commit()
        assert preview(session, corpus, "r", "Shahed", {}, saved=None, since=None).matched_ids == [article.id]
        store_entries(session, source.id, [Entry(guid="g", title="Weather report")], now=NOW)  # edited
        session.commit()
        assert preview(session, corpus, "r", "Shahed AND NOT rain", {}, saved=None, since=None).matched == 0
