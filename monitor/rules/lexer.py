"""Query text → lexemes (words, quoted phrases, @concepts, fields, operators, parentheses) with offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_DISTANCE, MAX_DISTANCE, DEFAULT_DISTANCE = 1, 50, 10
OPERATORS = ("AND", "OR", "NOT")
FILTER_FIELDS = ("source", "lang", "site")
_NEAR = re.compile(r"(O?NEAR)(?:/(.*))?")
_FIELD = re.compile(r"([A-Za-z]+):")
_CONCEPT_NAME = re.compile(r"[\w-]+")
_STOP = set(' \t\r\n\f\v()"')
_DISTANCE = re.compile(r"[0-9]{1,3}")  # ASCII digits only: `NEAR/²` and `NEAR/٣` are errors
_RUN = re.compile(r'[^ \t\r\n\f\v()"]*')


@dataclass(frozen=True, slots=True)
class Lexeme:
    """One lexeme: `kind` is WORD, PHRASE, CONCEPT, FIELD, AND, OR, NOT, NEAR, MINUS, LPAREN, RPAREN, END."""

    kind: str
    text: str
    offset: int
    value: str = ""
    distance: int = DEFAULT_DISTANCE
    ordered: bool = False

    @property
    def length(self) -> int:
        return len(self.text)


@dataclass(frozen=True, slots=True)
class LexError:
    message: str
    offset: int
    length: int


def lex(query: str) -> tuple[list[Lexeme], list[LexError]]:
    """All lexemes of `query`, ending with END, and the errors met on the way (lexing goes on after one)."""
    lexemes: list[Lexeme] = []
    errors: list[LexError] = []
    i, size = 0, len(query)
    while i < size:
        char = query[i]
        if char.isspace():
            i += 1
        elif char in "()":
            lexemes.append(Lexeme("LPAREN" if char == "(" else "RPAREN", char, i))
            i += 1
        elif char == '"':
            i = _lex_phrase(query, i, lexemes, errors)
        elif char == "-" and i + 1 < size and query[i + 1] not in _STOP and _starts_term(query, i):
            lexemes.append(Lexeme("MINUS", "-", i))
            i += 1
        else:
            i = _lex_run(query, i, lexemes, errors)
    lexemes.append(Lexeme("END", "", size))
    return lexemes, errors


def _starts_term(query: str, i: int) -> bool:
    """A `-` negates only at the start of a term (`-attack`), not inside a word (`nord-coréen`)."""
    return i == 0 or query[i - 1].isspace() or query[i - 1] == "("


def _lex_phrase(query: str, i: int, lexemes: list[Lexeme], errors: list[LexError]) -> int:
    end = query.find('"', i + 1)
    if end < 0:
        errors.append(LexError('unterminated quote: add the closing "', i, len(query) - i))
        end = len(query)
    lexemes.append(Lexeme("PHRASE", query[i : end + 1], i, value=query[i + 1 : end]))
    return end + 1


def _lex_run(query: str, i: int, lexemes: list[Lexeme], errors: list[LexError]) -> int:
    """A run of characters up to a space, parenthesis or quote: field prefixes, then a word, @concept,
    operator or NEAR (the run is found once, so that a long run of prefixes costs linear time)."""
    end = _RUN.match(query, i).end()  # type: ignore[union-attr]
    while field := _FIELD.match(query, i, end):
        name = field.group(1).lower()
        lexemes.append(Lexeme("FIELD", field.group(), i, value=name))
        i = field.end()
        if name in FILTER_FIELDS and i < end:
            lexemes.append(Lexeme("WORD", query[i:end], i, value=query[i:end]))
            return end
    if i == end:
        return end
    run = query[i:end]
    if run in OPERATORS:
        lexemes.append(Lexeme(run, run, i))
    elif run.startswith("@"):
        valid = bool(_CONCEPT_NAME.fullmatch(run[1:]))
        if not valid:
            errors.append(LexError("a concept name (letters, digits, _ or -) must follow @", i, len(run)))
        lexemes.append(Lexeme("CONCEPT", run, i, value=run[1:] if valid else ""))
    elif near := _NEAR.fullmatch(run):
        lexemes.append(_near(run, i, near, errors))
    else:
        lexemes.append(Lexeme("WORD", run, i, value=run))
    return end


def _near(run: str, i: int, near: re.Match[str], errors: list[LexError]) -> Lexeme:
    """NEAR, NEAR/n, ONEAR, ONEAR/n, with n checked to lie in 1..50."""
    distance = DEFAULT_DISTANCE
    if near.group(2) is not None:
        if _DISTANCE.fullmatch(near.group(2)) and MIN_DISTANCE <= int(near.group(2)) <= MAX_DISTANCE:
            distance = int(near.group(2))
        else:
            message = f"{near.group(1)}/n needs a distance n from {MIN_DISTANCE} to {MAX_DISTANCE} words"
            errors.append(LexError(message, i, len(run)))
    return Lexeme("NEAR", run, i, distance=distance, ordered=near.group(1) == "ONEAR")
