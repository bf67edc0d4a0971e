"""Benchmark of the rule matcher (run on demand, not a test): python benchmarks/bench_matcher.py [--rules N].

Builds a seeded corpus of articles in en, fr, de, ru and uk (~5,000 characters each, Zipf-distributed
generated vocabularies with inflections, domain words sprinkled in) and N rules of realistic shapes
(words, phrases, prefixes, NEAR, NOT, fields, filters, concepts); measures compile time, the engine on
every article, and the naive evaluator (every rule on every article) on a sample. Ends with one RESULT line.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
from collections.abc import Callable
from functools import partial

from monitor.rules import Document, Matcher, RuleSpec, compile_rules

ALPHABETS = {
    "en": ("bcdfghklmnprstvw", "aeiou", ["s", "ed", "ing", "er", "", "", ""]),
    "fr": ("bcdfglmnprstvq", "aeiouéèà", ["s", "e", "es", "é", "ent", "", ""]),
    "de": ("bcdfghklmnprstwz", "aeiouäöü", ["en", "e", "er", "ung", "s", "", ""]),
    "ru": ("бвгдзклмнпрстфхцчшщж", "аеиоуыяю", ["а", "ы", "ов", "ами", "ой", "ий", "", ""]),
    "uk": ("бвгдзклмнпрстфхцчшщжґ", "аеиоуіїєя", ["а", "и", "ів", "ами", "ої", "ий", "", ""]),
}
DOMAIN = {
    "en": "drone drones Shahed factory Russia North Korea rail freight shells missiles Alabuga supply",
    "fr": "drone drones Shahed usine Russie Corée du Nord ferroviaire fret obus missiles Alabuga livraison",
    "de": "Drohne Drohnen Shahed Fabrik Russland Nordkorea Eisenbahn Fracht Granaten Raketen Alabuga",
    "ru": "дрон дроны Шахед завод Россия КНДР вагоны груз снаряды ракеты Алабуга поставки",
    "uk": "дрон дрони Шахед завод Росія КНДР вагони вантаж снаряди ракети Алабуга постачання",
}
VOCABULARY_SIZE = 30_000
RARE_FROM = 1_000  # rules name specific words: ranks drawn log-uniformly from here to the end


def make_vocabulary(rng: random.Random, language: str) -> list[str]:
    """Distinct stems built from syllables of the language's letters; index = frequency rank."""
    consonants, vowels, _ = ALPHABETS[language]
    words: dict[str, None] = {}
    while len(words) < VOCABULARY_SIZE:
        syllables = rng.choice([1, 2, 2, 3, 3, 3, 4])
        words["".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables))] = None
    return list(words)


def make_article(rng: random.Random, language: str, vocabulary: list[str], weights: list[float]) -> Document:
    """About 5,000 characters of Zipf-distributed words with inflections, punctuation and domain words."""
    suffixes = ALPHABETS[language][2]
    domain = DOMAIN[language].split()
    words = rng.choices(vocabulary, weights, k=800)
    parts: list[str] = []
    for index, word in enumerate(words):
        if rng.random() < 0.02:
            word = rng.choice(domain)
        else:
            word += rng.choice(suffixes)
        if index % 12 == 0:
            word = word.capitalize()
        parts.append(word + ("." if index % 12 == 11 else ""))
    text = " ".join(parts)[:5000]
    title = " ".join(rng.choices(vocabulary, weights, k=8)).capitalize()
    url = f"https://news{rng.randint(1, 50)}.example.com/a"
    return Document(title, text, language, url=url, source="bench")


def make_concepts(rng: random.Random, vocabularies: dict[str, list[str]]) -> dict[str, list[str]]:
    """Fifty concepts of 6-10 alternatives drawn across languages (words, phrases, prefixes)."""
    concepts = {}
    for number in range(50):
        alternatives = []
        for _ in range(rng.randint(6, 10)):
            vocabulary = vocabularies[rng.choice(list(vocabularies))]
            word = rng.choice(vocabulary[RARE_FROM:])
            shapes = [word, word + "*" if len(word) >= 3 else word, f"{word} {word[::-1]}"]
            alternatives.append(rng.choice(shapes))
        concepts[f"c{number}"] = alternatives
    return concepts


def make_rules(rng: random.Random, count: int, vocabularies: dict[str, list[str]]) -> list[RuleSpec]:
    """Rules of realistic shapes over mid- and low-frequency words of one language each."""
    shapes: list[Callable[[Callable[[], str]], str]] = [
        lambda w: f"{w()} {w()}",
        lambda w: f'"{w()} {w()}"',
        lambda w: f"{prefix(w)}* {w()}",
        lambda w: f"{w()} NEAR/5 {w()}",
        lambda w: f"({w()} OR {w()}) -{w()}",
        lambda w: f"title:{w()} OR {w()}",
        lambda w: f"@c{rng.randrange(50)} NEAR/10 {w()}",
        lambda w: f"{w()} ONEAR/3 ({w()} OR {prefix(w)}*)",
        lambda w: f"{w()} {w()} lang:{rng.choice(list(vocabularies))}",
    ]
    rules = []
    for number in range(count):
        vocabulary = vocabularies[rng.choice(list(vocabularies))]

        def word(vocabulary: list[str] = vocabulary) -> str:
            return vocabulary[int(RARE_FROM * (VOCABULARY_SIZE / RARE_FROM) ** rng.random()) - 1]

        rules.append(RuleSpec(f"rule{number}", rng.choice(shapes)(word)))
    return rules


def prefix(word: Callable[[], str]) -> str:
    """The first five letters of a word of at least six letters."""
    while len(chosen := word()) < 6:
        pass
    return chosen[:5]


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def run(rule_count: int, article_count: int, naive_sample: int, seed: int) -> str:
    rng = random.Random(seed)
    vocabularies = {language: make_vocabulary(rng, language) for language in ALPHABETS}
    weights = [1 / (rank + 1) for rank in range(VOCABULARY_SIZE)]
    articles = [
        make_article(rng, language, vocabularies[language], weights)
        for language in rng.choices(list(ALPHABETS), k=article_count)
    ]
    rules = make_rules(rng, rule_count, vocabularies)
    concepts = make_concepts(rng, vocabularies)
    compile_start = time.perf_counter()
    matcher: Matcher = compile_rules(rules, concepts)
    compile_s = time.perf_counter() - compile_start
    index_start = time.perf_counter()
    for language in ALPHABETS:  # the per-language pre-filter is built once, on the first article
        matcher.match(Document("", "", language))
    index_s = time.perf_counter() - index_start
    latencies = [timed(partial(matcher.match, article)) for article in articles]
    hits = sum(len(matcher.match(article)) for article in articles[:200])
    naive = [timed(partial(matcher.match_all, article)) for article in articles[:naive_sample]]
    for article in articles[:naive_sample]:
        assert matcher.match(article) == matcher.match_all(article), "engine and naive evaluator disagree"
    engine_rate = len(latencies) / sum(latencies)
    naive_rate = len(naive) / sum(naive)
    quantiles = statistics.quantiles(latencies, n=100)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"articles={article_count} naive_sample={naive_sample} hits_per_article={hits / 200:.1f}")
    print(f"pre-filter index for {len(ALPHABETS)} languages built in {index_s:.2f} s")
    return (
        f"RESULT rules={rule_count} articles_per_s={engine_rate:.0f} naive_articles_per_s={naive_rate:.1f} "
        f"speedup={engine_rate / naive_rate:.0f} p50_ms={quantiles[49] * 1000:.2f} "
        f"p99_ms={quantiles[98] * 1000:.2f} compile_s={compile_s:.2f} rss_mb={rss_mb:.0f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--articles", type=int, default=2_000)
    parser.add_argument("--naive-sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20240501)
    arguments = parser.parse_args()
    print(run(arguments.rules, arguments.articles, arguments.naive_sample, arguments.seed))


if __name__ == "__main__":
    main()
