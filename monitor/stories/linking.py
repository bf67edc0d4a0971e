"""Whether two articles report the same event: the pairwise decision behind story assignment.

Same language: near-duplicate shingle sketches (a wire copy with another headline, trimmed or reordered
paragraphs). Any languages: the language-independent features give points (a shared strong number — a
count, a distance — weighs most, then names, then concepts and small numbers), under vetoes that keep
different events apart: the numbers must agree (two nights of drone attacks on one city share names and
concepts, not their counts), the concepts must agree where both sides have some, and the reports must be
close in time. Merging two events is worse than missing a copy, so every threshold leans towards apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from monitor.stories.features import ArticleFeatures
from monitor.stories.sketch import similarity


@dataclass(frozen=True)
class LinkPolicy:
    """The thresholds and weights of `link_score`, with their reasons."""

    near_duplicate: float = 0.3
    """Estimated Jaccard similarity of 3-word shingles from which two texts are copies of each other."""
    min_shingle_bins: int = 8
    """Fewer filled bins (a text of a few words) say too little to call a copy."""
    cross_window: timedelta = timedelta(hours=48)
    """Reports of one event in other languages appear within this time of each other."""
    min_number_agreement: float = 0.5
    """Shared numbers over the numbers of the side that has fewer (strong ones apart, when both have some)."""
    min_concept_agreement: float = 0.5
    """Shared concepts over the concepts of the side that names fewer (a short report names fewer)."""
    strong_number_points: float = 2.0
    weak_number_points: float = 0.5
    name_points: float = 1.0
    concept_points: float = 0.5
    min_points: float = 3.5
    """Enough for two strong numbers, or one with a name or two concepts, or a small number and 3 names."""


DEFAULT_POLICY = LinkPolicy()


def link_score(left: ArticleFeatures, right: ArticleFeatures, policy: LinkPolicy = DEFAULT_POLICY) -> float:
    """How sure we are that both articles report the same event: 0 when they must stay apart, else a
    positive score (near-duplicates above 1, cross-language evidence in (0, 1])."""
    copy = similarity(left.sketch, right.sketch)
    if copy >= policy.near_duplicate and _filled(left) >= policy.min_shingle_bins:
        return 1.0 + copy
    if abs(left.at - right.at) > policy.cross_window:
        return 0.0
    return _cross_language(left, right, policy)


def _cross_language(left: ArticleFeatures, right: ArticleFeatures, policy: LinkPolicy) -> float:
    strong = left.strong & right.strong
    weak = left.weak & right.weak
    if not strong and not weak:
        return 0.0
    if not strong and bool(left.strong) != bool(right.strong):
        return 0.0  # one side gives a count the other lacks: small numbers and names alone are too common
    if _agreement(strong, left.strong, right.strong) < policy.min_number_agreement:
        return 0.0
    numbers = strong | weak
    if _agreement(numbers, left.strong | left.weak, right.strong | right.weak) < policy.min_number_agreement:
        return 0.0
    concepts = left.concepts & right.concepts
    if _agreement(concepts, left.concepts, right.concepts) < policy.min_concept_agreement:
        return 0.0
    points = (
        len(strong) * policy.strong_number_points
        + len(weak) * policy.weak_number_points
        + len(left.names & right.names) * policy.name_points
        + len(concepts) * policy.concept_points
    )
    if points < policy.min_points:
        return 0.0
    return min(points / (2 * policy.min_points), 1.0)


def _agreement(shared: frozenset[str], left: frozenset[str], right: frozenset[str]) -> float:
    """Shared over the smaller side; 1 when one side has none (nothing to disagree with)."""
    smaller = min(len(left), len(right))
    return len(shared) / smaller if smaller else 1.0


def _filled(features: ArticleFeatures) -> int:
    return sum(1 for value in features.sketch if value >= 0)
