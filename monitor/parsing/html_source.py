"""Sources without a feed: a web page's list of articles, picked out with CSS selectors, as a ParsedFeed.

Each element matched by `item_selector` becomes one FeedEntry whose GUID is its canonical URL: the link is
found with `link_selector` (else the item itself when it is a link, else its first link), the title with
`title_selector` (else the link's text, else the item's first heading). Items without a usable link are
skipped and counted; a URL seen twice is kept once. Selectors are CSS as soupsieve understands it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import soupsieve
from bs4 import BeautifulSoup, Tag

from monitor import clock
from monitor.parsing.entries import MAX_TEXT_CHARS, MAX_TITLE_CHARS, FeedEntry, ParsedFeed
from monitor.parsing.extraction import MAX_INPUT_BYTES
from monitor.parsing.html_text import collapse_whitespace
from monitor.parsing.language import detect_language, normalize_language
from monitor.parsing.page_metadata import parse_page_date
from monitor.parsing.urls import canonicalize_url
from monitor.parsing.written_dates import parse_written_date

MAX_ITEMS = 1_000
_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?")
_EUROPEAN_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")


class _Selectors:
    """The compiled selectors of one source; ValueError with soupsieve's message for an invalid one."""

    def __init__(self, item: str, title: str | None, link: str | None, summary: str | None, date: str | None):
        self.item = _compile(item)
        self.title, self.link = _compile(title), _compile(link)
        self.summary, self.date = _compile(summary), _compile(date)


def _compile(selector: str | None) -> soupsieve.SoupSieve | None:
    if selector is None:
        return None
    try:
        return soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as exc:
        raise ValueError(str(exc)) from None


def extract_links(
    html: str | bytes,
    base_url: str,
    *,
    item_selector: str,
    title_selector: str | None = None,
    link_selector: str | None = None,
    summary_selector: str | None = None,
    date_selector: str | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """The page's articles as feed entries, in page order; ValueError when a selector is invalid.
    Relative dates (`вчера, 14:30`) count from `now`, monitor.clock.now() by default."""
    selectors = _Selectors(item_selector, title_selector, link_selector, summary_selector, date_selector)
    soup = BeautifulSoup(html[:MAX_INPUT_BYTES], "lxml")
    page_language = _page_language(soup)
    items = selectors.item.select(soup, limit=MAX_ITEMS) if selectors.item else []
    entries: dict[str, FeedEntry] = {}
    skipped = 0
    for item in items:
        entry = _entry(item, selectors, base_url, page_language, now or clock.now())
        if entry is None or entry.url is None:
            skipped += 1
        else:
            entries.setdefault(entry.url, entry)
    title_tag = soup.find("title")
    return ParsedFeed(
        title=collapse_whitespace(title_tag.get_text())[:MAX_TITLE_CHARS] if title_tag else "",
        language=page_language,
        entries=list(entries.values()),
        skipped=skipped,
        warning=None if items else f"the item selector {item_selector!r} matched nothing on the page",
    )


def _page_language(soup: BeautifulSoup) -> str | None:
    """The language the page declares on <html lang>."""
    root = soup.find("html")
    lang = root.get("lang") if isinstance(root, Tag) else None
    return normalize_language(lang if isinstance(lang, str) else None)


def _entry(
    item: Tag, selectors: _Selectors, base_url: str, page_language: str | None, now: datetime
) -> FeedEntry | None:
    """One item as a FeedEntry; None when it has no usable link."""
    link = _link(item, selectors.link)
    href = link.get("href") if link is not None else None
    url = canonicalize_url(href, base_url) if isinstance(href, str) else None
    if url is None:
        return None
    title = _title(item, link, selectors.title)
    summary = _text(_first(item, selectors.summary), MAX_TEXT_CHARS)
    language = page_language or detect_language(f"{title}\n{summary}")
    return FeedEntry(
        guid=url,
        url=url,
        title=title,
        summary=summary,
        content="",
        published=_date(_first(item, selectors.date), language, now),
        language=language,
        author=None,
    )


def _first(item: Tag, selector: soupsieve.SoupSieve | None) -> Tag | None:
    """The first element under the item matching the selector (the item itself may match)."""
    if selector is None:
        return None
    if selector.match(item):
        return item
    return selector.select_one(item)


def _link(item: Tag, selector: soupsieve.SoupSieve | None) -> Tag | None:
    """The item's link: the link selector's element, else the item if it is a link, else its first link."""
    if selector is not None:
        return _first(item, selector)
    if item.name == "a" and item.get("href"):
        return item
    found = item.find("a", href=True)
    return found if isinstance(found, Tag) else None


def _title(item: Tag, link: Tag | None, selector: soupsieve.SoupSieve | None) -> str:
    """The title selector's text, else the link's text, else the item's first heading."""
    if selector is not None:
        return _text(_first(item, selector), MAX_TITLE_CHARS)
    heading = item.find(["h1", "h2", "h3", "h4", "h5", "h6"])
    return _text(link, MAX_TITLE_CHARS) or _text(
        heading if isinstance(heading, Tag) else None, MAX_TITLE_CHARS
    )


def _text(element: Tag | None, limit: int) -> str:
    """An element's visible text, whitespace collapsed."""
    if element is None:
        return ""
    return collapse_whitespace(element.get_text(" "))[:limit]


def _date(element: Tag | None, language: str | None, now: datetime) -> datetime | None:
    """A date from the element's datetime or content attribute, else its text (machine formats first,
    then as people write dates in the item's language)."""
    if element is None:
        return None
    for attribute in ("datetime", "content"):
        value = element.get(attribute)
        if isinstance(value, str) and value.strip():
            return parse_page_date(value)
    text = element.get_text(" ")
    return parse_page_date(text) or _date_in_text(text) or parse_written_date(text, language, now)


def _date_in_text(text: str) -> datetime | None:
    """A date written in running text: `2024-05-01` (time optional) or the European `01.05.2024`."""
    iso = _ISO_DATE.search(text)
    if iso:
        return parse_page_date(iso.group(0).replace(" ", "T"))
    european = _EUROPEAN_DATE.search(text)
    if european:
        day, month, year = (int(part) for part in european.groups())
        try:
            return datetime(year, month, day, tzinfo=UTC)
        except ValueError:
            return None
    return None
