"""discover_feeds and looks_like_feed: finding a site's feeds, and telling a feed from a page."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from monitor.parsing.discovery import DiscoveredFeed, discover_feeds, looks_like_feed

BASE = "https://www.example.org/news/world/index.html"

RSS = "application/rss+xml"
ATOM = "application/atom+xml"
JSON_FEED = "application/feed+json"

# (page, expected feeds in order)
DISCOVERY = [
    (
        "link tags in page order, relative URLs resolved",
        """<html><head>
        <link rel="alternate" type="application/rss+xml" title="World" href="/rss/world.xml">
        <link rel="alternate" type="application/atom+xml" title=" All  news " href="feeds/all.atom">
        <link rel="alternate" type="application/feed+json" href="https://www.example.org/feed.json">
        </head><body></body></html>""",
        [
            DiscoveredFeed("https://www.example.org/rss/world.xml", "World", RSS),
            DiscoveredFeed("https://www.example.org/news/world/feeds/all.atom", "All news", ATOM),
            DiscoveredFeed("https://www.example.org/feed.json", None, JSON_FEED),
        ],
    ),
    (
        "duplicates listed once, by canonical URL; other alternates and stylesheets ignored",
        """<html><head>
        <link rel="alternate" type="application/rss+xml" href="/rss.xml?utm_source=x">
        <link rel="ALTERNATE" type="application/rss+xml; charset=utf-8" href="/rss.xml#top">
        <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
        <link rel="stylesheet" type="text/css" href="/style.css">
        <link rel="alternate" type="application/rss+xml">
        </head></html>""",
        [DiscoveredFeed("https://www.example.org/rss.xml", None, RSS)],
    ),
    (
        "anchors that look like feeds come after the link tags",
        """<html><head><link rel="alternate" type="application/atom+xml" href="/atom.xml"></head><body>
        <a href="/about">About</a> <a href="/category/rail/feed/">Rail <b>feed</b></a>
        <a href="https://other.example.com/rss">Other RSS</a> <a href="/podcast.rss">Podcast</a>
        <a href="/sitemap.xml">Sitemap</a> <a href="/?feed=rss2">WordPress</a>
        <a href="/atom.xml">Atom again</a> <a href="mailto:rss@example.org">Mail</a>
        <a href="javascript:void(0)">feed</a></body></html>""",
        [
            DiscoveredFeed("https://www.example.org/atom.xml", None, ATOM),
            DiscoveredFeed("https://www.example.org/category/rail/feed/", "Rail feed", RSS),
            DiscoveredFeed("https://other.example.com/rss", "Other RSS", RSS),
            DiscoveredFeed("https://www.example.org/podcast.rss", "Podcast", RSS),
            DiscoveredFeed("https://www.example.org/sitemap.xml", "Sitemap", None),
            DiscoveredFeed("https://www.example.org/?feed=rss2", "WordPress", RSS),
        ],
    ),
    (
        "<base href> changes how relative URLs resolve",
        """<html><head><base href="https://cdn.example.net/site/">
        <link rel="alternate" type="application/rss+xml" href="rss.xml"></head></html>""",
        [DiscoveredFeed("https://cdn.example.net/site/rss.xml", None, RSS)],
    ),
    ("no feeds at all", "<html><body><p>Nothing here</p></body></html>", []),
    ("empty page", "", []),
]


@pytest.mark.parametrize(("page", "expected"), [d[1:] for d in DISCOVERY], ids=[d[0] for d in DISCOVERY])
def test_discover_feeds(page: str, expected: list[DiscoveredFeed]) -> None:
    assert discover_feeds(page, BASE) == expected


def cyrillic_page(meta: str = "", declaration: str = "") -> str:
    """A page whose only feed is titled in Cyrillic, with an optional <meta> and XML declaration."""
    return (
        f'{declaration}<html><head>{meta}<link rel="alternate" type="application/rss+xml" '
        'title="Новости Приморья: грузы через Хасан" href="/rss"></head><body></body></html>'
    )


TITLE = "Новости Приморья: грузы через Хасан"

# (case, page bytes, HTTP Content-Type)
CHARSETS = [
    (
        "charset only in the HTTP header",
        cyrillic_page().encode("windows-1251"),
        "text/html; charset=windows-1251",
    ),
    (
        "quoted, upper-case charset parameter",
        cyrillic_page().encode("koi8-r"),
        'text/html; Charset="KOI8-R"',
    ),
    (
        "the HTTP charset wins over a wrong <meta>",
        cyrillic_page('<meta charset="utf-8">').encode("windows-1251"),
        "text/html; charset=windows-1251",
    ),
    (
        "no HTTP charset: the page's own <meta> decides",
        cyrillic_page('<meta charset="windows-1251">').encode("windows-1251"),
        "text/html",
    ),
    (
        "no Content-Type at all: the <meta http-equiv> decides",
        cyrillic_page('<meta http-equiv="content-type" content="text/html;charset=koi8-r">').encode("koi8-r"),
        None,
    ),
    (
        "XHTML with an XML declaration, charset in the header",
        cyrillic_page(declaration='<?xml version="1.0" encoding="windows-1251"?>').encode("windows-1251"),
        "application/xhtml+xml; charset=windows-1251",
    ),
    (
        "a BOM beats a wrong HTTP charset",
        b"\xef\xbb\xbf" + cyrillic_page().encode("utf-8"),
        "text/html; charset=windows-1251",
    ),
]


@pytest.mark.parametrize(("body", "content_type"), [c[1:] for c in CHARSETS], ids=[c[0] for c in CHARSETS])
def test_discovery_decodes_bytes_by_the_http_charset_then_the_pages_own(
    body: bytes, content_type: str | None
) -> None:
    assert discover_feeds(body, BASE, content_type=content_type) == [
        DiscoveredFeed("https://www.example.org/rss", TITLE, RSS)
    ]


def test_a_page_given_as_text_may_start_with_an_xml_declaration() -> None:
    page = cyrillic_page(declaration='<?xml version="1.0" encoding="utf-8"?>\n')
    assert [feed.title for feed in discover_feeds(page, BASE)] == [TITLE]


# (first bytes, content type, is it a feed)
SNIFFING = [
    (b'<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>', "text/html", True),
    (b"\xef\xbb\xbf<?xml version='1.0'?><!-- c --><feed xmlns='http://www.w3.org/2005/Atom'>", None, True),
    (b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">', "text/plain", True),
    (b'<?xml version="1.0"?><a:feed xmlns:a="http://www.w3.org/2005/Atom">', None, True),
    ('<?xml version="1.0" encoding="utf-16"?><rss>'.encode("utf-16"), None, True),
    (b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": []}', "application/json", True),
    (b'{"version": "1.0", "items": []}', "application/feed+json", False),
    (b"[1, 2, 3]", "application/json", False),
    (b"<!DOCTYPE html><html><head><title>x</title></head></html>", "application/rss+xml", False),
    (b"<html><body>not a feed</body></html>", "text/xml", False),
    (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">', "text/xml", False),
    (b'<?xml version="1.0"?><channel><title>odd</title>', "application/rss+xml", True),
    (b"", "application/rss+xml", False),
    (b"\x1f\x8b\x08\x00 gzip bytes", "application/octet-stream", False),
]


@pytest.mark.parametrize(("body", "content_type", "expected"), SNIFFING)
def test_looks_like_feed(body: bytes, content_type: str | None, expected: bool) -> None:
    assert looks_like_feed(body, content_type) is expected


@pytest.mark.corpus
def test_every_feed_of_the_real_corpus_is_recognised(corpus_dir: Path) -> None:
    root = corpus_dir / "real-feeds"
    with (root / "feedparser-6.0-survey.tsv").open(encoding="utf-8") as survey:
        rows = [row for row in csv.DictReader(survey, delimiter="\t") if row["fp_version"]]
    missed = []
    for row in rows:
        body = (root / row["path"]).read_bytes()
        compressed_or_page = body.startswith(b"\x1f\x8b") or b"<html" in body[:300].lower()
        if not compressed_or_page and not looks_like_feed(body, None):
            missed.append(row["path"])
    assert len(rows) > 300
    assert missed == []


@pytest.mark.corpus
@pytest.mark.parametrize(
    "path",
    [
        "feedjira/current/json_feed.json",
        "feedjira/current/json_feed_with_escaped_uris.json",
        "Feeder/feeds/cowboy_feed.json",
    ],
)
def test_json_feeds_of_the_corpus_are_recognised(corpus_dir: Path, path: str) -> None:
    assert looks_like_feed((corpus_dir / "real-feeds" / path).read_bytes(), "application/json")


@pytest.mark.corpus
def test_a_web_page_is_not_a_feed(corpus_dir: Path) -> None:
    page = (corpus_dir / "real-feeds" / "node-feedparser" / "feeds" / "notafeed.html").read_bytes()
    assert not looks_like_feed(page, "text/html")
