"""Benchmark the rule workshop's preview: 300,000 stored articles over 30 days (generated multilingual text:
English, French, German, Russian, Ukrainian; news vocabulary, a long tail of rarer words, and now and then a
sentence on the bundled rules' topics), the bundled rules and concepts, and 20 realistic edits (a term
added, a concept widened, a NOT added, a NEAR tightened or loosened).

The editor of each rule is opened first, as in the desk: its first preview (the saved rule, which the
preview then remembers) is timed and printed apart. Each edit is previewed as the desk previews it
(`monitor.workshop.preview.preview`: the draft against the saved rule over the last 30 days, with the
added and dropped articles and their triage), timed from the call to the complete answer. The word index
of the stored articles is built once before (its build time is printed apart: the desk builds it once per
process, then learns new articles incrementally).

Each edit is then previewed again just after a poll stored POLL new articles (the preview learns them and
completes the saved rule's and the sub-trees' remembered results with them), timed apart; the last one's
matches are checked against the naive pass too.

The baseline, measured in the same run, is the naive preview: every stored article of the window read,
analysed and matched (draft and saved rule). Identity: every edit's matches equal the naive pass's.

    python benchmarks/bench_preview.py                        # SQLite in a temporary directory
    python benchmarks/bench_preview.py --articles 50000

Last line: `RESULT articles=… p50_s=… p95_s=… baseline_s=… speedup=… identical=yes|no` (speedup: the
baseline over the median preview). Targets on a 2-core machine: p50 ≤ 1 s, p95 ≤ 3 s, ≥ 50× faster.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from datetime import timedelta
from itertools import accumulate
from pathlib import Path

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor import clock
from monitor.config import WatchConfig, load_config
from monitor.pipeline.poll import document_for
from monitor.rules import RuleSpec, compile_rules
from monitor.storage.database import Database, open_database
from monitor.storage.tables import Article, Source
from monitor.workshop.corpus import CorpusWords
from monitor.workshop.preview import Preview, load_articles, preview

BATCH = 5_000
CONFIG = Path(__file__).resolve().parent.parent / "config"
WINDOW = timedelta(days=30)
TOPICAL = 0.005
POLL = 50
"""Articles a poll stores before each edit of the second pass."""
"""The share of articles with a sentence on the rules' topics (about 1,500 of 300,000 in a month)."""
NEWS = {
    "en": "the of and to in a is that for on said with by at from government minister army report city "
    "police president people year week state war attack border train port missile drone plant factory "
    "production sanctions export weapons shells convoy station bridge officials Russia Ukraine Kyiv "
    "China United States election market prices energy gas oil talks".split(),
    "fr": "le la les de des et à un une est que pour dans sur par avec gouvernement ministre armée rapport "
    "ville police président année semaine guerre attaque frontière train port missile drone usine "
    "production sanctions armes obus gare pont Russie Ukraine Kyiv Chine élection marché prix".split(),
    "de": "der die das und zu in ein ist dass für auf mit von Regierung Minister Armee Bericht Stadt Polizei "
    "Präsident Jahr Woche Krieg Angriff Grenze Zug Hafen Rakete Drohne Werk Fabrik Produktion Sanktionen "
    "Waffen Munition Bahnhof Brücke Russland Ukraine Kiew China Wahl Markt Preise Energie Gas".split(),
    "ru": "и в на с по что не это как для из от года заявил правительство министр армия доклад город "
    "полиция президент неделя война атака граница поезд порт ракета дрон завод производство санкции "
    "оружие снаряды станция мост Россия Украина Киев Китай выборы рынок цены энергия газ".split(),
    "uk": "і в на з що не це як для від року заявив уряд міністр армія звіт місто поліція президент "
    "тиждень війна атака кордон потяг порт ракета дрон завод виробництво санкції зброя снаряди "
    "станція міст Росія Україна Київ Китай вибори ринок ціни енергія газ".split(),
}
SYLLABLES = {
    "latin": "ka ro mi ne ta lu ve sa po ri de an el or is un ar te li mo ba cu fe gi".split(),
    "cyrillic": "ка ро ми не та лу ве са по ри де ан ел ор ис ун ар те ли мо ба ку фе ги".split(),
}


def vocabulary(rng: random.Random, language: str, size: int = 8_000) -> list[str]:
    """News words first (most frequent), then a long tail of generated words of the language's script."""
    syllables = SYLLABLES["cyrillic" if language in ("ru", "uk") else "latin"]
    tail = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(size)}
    return NEWS[language] + sorted(tail)


def topical_sentences(config: WatchConfig) -> list[str]:
    """The bundled rules' examples (match and no_match): sentences on the rules' topics, both kinds."""
    return [s for rule in config.rules for s in (*rule.examples.match, *rule.examples.no_match)]


def generate(
    database: Database, config: WatchConfig, articles: int, seed: int = 11, *, after: int = 0
) -> None:
    """Fill the database with `articles` articles first seen over the last 30 days (bulk inserts); with
    `after` (the last article id), add that many more, first seen now (a poll)."""
    rng = random.Random(seed)
    now = clock.now()
    languages = list(NEWS)
    words = {language: vocabulary(rng, language) for language in languages}
    weights = {
        language: list(accumulate(1 / (rank + 8) for rank in range(len(words[language]))))
        for language in languages
    }
    topical = topical_sentences(config)
    with database.engine.begin() as connection:
        sources = [
            {"name": f"source {i}", "url": f"https://news{i}.example/feed", "enabled": True,
             "consecutive_failures": 0, "created_at": now}
            for i in range(60)
        ]  # fmt: skip
        if not after:
            connection.execute(Source.__table__.insert(), sources)  # type: ignore[attr-defined]
        source_ids = [row[0] for row in connection.execute(text("SELECT id FROM source ORDER BY id"))]
    span = 0 if after else WINDOW.total_seconds() - 3600
    for first in range(after, after + articles, BATCH):
        rows = []
        for number in range(first, min(after + articles, first + BATCH)):
            language = languages[number % len(languages)]
            vocab, weight = words[language], weights[language]
            title = " ".join(rng.choices(vocab, cum_weights=weight, k=rng.randint(6, 11))).capitalize()
            body = [
                " ".join(rng.choices(vocab, cum_weights=weight, k=rng.randint(8, 20))) + "."
                for _ in range(rng.randint(3, 7))
            ]
            if rng.random() < TOPICAL:
                body.insert(rng.randrange(len(body) + 1), rng.choice(topical))
            rows.append(
                {
                    "id": number + 1,
                    "source_id": source_ids[number % len(source_ids)],
                    "dedupe_key": f"k{number}",
                    "url": f"https://news.example/{number}",
                    "title": title,
                    "summary": "",
                    "content": " ".join(body),
                    "language": language,
                    "first_seen_at": now - timedelta(seconds=span * (articles - number) / articles),
                    "content_hash": f"{number:064d}",
                }
            )
        with database.engine.begin() as connection:
            connection.execute(Article.__table__.insert(), rows)  # type: ignore[attr-defined]


def edits(config: WatchConfig) -> list[tuple[str, str, dict[str, list[str]]]]:
    """20 realistic edits of the bundled rules: (rule, draft query, draft concepts)."""
    queries = {rule.name: " ".join(rule.query.split()) for rule in config.rules}
    concepts = {name: list(values) for name, values in config.concepts.items()}

    def widened(name: str, *more: str) -> dict[str, list[str]]:
        return concepts | {name: [*concepts[name], *more]}

    shahed, rail, arms = (queries[name] for name in list(queries)[:3])
    names = list(queries)[:3]
    changes = [
        (names[0], f"{shahed} OR (Shahed NEAR/5 plant)", concepts),
        (names[0], f"({shahed}) AND NOT Iran", concepts),
        (names[0], shahed.replace("NEAR/6 @production", "NEAR/3 @production", 1), concepts),
        (names[0], shahed.replace("NEAR/15", "NEAR/8"), concepts),
        (names[0], f"{shahed} OR Geran*", concepts),
        (names[0], shahed, widened("production", "workshop", "atelier", "цех*")),
        (names[0], f"({shahed}) AND NOT (attack OR атака OR attaque)", concepts),
        (names[1], rail.replace("NEAR/15", "NEAR/10", 1), concepts),
        (names[1], f'{rail} OR "Rason port"', concepts),
        (names[1], f'({rail}) AND NOT "defence pact"', concepts),
        (names[1], rail, widened("rail_freight", "container*", "контейнер*")),
        (names[1], rail.replace("NEAR/15", "NEAR/25"), concepts),
        (names[1], f"{rail} OR (Khasan AND wagons)", concepts),
        (names[2], arms.replace("NEAR/10", "NEAR/5", 1), concepts),
        (names[2], f"({arms}) AND NOT test", concepts),
        (names[2], f'{arms} OR ("artillery shells" NEAR/10 @russia)', concepts),
        (names[2], arms, widened("munitions", "drones", "дрон*")),
        (names[2], arms.replace("@supply NEAR/10", "@supply NEAR/20"), concepts),
        (names[2], f'({arms}) AND NOT "missile test"', concepts),
        (names[2], arms.replace(" AND @russia", ""), concepts),
    ]
    for rule, query, draft_concepts in changes:  # the bundled rules changed: an edit must change something
        if query == queries[rule] and draft_concepts == concepts:
            raise SystemExit(f"an edit of {rule} no longer changes it: update edits() to the bundled rules")
    return changes


def naive(
    database: Database, rules: Sequence[tuple[str, str]], concepts: Mapping[str, Sequence[str]]
) -> tuple[dict[str, list[int]], float]:
    """Every article of the window read, analysed and matched: matched ids per rule, and the seconds."""
    started = time.perf_counter()
    matcher = compile_rules([RuleSpec(name, query) for name, query in rules], concepts)
    found: dict[str, list[int]] = {name: [] for name, _ in rules}
    since = clock.now() - WINDOW
    with database.session() as session:
        ids = [row[0] for row in session.connection().execute(text("SELECT id FROM article ORDER BY id"))]
        for stored in load_articles(session, ids, since):
            for match in matcher.match(document_for(stored.article, stored.source)):  # type: ignore[arg-type]
                found[match.rule].append(stored.article.id)
    return found, time.perf_counter() - started


def timed(
    database: Database,
    corpus: CorpusWords,
    rule: str,
    query: str,
    concepts: Mapping[str, Sequence[str]],
    saved: str,
    config: WatchConfig,
) -> tuple[Preview, float]:
    """A preview as the desk asks for it (the draft against the saved rule, the last 30 days), timed."""
    with database.session() as session:
        began = time.perf_counter()
        found = preview(
            session, corpus, rule, query, concepts, saved=saved,
            since=clock.now() - WINDOW, saved_concepts=config.concepts,
        )  # fmt: skip
        return found, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=300_000)
    args = parser.parse_args()
    config = load_config(CONFIG)
    saved = {rule.name: rule.query for rule in config.rules}
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as scratch:
        database = open_database(f"sqlite:///{Path(scratch) / 'monitor.db'}")
        started = time.perf_counter()
        generate(database, config, args.articles)
        print(f"generated {args.articles:,} articles in {time.perf_counter() - started:.1f} s", flush=True)
        corpus = CorpusWords()
        started = time.perf_counter()
        with database.session() as session:
            corpus.refresh(session)
        words = sum(len(w.postings) for w in corpus.languages.values())
        print(f"word index built once in {time.perf_counter() - started:.1f} s ({words:,} words)", flush=True)
        changes = edits(config)
        times, results, after_poll = [], [], []
        identical = True
        opened: set[str] = set()
        for number, (rule, query, concepts) in enumerate(changes, start=1):
            if rule not in opened:  # the editor opens on the saved rule: its first preview, timed apart
                opened.add(rule)
                _, seconds = timed(database, corpus, rule, saved[rule], config.concepts, saved[rule], config)
                print(f"editor of {rule} opened: {seconds:.3f} s", flush=True)
            found, seconds = timed(database, corpus, rule, query, concepts, saved[rule], config)
            times.append(seconds)
            results.append(found)
            print(
                f"edit {number:2}: {times[-1]:.3f} s  matched {found.matched} (saved {found.saved_matched}), "
                f"+{found.added_count} -{found.dropped_count}, {found.candidates} candidates read",
                flush=True,
            )
        first_rule, first_query, first_concepts = changes[0]
        _, baseline = naive(database, [("draft", first_query), ("saved", saved[first_rule])], first_concepts)
        print(f"baseline (naive preview of edit 1): {baseline:.1f} s", flush=True)
        groups: dict[int, list[int]] = {}
        for number, (_, _, concepts) in enumerate(changes):
            groups.setdefault(id(concepts), []).append(number)
        for numbers in groups.values():
            concepts = changes[numbers[0]][2]
            rules = [(f"edit{n}", changes[n][1]) for n in numbers] + [
                (f"saved-{n}", q) for n, q in saved.items()
            ]
            expected, _ = naive(database, rules, concepts)
            for n in numbers:
                same = results[n].matched_ids == expected[f"edit{n}"]
                identical &= same
                if not same:
                    print(f"edit {n + 1}: preview differs from the naive pass", flush=True)
        stored = args.articles
        for number, (rule, query, concepts) in enumerate(changes, start=1):  # each edit after a poll
            generate(database, config, POLL, seed=number, after=stored)
            stored += POLL
            found, seconds = timed(database, corpus, rule, query, concepts, saved[rule], config)
            after_poll.append(seconds)
            print(f"edit {number:2} after a poll of {POLL} articles: {after_poll[-1]:.3f} s", flush=True)
        _, expected = naive(database, [("last", changes[-1][1])], changes[-1][2])[0].popitem()
        identical &= found.matched_ids == expected
        database.dispose()
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20, method="inclusive")[18]
    poll_p95 = statistics.quantiles(after_poll, n=20, method="inclusive")[18]
    print(f"after a poll of {POLL} articles: p50 {statistics.median(after_poll):.3f} s, p95 {poll_p95:.3f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the process: {peak:.0f} MB (word index, kept results, naive passes)")
    loads = " ".join(f"{load:.1f}" for load in os.getloadavg())
    print(f"load average at the end: {loads} on {os.cpu_count()} cores")
    print(
        f"RESULT articles={args.articles} p50_s={p50:.3f} p95_s={p95:.3f} baseline_s={baseline:.1f} "
        f"speedup={baseline / p50:.0f} identical={'yes' if identical else 'no'}"
    )


if __name__ == "__main__":
    main()
