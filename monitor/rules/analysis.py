"""One text analysis for rules and articles: words with offsets, folded for case, accents and apostrophes.

Folding: Unicode NFKC, case folding, accents removed on Latin and Greek letters only (Cyrillic й, ї, ў
keep their marks; ё becomes е), ligatures spelled out: `Αθήνα`, `ΑΘΗΝΑ` and `αθηνα` are one word.
Apostrophes (' ’ ʼ ‘) split words: French and Italian elisions (l', d', qu', jusqu'…) and English
clitics ('s, 't, 're…) are dropped, a Ukrainian apostrophe between Cyrillic letters (п'ять) is removed
inside the word. Hyphens and other punctuation separate words, so
`nord-coréen` is the two words `nord coreen` and `Shahed-136` contains `shahed`. Numbers are words.

Chinese, Japanese and Korean runs are cut into overlapping character bigrams, as Lucene's CJK analyzer
does (a run of one character is a word): `无人机` is the phrase `无人 人机`, found in `俄罗斯无人机工厂`
without any dictionary. Letters of other scripts glued to a run stay one word (`Shahed无人机` gives
`shahed 无人 人机`).
"""

from __future__ import annotations

import re
import unicodedata

_LETTER = r"[^\W_\u02bc]"
_MARK = r"[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
_PIECE = rf"{_LETTER}(?:{_LETTER}|{_MARK})*"
APOSTROPHES = "'’ʼ‘`´"
COMPOUND = re.compile(rf"{_PIECE}(?:[{APOSTROPHES}]{_PIECE})*")
_PLAIN = r"[^\W_\u02bc]+"
COMPOUND_PLAIN = re.compile(rf"{_PLAIN}(?:[{APOSTROPHES}]{_PLAIN})*")  # for text without combining marks
_PIECES = re.compile(_PIECE)
APOSTROPHE = re.compile(f"[{APOSTROPHES}]")
_MARK_OR_APOSTROPHE = re.compile(f"{_MARK[:-1]}{APOSTROPHES}]")

ELISIONS = frozenset(
    "l d j m n s t c qu jusqu lorsqu puisqu quoiqu presqu quelqu dell all dall nell sull un".split()
)
CLITICS = frozenset("s t re ve ll d m".split())
_SPELLED = {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ё": "е"}
RESIDUAL_MARK = re.compile(_MARK)
MAX_TOKEN_CHARS = 64
_CJK_RANGES = (
    "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff\uff66-\uffdc\U00020000-\U0003134f"
)
CJK_RUN = re.compile(f"[{_CJK_RANGES}]+")
_CJK_CHAR = re.compile(f"[{_CJK_RANGES}]")


def _is_latin(char: str) -> bool:
    """True for letters of the Latin script (ASCII, Latin-1, Latin Extended, Latin Extended Additional)."""
    code = ord(char)
    return code < 0x250 or 0x1E00 <= code < 0x1F00 or 0x2C60 <= code < 0x2C80 or 0xA720 <= code < 0xA800


def _is_greek(char: str) -> bool:
    """True for letters of the Greek script (Greek and Coptic, Greek Extended)."""
    code = ord(char)
    return 0x370 <= code < 0x400 or 0x1F00 <= code < 0x2000


def _loses_marks(char: str) -> bool:
    """Whether the marks on this letter are folded away: Latin and Greek letters."""
    return _is_latin(char) or _is_greek(char)


def has_cjk(text: str) -> bool:
    """Whether a text holds Chinese, Japanese or Korean characters (then its runs are cut into bigrams)."""
    return not text.isascii() and _CJK_CHAR.search(text) is not None


def _folding_table() -> dict[int, str]:
    """Precomposed lowercase Latin and Greek letters with diacritics → their base letter; a few letters
    spelled out."""
    table: dict[int, str] = {}
    for code in [*range(0xC0, 0x250), *range(0x370, 0x400), *range(0x1E00, 0x2000)]:
        decomposed = unicodedata.normalize("NFD", chr(code))
        base, marks = decomposed[0], decomposed[1:]
        if marks and _loses_marks(base) and all(unicodedata.combining(mark) for mark in marks):
            table[code] = base
    table.update({ord(char): spelled for char, spelled in _SPELLED.items()})
    return table


_FOLDING = _folding_table()
_FOLDABLE = re.compile("[" + "".join(map(chr, sorted(_FOLDING))) + "]")
_FOLDS_TO_FOLDABLE = frozenset(
    chr(code) for code, folded in _FOLDING.items() if any(ord(char) in _FOLDING for char in folded)
)  # ǿ folds to ø, which folds further: only a single translation pass gives ø


def fold(raw: str) -> str:
    """The folded form of one word: `Corée`, `coree` and `CORÉE` all give `coree`; `Київ` gives `київ`."""
    if raw.isascii():
        return raw.lower()
    text = unicodedata.normalize("NFKC", raw).casefold()
    foldable = set(_FOLDABLE.findall(text))
    if foldable:
        text = _fold_letters(text, foldable)
    if not RESIDUAL_MARK.search(text):
        return text
    return _strip_marks(text)


def _fold_letters(text: str, letters: set[str]) -> str:
    """`text` with the foldable `letters` it holds folded: one C-level replace per distinct letter (a
    French or German text has a few), cheaper than translating every character through a dict."""
    if not letters.isdisjoint(_FOLDS_TO_FOLDABLE):
        return text.translate(_FOLDING)
    for letter in letters:
        text = text.replace(letter, _FOLDING[ord(letter)])
    return text


def marks_and_apostrophes(source: str) -> tuple[bool, bool]:
    """Whether a text holds combining marks, and whether it holds apostrophes: one regex pass (none for
    ASCII text, which has no marks)."""
    if source.isascii():
        return False, "'" in source or "`" in source
    first = _MARK_OR_APOSTROPHE.search(source)
    if first is None:
        return False, False
    if RESIDUAL_MARK.match(first.group()):
        return True, APOSTROPHE.search(source, first.end()) is not None
    return RESIDUAL_MARK.search(source, first.end()) is not None, True


def _strip_marks(text: str) -> str:
    """Remove combining marks that follow a Latin or Greek letter (those left after composition), keep the
    others."""
    kept: list[str] = []
    stripped_base = False
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char):
            if not stripped_base:
                kept.append(char)
            continue
        stripped_base = _loses_marks(char)
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept))


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


Piece = tuple[str, int, int]  # a folded word and its start and end offsets in the raw match


def split_word(raw: str) -> tuple[Piece, ...]:
    """The words of one match: one folded word, or for words joined by apostrophes the halves kept
    (Cyrillic halves merged, elisions and clitics dropped); CJK runs in it cut into bigrams."""
    if APOSTROPHE.search(raw) is None:
        if has_cjk(raw):
            return _cjk_pieces(raw, 0)
        return ((_word(raw), 0, len(raw)),)
    pieces = _apostrophe_pieces(raw)
    if not has_cjk(raw):
        return pieces
    return tuple(cut for _, start, end in pieces for cut in _cjk_pieces(raw[start:end], start))


def _cjk_pieces(raw: str, offset: int) -> tuple[Piece, ...]:
    """The words of a match holding CJK runs: each run as overlapping bigrams (a lone character as
    itself), the letters between runs as words; offsets from `offset`."""
    pieces: list[Piece] = []
    position = 0
    for run in CJK_RUN.finditer(raw):
        start, end = run.span()
        if start > position:
            pieces.append((_word(raw[position:start]), offset + position, offset + start))
        last = max(start + 1, end - 1)
        for at in range(start, last):
            cut = min(at + 2, end)
            pieces.append((fold(raw[at:cut]), offset + at, offset + cut))
        position = end
    if position < len(raw):
        pieces.append((_word(raw[position:]), offset + position, offset + len(raw)))
    return tuple(pieces)


def _apostrophe_pieces(raw: str) -> tuple[Piece, ...]:
    """The halves of words joined by apostrophes that are kept (Cyrillic halves merged, elisions and
    clitics dropped)."""
    parts = [(_word(m.group()), m.start(), m.end()) for m in _PIECES.finditer(raw)]
    merged: list[Piece] = [parts[0]]
    for part in parts[1:]:
        previous = merged[-1]
        if is_cyrillic(previous[0]) and is_cyrillic(part[0]):
            merged[-1] = ((previous[0] + part[0])[:MAX_TOKEN_CHARS], previous[1], part[2])
        else:
            merged.append(part)
    if len(merged) > 1 and merged[0][0] in ELISIONS:
        merged = merged[1:]
    if len(merged) > 1 and merged[-1][0] in CLITICS:
        merged = merged[:-1]
    return tuple(merged)


def _word(raw: str) -> str:
    """A folded word without the spaces compatibility forms may bring (ﷺ), cut at MAX_TOKEN_CHARS."""
    return "".join(fold(raw).split())[:MAX_TOKEN_CHARS]


def fold_plain(raws: list[str]) -> list[str] | None:
    """The folded words of many apostrophe-free raw matches at once (one C-level pass over them joined);
    None when a compatibility form breaks the one-word-per-match correspondence (then fold one by one)."""
    folded = fold(" ".join(raws))
    words = folded.split(" ")
    if len(words) != len(raws) or len(folded.split()) != len(raws):
        return None
    if max(map(len, words), default=0) > MAX_TOKEN_CHARS:
        return [word[:MAX_TOKEN_CHARS] for word in words]
    return words
