"""CPU-bound work (parsing feeds, extracting article text) off the event loop, on every core.

feedparser and the extractor hold the GIL for tens of milliseconds on a large feed; run in worker
processes they use both cores of a small machine while the event loop keeps fetching. The processes come
from a fork server that has already imported the parsers, so starting them is cheap and safe even though
the main process runs threads. With one worker, the work runs in a thread instead (no process at all).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar

from monitor.parsing import ParsedFeed, parse_feed
from monitor.parsing.extraction import ExtractedArticle, extract_article
from monitor.parsing.html_source import extract_links

T = TypeVar("T")
_PRELOAD = ["monitor.pipeline.cpu"]


class CpuPool:
    """Runs functions in worker processes (or one thread); an async context manager."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._executor: Executor | None = None

    async def __aenter__(self) -> CpuPool:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in a worker; its exception, if any, is raised here."""
        return await asyncio.get_running_loop().run_in_executor(self._started(), function, *args)

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _started(self) -> Executor:
        if self._executor is None:
            if self.workers == 1:
                self._executor = ThreadPoolExecutor(1, thread_name_prefix="monitor-cpu")
            else:
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(_PRELOAD)
                self._executor = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._executor


def parse_source_body(
    body: bytes,
    url: str,
    content_type: str | None,
    language_hint: str | None,
    selectors: dict[str, str | None] | None,
) -> ParsedFeed:
    """A fetched body as entries: a feed, or, with CSS selectors, an HTML page listing articles."""
    if selectors is None:
        return parse_feed(body, url=url, content_type=content_type, language_hint=language_hint)
    return extract_links(
        body,
        url,
        item_selector=selectors["item"] or "",
        title_selector=selectors.get("title"),
        link_selector=selectors.get("link"),
        summary_selector=selectors.get("summary"),
        date_selector=selectors.get("date"),
    )


def extract_page(body: bytes, url: str) -> ExtractedArticle:
    """The main text of an article page."""
    return extract_article(body, url=url)
