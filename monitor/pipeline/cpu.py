"""CPU-bound work (parsing feeds, matching rules, extracting article text) off the event loop, on every core.

feedparser, the matcher and the extractor hold the GIL for milliseconds per article; run in worker
processes they use every core of a small machine while the event loop keeps fetching. The processes come
from a fork server that has already imported the parsers, so starting them is cheap and safe even though
the main process runs threads. Each worker compiles the rules once when it starts (a compiled matcher
holds stemmers, which cannot be pickled); a new configuration gets a new pool. With one worker, the work
runs in a thread of this process instead.
"""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import datetime
from types import TracebackType
from typing import Any, ClassVar, TypeVar

from monitor.config import WatchConfig
from monitor.metrics import timed_match
from monitor.parsing import ParsedFeed, parse_feed
from monitor.parsing.entries import MAX_ENTRIES, too_many_entries, with_warning
from monitor.parsing.extraction import ExtractedArticle, extract_article
from monitor.parsing.html_source import extract_links
from monitor.rules import Document, Matcher, RuleMatch, RuleSpec, compile_rules
from monitor.stories import ArticleFeatures, ConceptFinder, features_of

T = TypeVar("T")
_PRELOAD = ["monitor.pipeline.cpu_preload"]


class _WorkerRules:
    """The rules compiled in this worker process (set once by the pool's initializer), and the concept
    finder of story features (built at the first task that wants features)."""

    matcher: Matcher | None = None
    concepts: ClassVar[dict[str, list[str]]] = {}
    finder: ConceptFinder | None = None


def _compile_in_worker(rules: tuple[RuleSpec, ...], concepts: dict[str, list[str]]) -> None:
    _WorkerRules.matcher = compile_rules(rules, concepts)
    _WorkerRules.concepts = concepts


def match_documents(documents: list[Document]) -> list[list[RuleMatch]]:
    """The matches of each document, with the rules this worker compiled."""
    matcher = _WorkerRules.matcher
    assert matcher is not None, "the pool compiles the rules in each worker before any task"
    return [matcher.match(document) for document in documents]


def analyse_documents(documents: list[Document], times: list[datetime]) -> Analysed:
    """The matches of each document and its story features (at `times`), in one task: the text is sent
    to the worker once, and the features are computed where the rest of the CPU work happens."""
    if _WorkerRules.finder is None:
        _WorkerRules.finder = ConceptFinder(_WorkerRules.concepts)
    return match_documents(documents), _features(documents, times, _WorkerRules.finder)


def _features(
    documents: list[Document], times: list[datetime], finder: ConceptFinder
) -> list[ArticleFeatures]:
    return [
        features_of(doc.title, doc.text, language=doc.language, at=at, concepts=finder)
        for doc, at in zip(documents, times, strict=True)
    ]


Analysed = tuple[list[list[RuleMatch]], list[ArticleFeatures]]
"""The matches of each document, and its story features (none when stories are off)."""


class CpuPool:
    """Runs functions in worker processes (or one thread) that know the rules; an async context manager."""

    def __init__(
        self,
        workers: int = 0,
        rules: Sequence[RuleSpec] = (),
        concepts: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._rules = (tuple(rules), {name: list(items) for name, items in (concepts or {}).items()})
        self._executor: Executor | None = None
        self._stopped = False
        self._thread_matcher: Matcher | None = None
        self._thread_finder: ConceptFinder | None = None

    @classmethod
    def for_config(cls, config: WatchConfig, workers: int = 0) -> CpuPool:
        """A pool whose workers match with the enabled rules of `config`."""
        rules = [RuleSpec(rule.name, rule.query) for rule in config.rules if rule.enabled]
        return cls(workers, rules, config.concepts)

    async def __aenter__(self) -> CpuPool:
        self.start()
        return self

    def start(self) -> None:
        """Start the workers now, in the background, rather than at the first task: the fork server
        takes a second or two to import the parsers and load the language model, time better spent
        while the first feeds are being fetched."""
        executor = self._started()
        if self.workers > 1:
            for _ in range(self.workers):  # each task finding no idle worker spawns one
                executor.submit(os.getpid)

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker; its exception, if any, is raised here."""
        return await asyncio.get_running_loop().run_in_executor(self._started(), function, *args)

    async def run_blocking(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)`, a blocking call such as a database transaction, beside the CPU work.

        In thread mode it runs in the pool's own thread, in turn with parsing and matching: in one
        thread they never compete for the GIL. Competing, a transaction slowed by a parse held
        SQLite's write lock ten times longer, and every other poller of the machine waited for it.
        With worker processes, it runs in the loop's default executor.
        """
        if self.workers == 1:
            return await self.run(function, *args)
        return await asyncio.to_thread(function, *args)

    async def match(self, documents: list[Document]) -> list[list[RuleMatch]]:
        """The matches of each document with this pool's rules, computed in a worker."""
        if not documents:
            return []
        with timed_match(len(documents)):
            if self.workers == 1:
                return await self.run(self._match_in_thread, documents)
            return await self.run(match_documents, documents)

    async def analyse(self, documents: list[Document], times: list[datetime] | None) -> Analysed:
        """The matches of each document, and its story features at `times` (None: stories are off, no
        features), computed together in a worker."""
        if times is None:
            return await self.match(documents), []
        if not documents:
            return [], []
        with timed_match(len(documents)):
            if self.workers == 1:
                return await self.run(self._analyse_in_thread, documents, times)
            return await self.run(analyse_documents, documents, times)

    def _analyse_in_thread(self, documents: list[Document], times: list[datetime]) -> Analysed:
        if self._thread_finder is None:
            self._thread_finder = ConceptFinder(self._rules[1])
        return self._match_in_thread(documents), _features(documents, times, self._thread_finder)

    def _match_in_thread(self, documents: list[Document]) -> list[list[RuleMatch]]:
        """Thread mode: the rules are compiled once, in the pool's only thread, and kept on the pool."""
        if self._thread_matcher is None:
            self._thread_matcher = compile_rules(*self._rules)
        return [self._thread_matcher.match(document) for document in documents]

    def close(self) -> None:
        """Stop the workers; work not yet started is cancelled."""
        self._stopped = True
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def retire(self) -> None:
        """Stop the workers once the work already given to them is done (a new pool has taken over)."""
        self._stopped = True
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _started(self) -> Executor:
        if self._stopped:  # starting workers again would leak them: nobody would stop them
            raise RuntimeError("this CPU pool was stopped; work must go to the pool that replaced it")
        if self._executor is None:
            if self.workers == 1:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="monitor-cpu")
            else:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(_PRELOAD)
                self._executor = ProcessPoolExecutor(
                    self.workers, mp_context=context, initializer=_compile_in_worker, initargs=self._rules
                )
        return self._executor


def parse_source_body(
    body: bytes,
    url: str,
    content_type: str | None,
    language_hint: str | None,
    selectors: dict[str, str | None] | None,
    max_entries: int = MAX_ENTRIES,
) -> ParsedFeed:
    """A fetched body as entries: a feed, or, with CSS selectors, an HTML page listing articles; at most
    `max_entries` of them, with a warning naming the cap when there were more."""
    if selectors is None:
        return parse_feed(
            body, url=url, content_type=content_type, language_hint=language_hint, max_entries=max_entries
        )
    parsed = extract_links(
        body,
        url,
        item_selector=selectors["item"] or "",
        title_selector=selectors.get("title"),
        link_selector=selectors.get("link"),
        summary_selector=selectors.get("summary"),
        date_selector=selectors.get("date"),
    )
    if len(parsed.entries) <= max_entries:
        return parsed
    warning = with_warning(parsed.warning, too_many_entries(len(parsed.entries), max_entries))
    return dataclasses.replace(parsed, entries=parsed.entries[:max_entries], warning=warning)


def extract_page(body: bytes, url: str, content_type: str | None = None) -> ExtractedArticle:
    """The main text of an article page (`content_type`: the HTTP header, whose charset decodes it)."""
    return extract_article(body, url=url, content_type=content_type)
