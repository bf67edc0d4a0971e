"""Adding sources (a feed's URL, or a page that lists its feeds; an OPML file) and exporting them as OPML:
the work shared by `monitor sources` and the desk. Adding reads the feed first (its title, its language),
so that what is added is a feed that parses."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from monitor.config import WatchConfig
from monitor.config.editing import entry_problem, source_entry, unique_name
from monitor.errors import DeskError, FetchError
from monitor.fetching import Fetcher, FetchResult
from monitor.parsing import canonicalize_url, normalize_language, parse_feed
from monitor.parsing.discovery import discover_feeds, looks_like_feed
from monitor.parsing.opml import OpmlOutline, write_opml
from monitor.settings import FetchSettings

_LANGUAGE = re.compile(r"[a-z]{2}")


@dataclass(frozen=True)
class FoundFeed:
    """A feed read for adding: the URL to configure, its title and declared language."""

    url: str
    title: str
    language: str | None


Failure = tuple[str, str]
"""A URL that could not be read, and why."""


def language_code(tag: str | None) -> str | None:
    """A feed's language tag as the ISO 639-1 code sources.yaml takes (`en-US` → `en`), if it is one."""
    code = normalize_language(tag)
    return code if code and _LANGUAGE.fullmatch(code) else None


def configured_urls(config: WatchConfig) -> dict[str, str]:
    """Canonical URL → name of the source configured with it."""
    return {url_key(source.url): source.name for source in config.sources}


def url_key(url: str) -> str:
    return canonicalize_url(url) or url


def no_feed_message(url: str) -> str:
    return (
        f"no feed found at {url}: it is a web page that lists no RSS, Atom or JSON feed.\n"
        "To follow it anyway, add it to sources.yaml as a page read with CSS selectors, for example:\n"
        f"  - name: ...\n    url: {url}\n    type: html\n    selectors:\n"
        "      item: article        # one element per article\n"
        "      title: h2            # optional: link, summary, date\n"
        "(see docs/configuration.md, 'Pages without a feed')"
    )


async def fetch_page(settings: FetchSettings, url: str) -> FetchResult:
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url)


async def read_discovered(settings: FetchSettings, urls: list[str]) -> tuple[list[FoundFeed], list[Failure]]:
    """The feeds a page lists, read concurrently within the fetch limits; and (URL, why not) for the
    others. Their URLs were found in content: the address policy applies (no internal addresses)."""
    async with Fetcher(settings) as fetcher:
        results = await asyncio.gather(*(read_one(fetcher, url) for url in urls))
    found = [result for result in results if isinstance(result, FoundFeed)]
    return found, [result for result in results if not isinstance(result, FoundFeed)]


async def read_one(fetcher: Fetcher, url: str) -> FoundFeed | Failure:
    try:
        return read_feed(await fetcher.fetch(url, found_in_content=True), url)
    except FetchError as error:
        return url, error.message


def read_feed(result: FetchResult, requested: str) -> FoundFeed:
    """Title and language of a fetched feed; FetchError when the bytes are no feed."""
    parsed = parse_feed(result.body or b"", url=result.url, content_type=result.content_type)
    return FoundFeed(result.permanent_redirect or requested, " ".join(parsed.title.split()), parsed.language)


def plan_import(
    outlines: Sequence[OpmlOutline], config: WatchConfig
) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The sources.yaml entries for the outlines worth adding, and (title, reason) for the others."""
    configured = configured_urls(config)
    taken = {source.name for source in config.sources}
    entries: list[dict[str, Any]] = []
    skipped: list[tuple[str, str]] = []
    for outline in outlines:
        key = url_key(outline.xml_url)
        if key in configured:
            skipped.append((outline.title, f"already configured as '{configured[key]}'"))
            continue
        name = unique_name(outline.title, taken, fallback=outline.xml_url)
        entry = source_entry(
            name, outline.xml_url, language=language_code(outline.language), tags=outline.tags
        )
        problem = entry_problem(entry)
        if problem:
            skipped.append((outline.title, problem))
            continue
        entries.append(entry)
        taken.add(name)
        configured[key] = name
    return entries, skipped


def in_folders(document: bytes) -> bytes:
    """The OPML with each feed moved into a folder named after its first tag (readers show folders)."""
    root = etree.fromstring(document, etree.XMLParser(resolve_entities=False, no_network=True))
    body = root.find("body")
    assert body is not None
    folders: dict[str, etree._Element] = {}
    for outline in list(body):
        category = outline.get("category") or ""
        first = category.split(",")[0].strip()
        if not first:
            continue
        if first not in folders:
            folders[first] = etree.SubElement(body, "outline", text=first, title=first)
        folders[first].append(outline)
    etree.indent(root, space="  ")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def sources_opml(config: WatchConfig, title: str = "monitor sources") -> tuple[bytes, int]:
    """The configured feeds as OPML (in folders named after their first tag), and how many html sources
    were left out (OPML lists feeds only)."""
    feeds = [source for source in config.sources if source.type == "feed"]
    outlines = [OpmlOutline(s.name, s.url, None, tuple(s.tags), s.language) for s in feeds]
    return in_folders(write_opml(outlines, title=title)), len(config.sources) - len(feeds)


def find_feed(settings: FetchSettings, url: str, config: WatchConfig) -> FoundFeed:
    """The feed to add for `url`: itself when it is a feed, else the first its page lists that is not
    configured yet; DeskError with the reason when there is none."""
    configured = configured_urls(config)
    if url_key(url) in configured:
        raise DeskError(f"this URL is already configured as source '{configured[url_key(url)]}'")
    try:
        page = asyncio.run(fetch_page(settings, url))
        if looks_like_feed(page.body or b"", page.content_type):
            return read_feed(page, url)
    except FetchError as error:
        raise DeskError(f"could not read {url}: {error.message}") from error
    discovered = discover_feeds(page.body or b"", page.url, content_type=page.content_type)
    fresh = [feed for feed in discovered if url_key(feed.url) not in configured]
    if not fresh:
        raise DeskError(no_feed_message(url) if not discovered else "every feed the page lists is configured")
    found, failures = asyncio.run(read_discovered(settings, [fresh[0].url]))
    if not found:
        raise DeskError(f"could not read {fresh[0].url}: {failures[0][1]}")
    return FoundFeed(found[0].url, found[0].title or fresh[0].title or "", found[0].language)


def new_source_entry(feed: FoundFeed, config: WatchConfig, name: str | None = None) -> dict[str, Any]:
    """The sources.yaml entry of a found feed, under a name no other source has."""
    taken = {source.name for source in config.sources}
    chosen = unique_name(name or feed.title, taken, fallback=feed.url)
    return source_entry(chosen, feed.url, language=language_code(feed.language))
