"""Benchmark stories: assignment time per article with 100,000 stories in the window, and the poll
benchmark's cold cycle with stories on against off, in the same run.

- assignment: a `StoryIndex` (what each poller keeps in memory) filled with N generated stories, then
  new articles (a third of them copies of stored ones, a third reports in another language, a third new
  events) assigned one by one: `decide` + `add`, the work done per article under the story lock. The time
  to compute an article's features (done before the transaction, beside matching) is reported apart.
- cold cycle: `benchmarks/bench_poll.py`'s cold cycle (every item new: fetch, parse, match, store) on fresh
  databases, stories off then on, alternating, the best of `--rounds` each.

    python benchmarks/bench_stories.py --stories 100000 --feeds 200

Last line: `RESULT stories=… assign_p50_ms=… assign_p99_ms=… cold_ratio=…`
(targets: p99 ≤ 5 ms, ratio ≤ 1.15).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_poll import fresh_database, timed_cycle, write_config
from feed_farm import start_farm

from monitor.config import load_config
from monitor.stories import ArticleFeatures, ConceptFinder, StoryIndex, features_of

T0 = datetime(2026, 11, 1, tzinfo=UTC)
WORDS = (
    "government minister said attack region city forces report according officials drones missiles "
    "the of in and to a on for with by from at after over new people killed injured overnight army "
    "president talks economy prices energy power plant factory production workers port grain ship"
).split()
NAMES = [f"Name{chr(65 + i % 26)}{chr(97 + (i // 26) % 26)}{i}" for i in range(5_000)]


def generated(rng: random.Random, event: int, hours: float) -> tuple[str, str, datetime]:
    """An article of `event`: its own names and numbers, common words around them."""
    local = random.Random(event)
    names = [local.choice(NAMES) for _ in range(4)]
    numbers = [str(local.randint(32, 20_000)) for _ in range(3)]
    words = [rng.choice(WORDS) for _ in range(60)]
    for position, token in zip(range(5, 60, 7), names + numbers, strict=False):
        words[position] = token
    title = " ".join([*words[:3], names[0], numbers[0]])
    return title, " ".join(words) + ".", T0 + timedelta(hours=hours)


def translated(title: str, text: str) -> tuple[str, str]:
    """The same names and numbers, other words (a report in another language)."""
    swap = {word: word[::-1] for word in WORDS}
    return " ".join(swap.get(w, w) for w in title.split()), " ".join(swap.get(w, w) for w in text.split())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bench_assignment(
    stories: int, articles: int, concepts: ConceptFinder
) -> tuple[list[float], list[float], list[float]]:
    """(features, assignment, assignment wall-clock) ms per new article with `stories` stories in the index.

    CPU time of the thread: on a shared machine the wall clock also counts the time the process waits for
    a core (tens of ms under load), which is not the cost of assignment; it is reported too."""
    rng = random.Random(7)
    index = StoryIndex(window=timedelta(hours=72))
    texts: list[tuple[str, str, datetime]] = []
    span = 60.0  # hours: every story stays in the 72 h window
    for event in range(stories):
        title, text, at = generated(rng, event, span * event / stories)
        texts.append((title, text, at))
        features = features_of(title, text, language="en", at=at, concepts=concepts)
        index.add(event, event, features)
        if event and event % 20_000 == 0:
            print(f"  {event} stories indexed", flush=True)
    feature_ms: list[float] = []
    assign_ms: list[float] = []
    wall_ms: list[float] = []
    for number in range(articles):
        kind = number % 3
        event = rng.randrange(stories)
        title, text, at = texts[event] if kind < 2 else generated(rng, stories + number, span)
        if kind == 0:
            title = "Copy: " + title
        elif kind == 1:
            title, text = translated(title, text)
        started = time.thread_time()
        features: ArticleFeatures = features_of(title, text, language="fr", at=at, concepts=concepts)
        middle, wall = time.thread_time(), time.perf_counter()
        decision = index.decide(features)
        story = decision.story if decision.story is not None else stories + articles + number
        index.add(stories + number, story, features)
        index.merge(decision.merged, story)
        ended = time.thread_time()
        wall_ms.append((time.perf_counter() - wall) * 1000)
        feature_ms.append((middle - started) * 1000)
        assign_ms.append((ended - middle) * 1000)
    return feature_ms, assign_ms, wall_ms


def bench_cold(feeds: int, rounds: int, database: str | None) -> tuple[float, float]:
    """The best cold cycle with stories off and on."""
    layout, farm = start_farm(feeds, hosts=min(50, feeds), port=18190, latency=0.1)
    tmp = Path(tempfile.mkdtemp(prefix="bench-stories-"))
    best = {False: float("inf"), True: float("inf")}
    try:
        for round_number in range(rounds):
            for enabled in (False, True):
                directory = write_config(tmp / f"config-{round_number}-{enabled}", layout.urls())
                with (directory / "settings.yaml").open("a") as settings:
                    settings.write(f"stories:\n  enabled: {'true' if enabled else 'false'}\n")
                elapsed, polled = timed_cycle(directory, fresh_database(database, tmp), 2)
                print(f"  cold cycle, stories {'on' if enabled else 'off'}: {elapsed:.2f} s ({polled} feeds)")
                best[enabled] = min(best[enabled], elapsed)
    finally:
        farm.terminate()
        shutil.rmtree(tmp, ignore_errors=True)
    return best[False], best[True]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--articles", type=int, default=3_000)
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--db", help="PostgreSQL server URL for the cold cycles; default SQLite")
    args = parser.parse_args()

    concepts = ConceptFinder(load_config(Path(__file__).resolve().parent.parent / "config").concepts)
    print(f"indexing {args.stories} generated stories…", flush=True)
    feature_ms, assign_ms, wall_ms = bench_assignment(args.stories, args.articles, concepts)
    p50, p99 = statistics.median(assign_ms), percentile(assign_ms, 0.99)
    feature_p50, feature_p99 = statistics.median(feature_ms), percentile(feature_ms, 0.99)
    print(f"features per article: p50 {feature_p50:.2f} ms, p99 {feature_p99:.2f} ms")
    print(
        f"assignment per article ({args.stories} stories in the window): p50 {p50:.3f} ms, p99 {p99:.3f} ms"
    )
    wall_p99 = percentile(wall_ms, 0.99)
    print(f"assignment wall clock: p50 {statistics.median(wall_ms):.3f} ms, p99 {wall_p99:.3f} ms")
    off, on = bench_cold(args.feeds, args.rounds, args.db)
    ratio = on / off
    print(f"cold cycle, {args.feeds} feeds: stories off {off:.2f} s, on {on:.2f} s ({ratio:.2f}x)")
    figures = (
        f"assign_p50_ms={p50:.3f} assign_p99_ms={p99:.3f} cold_ratio={ratio:.2f} wall_p99_ms={wall_p99:.3f}"
    )
    print(f"RESULT stories={args.stories} {figures}")


if __name__ == "__main__":
    main()
