"""Properties over random input: the pre-filtered engine agrees with the naive evaluator; the parser
never fails with anything but RuleCompileError."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.rules import Document, RuleCompileError, RuleSpec, compile_rules

VOCABULARY = [
    "drone", "drones", "Shahed", "шахеды", "Шахед", "usine", "l'usine", "factory", "Alabuga", "Алабуга",
    "Corée", "coree", "nord-coréen", "КНДР", "Київ", "Києва", "Kyiv", "rail", "freight", "fret", "wagons",
    "вагонів", "obus", "shells", "Russia", "Russie", "Росія", "136", "Geran-2", "Герань",
]  # fmt: skip
CONCEPTS = {"nk": ["North Korea", "КНДР", "nord-coréen*"], "uav": ["drone", "Shahed", "@nk"]}
LANGUAGES = st.sampled_from([None, "en", "fr", "de", "ru", "uk"])
SYNTAX = st.sampled_from(['"', "(", ")", "*", "-", ":", "@", "/", " ", "AND", "OR", "NOT", "NEAR/", "title:"])


def _leaf() -> st.SearchStrategy[str]:
    word = st.sampled_from([w for w in VOCABULARY if " " not in w])
    prefix = st.sampled_from(["dro*", "шахед*", "coré*", "Russ*", "ваго*", "fac*"])
    phrase = st.lists(word, min_size=2, max_size=3).map(lambda ws: '"' + " ".join(ws) + '"')
    concept = st.sampled_from(["@nk", "@uav"])
    scoped = st.tuples(st.sampled_from(["title:", "text:"]), word).map("".join)
    return st.one_of(word, prefix, phrase, concept, scoped)


def _query() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        near = st.tuples(inner, st.sampled_from(["NEAR/2", "ONEAR/3", "NEAR"]), inner)
        return st.one_of(
            st.tuples(inner, st.sampled_from(["AND", "OR", ""]), inner).map(" ".join).map("({})".format),
            near.map(" ".join).map("({})".format),
            st.tuples(inner, inner).map(lambda t: f"{t[0]} -{t[1]}"),
        )

    return st.recursive(_leaf(), extend, max_leaves=6)


def _text() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from([*VOCABULARY, "the", "a", "x", ",", "."]), max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_query(), min_size=1, max_size=6),
    st.lists(st.tuples(_text(), _text(), LANGUAGES), max_size=4),
)
def test_engine_agrees_with_naive_evaluator(queries: list[str], articles: list[tuple[str, str, str]]) -> None:
    rules = [RuleSpec(f"r{i}", query) for i, query in enumerate(queries)]
    try:
        matcher = compile_rules(rules, CONCEPTS)
    except RuleCompileError:
        return
    for title, text, language in articles:
        document = Document(title, text, language)
        assert matcher.match(document) == matcher.match_all(document)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(SYNTAX, st.sampled_from(VOCABULARY), st.text(max_size=5)), max_size=12))
def test_parser_never_crashes(parts: list[str]) -> None:
    query = "".join(parts)
    try:
        matcher = compile_rules([RuleSpec("r", query)], CONCEPTS)
    except RuleCompileError as error:
        for fault in error.errors:
            assert fault.message and 0 <= fault.offset <= len(query) and fault.length >= 0
            assert fault.offset + fault.length <= len(query)
        return
    matcher.match(Document(query, query, "en"))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.text(max_size=50), LANGUAGES)
def test_any_text_can_be_matched(text: str, title: str, language: str | None) -> None:
    matcher = compile_rules([RuleSpec("r", "drone OR @uav OR dro* OR Kyiv")], CONCEPTS)
    for match in matcher.match(Document(title, text, language)):
        for h in match.highlights:
            source = title if h.field == "title" else text
            assert 0 <= h.start < h.end <= len(source)
