"""Apply to history: exactly the hits the rule finds in the window, no alert unless asked; and learning
from triage: the term that separates irrelevant hits is proposed first."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import col, select

from monitor.config import load_config
from monitor.rules import RuleSpec, compile_rules
from monitor.storage import Database, store_entries
from monitor.storage.hits import record_hits
from monitor.storage.tables import Article, Delivery, Hit
from monitor.storage.triage import report_missed, set_state
from monitor.workshop.corpus import CorpusWords
from monitor.workshop.history import apply_to_history
from monitor.workshop.learning import learn_from_triage, score_terms
from tests.storage.builders import NOW, Entry, add_source

RULE = "shahed-production-russia"
TEXTS = [
    "Russia has scaled up production of Shahed drones at a factory in Alabuga.",
    "The plant in Yelabuga now assembles thousands of Geran-2 drones a month.",
    "Russia launched 50 Shahed drones at Kyiv overnight.",
    "Rain in Kyiv.",
]


def _store(database: Database, texts: list[str], days_ago: int) -> None:
    with database.session() as session:
        source = add_source(session)
        entries = [Entry(guid=f"{days_ago}-{i}", title=t, language="en") for i, t in enumerate(texts)]
        store_entries(session, source.id, entries, now=NOW - timedelta(days=days_ago))
        session.commit()


def test_apply_creates_the_hits_of_the_window_and_alerts_only_when_asked(
    database: Database, config_dir: Path
) -> None:
    config = load_config(config_dir)
    _store(database, TEXTS[:1], days_ago=60)
    _store(database, TEXTS, days_ago=2)
    corpus = CorpusWords()
    with database.session() as session:
        applied = apply_to_history(
            session, corpus, config, RULE, since=NOW - timedelta(days=30), alert=False, now=NOW
        )
        session.commit()
        hits = session.exec(select(Hit.article_id).where(Hit.rule == RULE)).all()
        assert session.exec(select(Delivery)).all() == []
    rule = next(r for r in config.rules if r.name == RULE)
    matcher = compile_rules([RuleSpec(rule.name, rule.query)], config.concepts)
    with database.session() as session:
        recent = session.exec(select(Article).where(col(Article.dedupe_key).like("2-%"))).all()
        expected = sorted(a.id for a in recent if matcher.match(_document(a)))
    assert sorted(hits) == expected and len(expected) == 2
    assert (applied.matched, applied.created) == (2, 2)
    with database.session() as session:
        again = apply_to_history(session, corpus, config, RULE, since=None, alert=True, now=NOW)
        session.commit()
        assert (again.matched, again.created) == (3, 1)
        channels = session.exec(select(Delivery.channel)).all()
        assert channels == list(rule.channels)


def _document(article: Article):  # type: ignore[no-untyped-def]
    from monitor.pipeline.poll import document_for

    return document_for(article, "kyiv-independent")


def test_the_term_that_separates_irrelevant_hits_comes_first() -> None:
    irrelevant = [f"Shahed drones, report {i}, Kyiv overnight" for i in range(8)]
    relevant = [f"Shahed drones, report {i}, factory" for i in range(8)] + ["Kyiv drones"]
    scored = score_terms(irrelevant, relevant, skip=["shahed"])
    assert [(term, a, b) for term, a, b, _ in scored[:2]] == [("overnight", 8, 0), ("kyiv", 8, 1)]


def test_learning_reads_triaged_hits_and_missed_articles(database: Database) -> None:
    titles = [f"Shahed strike overnight {i}" for i in range(4)] + [f"Shahed factory {i}" for i in range(4)]
    titles.append("Alabuga expands")
    _store(database, titles, days_ago=1)
    matcher = compile_rules([RuleSpec("r", "Shahed")], {})
    with database.session() as session:
        articles = session.exec(select(Article).order_by(col(Article.id))).all()
        for article in articles[:8]:
            record_hits(session, article, matcher.match(_document(article)), lambda _: [], now=NOW)
        ids = session.exec(select(Hit.id).order_by(col(Hit.id))).all()
        set_state(session, ids[:4], "irrelevant", actor="ana", now=NOW)
        set_state(session, ids[4:], "relevant", actor="ana", now=NOW)
        report_missed(session, articles[8].id, "r", actor="ana", now=NOW)
        session.commit()
        learning = learn_from_triage(session, "r", "Shahed")
    assert (learning.irrelevant, learning.relevant) == (4, 4)
    first = learning.suggestions[0]
    assert (first.term, first.irrelevant, first.relevant) == ("overnight", 4, 0)
    assert first.draft == f"(Shahed) AND NOT {first.term}"
    assert [e.text for e in learning.match_examples] == ["Alabuga expands"]
    assert len(learning.no_match_examples) == 4


def test_a_near_tightening_that_drops_irrelevant_hits_and_keeps_relevant_ones_is_drafted(
    database: Database,
) -> None:
    close = [f"Shahed factory report {i}" for i in range(4)]
    apart = [f"Shahed drones hit the city near a closed factory {i}" for i in range(4)]  # 7 words between
    _store(database, close + apart, days_ago=1)
    query = "Shahed NEAR/10 factory"
    matcher = compile_rules([RuleSpec("r", query)], {})
    with database.session() as session:
        articles = session.exec(select(Article).order_by(col(Article.id))).all()
        for article in articles:
            record_hits(session, article, matcher.match(_document(article)), lambda _: [], now=NOW)
        ids = session.exec(select(Hit.id).order_by(col(Hit.id))).all()
        set_state(session, ids[:4], "relevant", actor="ana", now=NOW)
        set_state(session, ids[4:], "irrelevant", actor="ana", now=NOW)
        session.commit()
        (tighter,) = learn_from_triage(session, "r", query).tightenings
    assert (tighter.before, tighter.after, tighter.draft) == ("NEAR/10", "NEAR/6", "Shahed NEAR/6 factory")
    assert (tighter.relevant_kept, tighter.relevant, tighter.irrelevant_dropped, tighter.irrelevant) == (
        4,
        4,
        4,
        4,
    )
