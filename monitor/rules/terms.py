"""Words, prefixes and phrases of a query, analysed exactly like article text."""

from __future__ import annotations

import re

from monitor.rules.lexer import LexError
from monitor.rules.syntax import Term, Unit
from monitor.rules.tokens import tokenize
from monitor.rules.translit import rule_keys

MIN_PREFIX = 3
_PIECE = re.compile(r"\S+")


def build_term(text: str, offset: int, label: str) -> Term | LexError:
    """The term for a bare word or the inside of a quoted phrase (`offset` is where `text` starts)."""
    units: list[Unit] = []
    for piece in _PIECE.finditer(text):
        result = _piece_units(piece.group(), offset + piece.start())
        if isinstance(result, LexError):
            return result
        units.extend(result)
    if not units:
        return LexError(f"{label!r} has no letters or digits to search for", offset, max(1, len(text)))
    return Term(label, tuple(units))


def _piece_units(piece: str, offset: int) -> list[Unit] | LexError:
    """The units of one whitespace-free piece (`nord-coréen*` gives `nord` and the prefix `coreen`)."""
    core = piece.rstrip("*")
    if "*" in core:
        return LexError("* is allowed only at the end of a word", offset + core.index("*"), 1)
    tokens = tokenize(core)
    prefix = core != piece
    if prefix and (not tokens.words or len(tokens.words[-1]) < MIN_PREFIX):
        message = f"prefix {piece!r} is too short: write at least {MIN_PREFIX} letters before *"
        return LexError(message, offset, len(piece))
    units = []
    last = len(tokens) - 1
    for index, (word, start, end) in enumerate(zip(tokens.words, tokens.starts, tokens.ends, strict=True)):
        if prefix and index == last:
            units.append(Unit(word, prefix=True))
        else:
            units.append(Unit(word, keys=rule_keys(core[start:end], word)))
    return units
