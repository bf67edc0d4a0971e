"""Lemmas (simplemma's dictionaries and suffix rules) for languages that have no Snowball stemmer.

Ukrainian is the one our analysts read most: Києва and Києві become київ, вагонів and вагонами вагон,
Росією росія. A lemma plays the part of a stem: rule words and article words of a Ukrainian article
meet under the same lemma. Words are folded before they are lemmatized and lemmas are folded after; a
word is looked up capitalised first (proper nouns win: Києві is the city's, not a cue's), then as it is.
A Latin-script word whose accents were folded away may miss its dictionary entry: it is kept as it is.

Only the dictionary and the suffix rules are used, not simplemma's affix decomposition: that is 4-5
times slower on the many words a dictionary does not know (names), which would cost the matcher its
throughput. Each language's dictionary is loaded on first use (a second or two); lemmas are remembered
in a bounded LRU cache, since news repeats its words.
"""

from __future__ import annotations

from functools import lru_cache

from simplemma.strategies import DictionaryLookupStrategy, RulesStrategy

from monitor.rules.analysis import fold

LEMMA_LANGUAGES = {
    "bg": "bg", "bs": "hbs", "cy": "cy", "fa": "fa", "gl": "gl", "he": "he", "hr": "hbs", "is": "is",
    "ka": "ka", "lb": "lb", "lv": "lv", "mk": "mk", "ms": "ms", "nn": "nn", "pl": "pl", "sk": "sk",
    "sl": "sl", "sq": "sq", "sw": "sw", "tl": "tl", "uk": "uk",
}  # fmt: skip
"""Language code → simplemma's code, for the languages the analysis lemmatizes instead of stemming."""
CACHED_LEMMAS = 100_000
_DICTIONARY = DictionaryLookupStrategy()
_RULES = RulesStrategy()


class Lemmas:
    """The lemmatizer of one language, with the interface of a PyStemmer stemmer (stemWord, stemWords)."""

    def __init__(self, language: str) -> None:
        self.language = LEMMA_LANGUAGES[language]
        _DICTIONARY.get_lemma("", self.language)  # load the dictionary now, not during a match
        self.stemWord = lru_cache(maxsize=CACHED_LEMMAS)(self._lemma)

    def _lemma(self, word: str) -> str:
        """The folded lemma of a folded word (the word itself when simplemma knows nothing better)."""
        if word.isdigit():
            return word
        lemma = _DICTIONARY.get_lemma(word.capitalize(), self.language) or _RULES.get_lemma(
            word, self.language
        )
        if lemma is None or lemma == word:
            return word
        return "".join(fold(lemma).split()) or word

    def stemWords(self, words: list[str]) -> list[str]:
        """The lemmas of many folded words."""
        return list(map(self.stemWord, words))
