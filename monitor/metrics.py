"""Prometheus metrics of the pipeline (prometheus-client), counted in whichever process polls.

`monitor run` with several pollers points PROMETHEUS_MULTIPROC_DIR at a directory of its own before it
starts them: each poller then writes its counts there (prometheus-client's multiprocess mode) and the
desk's /metrics adds them up. Counts from the database (deliveries by state, hits per rule stored) are read
at scrape time by `monitor.web.ops`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import Counter, Histogram

POLLS = Counter("monitor_polls", "Polls of sources, by outcome (ok, not_modified, failed).", ["outcome"])
FETCH_FAILURES = Counter("monitor_fetch_failures", "Failed polls, by kind of failure.", ["kind"])
NEW_ARTICLES = Counter("monitor_new_articles", "Articles stored for the first time.")
NEW_HITS = Counter("monitor_new_hits", "Hits recorded, by rule.", ["rule"])
MATCH_SECONDS = Histogram(
    "monitor_match_seconds_per_article",
    "Time the matcher spent per article (a batch's time divided by its articles).",
    buckets=(0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0),
)
_KINDS = (
    ("timed out", "timeout"),
    ("timeout", "timeout"),
    ("tls", "tls"),
    ("certificate", "tls"),
    ("dns", "dns"),
    ("resolve", "dns"),
    ("connect", "connection"),
    ("refused", "connection"),
    ("too large", "too_large"),
    ("not a feed", "parse"),
    ("parse", "parse"),
    ("xml", "parse"),
)


def failure_kind(message: str, status: int | None = None) -> str:
    """A short label for a failed fetch: http_404, timeout, tls, dns, connection, parse, too_large, other."""
    if status:
        return f"http_{status}"
    lowered = message.lower()
    return next((kind for word, kind in _KINDS if word in lowered), "other")


def count_poll(*, ok: bool, not_modified: bool, new_articles: int, error: str | None) -> None:
    POLLS.labels("failed" if not ok else "not_modified" if not_modified else "ok").inc()
    if not ok:
        FETCH_FAILURES.labels(failure_kind(error or "")).inc()
    if new_articles:
        NEW_ARTICLES.inc(new_articles)


def count_hits(rules: list[str]) -> None:
    for rule in rules:
        NEW_HITS.labels(rule).inc()


@contextmanager
def timed_match(articles: int) -> Iterator[None]:
    started = time.perf_counter()
    yield
    if articles:
        per_article = (time.perf_counter() - started) / articles
        for _ in range(min(articles, 1000)):
            MATCH_SECONDS.observe(per_article)
