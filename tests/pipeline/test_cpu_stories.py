"""Story features computed beside matching in the CPU pool: in worker processes or the poller's thread,
they are the features the assigner would compute itself (copies compare alike whoever computed them)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from monitor import clock
from monitor.config import load_config
from monitor.pipeline.cpu import CpuPool
from monitor.rules import Document
from monitor.stories import ConceptFinder, features_of
from tests.support.labelled_stories import load_labelled

BUNDLED = Path(__file__).resolve().parents[2] / "config"


@pytest.mark.parametrize("workers", [1, 2], ids=["thread", "processes"])
def test_the_pool_matches_and_computes_story_features_in_one_task(workers: int) -> None:
    config = load_config(BUNDLED)
    articles = [a for a in load_labelled() if a.id.startswith(("as-", "ao-", "k1-"))]
    documents = [
        Document(a.title, a.text, a.language, f"https://example.org/{a.id}", a.source) for a in articles
    ]
    times = [clock.now() - timedelta(hours=n) for n in range(len(documents))]

    async def analyse() -> tuple[list[list[object]], list[object]]:
        async with CpuPool.for_config(config, workers) as cpu:
            return await cpu.analyse(documents, times)

    matches, features = asyncio.run(analyse())
    finder = ConceptFinder(config.concepts)
    expected = [
        features_of(d.title, d.text, language=d.language, at=at, concepts=finder)
        for d, at in zip(documents, times, strict=True)
    ]
    assert features == expected
    assert [[m.rule for m in found] for found in matches] == [
        [m.rule for m in config.matcher.match(d)] for d in documents
    ]
    assert any(matches) and any(f.concepts for f in expected), "the sample exercises rules and concepts"
