"""Text analysis: the words a text is made of, folded, with offsets into the original text."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.rules import analysis
from monitor.rules.analysis import fold
from monitor.rules.tokens import raw_words, tokenize, words_of

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
    # Greek loses its accents and final sigma, as Latin does
    ("Αθήνα", "αθηνα"),
    ("ΑΘΗΝΑ", "αθηνα"),
    ("Ρωσίας", "ρωσιασ"),
    ("προϊόν", "προιον"),
    ("ἈΘῆναι", "αθηναι"),
    # CJK characters are what they are (full-width forms and compatibility ideographs normalised)
    ("无人机", "无人机"),
    ("ｶﾀｶﾅ", "カタカナ"),
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
    # CJK runs as overlapping bigrams, a lone character as itself, other letters glued to a run apart
    ("俄罗斯无人机工厂", ["俄罗", "罗斯", "斯无", "无人", "人机", "机工", "工厂"]),
    ("无人机。工厂", ["无人", "人机", "工厂"]),
    ("2024年 Shahed无人机", ["2024", "年", "shahed", "无人", "人机"]),
    ("ロシアのドローン", ["ロシ", "シア", "アの", "のド", "ドロ", "ロー", "ーン"]),
    ("러시아 드론을", ["러시", "시아", "드론", "론을"]),
    ("l'无人机", ["无人", "人机"]),
]


@pytest.mark.parametrize(("text", "expected"), TOKENS)
def test_words(text: str, expected: list[str]) -> None:
    assert tokenize(text).words == expected


def test_offsets_point_into_the_original_text() -> None:
    text = "À l’usine d’Alabuga, ﬁn."
    tokens = tokenize(text)
    found = [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)]
    assert found == ["À", "usine", "Alabuga", "ﬁn"]


def test_offsets_of_cjk_bigrams_point_into_the_original_text() -> None:
    text = "Shahed无人机, 工厂"
    tokens = tokenize(text)
    found = [text[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)]
    assert found == ["Shahed", "无人", "人机", "工厂"]


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from("aéЙї'’ʼ- \u0301_1ßﬁ\u0306x无人机드ά"), max_size=60)
    | st.text(max_size=60)
)
def test_fast_words_equal_tokenized_words(text: str) -> None:
    assert words_of(text) == tokenize(text).words


def _reference_raw_words(text: str) -> list[str]:
    """Raw matches as the regexes define them: the pattern chosen by searching marks, apostrophes and _."""
    if analysis.RESIDUAL_MARK.search(text):
        return analysis.COMPOUND.findall(text)
    if analysis.APOSTROPHE.search(text) or "_" in text:
        return analysis.COMPOUND_PLAIN.findall(text)
    return re.findall(r"\w+", text)


SEPARATORS = ".,«»—…%-|*€_'’ʼ\u0301 \u00a0\u2009\u200b\x1c\n"
SEPARATED = st.text(alphabet=st.sampled_from("abé1Й" + SEPARATORS), max_size=60)


@settings(max_examples=500, deadline=None)
@given(SEPARATED | st.text(max_size=60))
def test_raw_words_are_the_regex_matches(text: str) -> None:
    assert raw_words(text)[0] == _reference_raw_words(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aéÉèçœŒøǿǾǣǽÆßﬁ\u0301 Ёё"), max_size=30) | st.text(max_size=30))
def test_folding_equals_one_translation_pass(word: str) -> None:
    text = unicodedata.normalize("NFKC", word).casefold().translate(analysis._FOLDING)
    expected = analysis._strip_marks(text) if analysis.RESIDUAL_MARK.search(text) else text
    assert fold(word) == expected
