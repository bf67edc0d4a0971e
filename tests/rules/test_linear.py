"""Matching costs work linear in the article's length, however often a word repeats and whatever the rule.

Work is counted as Python and C function calls (deterministic, whatever the machine's load), never timed:
an article twice as long may cost at most a little more than twice as many calls.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.rules import Document, Matcher, RuleCompileError, RuleSpec, compile_rules
from monitor.rules.results import MAX_HIGHLIGHTS_PER_TERM
from tests.rules.test_properties import CONCEPTS, VOCABULARY, _query

LINEAR_RATIO = 2.3  # calls for twice the text, at most; a quadratic step gives about 4
WORDS = [word for word in VOCABULARY if " " not in word]


def calls_to_match(matcher: Matcher, document: Document) -> int:
    """How many Python and C function calls matching the document takes."""
    count = 0

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(profile)
    try:
        matcher.match(document)
    finally:
        sys.setprofile(None)
    return count


def growth(matcher: Matcher, chunk: str, repeats: int, language: str | None = None) -> float:
    """Calls to match the chunk repeated 2×`repeats` times over calls for `repeats` times (words learnt
    once before, so that only the article's length differs)."""
    matcher.match(Document(chunk, chunk, language))
    single = calls_to_match(matcher, Document(chunk, chunk * repeats, language))
    double = calls_to_match(matcher, Document(chunk, chunk * 2 * repeats, language))
    return double / single


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_query(), min_size=1, max_size=3),
    st.lists(st.sampled_from([*WORDS, ",", "."]), min_size=1, max_size=6),
    st.sampled_from([None, "en", "fr", "ru"]),
)
def test_matching_work_is_linear_in_the_text(
    queries: list[str], words: list[str], language: str | None
) -> None:
    try:
        matcher = compile_rules([RuleSpec(f"r{i}", query) for i, query in enumerate(queries)], CONCEPTS)
    except RuleCompileError:
        return
    assert growth(matcher, " ".join(words) + " ", 300, language) <= LINEAR_RATIO


REPEATED = [
    "Shahed",
    '"Shahed drone"',
    "Shahed NEAR/50 drone",
    "(Shahed NEAR/50 drone) NEAR/50 (drone ONEAR/50 Shahed)",
    "title:Shahed AND text:(drone OR Shahed*)",
]


def test_a_word_repeated_thousands_of_times_costs_linear_work() -> None:
    matcher = compile_rules([RuleSpec(f"r{i}", query) for i, query in enumerate(REPEATED)])
    assert growth(matcher, "Shahed drone ", 5_000) <= LINEAR_RATIO
    assert growth(matcher, "Shahed, drone; Shahed-136 ", 2_000, "en") <= LINEAR_RATIO


def test_highlights_are_capped_per_term_so_every_term_is_shown() -> None:
    matcher = compile_rules([RuleSpec("r", "drone AND Alabuga")])
    text = "drone " * 10_000 + "Alabuga"
    (match,) = matcher.match(Document("", text))
    shown = [h.term for h in match.highlights]
    assert shown.count("drone") == MAX_HIGHLIGHTS_PER_TERM
    assert shown.count("Alabuga") == 1 and match.terms == ("drone", "Alabuga")
    last = match.highlights[-1]
    assert text[last.start : last.end] == "Alabuga"
