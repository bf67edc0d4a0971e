"""Texts to words: raw matches found by one regex, folded through a cache, offsets computed apart.

An article is read as its *raw* matches (words as written, maybe joined by apostrophes); their folded
words come from a cache (raw → folded words joined by spaces) that new raws fill in one batch. Character
offsets are only needed to show a match, and come from one regex split and running sums of lengths.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate

from monitor.rules.analysis import (
    APOSTROPHE,
    APOSTROPHES,
    COMPOUND,
    COMPOUND_PLAIN,
    RESIDUAL_MARK,
    fold_plain,
    has_cjk,
    marks_and_apostrophes,
    split_word,
)

_SPLIT = re.compile(f"({COMPOUND.pattern})")  # split() keeps the words: offsets are running sums
_SPLIT_PLAIN = re.compile(f"({COMPOUND_PLAIN.pattern})")
PLAIN_WORD = re.compile(r"\w+")
_SEPARATOR = re.compile(r"[^\w\s]")
_COMMON_SEPARATORS = '.,;:!?()"-/«»“”—–…%'


@dataclass
class Tokens:
    """The words of one text, in order: folded form and character offsets into the original text."""

    words: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.words)


@dataclass(frozen=True)
class Offsets:
    """Character offsets of the words of one text, into the original text."""

    starts: list[int]
    ends: list[int]


def _source(text: str, limit: int | None) -> tuple[str, bool]:
    """The analysed part of a text, and whether it holds combining marks (then the slower pattern applies)."""
    source = text if limit is None else text[:limit]
    return source, RESIDUAL_MARK.search(source) is not None


def word_pattern(source: str) -> tuple[re.Pattern[str], bool]:
    """The pattern that finds the raw matches of `source`, and whether each match is exactly one word (no
    apostrophe anywhere; a CJK run is one match but several words: see `raw_words`). Plain `\\w+` is the
    fastest, and equivalent without marks, apostrophes and `_`."""
    marked, apostrophe = marks_and_apostrophes(source)
    if marked:
        return COMPOUND, not apostrophe
    if apostrophe:
        return COMPOUND_PLAIN, False
    return (COMPOUND_PLAIN if "_" in source else PLAIN_WORD), True


def raw_words(text: str, limit: int | None = None) -> tuple[list[str], bool]:
    """The raw matches of `text` (words as written, maybe joined by apostrophes), and whether each of them
    is exactly one word (then a word's position is its match's index). A match holding a CJK run is
    several words (its bigrams) but is not looked for here, which would cost every article a pass over
    its text: the caller learns it from the folded matches (monitor.rules.document).

    A text without apostrophes or `_` is first split on whitespace after its common separators are
    replaced by spaces (C-level passes, about twice as fast as findall): if every character left is
    alphanumeric, there was no combining mark either, and these are exactly its `\\w+` matches."""
    source = text if limit is None else text[:limit]
    if "_" not in source and not any(map(source.__contains__, APOSTROPHES)):
        for separator in _COMMON_SEPARATORS:
            if separator in source:
                source = source.replace(separator, " ")
        words = source.split()
        glued = "".join(words)
        if glued.isalnum():
            return words, True
        if RESIDUAL_MARK.search(glued) is None:  # no mark, only separators the list lacks
            for separator in set(_SEPARATOR.findall(glued)):
                source = source.replace(separator, " ")
            return source.split(), True
        source = text if limit is None else text[:limit]
    pattern, simple = word_pattern(source)
    return pattern.findall(source), simple


def fold_raws(raws: list[str]) -> list[str]:
    """The folded words of each raw match, joined by spaces; apostrophe-free matches in one batch."""
    glued = "".join(raws)
    cjk = has_cjk(glued)
    if glued.isalnum() and "\u02bc" not in glued and not cjk:
        plain = raws
    else:
        plain = [raw for raw in raws if raw.isalnum() and "\u02bc" not in raw and not (cjk and has_cjk(raw))]
    words = fold_plain(plain) if plain else None
    if words is not None and len(plain) == len(raws):
        return words
    folded = dict(zip(plain, words, strict=True)) if words is not None else {}
    return [folded.get(raw) or " ".join(piece[0] for piece in split_word(raw)) for raw in raws]


def learn(raws: Iterable[str], cache: dict[str, str]) -> None:
    """Put the folded words of raw matches the cache does not know yet into it (one batch)."""
    new = list(set(raws).difference(cache))
    cache.update(zip(new, fold_raws(new), strict=True))


def folded_words(raws: list[str], cache: dict[str, str] | None = None) -> list[str]:
    """The folded words of raw matches, in order (`cache` may be shared between calls)."""
    cache = {} if cache is None else cache
    try:
        return " ".join(map(cache.__getitem__, raws)).split()
    except KeyError:
        learn(raws, cache)
        return " ".join(map(cache.__getitem__, raws)).split()


def words_of(text: str, limit: int | None = None, cache: dict[str, str] | None = None) -> list[str]:
    """The folded words of `text` (at most `limit` characters of it)."""
    return folded_words(raw_words(text, limit)[0], cache)


def offsets(text: str, limit: int | None = None) -> Offsets:
    """Character offsets of the words of `text`, in the order `words_of` gives them.

    Only matches joined by apostrophes are looked at one by one (their halves may be dropped)."""
    source, marked = _source(text, limit)
    parts = (_SPLIT if marked else _SPLIT_PLAIN).split(source)
    bounds = list(accumulate(map(len, parts)))
    cjk = has_cjk(source)
    if APOSTROPHE.search(source) is None and not cjk:
        return Offsets(bounds[0:-1:2], bounds[1::2])
    found = Offsets([], [])
    for index, raw in enumerate(parts[1::2]):
        offset = bounds[2 * index]
        if APOSTROPHE.search(raw) is None and not (cjk and has_cjk(raw)):
            found.starts.append(offset)
            found.ends.append(bounds[2 * index + 1])
            continue
        for _, start, end in split_word(raw):
            found.starts.append(offset + start)
            found.ends.append(offset + end)
    return found


def tokenize(text: str, limit: int | None = None) -> Tokens:
    """Split `text` (at most `limit` characters of it) into folded words with their offsets, one match at a
    time (for short texts such as rule terms; articles go through `raw_words` and their spans)."""
    source, marked = _source(text, limit)
    tokens = Tokens()
    for match in (COMPOUND if marked else COMPOUND_PLAIN).finditer(source):
        offset = match.start()
        for word, start, end in split_word(match.group()):
            tokens.words.append(word)
            tokens.starts.append(offset + start)
            tokens.ends.append(offset + end)
    return tokens
