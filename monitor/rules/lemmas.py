"""Lemmas (simplemma's dictionaries) for languages that have no Snowball stemmer.

Ukrainian is the one our analysts read most: Києва and Києві become київ, вагонів and вагонами вагон,
Росією росія. A lemma plays the part of a stem: rule words and article words of a Ukrainian article
meet under the same lemma. Words are folded before they are lemmatized and lemmas are folded after; a
word is looked up capitalised first (proper nouns win: Києві is the city's, not a cue's), then as it is.
A Latin-script word whose accents were folded away may miss its dictionary entry: it is kept as it is.

Only simplemma's dictionaries are read (about 1 µs a word), not its suffix rules or affix decomposition:
those cost 6 to 70 µs on each word the dictionary does not know (names, mostly, and every new word form
an article brings is lemmatized once), which cost the matcher a quarter of its throughput when measured
(benchmarks/bench_matcher.py --baseline). Each language's dictionary is loaded on first use (a second or
two, some 70 MB for Ukrainian); lemmas are remembered in a bounded LRU cache, since news repeats its
words.
"""

from __future__ import annotations

from functools import lru_cache

from simplemma.strategies.dictionaries import DefaultDictionaryFactory

from monitor.rules.analysis import fold

LEMMA_LANGUAGES = {
    "bg": "bg", "bs": "hbs", "cy": "cy", "fa": "fa", "gl": "gl", "he": "he", "hr": "hbs", "is": "is",
    "ka": "ka", "lb": "lb", "lv": "lv", "mk": "mk", "ms": "ms", "nn": "nn", "pl": "pl", "sk": "sk",
    "sl": "sl", "sq": "sq", "sw": "sw", "tl": "tl", "uk": "uk",
}  # fmt: skip
"""Language code → simplemma's code, for the languages the analysis lemmatizes instead of stemming."""
CACHED_LEMMAS = 100_000
_DICTIONARIES = DefaultDictionaryFactory(cache_max_size=len(set(LEMMA_LANGUAGES.values())))


class Lemmas:
    """The lemmatizer of one language, with the interface of a PyStemmer stemmer (stemWord, stemWords)."""

    def __init__(self, language: str) -> None:
        self.language = LEMMA_LANGUAGES[language]
        self._dictionary = _DICTIONARIES.get_dictionary(self.language)  # loaded now, not during a match
        self.stemWord = lru_cache(maxsize=CACHED_LEMMAS)(self._lemma)

    def _lemma(self, word: str) -> str:
        """The folded lemma of a folded word (the word itself when simplemma knows nothing better)."""
        if word.isdigit():
            return word
        lemma = self._dictionary.get(word.capitalize()) or self._dictionary.get(word)
        if lemma is None or lemma == word:
            return word
        return "".join(fold(lemma).split()) or word

    def stemWords(self, words: list[str]) -> list[str]:
        """The lemmas of many folded words."""
        return list(map(self.stemWord, words))
