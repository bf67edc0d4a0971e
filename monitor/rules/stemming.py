"""Snowball stemmers (PyStemmer) per language, lemmas for others, and which applies to a word of an article.

The article's language decides: every word of a French article is stemmed as French. Languages without a
Snowball stemmer (Ukrainian, Polish, Bulgarian, Slovak, Slovene, Croatian, Latvian, Persian…) are
lemmatized with simplemma (monitor.rules.lemmas): Києві and Києва both give київ. The remaining ones
(Belarusian, Maltese, Chinese, Japanese, Korean) are matched on exact folded words, or on character
bigrams for CJK; prefixes (`дрон*`) cover inflections. An article without a language gets a script
guess: Cyrillic words Russian, Latin words English.
"""

from __future__ import annotations

import Stemmer

from monitor.rules.analysis import script
from monitor.rules.lemmas import LEMMA_LANGUAGES, Lemmas

ALGORITHMS = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "et": "estonian", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil",
    "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
GUESS_BY_SCRIPT = {"cyrillic": "ru", "latin": "en"}
FOLDED_WORDS = 100_000


def language_code(language: str | None) -> str | None:
    """`fr-FR`, `FR`, `fr_CA` → `fr`; empty → None."""
    if not language:
        return None
    return language.strip().lower().replace("_", "-").split("-")[0] or None


def stem_language(code: str | None, word_script: str) -> str | None:
    """The stemmer (a code) for a word of this script in an article of language `code` (a language_code)."""
    if code is None:
        return GUESS_BY_SCRIPT.get(word_script)
    return code if code in ALGORITHMS or code in LEMMA_LANGUAGES else None


class Stemmers:
    """Stemmers by language code, created on first use, and a bounded cache of folded raw words.

    Stems are not remembered here: each article word is stemmed once, when a LanguageIndex learns it."""

    def __init__(self) -> None:
        self._stemmers: dict[str, Stemmer.Stemmer | Lemmas] = {}
        self._folded: dict[str, str] = {}

    def _get(self, code: str) -> Stemmer.Stemmer | Lemmas:
        stemmer = self._stemmers.get(code)
        if stemmer is None and code in LEMMA_LANGUAGES:
            stemmer = self._stemmers[code] = Lemmas(code)
        elif stemmer is None:
            stemmer = self._stemmers[code] = Stemmer.Stemmer(ALGORITHMS[code])
            stemmer.maxCacheSize = 0  # words are stemmed once each: a cache would only hold memory
        return stemmer

    def stem(self, code: str | None, word: str) -> str:
        """The stem of a folded word in language `code` (the word itself when `code` is None)."""
        return word if code is None else self._get(code).stemWord(word)

    def stem_many(self, code: str | None, words: list[str]) -> list[str]:
        """Stems of many folded words at once (one call into the C library)."""
        return list(words) if code is None else self._get(code).stemWords(words)

    def folded(self) -> dict[str, str]:
        """The shared cache of analysed words (raw match → folded words), emptied past FOLDED_WORDS."""
        if len(self._folded) > FOLDED_WORDS:
            self._folded = {}
        return self._folded

    def word_stem(self, code: str | None, word: str) -> str:
        """The key a folded rule word is looked up under in an article of language `code`."""
        return self.stem(stem_language(code, script(word)), word)

    def word_stems(self, code: str | None, words: list[str]) -> list[str]:
        """`word_stem` of many folded words, with one call into the C library per stemmer."""
        if code is not None:
            return self.stem_many(stem_language(code, "latin"), words)
        groups: dict[str | None, list[str]] = {}
        for word in words:
            groups.setdefault(stem_language(None, script(word)), []).append(word)
        stems: dict[str, str] = {}
        for language, group in groups.items():
            stems.update(zip(group, self.stem_many(language, group), strict=True))
        return [stems[word] for word in words]
