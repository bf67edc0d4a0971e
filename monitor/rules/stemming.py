"""Snowball stemmers (PyStemmer) per language, and which stemmer applies to a word of an article.

The article's language decides: every word of a French article is stemmed as French. Languages without a
Snowball stemmer (Ukrainian among them) are matched on exact folded words; prefixes (`дрон*`) cover their
inflections. An article without a language gets a script guess: Cyrillic words Russian, Latin words English.
"""

from __future__ import annotations

import Stemmer

from monitor.rules.analysis import script
from monitor.rules.translit import cyrillic_keys

ALGORITHMS = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german", "el": "greek",
    "en": "english", "es": "spanish", "et": "estonian", "eu": "basque", "fi": "finnish", "fr": "french",
    "ga": "irish", "hi": "hindi", "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian",
    "lt": "lithuanian", "nb": "norwegian", "ne": "nepali", "nl": "dutch", "no": "norwegian",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil",
    "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
GUESS_BY_SCRIPT = {"cyrillic": "ru", "latin": "en"}
CACHE_WORDS = 500_000


def language_code(language: str | None) -> str | None:
    """`fr-FR`, `FR`, `fr_CA` → `fr`; empty → None."""
    if not language:
        return None
    return language.strip().lower().replace("_", "-").split("-")[0] or None


def stem_language(code: str | None, word_script: str) -> str | None:
    """The stemmer (a code) for a word of this script in an article of language `code` (a language_code)."""
    if code is None:
        return GUESS_BY_SCRIPT.get(word_script)
    return code if code in ALGORITHMS else None


class Stemmers:
    """Stemmers by language code, created on first use, and the words seen so far with their stems and
    cross-script keys (bounded: a cache that grows past CACHE_WORDS is emptied)."""

    def __init__(self) -> None:
        self._stemmers: dict[str, Stemmer.Stemmer] = {}
        self._cache: dict[str, dict[str, str]] = {}
        self._keys: dict[str, tuple[str, str]] = {}
        self._folded: dict[str, str] = {}

    def _get(self, code: str) -> Stemmer.Stemmer:
        stemmer = self._stemmers.get(code)
        if stemmer is None:
            stemmer = self._stemmers[code] = Stemmer.Stemmer(ALGORITHMS[code])
            stemmer.maxCacheSize = 0  # PyStemmer's own cache is slow once full; ours is a dict
        return stemmer

    def _language_cache(self, code: str) -> dict[str, str]:
        cache = self._cache.get(code)
        if cache is None or len(cache) > CACHE_WORDS:
            cache = self._cache[code] = {}
        return cache

    def stem(self, code: str | None, word: str) -> str:
        """The stem of a folded word in language `code` (the word itself when `code` is None)."""
        if code is None:
            return word
        cache = self._language_cache(code)
        stem = cache.get(word)
        if stem is None:
            stem = cache[word] = self._get(code).stemWord(word)
        return stem

    def stem_many(self, code: str | None, words: list[str]) -> list[str]:
        """Stems of many folded words at once (one call into the C library)."""
        if code is None:
            return list(words)
        cache = self._language_cache(code)
        missing = [word for word in words if word not in cache]
        if missing:
            cache.update(zip(missing, self._get(code).stemWords(missing), strict=True))
        return [cache[word] for word in words]

    def folded(self) -> dict[str, str]:
        """The shared cache of analysed words (raw match → folded words) for tokenize and words_of."""
        if len(self._folded) > CACHE_WORDS:
            self._folded = {}
        return self._folded

    def name_keys(self, words: list[str]) -> list[tuple[str, str]]:
        """Cross-script keys of folded Cyrillic words: of the word and of its Russian stem."""
        if len(self._keys) > CACHE_WORDS:
            self._keys = {}
        missing = [word for word in words if word not in self._keys]
        if missing:
            keys = cyrillic_keys(missing, self.stem_many("ru", missing))
            self._keys.update(zip(missing, keys, strict=True))
        return [self._keys[word] for word in words]

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
