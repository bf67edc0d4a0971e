"""The preview's pre-filter over a stored corpus never loses a match: matching only the candidate articles
gives exactly what Matcher.match gives over every article (generated rules and articles)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.pipeline.poll import document_for
from monitor.rules import RuleCompileError, RuleSpec, compile_rules
from monitor.workshop.corpus import CorpusWords, StoredText
from monitor.workshop.prefilter import candidate_ids
from tests.rules.test_properties import CONCEPTS, LANGUAGES, _query, _text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_query(), min_size=1, max_size=3),
    st.lists(st.tuples(_text(), _text(), _text(), LANGUAGES), min_size=1, max_size=12),
)
def test_matching_the_candidates_gives_every_match(
    queries: list[str], articles: list[tuple[str, str, str, str | None]]
) -> None:
    try:
        matcher = compile_rules([RuleSpec(f"r{i}", q) for i, q in enumerate(queries)], CONCEPTS)
    except RuleCompileError:
        return
    stored = [StoredText(i + 1, *article) for i, article in enumerate(articles)]
    corpus = CorpusWords()
    corpus.add(stored)
    candidates = candidate_ids(corpus, matcher)
    everywhere = {a.id: matcher.match(document_for(a, "")) for a in stored}  # type: ignore[arg-type]
    filtered = {a.id: matcher.match(document_for(a, "")) for a in stored if a.id in candidates}  # type: ignore[arg-type]
    assert {i: m for i, m in everywhere.items() if m} == {i: m for i, m in filtered.items() if m}
