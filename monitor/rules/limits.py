"""Bounds on the work a query can ask for, so that no rule or concept file can exhaust a worker.

A query is at most MAX_QUERY_CHARS long (so is each concept alternative); parentheses, NOT, field
prefixes, NEAR operators and @concepts (counted with the concepts they use in turn) nest at most
MAX_NESTING levels; and a query stands for at most MAX_TERMS words, phrases, prefixes and filters once
every @concept is written out (a concept used twice counts twice), which is what evaluating it costs.
"""

from __future__ import annotations

from typing import NamedTuple

MAX_QUERY_CHARS = 10_000
MAX_NESTING = 32
MAX_TERMS = 20_000

TOO_LONG = f"longer than {MAX_QUERY_CHARS:,} characters"
TOO_DEEP = (
    f"nested too deeply: more than {MAX_NESTING} levels of parentheses, NOT, field prefixes, NEAR "
    "and @concepts"
)


class Size(NamedTuple):
    """How big a query or concept is: levels of nesting, and terms once every @concept is written out."""

    nesting: int
    terms: int


TERM = Size(0, 1)


def too_many_terms(what: str) -> str:
    """The message for a query or concept that stands for more than MAX_TERMS terms."""
    return (
        f"{what} stands for more than {MAX_TERMS:,} words, phrases and prefixes once its @concepts are "
        "written out (each use of a concept counts)"
    )
