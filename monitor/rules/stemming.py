"""Snowball stemmers (PyStemmer) per language, and which stemmer applies to a word of an article.

The article's language decides: every word of a French article is stemmed as French. Languages without a
Snowball stemmer (Ukrainian among them) are matched on exact folded words; prefixes (`дрон*`) cover their
inflections. An article without a language gets a script guess: Cyrillic words Russian, Latin words English.
"""

from __future__ import annotations

from collections.abc import Iterable

import Stemmer

from monitor.rules.analysis import script

ALGORITHMS = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "et": "estonian", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil",
    "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
GUESS_BY_SCRIPT = {"cyrillic": "ru", "latin": "en"}


def language_code(language: str | None) -> str | None:
    """`fr-FR`, `FR`, `fr_CA` → `fr`; empty → None."""
    if not language:
        return None
    return language.strip().lower().replace("_", "-").split("-")[0] or None


def stem_language(language: str | None, word_script: str) -> str | None:
    """The language whose stemmer applies to a word of this script in an article of this language."""
    code = language_code(language)
    if code is None:
        return GUESS_BY_SCRIPT.get(word_script)
    return code if code in ALGORITHMS else None


class Stemmers:
    """Stemmers by language code, created on first use, each with a cache of the words it has stemmed."""

    def __init__(self) -> None:
        self._stemmers: dict[str, Stemmer.Stemmer] = {}
        self._cache: dict[str, dict[str, str]] = {}

    def _get(self, code: str) -> Stemmer.Stemmer:
        stemmer = self._stemmers.get(code)
        if stemmer is None:
            stemmer = self._stemmers[code] = Stemmer.Stemmer(ALGORITHMS[code])
        return stemmer

    def stem(self, code: str | None, word: str) -> str:
        """The stem of a folded word in language `code` (the word itself when `code` is None)."""
        if code is None:
            return word
        cache = self._cache.setdefault(code, {})
        stem = cache.get(word)
        if stem is None:
            stem = cache[word] = self._get(code).stemWord(word)
        return stem

    def stem_many(self, code: str | None, words: list[str]) -> list[str]:
        """Stems of many folded words at once (one call into the C library)."""
        if code is None:
            return list(words)
        return self._get(code).stemWords(words)

    def word_stem(self, language: str | None, word: str) -> str:
        """The key a folded rule word is looked up under in an article of `language`."""
        return self.stem(stem_language(language, script(word)), word)

    def warm(self, code: str, words: Iterable[str]) -> None:
        """Stem many rule words in one call, filling the cache."""
        todo = [w for w in set(words) if w not in self._cache.setdefault(code, {})]
        self._cache[code].update(zip(todo, self.stem_many(code, todo), strict=True))
