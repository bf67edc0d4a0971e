"""Character spans of article words: what a highlight points at, whatever order they are asked in."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.rules.analysis import has_cjk
from monitor.rules.spans import Spans
from monitor.rules.tokens import raw_words, tokenize

SPANS = [
    ("Shahed drones at Alabuga", [0, 3, 1], ["Shahed", "Alabuga", "drones"]),
    ("L’usine d'Alabuga, ﬁn.", [1, 0, 2], ["Alabuga", "usine", "ﬁn"]),
    ("snake_case 3.5 km", [4, 0, 1], ["km", "snake", "case"]),
    ("«Герань-2» п’ять", [2, 0], ["п’ять", "Герань"]),
    ("e\u0301te\u0301 Corée", [1, 0], ["Corée", "e\u0301te\u0301"]),
]

CJK_SPANS = [
    ("俄罗斯无人机, Shahed工厂", [3, 5, 6], ["无人", "Shahed", "工厂"]),
    ("l'无人机 ドローン", [1, 2], ["人机", "ドロ"]),
]


@pytest.mark.parametrize(("text", "indexes", "expected"), SPANS)
def test_spans_point_at_the_words_in_the_original_text(
    text: str, indexes: list[int], expected: list[str]
) -> None:
    spans = Spans(text, 1000)
    assert [text[slice(*spans.span(index))] for index in indexes] == expected


@pytest.mark.parametrize(("text", "indexes", "expected"), CJK_SPANS)
def test_spans_of_cjk_bigrams_when_the_words_are_folded_words(
    text: str, indexes: list[int], expected: list[str]
) -> None:
    spans = Spans(text, 1000, simple=False)
    assert [text[slice(*spans.span(index))] for index in indexes] == expected


def test_spans_stop_at_the_analysed_limit() -> None:
    spans = Spans("drone factory", 5)
    assert spans.span(0) == (0, 5)
    with pytest.raises(IndexError):
        spans.span(1)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("aéЙї'’ʼ- \u0301_1ßﬁx.,无人机드"), max_size=60), st.data())
def test_spans_equal_tokenized_offsets(text: str, data: st.DataObject) -> None:
    tokens = tokenize(text)
    if not tokens.words:
        return
    indexes = data.draw(st.lists(st.integers(0, len(tokens) - 1), max_size=5))
    spans = Spans(text, 1000, simple=not has_cjk(text))
    for index in indexes:
        assert spans.span(index) == (tokens.starts[index], tokens.ends[index])


PLAIN_PIECES = ["a", "ab", "ba", "aba", "Й", "1", " ", ".", ", ", "«"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PLAIN_PIECES), max_size=30), st.data())
def test_spans_of_plain_words_are_their_standalone_occurrences(parts: list[str], data: st.DataObject) -> None:
    text = "".join(parts)
    tokens = tokenize(text)
    if not tokens.words:
        return
    indexes = data.draw(st.lists(st.integers(0, len(tokens) - 1), max_size=6))
    for spans in (Spans(text, 1000), Spans(text, 1000, raw_words(text, 1000)[0])):
        for index in indexes:
            assert spans.span(index) == (tokens.starts[index], tokens.ends[index])
