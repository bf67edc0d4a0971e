"""One text analysis for rules and articles: words with offsets, folded for case, accents and apostrophes.

Folding: Unicode NFKC, case folding, accents removed on Latin letters only (Cyrillic й, ї, ў keep their
marks; ё becomes е), ligatures spelled out. Apostrophes (' ’ ʼ ‘) split words: French and Italian elisions
(l', d', qu', jusqu'…) and English clitics ('s, 't, 're…) are dropped, a Ukrainian apostrophe between
Cyrillic letters (п'ять) is removed inside the word. Hyphens and other punctuation separate words, so
`nord-coréen` is the two words `nord coreen` and `Shahed-136` contains `shahed`. Numbers are words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_LETTER = r"[^\W_\u02bc]"
_MARK = r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_PIECE = rf"{_LETTER}(?:{_LETTER}|{_MARK})*"
APOSTROPHES = "'’ʼ‘`´"
_COMPOUND = re.compile(rf"{_PIECE}(?:[{APOSTROPHES}]{_PIECE})*")
_PIECES = re.compile(_PIECE)

ELISIONS = frozenset(
    "l d j m n s t c qu jusqu lorsqu puisqu quoiqu presqu quelqu dell all dall nell sull un".split()
)
CLITICS = frozenset("s t re ve ll d m".split())
_SPELLED = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ё": "е"})
MAX_TOKEN_CHARS = 64


def fold(raw: str) -> str:
    """The folded form of one word: `Corée`, `coree` and `CORÉE` all give `coree`; `Київ` gives `київ`."""
    if raw.isascii():
        return raw.lower()
    text = unicodedata.normalize("NFKC", raw).casefold().translate(_SPELLED)
    if text.isascii():
        return text
    kept: list[str] = []
    latin_base = False
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if not latin_base:
                kept.append(char)
            continue
        latin_base = _is_latin(char)
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


def _is_latin(char: str) -> bool:
    """True for letters of the Latin script (ASCII, Latin-1, Latin Extended, Latin Extended Additional)."""
    code = ord(char)
    return code < 0x250 or 0x1E00 <= code < 0x1F00 or 0x2C60 <= code < 0x2C80 or 0xA720 <= code < 0xA800


def is_cyrillic(word: str) -> bool:
    """True when the word starts with a Cyrillic letter."""
    return bool(word) and "\u0400" <= word[0] <= "\u052f"


def script(word: str) -> str:
    """`latin`, `cyrillic` or `other`, from the first character of a folded word."""
    if not word:
        return "other"
    if is_cyrillic(word):
        return "cyrillic"
    return "latin" if _is_latin(word[0]) else "other"


@dataclass
class Tokens:
    """The words of one text, in order: folded form and character offsets into the original text."""

    words: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def add(self, word: str, start: int, end: int) -> None:
        """Append one word (folded, capped at MAX_TOKEN_CHARS so hostile text cannot bloat the index)."""
        self.words.append(word[:MAX_TOKEN_CHARS])
        self.starts.append(start)
        self.ends.append(end)

    def __len__(self) -> int:
        return len(self.words)


def tokenize(text: str, limit: int | None = None) -> Tokens:
    """Split `text` (at most `limit` characters of it) into folded words with their offsets."""
    tokens = Tokens()
    cache: dict[str, str] = {}
    source = text if limit is None else text[:limit]
    for match in _COMPOUND.finditer(source):
        raw = match.group()
        start = match.start()
        if not any(char in APOSTROPHES for char in raw):
            folded = cache.get(raw)
            if folded is None:
                folded = cache[raw] = fold(raw)
            tokens.add(folded, start, match.end())
        else:
            _add_compound(tokens, raw, start)
    return tokens


def _add_compound(tokens: Tokens, raw: str, start: int) -> None:
    """Words joined by apostrophes: merge Cyrillic halves, drop elisions and clitics, keep the rest."""
    parts = [(fold(m.group()), start + m.start(), start + m.end()) for m in _PIECES.finditer(raw)]
    merged: list[tuple[str, int, int]] = [parts[0]]
    for part in parts[1:]:
        previous = merged[-1]
        if is_cyrillic(previous[0]) and is_cyrillic(part[0]):
            merged[-1] = (previous[0] + part[0], previous[1], part[2])
        else:
            merged.append(part)
    if len(merged) > 1 and merged[0][0] in ELISIONS:
        merged = merged[1:]
    if len(merged) > 1 and merged[-1][0] in CLITICS:
        merged = merged[:-1]
    for word, word_start, word_end in merged:
        tokens.add(word, word_start, word_end)
