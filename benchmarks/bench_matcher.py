"""Benchmark of the rule matcher (run on demand, not a test): python benchmarks/bench_matcher.py [--rules N].

Builds a seeded corpus of articles in en, fr, de, ru and uk (~5,000 characters each: Zipf-distributed
generated vocabularies with inflections, proper nouns, domain words sprinkled in) and N rules of realistic
shapes (words, phrases, prefixes, NEAR, NOT, fields, filters, concepts). Analysts name specific things, so
rule terms are drawn from a Zipf-like distribution over a large pool of proper nouns and less common words
(`--rule-terms common` draws them among frequent words instead: a stress test where every article matches
many rules). Measures compile time, the engine on every article, and the naive evaluator (every rule on
every article) on a sample; reports the hit rate. Ends with one RESULT line.

`--baseline DIR` first runs the same benchmark, with the same options, on the `monitor` package of another
checkout (say /work/main: `DIR/monitor` is imported instead of this one), then on this one, and ends with
the ratio of their throughputs: a change's cost measured in one session, on a machine under one load.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from monitor.rules import Document, Matcher, RuleSpec, compile_rules

ALPHABETS = {
    "en": ("bcdfghklmnprstvw", "aeiou", ["s", "ed", "ing", "er", "", "", ""]),
    "fr": ("bcdfglmnprstvq", "aeiouéèà", ["s", "e", "es", "é", "ent", "", ""]),
    "de": ("bcdfghklmnprstwz", "aeiouäöü", ["en", "e", "er", "ung", "s", "", ""]),
    "ru": ("бвгдзклмнпрстфхцчшщж", "аеиоуыяю", ["а", "ы", "ов", "ами", "ой", "ий", "", ""]),
    "uk": ("бвгдзклмнпрстфхцчшщжґ", "аеиоуіїєя", ["а", "и", "ів", "ами", "ої", "ий", "", ""]),
}
NAME_ENDINGS = {
    "en": ["ton", "ville", "son", "ford", "ley"],
    "fr": ["ville", "court", "ac", "ier", "ot"],
    "de": ["burg", "dorf", "stein", "mann", "feld"],
    "ru": ["ов", "ск", "ино", "ев", "ово"],
    "uk": ["ів", "енко", "івка", "ук", "ичі"],
}
DOMAIN = {
    "en": "drone drones Shahed factory Russia North Korea rail freight shells missiles Alabuga supply",
    "fr": "drone drones Shahed usine Russie Corée du Nord ferroviaire fret obus missiles Alabuga livraison",
    "de": "Drohne Drohnen Shahed Fabrik Russland Nordkorea Eisenbahn Fracht Granaten Raketen Alabuga",
    "ru": "дрон дроны Шахед завод Россия КНДР вагоны груз снаряды ракеты Алабуга поставки",
    "uk": "дрон дрони Шахед завод Росія КНДР вагони вантаж снаряди ракети Алабуга постачання",
}
VOCABULARY_SIZE = 60_000  # common words per language, Zipf-distributed in articles
# 1.1 gives 110-150 new word forms per article after 500-2,000 articles (counted on raw forms); the real
# English feeds of the shared corpus give 60-77 after as many words: inflected languages give more
ZIPF_EXPONENT = 1.1
NAMES = 20_000  # proper nouns per language; an article mentions NAMES_PER_ARTICLE of them (Zipf)
NAMES_PER_ARTICLE = 12
RARE_FROM = 3_000  # with --rule-terms zipf, rule words are never among the 3,000 most frequent words
RARE_LETTERS = 7  # ... and have at least 7 letters (short generated words share stems with common ones)
COMMON_FROM = 1_000  # with --rule-terms common: rule words from rank 1,000 on, log-uniformly


@dataclass(frozen=True)
class Language:
    """One language's generated words (index = frequency rank), names, and the Zipf weights of both."""

    code: str
    words: list[str]
    names: list[str]
    word_weights: list[float]
    name_weights: list[float]


def syllables(rng: random.Random, code: str, count: int) -> str:
    consonants, vowels, _ = ALPHABETS[code]
    return "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(count))


def make_language(rng: random.Random, code: str) -> Language:
    """Distinct words of 1-4 syllables (shorter words are more frequent, as in real languages) and
    capitalised names of 2-3 syllables and an ending."""
    words: dict[str, None] = {}
    while len(words) < VOCABULARY_SIZE:
        words[syllables(rng, code, rng.choice([1, 2, 2, 3, 3, 3, 4, 4]))] = None
    names: dict[str, None] = {}
    while len(names) < NAMES:
        name = syllables(rng, code, rng.choice([2, 3])) + rng.choice(NAME_ENDINGS[code])
        names.setdefault(name.capitalize())
    word_weights = [1 / (rank + 1) ** ZIPF_EXPONENT for rank in range(VOCABULARY_SIZE)]
    name_weights = [1 / (rank + 1) for rank in range(NAMES)]
    return Language(code, sorted(words, key=len), list(names), word_weights, name_weights)


def make_article(rng: random.Random, language: Language) -> Document:
    """About 5,000 characters of Zipf-distributed words with inflections, names, punctuation, domain words."""
    suffixes = ALPHABETS[language.code][2]
    domain = DOMAIN[language.code].split()
    chosen = rng.choices(language.words, language.word_weights, k=800)
    words = [word + rng.choice(suffixes) for word in chosen]
    for index in rng.sample(range(800), 16):
        words[index] = rng.choice(domain)
    for index in rng.sample(range(800), NAMES_PER_ARTICLE):
        words[index] = rng.choices(language.names, language.name_weights)[0]
    parts = [
        (word.capitalize() if index % 12 == 0 else word) + ("." if index % 12 == 11 else "")
        for index, word in enumerate(words)
    ]
    text = " ".join(parts)[:5000]
    title = " ".join(rng.choices(language.words, language.word_weights, k=8)).capitalize()
    url = f"https://news{rng.randint(1, 50)}.example.com/a"
    return Document(title, text, language.code, url=url, source="bench")


class RuleTerms:
    """Draws rule terms. zipf: a Zipf-like popularity over a shuffled pool of names and words rarer than
    RARE_FROM (analysts' interests do not follow article frequency); common: frequent words."""

    def __init__(self, rng: random.Random, languages: dict[str, Language], mode: str) -> None:
        self.rng, self.mode = rng, mode
        self.pools: dict[str, list[str]] = {}
        for code, language in languages.items():
            rare = [word for word in language.words[RARE_FROM:] if len(word) >= RARE_LETTERS]
            pool = language.names + rare if mode == "zipf" else language.words
            self.pools[code] = rng.sample(pool, len(pool)) if mode == "zipf" else pool

    def draw(self, code: str) -> str:
        pool = self.pools[code]
        if self.mode == "zipf":
            return pool[int(len(pool) ** self.rng.random()) - 1]
        return pool[int(COMMON_FROM * (len(pool) / COMMON_FROM) ** self.rng.random()) - 1]

    def prefix(self, code: str) -> str:
        """The first five letters of a term of at least six letters."""
        while len(chosen := self.draw(code)) < 6:
            pass
        return chosen[:5]


def make_concepts(rng: random.Random, terms: RuleTerms) -> dict[str, list[str]]:
    """Fifty concepts of 6-10 alternatives drawn across languages (words, phrases, prefixes)."""
    concepts = {}
    for number in range(50):
        alternatives = []
        for _ in range(rng.randint(6, 10)):
            word = terms.draw(rng.choice(list(ALPHABETS)))
            shapes = [word, word[:5] + "*" if len(word) >= 6 else word, f"{word} {word}"]
            alternatives.append(rng.choice(shapes))
        concepts[f"c{number}"] = alternatives
    return concepts


def make_rules(rng: random.Random, count: int, terms: RuleTerms) -> list[RuleSpec]:
    """Rules of realistic shapes, each over the terms of one language."""
    shapes: list[Callable[[Callable[[], str], Callable[[], str], str], str]] = [
        lambda w, p, d: f"{w()} {w()}",
        lambda w, p, d: f'"{w()} {w()}"',
        lambda w, p, d: f"{p()}* {w()}",
        lambda w, p, d: f"{w()} NEAR/5 {w()}",
        lambda w, p, d: f"({w()} OR {w()}) -{w()}",
        lambda w, p, d: f"title:{w()} OR {w()}",
        lambda w, p, d: f"@c{rng.randrange(50)} NEAR/10 {w()}",
        lambda w, p, d: f"{w()} ONEAR/3 ({w()} OR {p()}*)",
        lambda w, p, d: f"{w()} {w()} lang:{rng.choice(list(ALPHABETS))}",
        lambda w, p, d: f"{d} NEAR/10 ({w()} OR {w()})",
    ]
    rules = []
    for number in range(count):
        code = rng.choice(list(ALPHABETS))
        word, prefix = partial(terms.draw, code), partial(terms.prefix, code)
        domain = rng.choice(DOMAIN[code].split())
        rules.append(RuleSpec(f"rule{number}", rng.choice(shapes)(word, prefix, domain)))
    return rules


@dataclass(frozen=True)
class Options:
    """What to run: sizes, the seed, how rule terms are drawn, and which clock measures."""

    rules: int
    articles: int
    warmup: int
    naive_sample: int
    seed: int
    rule_terms: str
    clock: Callable[[], float]


def timed(clock: Callable[[], float], function: Callable[[], object]) -> float:
    start = clock()
    function()
    return clock() - start


def hit_rate(matcher: Matcher, articles: list[Document]) -> str:
    """Mean hits per article and how many articles match 0, 1-2, 3-10, more rules."""
    counts = [len(matcher.match(article)) for article in articles]
    bins = Counter("0" if n == 0 else "1-2" if n <= 2 else "3-10" if n <= 10 else ">10" for n in counts)
    shares = " ".join(f"{name}:{100 * bins[name] / len(counts):.0f}%" for name in ("0", "1-2", "3-10", ">10"))
    return f"hits_per_article={statistics.mean(counts):.2f} articles matching {shares}"


def latencies(
    options: Options, function: Callable[[Document], object], articles: list[Document]
) -> list[float]:
    return [timed(options.clock, partial(function, article)) for article in articles]


def run(options: Options) -> str:
    rng = random.Random(options.seed)
    languages = {code: make_language(rng, code) for code in ALPHABETS}
    codes = rng.choices(list(ALPHABETS), k=options.warmup + options.articles)
    articles = [make_article(rng, languages[code]) for code in codes]
    warmup, measured = articles[: options.warmup], articles[options.warmup :]
    terms = RuleTerms(rng, languages, options.rule_terms)
    rules, concepts = make_rules(rng, options.rules, terms), make_concepts(rng, terms)
    start = options.clock()
    matcher: Matcher = compile_rules(rules, concepts)
    compile_s = options.clock() - start
    index_s = sum(timed(options.clock, partial(matcher.match, Document("", "", code))) for code in ALPHABETS)
    cold = latencies(options, matcher.match, warmup)
    engine = latencies(options, matcher.match, measured)
    naive = latencies(options, matcher.match_all, measured[: options.naive_sample])
    for article in measured[: options.naive_sample]:
        assert matcher.match(article) == matcher.match_all(article), "engine and naive evaluator disagree"
    print(f"articles={options.articles} after {options.warmup} to warm up, rule_terms={options.rule_terms}")
    print(hit_rate(matcher, measured[:500]))
    print(f"pre-filter index for {len(ALPHABETS)} languages built in {index_s:.2f} s (on first articles)")
    if cold:
        mean_ms = 1000 * statistics.mean(cold)
        print(f"cold start (words not yet seen): first {len(cold)} articles {mean_ms:.2f} ms on average")
    engine_rate, naive_rate = len(engine) / sum(engine), len(naive) / sum(naive)
    quantiles = statistics.quantiles(engine, n=100)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"RESULT rules={options.rules} articles_per_s={engine_rate:.0f} "
        f"naive_articles_per_s={naive_rate:.1f} "
        f"speedup={engine_rate / naive_rate:.0f} p50_ms={quantiles[49] * 1000:.2f} "
        f"p99_ms={quantiles[98] * 1000:.2f} compile_s={compile_s:.2f} rss_mb={rss_mb:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--warmup", type=int, default=200, help="articles matched first, not measured")
    parser.add_argument("--naive-sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--rule-terms", choices=["zipf", "common"], default="zipf")
    parser.add_argument(
        "--clock", choices=["wall", "cpu"], default="wall", help="cpu: this process's CPU time"
    )
    parser.add_argument("--baseline", help="another checkout whose monitor package is measured first")
    arguments = parser.parse_args()
    if arguments.baseline:
        compare(arguments.baseline)
        return
    clock = time.process_time if arguments.clock == "cpu" else time.perf_counter
    options = Options(
        arguments.rules,
        arguments.articles,
        arguments.warmup,
        arguments.naive_sample,
        arguments.seed,
        arguments.rule_terms,
        clock,
    )
    print(run(options))


def _throughput(result: str) -> float:
    found = re.search(r"articles_per_s=(\d+)", result)
    if found is None:
        raise SystemExit(f"no RESULT line in the run's output: {result!r}")
    return float(found.group(1))


def compare(baseline: str) -> None:
    """Run this benchmark (same options but --baseline) on the baseline checkout, then on this one."""
    options = [arg for arg in sys.argv[1:] if not arg.startswith("--baseline")]
    if "--baseline" in sys.argv:
        options = [arg for arg in options if arg != baseline]
    results = {}
    for name, path in (("baseline", os.path.abspath(baseline)), ("this", None)):
        environment = dict(os.environ)
        if path is not None:
            environment["PYTHONPATH"] = os.pathsep.join(filter(None, [path, environment.get("PYTHONPATH")]))
        run_ = subprocess.run(
            [sys.executable, __file__, *options], env=environment, capture_output=True, text=True, check=True
        )
        result = run_.stdout.strip().splitlines()[-1]
        results[name] = _throughput(result)
        print(f"{name} ({path or 'this checkout'}): {result}", flush=True)
    print(f"RATIO this/baseline articles_per_s={results['this'] / results['baseline']:.3f}")


if __name__ == "__main__":
    main()
