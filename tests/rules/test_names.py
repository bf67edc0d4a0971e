"""Names across scripts: the outline test finds exactly the Cyrillic words that transliterating all would."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.rules import translit
from monitor.rules.analysis import is_cyrillic
from monitor.rules.translit import VARIANTS, NameKeys, cyrillic_keys, outlines

LETTERS = "абвгґдеєжзиіїйклмнопрстуўфхцчшщъыьэюяёЖ" + "aeoukhgcswyijvtz" + "\u0301\u0306_1ʼ-«é"
TEXT = st.text(alphabet=st.sampled_from(LETTERS), max_size=10)
KNOWN_SPELLINGS = ["киев", "київ", "шахид", "одесса", "зеленский", "тумен", "щука", "схема"]


def _transliterate_all(words: list[str], stems: list[str], keys: set[str]) -> dict[str, list[str]]:
    """What NameKeys.find must give: every Cyrillic word transliterated, its rule keys kept."""
    chosen = [index for index, word in enumerate(words) if is_cyrillic(word)]
    texts = [words[index] for index in chosen]
    pairs = cyrillic_keys(texts, [stems[index] for index in chosen]) if texts else []
    found = {}
    for word, pair in zip(texts, pairs, strict=True):
        hits = [key for key in dict.fromkeys(pair) if key in keys]
        if hits:
            found[word] = hits
    return found


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.one_of(TEXT, st.sampled_from(KNOWN_SPELLINGS)), min_size=1, max_size=8, unique=True),
    st.data(),
)
def test_outlines_rule_out_only_words_without_a_rule_key(words: list[str], data: st.DataObject) -> None:
    stems = [data.draw(st.one_of(st.just(word), TEXT)) for word in words]
    own_keys = sorted({key for pair in cyrillic_keys(words, stems) for key in pair} | set(VARIANTS.values()))
    keys = data.draw(st.sets(st.sampled_from(own_keys)))
    assert NameKeys(keys).find(words, stems) == _transliterate_all(words, stems, keys)


def test_a_name_and_its_cyrillic_spellings_share_an_outline() -> None:
    assert outlines(["shahed", "шахеды", "шахед", "kyiv", "київ"]) == [b"saed"] * 3 + [b"v"] * 2


def test_only_words_with_a_rule_key_are_found() -> None:
    names = NameKeys(["shahed", "alabuh"])
    words, stems = ["шахеды", "завод", "алабуге", "shahed"], ["шахед", "завод", "алабуг", "shahed"]
    assert names.find(words, stems) == {"шахеды": ["shahed"], "алабуге": ["alabuh"]}


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aabzé "), max_size=40))
def test_repeated_letters_collapse_and_spaces_stay(text: str) -> None:
    data = text.encode()
    assert translit._without_repeats(data) == re.sub(rb"([^ ])\1+", rb"\1", data)


SKELETON_STEPS = [
    (r"sh?ch", "sh"),
    (r"kh|g", "h"),
    (r"w", "v"),
    (r"[iyj]+", "i"),
    (r"\bi(?=[aeou])", ""),
    (r"(\w)\1+", r"\1"),
]


def _regex_skeleton(text: str) -> str:
    """The skeleton as its definition reads: one regex substitution per step, then non-word characters out."""
    for pattern, replacement in SKELETON_STEPS:
        text = re.sub(pattern, replacement, text)
    return re.sub(r"[^\w ]+", "", text)


LATIN = st.text(alphabet=st.sampled_from("shcgkwyijaeoutdz HY1_- '\u0301é"), max_size=30)


@settings(max_examples=500, deadline=None)
@given(LATIN | st.text(max_size=20))
def test_skeleton_equals_its_regex_definition(text: str) -> None:
    assert translit._skeleton(text) == _regex_skeleton(text)
