"""parse_feed: feed bytes in, clean entries out; not-feeds are clear errors."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import FetchError
from monitor.parsing import FeedEntry, parse_feed

URL = "https://news.example.org/feeds/world.xml"

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>World &amp; Co</title><language>en-gb</language>
<item><title>  Rail freight   at Tumangang </title><link>/2024/05/rail.html?utm_source=rss&amp;id=3</link>
<guid isPermaLink="false"> urn:story:1 </guid><author>desk@example.org (Desk)</author>
<description>&lt;p&gt;Trains cross the &lt;b&gt;Friendship Bridge&lt;/b&gt;.&lt;/p&gt;
&lt;script&gt;track()&lt;/script&gt;</description>
<pubDate>Tue, 14 May 2024 09:30:00 +0300</pubDate></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr"><title>Le fil</title>
<entry><id>tag:example.org,2024:1</id><title type="html">L&amp;#39;usine d&amp;#39;Alabouga</title>
<link rel="alternate" href="https://example.fr/a#top"/><updated>2024-05-14T10:00:00-04:00</updated>
<content type="html">&lt;p&gt;Drones &lt;i&gt;Geran&lt;/i&gt;&lt;/p&gt;</content></entry>
<entry xml:lang="de"><id>tag:example.org,2024:2</id><title>Drohnenfabrik</title>
<updated>2024-05-14T10:00:00Z</updated><summary>Text</summary></entry>
</feed>"""

RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://example.de/"><title>Heise</title><link>https://example.de/</link>
<dc:language>de</dc:language></channel>
<item rdf:about="https://example.de/1"><title>Munition aus Nordkorea</title><link>https://example.de/1</link>
<dc:date>2024-05-14T08:00:00+02:00</dc:date></item></rdf:RDF>"""


def only(feed_bytes: bytes, **kwargs: str | None) -> FeedEntry:
    parsed = parse_feed(feed_bytes, url=URL, **kwargs)
    assert len(parsed.entries) == 1, parsed
    return parsed.entries[0]


def test_rss_entry_is_clean():
    parsed = parse_feed(RSS, url=URL)
    assert (parsed.title, parsed.language, parsed.skipped, parsed.warning) == ("World & Co", "en", 0, None)
    assert parsed.entries == [
        FeedEntry(
            guid="urn:story:1",
            url="https://news.example.org/2024/05/rail.html?id=3",
            title="Rail freight at Tumangang",
            summary="Trains cross the Friendship Bridge.",
            content="",
            published=datetime(2024, 5, 14, 6, 30, tzinfo=UTC),
            language="en",
            author="desk@example.org (Desk)",
        )
    ]


def test_atom_entries_with_inherited_and_own_language():
    parsed = parse_feed(ATOM, url=URL)
    first, second = parsed.entries
    assert (parsed.title, parsed.language) == ("Le fil", "fr")
    assert (first.guid, first.url, first.title) == (
        "tag:example.org,2024:1",
        "https://example.fr/a",
        "L'usine d'Alabouga",
    )
    assert (first.summary, first.content, first.language) == ("Drones Geran", "", "fr")  # not twice
    assert first.published == datetime(2024, 5, 14, 14, 0, tzinfo=UTC)
    assert (second.url, second.language, second.summary) == (None, "de", "Text")


RELATIVE_RSS = b"""<rss version="2.0"><channel><title>t</title>
<item><title>One</title><link>/articles/1?utm_source=rss</link></item>
<item><title>Two</title><link>2.html</link></item></channel></rss>"""
RELATIVE_ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://other.example/blog/">
<title>t</title><entry><title>One</title><id>urn:1</id><link href="post-1"/></entry></feed>"""


@pytest.mark.parametrize(
    ("body", "urls"),
    [
        (RELATIVE_RSS, ["https://news.example/articles/1", "https://news.example/feeds/2.html"]),
        (RELATIVE_ATOM, ["https://other.example/blog/post-1"]),
    ],
)
def test_relative_links_resolve_against_xml_base_else_the_feed_url(body: bytes, urls: list[str]):
    parsed = parse_feed(body, url="https://news.example/feeds/rss.xml")
    assert [entry.url for entry in parsed.entries] == urls


def test_rdf_feed():
    entry = only(RDF)
    assert (entry.title, entry.url, entry.language) == (
        "Munition aus Nordkorea",
        "https://example.de/1",
        "de",
    )
    assert entry.published == datetime(2024, 5, 14, 6, 0, tzinfo=UTC)


def item(inner: str, channel: str = "") -> bytes:
    """An RSS 2.0 feed with one item."""
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
    return f"{head}<channel>{channel}<item>{inner}</item></channel></rss>".encode()


@pytest.mark.parametrize(
    ("pub_date", "expected"),
    [
        ("<pubDate>Tue, 14 May 2024 09:30:00 GMT</pubDate>", datetime(2024, 5, 14, 9, 30, tzinfo=UTC)),
        ("<pubDate>Tue, 14 May 2024 09:30:00 +0530</pubDate>", datetime(2024, 5, 14, 4, 0, tzinfo=UTC)),
        ("<pubDate>Tue, 14 May 2024 09:30:00 EST</pubDate>", datetime(2024, 5, 14, 14, 30, tzinfo=UTC)),
        ("<pubDate>2024-05-14T09:30:00+03:00</pubDate>", datetime(2024, 5, 14, 6, 30, tzinfo=UTC)),
        ("<pubDate>2024-05-14</pubDate>", datetime(2024, 5, 14, tzinfo=UTC)),
        ("<pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate>", None),  # absurdly far ahead
        ("<pubDate>Thu, 01 Jan 1970 00:00:00 GMT</pubDate>", None),  # placeholder
        ("<pubDate>yesterday</pubDate>", None),
        ("", None),
    ],
)
def test_dates_become_utc(pub_date: str, expected: datetime | None):
    assert only(item(f"<title>t</title>{pub_date}")).published == expected


@pytest.mark.parametrize(
    ("inner", "channel", "hint", "expected"),
    [
        ("<title>Short</title>", "<language>fr-FR</language>", "de", "fr"),  # feed beats hint
        ("<title>Short</title>", "", "uk", "uk"),  # hint beats detection
        ("<title>Завод в Алабуге выпускает беспилотники для армии</title>", "", None, "ru"),  # detected
        ("<title>Short</title>", "", None, None),  # too short to tell
    ],
)
def test_language_priority(inner: str, channel: str, hint: str | None, expected: str | None):
    assert only(item(inner, channel), language_hint=hint).language == expected


def test_entries_without_link_guid_or_title_are_skipped_and_counted():
    feed = item("<description>orphan text</description>").replace(
        b"</channel>", b"<item><title>kept</title></item></channel>"
    )
    parsed = parse_feed(feed, url=URL)
    assert ([e.title for e in parsed.entries], parsed.skipped) == (["kept"], 1)


def test_rss_content_encoded_beside_description():
    feed = item(
        "<title>t</title><description>Short summary</description>"
        "<content:encoded><![CDATA[<p>Full</p><p>text</p>]]></content:encoded>"
    ).replace(b'version="2.0"', b'version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"')
    entry = only(feed)
    assert (entry.summary, entry.content) == ("Short summary", "Full\ntext")


def test_recovered_malformed_xml_has_a_warning():
    feed = item("<title>Khasan & Rason</title><link>https://example.org/k</link>")
    parsed = parse_feed(feed, url=URL)
    assert [e.title for e in parsed.entries] == ["Khasan & Rason"]
    assert parsed.warning is not None and parsed.warning.startswith("not well-formed XML (line 1:")


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"", None, "empty feed: the server sent no content"),
        (b"  \n ", None, "empty feed: the server sent no content"),
        (b"just some text", "text/plain", "not a feed: invalid XML at line 2 (syntax error)"),
        (
            b"<?xml version='1.0'?><catalog><book>",
            None,
            "not a feed: invalid XML at line 1 (no element found)",
        ),
        (
            b"<html><body>No feed here</body></html>",
            "text/html",
            "this is an HTML page, not a feed, and it links to no feed",
        ),
        (
            b'<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/rss">'
            b'<link rel="stylesheet" href="/s.css"><link rel="Alternate" type="application/atom+xml" '
            b'href="https://other.example.net/atom.xml"></head></html>',
            "text/html; charset=utf-8",
            "this is an HTML page, not a feed; it links to: https://news.example.org/rss, "
            "https://other.example.net/atom.xml",
        ),
        (
            gzip.compress(b"\0" * 60_000_000),
            None,
            "decompression bomb: the gzip body expands past 50,000,000 bytes",
        ),
        (b"\x1f\x8b garbage", None, "the body looks gzip-compressed but cannot be decompressed"),
    ],
)
def test_not_a_feed_is_a_clear_error(body: bytes, content_type: str | None, message: str):
    with pytest.raises(FetchError) as caught:
        parse_feed(body, url=URL, content_type=content_type)
    assert caught.value.message == message


def test_body_naming_a_local_file_is_not_opened(tmp_path: Path):
    """feedparser opens a path given as bytes; parse_feed must read the bytes themselves."""
    secret = tmp_path / "feed.xml"
    secret.write_bytes(RSS)
    with pytest.raises(FetchError, match="not a feed"):
        parse_feed(str(secret).encode(), url=URL)


def test_gzip_bytes_without_content_encoding_are_decompressed():
    assert parse_feed(gzip.compress(RSS), url=URL).entries[0].title == "Rail freight at Tumangang"


def test_json_feed_goes_to_the_json_parser():
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "1", "title": "x"}]}'
    )
    parsed = parse_feed(body, url=URL)
    assert (parsed.title, [e.guid for e in parsed.entries]) == ("J", ["1"])


def _declaration(body: bytes, encoding: str | None) -> bytes:
    """The same feed with its XML encoding declaration replaced (or removed when None)."""
    replacement = f'encoding="{encoding}"'.encode() if encoding else b""
    return re.sub(rb"""encoding=["'][^"']+["']""", replacement, body, count=1)


# (corpus file, first title) for real Russian feeds
RUSSIAN = [
    ("real-feeds/node-feedparser/feeds/iconv.xml", "В Бузулуке главные стройплощадки"),
    ("real-feeds/miniflux/parser/encoding_WINDOWS-1251.xml", "Цитата #17703"),
    ("real-feeds/miniflux/xml/koi8r.xml", "Первая новость"),
]


@pytest.mark.parametrize(("path", "title"), RUSSIAN)
@pytest.mark.parametrize(
    ("declared", "content_type"),
    [
        ("keep", None),  # correct declaration
        (None, None),  # declaration missing
        ("iso-8859-1", None),  # declaration wrong
        (None, "application/rss+xml; charset=windows-1252"),  # HTTP header wrong
    ],
)
def test_russian_charsets_decode_right(
    corpus_dir: Path, path: str, title: str, declared: str | None, content_type: str | None
):
    original = (corpus_dir / path).read_bytes()
    body = original if declared == "keep" else _declaration(original, declared)
    parsed = parse_feed(body, url=URL, content_type=content_type)
    assert parsed.entries[0].title.startswith(title)
    assert parsed.entries[0].language == "ru"
    repaired = declared != "keep"
    assert (parsed.warning is not None) == repaired, parsed.warning


@pytest.mark.parametrize(
    ("path", "word"),
    [
        ("real-feeds/Feeder/feeds/rss_lemonde.xml", "é"),
        ("real-feeds/miniflux/parser/encoding_ISO-8859-1.xml", "ü"),
        ("real-feeds/miniflux/parser/no_encoding_ISO-8859-1.xml", "é"),
        ("real-feeds/rss-parser/input/uolNoticias.rss", "ã"),
    ],
)
def test_latin_feeds_are_not_mistaken_for_mojibake(corpus_dir: Path, path: str, word: str):
    parsed = parse_feed((corpus_dir / path).read_bytes(), url=URL)
    text = " ".join(e.title + " " + e.summary for e in parsed.entries)
    assert word in text
    assert not re.search("[ÐÑ][\u0080-\u00bf]|Ã[\u0080-\u00bf]", text), "mojibake"


def _many(count: int) -> bytes:
    items = "".join(
        f"<item><title>Item {n}</title><link>https://e.example/{n}</link></item>" for n in range(count)
    )
    channel = f"<channel><title>Many</title>{items}</channel>"
    return f"<?xml version='1.0'?><rss version='2.0'>{channel}</rss>".encode()


def test_entries_past_the_cap_are_left_out_with_a_warning_naming_the_cap() -> None:
    parsed = parse_feed(_many(30), url=URL, max_entries=10)
    assert [entry.title for entry in parsed.entries] == [f"Item {n}" for n in range(10)]
    assert (
        parsed.warning == "the feed has 30 entries: only the first 10 were read (fetch.max_entries_per_feed)"
    )


def test_a_json_feed_is_capped_too() -> None:
    items = ",".join(
        f'{{"id": "{n}", "url": "https://e.example/{n}", "title": "Item {n}"}}' for n in range(12)
    )
    body = f'{{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{items}]}}'.encode()
    parsed = parse_feed(body, url=URL, max_entries=5)
    assert len(parsed.entries) == 5 and parsed.warning is not None and "only the first 5" in parsed.warning


def test_a_feed_within_the_cap_has_no_warning() -> None:
    parsed = parse_feed(_many(10), url=URL, max_entries=10)
    assert len(parsed.entries) == 10 and parsed.warning is None
