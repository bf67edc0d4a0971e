"""The configuration's concepts as language-independent features, found in one pass over the text.

Each alternative of a concept is folded as the rule engine folds words (`Corée` → `coree`), a phrase as
its words; a prefix (`северокорей*`) matches any word that starts with it. One Aho-Corasick automaton
(pyahocorasick, a well-kept C implementation) finds every alternative of every concept in a
single C-level pass over the folded text: the rule engine itself (stems, NEAR) costs ten times as much,
and stories only need to know *which* concepts an article names, not where.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import ahocorasick

from monitor.rules.analysis import fold

_WORD = re.compile(r"\w+")
MAX_CHARS = 20_000


MAX_CACHED_WORDS = 100_000
_FOLDS: dict[str, str] = {}
"""Word → folded word, shared by the articles of a process (news vocabularies repeat), forgotten whole
past MAX_CACHED_WORDS so that it stays bounded. A lost race between threads only folds a word twice."""


def _folded(text: str) -> str:
    """` word word word ` (folded words, each between spaces)."""
    if len(_FOLDS) > MAX_CACHED_WORDS:
        _FOLDS.clear()
    words = _WORD.findall(text)
    return " " + " ".join([_FOLDS.get(word) or _fold_new(word) for word in words]) + " "


def _fold_new(word: str) -> str:
    folded = _FOLDS[word] = fold(word)
    return folded


class ConceptFinder:
    """Which concepts of the configuration an article names. Pure and reusable."""

    def __init__(self, concepts: Mapping[str, Sequence[str]]) -> None:
        self._automaton: ahocorasick.Automaton | None = None
        keys: dict[str, set[str]] = {}
        for name in concepts:
            for alternative in _expand(name, concepts, set()):
                prefix = alternative.rstrip().endswith("*")
                words = _folded(alternative.replace("*", " ")).strip()
                if words:
                    keys.setdefault(f" {words}" if prefix else f" {words} ", set()).add(name)
        if keys:
            automaton = ahocorasick.Automaton()
            for key, names in keys.items():
                automaton.add_word(key, frozenset(names))
            automaton.make_automaton()
            self._automaton = automaton

    def __call__(self, title: str, text: str, language: str | None) -> frozenset[str]:
        if self._automaton is None:
            return frozenset()
        folded = _folded(f"{title}\n{text}"[:MAX_CHARS])
        found: set[str] = set()
        for _, names in self._automaton.iter(folded):
            found.update(names)
        return frozenset(found)


def _expand(name: str, concepts: Mapping[str, Sequence[str]], seen: set[str]) -> list[str]:
    """The alternatives of a concept with `@other` concepts written out (cycles ignored: the configuration
    loader reports them)."""
    seen.add(name)
    out: list[str] = []
    for alternative in concepts.get(name, ()):
        text = str(alternative).strip().strip('"')
        if text.startswith("@"):
            other = text[1:]
            if other not in seen:
                out.extend(_expand(other, concepts, seen))
        else:
            out.append(text)
    return out
