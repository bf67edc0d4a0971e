"""What an article says independently of its language: names in one script, numbers, concepts, and time.

Names are the capitalised words that do not open a sentence (and acronyms), reduced to the rule engine's
cross-script key (`monitor.rules.translit.script_free_key`: Київ, Kiew and Kyiv meet), with final vowels
dropped and cut to a prefix so that inflected forms meet (Алабуге, Alabuga). Numbers are read with their
thousands separators in any of the usual styles (5,500 · 5 500 · 5.500 → 5500); the day of a month and a
year are *weak* numbers, bigger counts are *strong*. Concepts are the configuration's concepts found in the
text (a `ConceptTagger`), which are multilingual by construction.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from monitor.rules.translit import script_free_key
from monitor.stories.sketch import Signature, minhash, words

NAME_PREFIX = 5
MIN_NAME_LETTERS = 4
MAX_FEATURES = 200
MAX_SCAN_CHARS = 5_000
"""Only the opening of a text is read (bounded time; the lead says who, where and how many)."""

_SENTENCE_END = re.compile(r"[.!?:;«»\"“”„()\[\]\n]+\s*")
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*")
_NUMBER = re.compile(r"\d(?<![\w.,]\d)(?:\d{0,2}(?:[,.\u00a0\u202f ]\d{3})+(?!\d)|\d*(?:[.,]\d+)?)")
"""A number not glued to a word or another number: thousands in groups, or digits with a decimal part. It
opens with a digit (the look-behind comes after it) so that the regex engine skips to digits in C."""
_GROUPED = re.compile(r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+")
_SEPARATORS = re.compile(r"[,.\u00a0\u202f ]")
_FINAL_VOWELS = re.compile(r"[aeiou]+$")
_SCALES = {
    **dict.fromkeys(("thousand", "tausend", "mille", "millier", "тыс", "тис"), 3),
    **dict.fromkeys(("million", "mio", "млн", "миллион", "мільйон"), 6),
    **dict.fromkeys(("billion", "milliard", "mrd", "млрд", "миллиард", "мільярд"), 9),
}
"""Scale words after a number in the five languages (their inflections start with these)."""
_SCALE = re.compile(
    r"[ \u00a0\u202f]*(" + "|".join(sorted(_SCALES, key=len, reverse=True)) + r")", re.IGNORECASE
)
_COUNTS = {
    2: "two deux zwei два две двух двум двумя двое двоих дві двох двом двома двоє",
    3: "three trois drei три трех трёх трем тремя трое троих трьох трьом трьома троє",
    4: "four quatre vier четыре четырех четырёх четверо четверых чотири чотирьох",
    5: "five cinq fünf пять пяти пятеро пятерых п'ять п'яти п'ятеро п'ятьох",
    6: "six sechs шесть шести шестеро шість шістьох",
    7: "seven sieben семь семи семеро сім сімох",
    8: "eight huit acht восемь восьми вісім",
    9: "nine neun девять девяти дев'ять дев'яти",
    10: "ten dix zehn десять десяти",
    11: "eleven onze elf одиннадцать одиннадцати одинадцять одинадцяти",
    12: "twelve douze zwölf двенадцать двенадцати дванадцять дванадцяти",
}
"""Counts from two to twelve in words, in the five languages (`one` is left out: un, ein are articles;
so is French `neuf`, which also means new)."""
_APOSTROPHES = "'’ʼ"
_COUNT_WORDS = {form: str(n) for n, forms in _COUNTS.items() for form in forms.split() if "'" not in form}
_APOSTROPHE_COUNTS = [
    (form.replace("'", apostrophe), str(n))
    for n, forms in _COUNTS.items()
    for form in forms.split()
    if "'" in form
    for apostrophe in _APOSTROPHES
]
_POSSESSIVE = re.compile(r"['’]s$")

ConceptTagger = Callable[[str, str, str | None], frozenset[str]]
"""(title, text, language) → the names of the configuration's concepts found in the article."""


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """Everything story assignment compares; small, and stored as JSON (see `to_json`)."""

    at: datetime
    language: str | None
    sketch: Signature
    names: frozenset[str]
    strong: frozenset[str]
    weak: frozenset[str]
    concepts: frozenset[str]

    def to_json(self) -> dict[str, object]:
        return {
            "at": self.at.isoformat(),
            "language": self.language,
            "sketch": list(self.sketch),
            "names": sorted(self.names),
            "strong": sorted(self.strong),
            "weak": sorted(self.weak),
            "concepts": sorted(self.concepts),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ArticleFeatures:
        def strings(name: str) -> frozenset[str]:
            return frozenset(map(str, data.get(name) or ()))  # type: ignore[call-overload]

        return cls(
            at=datetime.fromisoformat(str(data["at"])),
            language=str(data["language"]) if data.get("language") else None,
            sketch=tuple(map(int, data["sketch"])),  # type: ignore[call-overload]
            names=strings("names"),
            strong=strings("strong"),
            weak=strings("weak"),
            concepts=strings("concepts"),
        )


def features_of(
    title: str, text: str, *, language: str | None, at: datetime, concepts: ConceptTagger | None = None
) -> ArticleFeatures:
    """The features of one article (title and text as stored; `at` its publication or arrival time)."""
    title, text = title[:MAX_SCAN_CHARS], text[:MAX_SCAN_CHARS]
    whole = f"{title}\n{text}"
    strong, weak = numbers(whole)
    tokens = words(whole)
    return ArticleFeatures(
        at=at,
        language=(language or "").split("-")[0].casefold() or None,
        sketch=minhash(tokens),
        names=names(whole),
        strong=strong,
        weak=weak | counts_in_words(whole, tokens),
        concepts=concepts(title, text, language) if concepts else frozenset(),
    )


def names(text: str) -> frozenset[str]:
    """The cross-script keys of the names of a text: capitalised words that do not open a sentence, and
    acronyms anywhere."""
    found: dict[str, None] = {}
    for sentence in _SENTENCE_END.split(text):
        tokens = _TOKEN.findall(sentence)
        if not tokens:
            continue
        capitalised = [word for word in tokens[1:] if word[0].isupper()]
        if tokens[0].isupper():
            capitalised.insert(0, tokens[0])
        for word in capitalised:
            key = name_key(word)
            if key:
                found[key] = None
                if len(found) >= MAX_FEATURES:
                    return frozenset(found)
    return frozenset(found)


@lru_cache(maxsize=50_000)
def name_key(word: str) -> str | None:
    """The key of one name, or None for a short one: accents dropped, script-free, inflection cut off."""
    plain = unicodedata.normalize("NFKD", word.casefold())
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    plain = _POSSESSIVE.sub("", plain).replace("'", "").replace("’", "").split("-")[0]
    if len(plain) < MIN_NAME_LETTERS and not (word.isupper() and len(word) >= 2):
        return None
    key = script_free_key(plain)
    stem = _FINAL_VOWELS.sub("", key) or key
    stem = script_free_key(stem)
    return stem[:NAME_PREFIX] or None


def numbers(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """(strong, weak) numbers of a text: weak ones are small whole numbers (≤ 31, a day or a handful) or
    years. A scale word after a number multiplies it (410 тисяч, 12 millions, 5,5 Mrd.), as its digits
    do in another report (410,000)."""
    strong: set[str] = set()
    weak: set[str] = set()
    for match in _NUMBER.finditer(text):
        raw = match.group()
        grouped = _GROUPED.fullmatch(raw) is not None
        value = _SEPARATORS.sub("", raw) if grouped else raw.replace(",", ".")
        value = value.lstrip("0") or "0"
        scale = _SCALE.match(text, match.end())
        if scale:
            value = _scaled(value, _SCALES[scale.group(1).casefold()])
        target = weak if _is_weak(value) else strong
        if len(strong) + len(weak) < MAX_FEATURES:
            target.add(value)
    return frozenset(strong), frozenset(weak)


def counts_in_words(text: str, tokens: Iterable[str] | None = None) -> frozenset[str]:
    """The small counts a text writes in words (two, deux, zwei, двое, п'ятеро…): a report without digits
    gives its numbers this way, and they are the same evidence as digits in another report. `tokens`: the
    text's folded words when already read (`sketch.words`)."""
    found = {
        _COUNT_WORDS[word] for word in _COUNT_WORDS.keys() & set(words(text) if tokens is None else tokens)
    }
    if any(apostrophe in text for apostrophe in _APOSTROPHES):  # п'ять is two words to \w+
        folded = text.casefold()
        found.update(number for form, number in _APOSTROPHE_COUNTS if form in folded)
    return frozenset(found)


def _scaled(value: str, exponent: int) -> str:
    try:
        number = Decimal(value).scaleb(exponent)
    except InvalidOperation:
        return value
    return str(int(number)) if number == number.to_integral_value() else format(number.normalize(), "f")


def _is_weak(value: str) -> bool:
    """A day of the month, a handful, or a year: numbers that different events share. A decimal (16.5 %,
    1.75) is as specific as a big count."""
    try:
        number = float(value)
    except ValueError:
        return True
    return number.is_integer() and (number <= 31 or 1900 <= number <= 2100)
