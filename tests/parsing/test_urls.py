"""canonicalize_url: one spelling per article, whatever link the feed used."""

from __future__ import annotations

import pytest

from monitor.parsing import canonicalize_url

FEED = "https://www.example.org/rss/world.xml"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.example.org/a/b", "https://www.example.org/a/b"),
        ("HTTPS://WWW.Example.ORG/Path/Case", "https://www.example.org/Path/Case"),
        ("http://example.org:80/x", "http://example.org/x"),
        ("https://example.org:443/x", "https://example.org/x"),
        ("https://example.org:8443/x", "https://example.org:8443/x"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/x#comments", "https://example.org/x"),
        ("/2024/rason.html", "https://www.example.org/2024/rason.html"),
        ("story.html", "https://www.example.org/rss/story.html"),
        ("//cdn.example.net/a", "https://cdn.example.net/a"),
        ("  https://example.org/x  ", "https://example.org/x"),
        ("https://example.org/x?utm_source=rss&utm_medium=feed", "https://example.org/x"),
        ("https://example.org/x?id=7&utm_campaign=c&page=2", "https://example.org/x?id=7&page=2"),
        (
            "https://example.org/x?fbclid=IwAR&gclid=1&yclid=2&mc_cid=3&mc_eid=4&_ga=5",
            "https://example.org/x",
        ),
        ("https://www.lemonde.fr/a.html?xtor=RSS-3208&at_medium=rss", "https://www.lemonde.fr/a.html"),
        ("https://example.org/x?UTM_Source=a&q=1", "https://example.org/x?q=1"),
        ("https://example.org/x?b=2&a=1", "https://example.org/x?b=2&a=1"),
        ("https://example.org/x?q=a+b&e=", "https://example.org/x?q=a+b&e="),
        ("https://example.org/x?ref=rss", "https://example.org/x?ref=rss"),
        ("https://example.org/x?ref_src=twsrc", "https://example.org/x"),
        ("https://user:secret@example.org/x", "https://example.org/x"),
        ("https://пример.рф/новости", "https://xn--e1afmkfd.xn--p1ai/новости"),
        ("https://Bücher.DE/x", "https://xn--bcher-kva.de/x"),
        ("https://[2001:DB8::1]:8080/x", "https://[2001:db8::1]:8080/x"),
    ],
)
def test_canonical_form(url: str, expected: str):
    assert canonicalize_url(url, FEED) == expected


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "mailto:desk@example.org",
        "javascript:alert(1)",
        "ftp://example.org/f",
        "http://",
        "http://x:99999/",
    ],
)
def test_not_an_article_url(url: str):
    assert canonicalize_url(url, FEED) is None
