"""Text analysis: the words a text is made of, folded, with offsets into the original text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.rules.analysis import fold
from monitor.rules.tokens import tokenize, words_of

FOLDS = [
    ("Corée", "coree"),
    ("CORÉE", "coree"),
    ("coree", "coree"),
    ("Ærø", "aero"),
    ("ŒUVRE", "oeuvre"),
    ("Straße", "strasse"),
    ("ﬁnance", "finance"),
    ("Ｓｈａｈｅｄ", "shahed"),
    ("e\u0301te\u0301", "ete"),
    ("Київ", "київ"),
    ("ЙОГО", "його"),
    ("Ї", "ї"),
    ("и\u0306", "й"),
    ("Ёлка", "елка"),
    ("Güterzüge", "guterzuge"),
]


@pytest.mark.parametrize(("raw", "expected"), FOLDS)
def test_fold(raw: str, expected: str) -> None:
    assert fold(raw) == expected


TOKENS = [
    ("L’usine d'Alabuga", ["usine", "alabuga"]),
    ("jusqu’à l’aube, qu'il", ["a", "aube", "il"]),
    ("Russia's drones don't", ["russia", "drones", "don"]),
    ("aujourd'hui", ["aujourd", "hui"]),
    ("п’ять мʼясо п'ять", ["пять", "мясо", "пять"]),
    ("nord-coréen Shahed-136", ["nord", "coreen", "shahed", "136"]),
    ("snake_case 3.5 km", ["snake", "case", "3", "5", "km"]),
    ("«Герань-2»", ["герань", "2"]),
    ("x" * 100, ["x" * 64]),
]


@pytest.mark.parametrize(("text", "expected"), TOKENS)
def test_words(text: str, expected: list[str]) -> None:
    assert tokenize(text).words == expected


def test_offsets_point_into_the_original_text() -> None:
    text = "À l’usine d’Alabuga, ﬁn."
    tokens = tokenize(text)
    found = [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)]
    assert found == ["À", "usine", "Alabuga", "ﬁn"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aéЙї'’ʼ- \u0301_1ßﬁ\u0306x"), max_size=60) | st.text(max_size=60))
def test_fast_words_equal_tokenized_words(text: str) -> None:
    assert words_of(text) == tokenize(text).words
