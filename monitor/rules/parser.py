"""Lexemes → query tree, by recursive descent, with precise errors (message, offset, length).

Precedence, loosest first: OR, AND (explicit or implied by juxtaposition), NOT / `-`, NEAR / ONEAR,
field scopes (`title:`), then words, phrases, prefixes, @concepts and parenthesised groups. The bounds of
`monitor.rules.limits` are checked while parsing: the recursion never goes deeper than MAX_NESTING levels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from monitor.rules.lexer import Lexeme, LexError, lex
from monitor.rules.limits import (
    MAX_NESTING,
    MAX_QUERY_CHARS,
    MAX_TERMS,
    TERM,
    TOO_DEEP,
    TOO_LONG,
    Size,
    too_many_terms,
)
from monitor.rules.syntax import (
    FIELDS,
    FILTERS,
    And,
    Filter,
    Near,
    Node,
    Not,
    Or,
    Scope,
    has_positive,
    is_positional,
)
from monitor.rules.terms import build_term

_OPERAND_START = frozenset({"WORD", "PHRASE", "CONCEPT", "FIELD", "LPAREN", "NOT", "MINUS"})
_PRIMARY_START = frozenset({"WORD", "PHRASE", "CONCEPT", "FIELD", "LPAREN"})
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]+)*")
_SITE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")
_NOTHING = Or(())


class _Fatal(Exception):
    """A syntax error after which the rest of the query cannot be read."""

    def __init__(self, error: LexError) -> None:
        self.error = error


class _Parser:
    """One query being parsed; non-fatal errors are collected so that all are reported at once."""

    def __init__(
        self, query: str, concepts: Mapping[str, Node], broken: frozenset[str], sizes: Mapping[str, Size]
    ) -> None:
        self.query = query
        self.lexemes, self.errors = lex(query)
        self.position = 0
        self.concepts = concepts
        self.broken = broken
        self.sizes = sizes
        self.nesting = 0
        self.terms = 0

    def deeper(self, lexeme: Lexeme) -> None:
        """One more level of nesting, opened by `lexeme`: a fatal error past MAX_NESTING."""
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.fail(TOO_DEEP, lexeme)

    def count(self, size: Size, lexeme: Lexeme) -> None:
        """Count a term or @concept; an error (once) past MAX_NESTING or MAX_TERMS."""
        if self.nesting + size.nesting > MAX_NESTING:
            self.errors.append(LexError(TOO_DEEP, lexeme.offset, max(1, lexeme.length)))
        before, self.terms = self.terms, self.terms + size.terms
        if before <= MAX_TERMS < self.terms:
            self.errors.append(LexError(too_many_terms("the query"), lexeme.offset, max(1, lexeme.length)))

    def peek(self) -> Lexeme:
        return self.lexemes[self.position]

    def take(self) -> Lexeme:
        lexeme = self.lexemes[self.position]
        self.position += 1
        return lexeme

    def fail(self, message: str, lexeme: Lexeme) -> _Fatal:
        return _Fatal(LexError(message, lexeme.offset, max(1, lexeme.length)))

    def parse(self) -> Node:
        node, _, _ = self.or_expr()
        extra = self.peek()
        if extra.kind == "RPAREN":
            raise self.fail("unexpected ')' without a matching '('", extra)
        if not has_positive(node):
            message = "a rule needs at least one word, phrase or prefix that must appear (NOT only excludes)"
            self.errors.append(LexError(message, 0, len(self.query)))
        return node

    def or_expr(self) -> tuple[Node, int, int]:
        node, start, end = self.and_expr()
        children = [node]
        while self.peek().kind == "OR":
            operator = self.take()
            self.require_operand(operator, "OR")
            node, _, end = self.and_expr()
            children.append(node)
        return (children[0] if len(children) == 1 else Or(tuple(children))), start, end

    def and_expr(self) -> tuple[Node, int, int]:
        node, start, end = self.unary()
        children = [node]
        while True:
            kind = self.peek().kind
            if kind == "AND":
                operator = self.take()
                self.require_operand(operator, "AND")
            elif kind not in _OPERAND_START:
                break
            node, _, end = self.unary()
            children.append(node)
        return (children[0] if len(children) == 1 else And(tuple(children))), start, end

    def unary(self) -> tuple[Node, int, int]:
        lexeme = self.peek()
        if lexeme.kind in ("NOT", "MINUS"):
            self.take()
            self.require_operand(lexeme, lexeme.text)
            self.deeper(lexeme)
            node, _, end = self.unary()
            self.nesting -= 1
            return Not(node), lexeme.offset, end
        return self.near()

    def near(self) -> tuple[Node, int, int]:
        node, start, end = self.scoped()
        outer = self.nesting
        while self.peek().kind == "NEAR":
            operator = self.take()
            if self.peek().kind not in _PRIMARY_START:
                raise self.fail(f"{operator.text} needs a word, phrase or group on its right", operator)
            self.deeper(operator)  # a chain of NEARs is a tree as deep as the chain is long
            right, right_start, right_end = self.scoped()
            self.check_positional(node, start, end)
            self.check_positional(right, right_start, right_end)
            node, end = Near(node, right, operator.distance, operator.ordered), right_end
        self.nesting = outer
        return node, start, end

    def check_positional(self, node: Node, start: int, end: int) -> None:
        if not is_positional(node):
            message = "NEAR joins words, phrases, prefixes, @concepts or OR-groups (not AND, NOT, filters)"
            self.errors.append(LexError(message, start, max(1, end - start)))

    def scoped(self) -> tuple[Node, int, int]:
        lexeme = self.peek()
        if lexeme.kind != "FIELD":
            return self.primary()
        self.take()
        if lexeme.value in FILTERS:
            return self.filter(lexeme)
        if self.peek().kind not in _PRIMARY_START or self.peek().offset != lexeme.offset + lexeme.length:
            raise self.fail(f"{lexeme.text} needs a word, phrase or group right after it", lexeme)
        self.deeper(lexeme)
        child, _, end = self.scoped()
        self.nesting -= 1
        if lexeme.value not in FIELDS:
            known = ", ".join(FIELDS + FILTERS)
            message = f"unknown field {lexeme.value!r} (known: {known})"
            self.errors.append(LexError(message, lexeme.offset, len(lexeme.value)))
            return child, lexeme.offset, end
        return Scope(lexeme.value, child), lexeme.offset, end

    def filter(self, field: Lexeme) -> tuple[Node, int, int]:
        value = self.peek()
        if value.kind not in ("WORD", "PHRASE") or value.offset != field.offset + field.length:
            raise self.fail(f"{field.text} needs a value right after it, as in {field.text}example", field)
        self.take()
        self.count(TERM, field)
        text = value.value.strip()
        end = value.offset + value.length
        pattern = {"lang": _LANG, "site": _SITE}.get(field.value)
        if not text or (pattern is not None and not pattern.fullmatch(text)):
            hint = {"lang": "a language code such as fr", "site": "a domain such as example.com"}
            message = f"{field.text} expects {hint.get(field.value, 'a source name')}, not {value.text!r}"
            self.errors.append(LexError(message, value.offset, max(1, value.length)))
        return Filter(field.value, text.lower()), field.offset, end

    def primary(self) -> tuple[Node, int, int]:
        lexeme = self.take()
        end = lexeme.offset + lexeme.length
        if lexeme.kind == "LPAREN":
            self.deeper(lexeme)
            node, _, _ = self.or_expr()
            self.nesting -= 1
            closing = self.take()
            if closing.kind != "RPAREN":
                raise self.fail("unclosed parenthesis: add the matching ')'", lexeme)
            return node, lexeme.offset, closing.offset + 1
        if lexeme.kind in ("WORD", "PHRASE"):
            inner = lexeme.offset + (1 if lexeme.kind == "PHRASE" else 0)
            term = build_term(lexeme.value, inner, lexeme.text)
            if isinstance(term, LexError):
                if lexeme.kind == "PHRASE" and not lexeme.value.strip():
                    message = "empty phrase: write words between the quotes"
                    term = LexError(message, lexeme.offset, lexeme.length)
                if all(error.offset != lexeme.offset for error in self.errors):
                    self.errors.append(term)
                return _NOTHING, lexeme.offset, end
            self.count(TERM, lexeme)
            return term, lexeme.offset, end
        if lexeme.kind == "CONCEPT":
            return self.concept(lexeme), lexeme.offset, end
        raise self.unexpected(lexeme)

    def concept(self, lexeme: Lexeme) -> Node:
        node = self.concepts.get(lexeme.value)
        if node is None:
            if lexeme.value and lexeme.value not in self.broken:
                self.errors.append(LexError(f"unknown concept {lexeme.text}", lexeme.offset, lexeme.length))
            return _NOTHING
        self.count(self.sizes.get(lexeme.value, Size(1, 1)), lexeme)
        return node

    def unexpected(self, lexeme: Lexeme) -> _Fatal:
        if lexeme.kind == "END":
            return _Fatal(LexError("the query ends where a word was expected", len(self.query), 0))
        if lexeme.kind == "RPAREN":
            return self.fail("unexpected ')': a word, phrase or group was expected first", lexeme)
        return self.fail(f"{lexeme.text} needs a word, phrase or group on its left", lexeme)

    def require_operand(self, operator: Lexeme, name: str) -> None:
        if self.peek().kind not in _OPERAND_START:
            raise self.fail(f"{name} needs a word, phrase or group on its right", operator)


def parse_query(
    query: str,
    concepts: Mapping[str, Node] | None = None,
    broken: frozenset[str] = frozenset(),
    sizes: Mapping[str, Size] | None = None,
) -> tuple[Node | None, list[LexError]]:
    """The tree of a query and its errors; the tree is None when the query cannot be read at all.
    `concepts` are the resolved @concepts, `broken` those that could not be, `sizes` their sizes."""
    if len(query) > MAX_QUERY_CHARS:
        return None, [LexError(f"the query is {TOO_LONG}", MAX_QUERY_CHARS, len(query) - MAX_QUERY_CHARS)]
    if not query.strip():
        return None, [LexError("empty query: write at least one word", 0, len(query))]
    parser = _Parser(query, concepts or {}, broken, sizes or {})
    try:
        node = parser.parse()
    except _Fatal as fatal:
        return None, sorted([*parser.errors, fatal.error], key=lambda e: e.offset)
    return node, sorted(parser.errors, key=lambda e: e.offset)
