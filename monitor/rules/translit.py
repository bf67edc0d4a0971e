"""Names across scripts: Cyrillic words of articles and capitalised Latin words of rules meet on one key.

A Cyrillic word is transliterated (a BGN/PCGN-like scheme, one table for Russian and Ukrainian), then both
sides are reduced to a skeleton that absorbs the usual spelling variants: kh/h/g, the i/y/j family (ий, ый,
ї, y, iy), doubled letters, a leading ye/ya, soft and hard signs. A few known exonyms map onto one key
(Kiev/Kyiv). Inflected Cyrillic forms meet through their Russian stem (Путина → путин → putin), and a rule
key also matches without its final vowels (Zelensky → zelensk ← Зеленського). Only Latin rule words of at
least 4 letters written with a capital letter take part, which keeps false positives rare.
"""

from __future__ import annotations

import re
from itertools import chain
from types import MappingProxyType

_CYRILLIC = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ye", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
})  # fmt: skip
_SKELETON_STEPS = (
    (re.compile(r"sh?ch"), "sh"),
    (re.compile(r"kh|g"), "h"),
    (re.compile(r"w"), "v"),
    (re.compile(r"[iyj]+"), "i"),
    (re.compile(r"\bi(?=[aeou])"), ""),
    (re.compile(r"(\w)\1+"), r"\1"),
)
_NOT_WORD = re.compile(r"[^\w ]+")
_FINAL_VOWELS = re.compile(r"[aeiou]+$")
MIN_LETTERS = 4

_VARIANT_WORDS = {
    "kiev": "kyiv", "kyjiv": "kyiv", "kharkov": "kharkiv", "odessa": "odesa", "shahid": "shahed",
    "tumangang": "tumangan", "tumen": "tumannaya", "rajin": "rason", "zelenskiy": "zelensky",
}  # fmt: skip


def _skeleton(text: str) -> str:
    """The spelling-variant-free form of Latin text (one word, or words joined by spaces)."""
    for pattern, replacement in _SKELETON_STEPS:
        text = pattern.sub(replacement, text)
    return text if text.replace(" ", "").isalnum() else _NOT_WORD.sub("", text)


VARIANTS = MappingProxyType({_skeleton(k): _skeleton(v) for k, v in _VARIANT_WORDS.items()})


def _canonical(key: str) -> str:
    return VARIANTS.get(key, key)


def rule_keys(raw: str, folded: str) -> tuple[str, ...]:
    """Keys under which a rule word finds Cyrillic spellings; none unless it is a capitalised Latin name."""
    if len(folded) < MIN_LETTERS or not raw[:1].isupper() or not folded.isascii() or not folded.isalpha():
        return ()
    key = _canonical(_skeleton(folded))
    short = _FINAL_VOWELS.sub("", key)
    return (key, short) if short != key and len(short) >= 3 else (key,)


def cyrillic_keys(words: list[str], stems: list[str]) -> list[tuple[str, str]]:
    """For each folded Cyrillic word and its Russian stem, the keys of both (each distinct text once, all
    transliterated in one pass)."""
    distinct = list(dict.fromkeys(chain(words, stems)))
    keys = _skeleton(" ".join(distinct).translate(_CYRILLIC)).split(" ")
    canonical = VARIANTS.get
    key_of = {text: canonical(key, key) for text, key in zip(distinct, keys, strict=True)}
    return [(key_of[word], key_of[stem]) for word, stem in zip(words, stems, strict=True)]
