"""Feed discovery: which feeds a web page advertises, and whether fetched bytes are a feed at all.

`discover_feeds` lists the page's `<link rel="alternate">` feeds first (page order), then anchors whose
address looks like a feed (`/feed`, `/rss`, `.rss`, `.xml`, `atom`), all absolute, canonical and listed once.
Bytes are decoded by the HTTP charset when one is given, else by the page's own declaration, else by
detection (`monitor.parsing.charset.decode_page`): lxml alone would read undeclared bytes as Latin-1.
`looks_like_feed` sniffs the first bytes, as browsers do, because servers often send feeds as text/html or
text/plain and pages as text/xml.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml import html as lxml_html
from lxml.html import HtmlElement

from monitor.parsing.charset import MAX_PAGE_BYTES, decode_page
from monitor.parsing.urls import canonicalize_url

SNIFF_BYTES = 4096

FEED_TYPES = {
    "application/rss+xml": "application/rss+xml",
    "application/atom+xml": "application/atom+xml",
    "application/feed+json": "application/feed+json",
    "application/rdf+xml": "application/rdf+xml",
    "application/x.atom+xml": "application/atom+xml",
    "application/x-atom+xml": "application/atom+xml",
    "application/json": "application/feed+json",
}
"""MIME types of `<link rel=alternate>` that announce a feed, each with the standard name it stands for."""

_ANCHOR_HINTS = (
    (re.compile(r"(?:^|[/._-])atom(?:\.xml)?/?$|\.atom$", re.IGNORECASE), "application/atom+xml"),
    (
        re.compile(r"(?:^|/)(?:feed|rss)/?$|\.rss$|(?:^|[/_.-])rss2?\.xml$", re.IGNORECASE),
        "application/rss+xml",
    ),
    (re.compile(r"(?:^|/)feed\.json$", re.IGNORECASE), "application/feed+json"),
    (re.compile(r"\.xml$", re.IGNORECASE), None),
)
_QUERY_HINT = re.compile(r"(?:^|&)(?:feed|format)=(?:rss2?|atom)(?:&|$)", re.IGNORECASE)
_FEED_ROOT = re.compile(
    rb"^(?:\s|<\?xml[^>]*\?>|<!--.*?-->|<!DOCTYPE[^>]*>|<\?[^>]*\?>)*<(?:[\w.-]+:)?(?:rss|feed|RDF)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")  # lxml refuses text that declares an encoding
_HTML_ROOT = re.compile(rb"^(?:\s|<!--.*?-->)*<(?:!DOCTYPE\s+html|html)[\s>]", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class DiscoveredFeed:
    """A feed a page points to: its absolute URL, its title if given, its MIME type if known."""

    url: str
    title: str | None
    type: str | None


def discover_feeds(
    html: str | bytes, base_url: str, *, content_type: str | None = None
) -> list[DiscoveredFeed]:
    """Feeds advertised by the page (link tags first, then feed-like anchors), each URL once.

    `content_type` is the page's HTTP Content-Type: its charset decodes bytes before anything else.
    """
    root = _parse(decode_page(html, content_type) if isinstance(html, bytes) else html)
    if root is None:
        return []
    base = _base_href(root, base_url)
    found: dict[str, DiscoveredFeed] = {}
    for feed in (*_alternate_links(root, base), *_feed_anchors(root, base)):
        found.setdefault(feed.url, feed)
    return list(found.values())


def _parse(html: str) -> HtmlElement | None:
    """The page's tree from at most MAX_PAGE_BYTES; None when there is nothing to parse."""
    text = _XML_DECLARATION.sub("", html[:MAX_PAGE_BYTES], count=1)
    if not text.strip():
        return None
    try:
        return lxml_html.document_fromstring(text)
    except (ValueError, lxml_html.etree.ParserError):
        return None


def _base_href(root: HtmlElement, page_url: str) -> str:
    """The page URL, or the page's `<base href>` resolved against it."""
    base = next((el.get("href") for el in root.iter("base") if el.get("href")), None)
    return (canonicalize_url(base, page_url) or page_url) if base else page_url


def _alternate_links(root: HtmlElement, base: str) -> list[DiscoveredFeed]:
    """`<link rel="alternate">` elements (in head or body) whose type announces a feed."""
    feeds = []
    for link in root.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        kind = FEED_TYPES.get((link.get("type") or "").split(";")[0].strip().lower())
        url = canonicalize_url(link.get("href") or "", base)
        if "alternate" in rels and kind and url:
            feeds.append(DiscoveredFeed(url, _clean(link.get("title")), kind))
    return feeds


def _feed_anchors(root: HtmlElement, base: str) -> list[DiscoveredFeed]:
    """`<a href>` whose path or query looks like a feed's; the link text becomes the title."""
    feeds = []
    for anchor in root.iter("a"):
        url = canonicalize_url(anchor.get("href") or "", base)
        if not url:
            continue
        matched, kind = _anchor_kind(url)
        if matched:
            feeds.append(DiscoveredFeed(url, _clean(anchor.text_content()), kind))
    return feeds


def _anchor_kind(url: str) -> tuple[bool, str | None]:
    """Whether an address looks like a feed, and the feed type it suggests."""
    parts = urlsplit(url)
    for pattern, kind in _ANCHOR_HINTS:
        if pattern.search(parts.path):
            return True, kind
    if _QUERY_HINT.search(parts.query):
        return True, "application/atom+xml" if "atom" in parts.query.lower() else "application/rss+xml"
    return False, None


def _clean(text: str | None) -> str | None:
    """Text with collapsed whitespace, None when empty."""
    cleaned = " ".join((text or "").split())
    return cleaned or None


def looks_like_feed(body: bytes, content_type: str | None = None) -> bool:
    """Whether bytes are a feed (RSS, Atom, RDF, JSON Feed): the bytes decide, the header breaks ties."""
    head = _strip_bom(body[:SNIFF_BYTES])
    if head.lstrip().startswith(b"{"):
        return _is_json_feed(body)
    if _FEED_ROOT.match(head):
        return True
    if _HTML_ROOT.match(head) or not head.strip():
        return False
    mime = (content_type or "").split(";")[0].strip().lower()
    return mime in FEED_TYPES and mime != "application/json"


def _strip_bom(data: bytes) -> bytes:
    """The bytes without a byte-order mark; UTF-16 text re-encoded as UTF-8 for sniffing."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="ignore").encode("utf-8")
    return data


def _is_json_feed(body: bytes) -> bool:
    """A JSON object whose `version` is a jsonfeed.org version URL."""
    if len(body) > MAX_PAGE_BYTES * 4:
        return False
    try:
        data = json.loads(_strip_bom(body))
    except (ValueError, UnicodeDecodeError):
        return False
    version = data.get("version") if isinstance(data, dict) else None
    return isinstance(version, str) and version.startswith(
        ("https://jsonfeed.org/version/", "http://jsonfeed")
    )
