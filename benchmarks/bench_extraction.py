"""Quality of `extract_article` on the corpus's article pages, next to six published extractors.

Run on demand: `.venv/bin/python benchmarks/bench_extraction.py [--corpus DIR] [--shingle N] [--worst K]`.

Scoring is the Scrapinghub article-extraction-benchmark's own: texts are split into `\\w+` tokens, joined
into shingles of N tokens (N=4 there; N=1 is the plain bag of words), and each page's true/false
positives and negatives are counted on the multisets of shingles and normalised so that every page weighs
the same; precision and recall are the means over pages, F1 their harmonic mean. The Mozilla readability
test pages are scored the same way against the text of their `expected.html`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from lxml import html as lxml_html

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.parsing.extraction import extract_article

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXTRACTORS = ("trafilatura", "readability", "newspaper", "news_please", "goose3", "justext")
TOKEN = re.compile(r"\w+")
Counts = tuple[float, float, float]


def shingles(text: str, n: int) -> Counter[tuple[str, ...]]:
    """The multiset of n-token shingles of a text, as the benchmark's evaluation counts them."""
    tokens = TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def page_counts(true: str, predicted: str, n: int) -> Counts:
    """True positives, false positives and false negatives of one page, normalised to sum to 1."""
    expected, got = shingles(true, n), shingles(predicted, n)
    tp = sum((expected & got).values())
    fp = sum((got - expected).values())
    fn = sum((expected - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def summarize(counts: list[Counts]) -> tuple[float, float, float]:
    """Mean precision, mean recall and their F1, with the benchmark's conventions for empty pages."""

    def precision(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    p = statistics.mean(precision(*c) for c in counts if c[0] + c[1] > 0)
    r = statistics.mean(recall(*c) for c in counts if c[0] + c[2] > 0)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def scrapinghub_pages(root: Path) -> list[tuple[str, bytes, str]]:
    """(key, page bytes, ground-truth text) of the Scrapinghub benchmark."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    return [
        (key, gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes()), item.get("articleBody", ""))
        for key, item in sorted(truth.items())
    ]


def mozilla_pages(root: Path) -> list[tuple[str, bytes, str]]:
    """(name, page bytes, expected text) of the Mozilla readability test pages."""
    pages = []
    for folder in sorted(p for p in root.iterdir() if (p / "source.html").is_file()):
        expected = lxml_html.fromstring((folder / "expected.html").read_text(encoding="utf-8")).text_content()
        pages.append((folder.name, (folder / "source.html").read_bytes(), expected))
    return pages


def run(pages: list[tuple[str, bytes, str]], n: int) -> tuple[dict[str, Counts], dict[str, float]]:
    """Our counts per page and the seconds each page took."""
    counts: dict[str, Counts] = {}
    seconds: dict[str, float] = {}
    for key, page, truth in pages:
        start = time.perf_counter()
        text = extract_article(page).text
        seconds[key] = time.perf_counter() - start
        counts[key] = page_counts(truth, text, n)
    return counts, seconds


def published(root: Path, pages: list[tuple[str, bytes, str]], n: int) -> dict[str, list[Counts]]:
    """The counts of each published extractor's outputs on the same pages."""
    result: dict[str, list[Counts]] = {}
    for name in EXTRACTORS:
        path = root / "reference-outputs" / f"{name}.json"
        if path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            outputs = data.get("output", data)
            result[name] = [
                page_counts(truth, outputs.get(key, {}).get("articleBody", ""), n) for key, _, truth in pages
            ]
    return result


def print_row(name: str, figures: tuple[float, float, float]) -> None:
    p, r, f = figures
    print(f"  {name:<14} precision={p:.3f}  recall={r:.3f}  f1={f:.3f}")


def print_worst(counts: dict[str, Counts], k: int, score: Callable[[Counts], float]) -> None:
    for key in sorted(counts, key=lambda key: score(counts[key]))[:k]:
        tp, fp, fn = counts[key]
        print(f"    {key[:16]:<16} tp={tp:.2f} fp={fp:.2f} fn={fn:.2f}")


def main() -> None:
    default = Path(os.environ.get("MONITOR_CORPUS_DIR", PROJECT_ROOT.parent / "shared" / "corpus"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=default)
    parser.add_argument("--shingle", type=int, default=4, help="tokens per shingle (4 = the benchmark's)")
    parser.add_argument("--worst", type=int, default=0, help="list the K worst pages of each set")
    args = parser.parse_args()
    pages_dir = args.corpus / "article-pages"
    if not pages_dir.is_dir():
        sys.exit(f"no article pages under {args.corpus} (use --corpus or MONITOR_CORPUS_DIR)")

    bench_root = pages_dir / "article-extraction-benchmark"
    bench = scrapinghub_pages(bench_root)
    ours, seconds = run(bench, args.shingle)
    print(f"Scrapinghub article-extraction-benchmark: {len(bench)} pages, {args.shingle}-token shingles")
    ours_figures = summarize(list(ours.values()))
    print_row("monitor", ours_figures)
    others = {name: summarize(c) for name, c in published(bench_root, bench, args.shingle).items()}
    for name, figures in sorted(others.items(), key=lambda item: -item[1][2]):
        print_row(name, figures)
    print_worst(ours, args.worst, lambda c: c[0])

    mozilla = mozilla_pages(pages_dir / "readability")
    moz_counts, moz_seconds = run(mozilla, args.shingle)
    print(f"Mozilla readability test pages: {len(mozilla)} pages")
    print_row("monitor", summarize(list(moz_counts.values())))
    print_worst(moz_counts, args.worst, lambda c: c[0])

    every = list(seconds.values()) + list(moz_seconds.values())
    print(f"time per page: median {statistics.median(every) * 1000:.0f} ms, max {max(every) * 1000:.0f} ms")
    p, r, f = ours_figures
    readability_f1 = others.get("readability", (0.0, 0.0, 0.0))[2]
    print(f"RESULT pages={len(bench)} precision={p:.3f} recall={r:.3f} f1={f:.3f}", end=" ")
    print(f"readability_f1={readability_f1:.3f}")


if __name__ == "__main__":
    main()
