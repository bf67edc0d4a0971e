"""The values that cross the rules package boundary: documents in, matches and errors out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from monitor.errors import MonitorError


@dataclass(frozen=True)
class Document:
    """What the matcher reads of an article: `text` is summary and content; `language` picks the stemmer."""

    title: str
    text: str
    language: str | None = None
    url: str = ""
    source: str = ""


@dataclass(frozen=True)
class RuleSpec:
    """A named watch rule, as written by an analyst."""

    name: str
    query: str


@dataclass(frozen=True)
class Highlight:
    """One matched word: `start`/`end` are character offsets into the original `field` ("title" | "text")."""

    term: str
    field: str
    start: int
    end: int


@dataclass(frozen=True)
class RuleMatch:
    """A rule that matched a document, with the terms found, where, and a «highlighted» snippet."""

    rule: str
    terms: tuple[str, ...]
    highlights: tuple[Highlight, ...]
    snippet: str


def words_at(spans: Iterable[tuple[object, object, object]], fields: Mapping[str, str]) -> tuple[str, ...]:
    """The words a document has at (field, start, end) spans, as written, each once (case aside), in the
    spans' order: what a reader looks for ("factory"), not the rule's alternative ("factories")."""
    words: dict[str, str] = {}
    for field, start, end in spans:
        text = fields.get(field) if isinstance(field, str) else None
        if text is None or not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end:
            continue
        word = " ".join(text[start:end].split())
        if word:
            words.setdefault(word.casefold(), word)
    return tuple(words.values())


@dataclass(frozen=True)
class QueryError:
    """A fault in a query: `offset`/`length` locate it in the query (or the concept alternative) string."""

    rule: str
    message: str
    offset: int
    length: int
    alternative: int | None = None  # for a concept (rule "@name"): the index of the faulty alternative

    def render(self) -> str:
        """`rule: message (at offset N)`, short enough for a log line or a form error."""
        return f"{self.rule}: {self.message} (at offset {self.offset})"


class RuleCompileError(MonitorError):
    """One or more rules (or concepts) could not be compiled; `errors` lists every fault found."""

    def __init__(self, errors: list[QueryError]) -> None:
        self.errors = errors
        super().__init__("\n".join(error.render() for error in errors))
