"""Story assignment on the labelled set: B-cubed precision/recall/F1 and cross-language recall."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.stories import ConceptFinder, StoryIndex, assign_all, features_of
from tests.support.labelled_stories import LABELLED, b_cubed, load_labelled

CONFIG = Path(__file__).resolve().parents[2] / "config"
HELD_OUT = LABELLED.with_name("stories_heldout.yaml")
"""A second set, written apart from the first and before reading the linker: scores tuned on one set
must hold on another."""
SETS = [pytest.param(LABELLED, 150, id="labelled"), pytest.param(HELD_OUT, 80, id="held-out")]


@pytest.fixture(scope="module")
def concepts() -> ConceptFinder:
    return ConceptFinder(load_config(CONFIG).concepts)


@pytest.mark.parametrize(("path", "size"), SETS)
def test_the_labelled_sets_are_big_and_multilingual(path: Path, size: int) -> None:
    articles = load_labelled(path)
    assert len(articles) >= size
    assert {article.language for article in articles} == {"en", "fr", "de", "ru", "uk"}


@pytest.mark.parametrize(("path", "size"), SETS)
def test_stories_of_the_labelled_sets_score_above_the_targets(
    concepts: ConceptFinder, path: Path, size: int
) -> None:
    articles = load_labelled(path)
    numbered = {number: article for number, article in enumerate(articles, start=1)}
    features = [
        (number, features_of(a.title, a.text, language=a.language, at=a.at, concepts=concepts))
        for number, a in numbered.items()
    ]
    stories = assign_all(features, StoryIndex())
    truth = {a.id: a.event for a in numbered.values()}
    predicted = {numbered[number].id: story for number, story in stories.items()}
    scores = b_cubed(truth, predicted, {a.id: a.language for a in numbered.values()})
    print(
        f"\nB-cubed precision={scores.precision:.3f} recall={scores.recall:.3f} F1={scores.f1:.3f} "
        f"cross-language recall={scores.cross_language_recall:.3f} articles={len(articles)}"
    )
    assert scores.precision >= 0.95
    assert scores.f1 >= 0.90


def test_assignment_is_deterministic(concepts: ConceptFinder) -> None:
    articles = load_labelled()
    features = [
        (n, features_of(a.title, a.text, language=a.language, at=a.at, concepts=concepts))
        for n, a in enumerate(articles)
    ]
    assert assign_all(features) == assign_all(features)
