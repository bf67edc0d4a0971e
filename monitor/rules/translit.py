"""Names across scripts: Cyrillic words of articles and capitalised Latin words of rules meet on one key.

A Cyrillic word is transliterated (a BGN/PCGN-like scheme, one table for Russian and Ukrainian), then both
sides are reduced to a skeleton that absorbs the usual spelling variants: kh/h/g, the i/y/j family (ий, ый,
ї, y, iy), doubled letters, a leading ye/ya, soft and hard signs. A few known exonyms map onto one key
(Kiev/Kyiv). Inflected Cyrillic forms meet through their Russian stem (Путина → путин → putin), and a rule
key also matches without its final vowels (Zelensky → zelensk ← Зеленського). Only Latin rule words of at
least 4 letters written with a capital letter take part, which keeps false positives rare.

Most Cyrillic words of an article have no key a rule uses; their *outline* (below) rules them out without
transliterating them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import chain, compress
from operator import itemgetter, or_
from types import MappingProxyType

from monitor.rules.analysis import is_cyrillic

_CYRILLIC = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "д": "d", "е": "e", "ё": "e", "є": "ye", "ж": "zh",
    "з": "z", "и": "i", "і": "i", "ї": "yi", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
})  # fmt: skip
_INITIAL_I = re.compile(r"\bi(?=[aeou])")
_DOUBLED = re.compile(r"(\w)\1+")
_FIRST_GROUP = itemgetter(1)  # C-level: Python 3.11 expands a "\1" template in Python for each match
_NOT_WORD = re.compile(r"[^\w ]+")
_FINAL_VOWELS = re.compile(r"[aeiou]+$")
MIN_LETTERS = 4

_VARIANT_WORDS = {
    "kiev": "kyiv", "kyjiv": "kyiv", "kharkov": "kharkiv", "odessa": "odesa", "shahid": "shahed",
    "tumangang": "tumangan", "tumen": "tumannaya", "rajin": "rason", "zelenskiy": "zelensky",
}  # fmt: skip


def _skeleton(text: str) -> str:
    """The spelling-variant-free form of Latin text (one word, or words joined by spaces), in this order:
    shch and sch → sh, kh and g → h, w → v, a run of i, y, j → i, no i before a, e, o, u at the start of a
    word, no doubled letter, no non-word character. The literal steps are C-level str.replace calls."""
    text = text.replace("shch", "sh").replace("sch", "sh").replace("kh", "h").replace("g", "h")
    text = text.replace("w", "v").replace("y", "i").replace("j", "i")
    while "ii" in text:
        text = text.replace("ii", "i")
    text = _DOUBLED.sub(_FIRST_GROUP, _INITIAL_I.sub("", text))
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


_OUTLINE_CODEC = "cp1251"  # one byte for each Russian and Ukrainian letter, ASCII as it is
_LEFT_OUT = frozenset("iyjhcgk")  # the letters skeleton steps rewrite, merge or drop
_NONZERO_AS_FF = b"\x00" + b"\xff" * 255  # byte tables for _without_repeats
_SPACE_AS_FF = bytes(0xFF if byte == ord(" ") else 0 for byte in range(256))


def _outline_of_latin(char: str) -> str:
    """What one character of Latin text leaves in an outline: itself, v for w, nothing for the letters
    skeleton steps change and for the non-word characters they remove."""
    if char == " ":
        return char
    if char in _LEFT_OUT or not (char.isalnum() or char == "_"):
        return ""
    return "v" if char == "w" else char


def _outline_tables() -> tuple[bytes, bytes, tuple[tuple[bytes, bytes], ...]]:
    """A byte table, the bytes to delete and the multi-byte expansions that take a text encoded in
    _OUTLINE_CODEC to the outline of its transliteration (before doubles are collapsed)."""
    table, deleted, expansions = bytearray(range(256)), bytearray(), []
    for byte in range(256):
        char = bytes([byte]).decode(_OUTLINE_CODEC, errors="ignore")
        if not char:
            continue
        outline = "".join(map(_outline_of_latin, char.translate(_CYRILLIC)))
        if not outline:
            deleted.append(byte)
        elif len(outline) == 1:
            table[byte] = outline.encode(_OUTLINE_CODEC)[0]
        else:
            expansions.append((bytes([byte]), outline.encode(_OUTLINE_CODEC)))
    return bytes(table), bytes(deleted), tuple(expansions)


_OUTLINE_TABLE, _OUTLINE_DELETED, _OUTLINE_EXPANSIONS = _outline_tables()


def outlines(texts: list[str]) -> list[bytes]:
    """The outline of each word: its transliteration without i, y, j, h, c, g, k and non-word characters,
    with v for w and doubled letters collapsed (characters outside _OUTLINE_CODEC left out too).

    No skeleton step changes an outline, so a word whose key is K has the outline of K (or of a variant
    that maps onto K); C-level passes over all the words joined."""
    data = " ".join(texts).encode(_OUTLINE_CODEC, errors="ignore")
    data = data.translate(_OUTLINE_TABLE, _OUTLINE_DELETED)
    for letter, expansion in _OUTLINE_EXPANSIONS:
        data = data.replace(letter, expansion)
    return _without_repeats(data).split(b" ")


def _without_repeats(data: bytes) -> bytes:
    """`data` (no zero byte) without the letters equal to the one before them (spaces all kept).

    The repeats are the zero bytes of the data XOR itself shifted by one byte, as big integers: a few
    C-level passes whatever the length, where a regex would try a backreference at every byte."""
    size = len(data)
    number = int.from_bytes(data, "big")
    changes = (number ^ (number >> 8)).to_bytes(size, "big").translate(_NONZERO_AS_FF)
    kept = int.from_bytes(changes, "big") | int.from_bytes(data.translate(_SPACE_AS_FF), "big")
    return (number & kept).to_bytes(size, "big").translate(None, b"\x00")


class NameKeys:
    """The cross-script keys rules use, and which Cyrillic words of an article have one of them."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = frozenset(keys)
        spellings = sorted(self.keys.union(VARIANTS))  # a variant's skeleton may be canonical to a key
        self._outlines = frozenset(outlines(spellings)) if self.keys else frozenset()

    def find(self, words: list[str], stems: list[str]) -> dict[str, list[str]]:
        """The keys rules use of those Cyrillic words whose key (or their Russian stem's, in `stems`) is one;
        words are transliterated only when their outline or their stem's is a rule key's."""
        if not self.keys:
            return {}
        shapes = outlines(words + stems)
        word_shapes, stem_shapes = shapes[: len(words)], shapes[len(words) :]
        known = self._outlines
        either = map(or_, map(known.__contains__, word_shapes), map(known.__contains__, stem_shapes))
        chosen = [index for index in compress(range(len(words)), either) if is_cyrillic(words[index])]
        if not chosen:
            return {}
        texts = [words[index] for index in chosen]
        found: dict[str, list[str]] = {}
        for word, pair in zip(texts, cyrillic_keys(texts, [stems[index] for index in chosen]), strict=True):
            hits = [key for key in dict.fromkeys(pair) if key in self.keys]
            if hits:
                found.setdefault(word, []).extend(hits)
        return found


def script_free_key(word: str) -> str:
    """One key for a name in any script: a folded Cyrillic word transliterated, then both scripts reduced
    to the skeleton that absorbs spelling variants (Київ, Kiev, Kiew and Kyiv meet); used by stories."""
    latin = word.translate(_CYRILLIC) if is_cyrillic(word) else word
    return _canonical(_skeleton(latin))
