"""Quality of `extract_article` on the corpus's article pages, next to trafilatura and readability-lxml.

Run on demand: `.venv/bin/python benchmarks/bench_extraction.py [--corpus DIR] [--shingle N] [--worst K]`.
Every extractor runs now, on the same pages decoded the same way (monitor's decode_page), with the library
versions installed here (printed first): no figure is copied from a published output.

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
from importlib import metadata
from pathlib import Path

from lxml import html as lxml_html

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.parsing.charset import decode_page
from monitor.parsing.extraction import extract_article

PROJECT_ROOT = Path(__file__).resolve().parent.parent
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


Extractor = Callable[[bytes], str]


def monitor_text(page: bytes) -> str:
    return extract_article(page).text


def trafilatura_text(page: bytes) -> str:
    import trafilatura

    return trafilatura.extract(decode_page(page), include_comments=False, include_tables=True) or ""


def readability_text(page: bytes) -> str:
    from readability import Document

    summary = Document(decode_page(page)).summary(html_partial=True)
    return lxml_html.fromstring(summary).text_content() if summary.strip() else ""


def own_text(page: bytes) -> str:
    from monitor.parsing.extraction import own_main_text

    return own_main_text(decode_page(page))


def extractors() -> dict[str, Extractor]:
    """The extractors measured live: monitor's (whatever it uses), and each library on its own."""
    found: dict[str, Extractor] = {"monitor": monitor_text, "trafilatura": trafilatura_text}
    found["readability-lxml"] = readability_text
    try:
        import monitor.parsing.extraction as extraction

        if hasattr(extraction, "own_main_text"):
            found["monitor-own"] = own_text
    except ImportError:
        pass
    return found


def run(
    pages: list[tuple[str, bytes, str]], n: int, extract: Extractor
) -> tuple[dict[str, Counts], list[float]]:
    """Counts per page of one extractor, and the seconds each page took."""
    counts: dict[str, Counts] = {}
    seconds: list[float] = []
    for key, page, truth in pages:
        start = time.perf_counter()
        text = extract(page)
        seconds.append(time.perf_counter() - start)
        counts[key] = page_counts(truth, text, n)
    return counts, seconds


def print_row(name: str, figures: tuple[float, float, float], seconds: list[float]) -> None:
    p, r, f = figures
    median = statistics.median(seconds) * 1000
    print(f"  {name:<17} precision={p:.3f}  recall={r:.3f}  f1={f:.3f}  median {median:.0f} ms/page")


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
    sets = {
        "scrapinghub": scrapinghub_pages(pages_dir / "article-extraction-benchmark"),
        "mozilla": mozilla_pages(pages_dir / "readability"),
    }
    versions = {name: metadata.version(name) for name in ("trafilatura", "readability-lxml", "lxml")}
    print("libraries:", ", ".join(f"{name} {version}" for name, version in versions.items()))
    results: dict[str, dict[str, float]] = {}
    for set_name, pages in sets.items():
        print(f"{set_name}: {len(pages)} pages, {args.shingle}-token shingles, every extractor run now")
        for name, extract in extractors().items():
            counts, seconds = run(pages, args.shingle, extract)
            figures = summarize(list(counts.values()))
            results.setdefault(name, {})[set_name] = figures[2]
            print_row(name, figures, seconds)
            if name == "monitor":
                print_worst(counts, args.worst, lambda c: c[0])
    print(
        "RESULT "
        + " ".join(
            f"{name}_{set_name}_f1={f1:.3f}"
            for name, by_set in results.items()
            for set_name, f1 in by_set.items()
        )
    )


if __name__ == "__main__":
    main()
