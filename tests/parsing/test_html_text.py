"""html_to_text: hostile HTML from feeds in, readable bounded text out."""

from __future__ import annotations

import pytest

from monitor.parsing import html_to_text


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("Plain text", "Plain text"),
        ("  spaced \t out  \n\n\n text ", "spaced out\ntext"),
        ("<p>First</p><p>Second</p>", "First\nSecond"),
        ("one<br>two<br/>three", "one\ntwo\nthree"),
        ("<ul><li>Rason</li><li>Khasan</li></ul>after", "Rason\nKhasan\nafter"),
        ("<h2>Title</h2>Body <b>bold</b> and <a href='/x'>link</a>.", "Title\nBody bold and link."),
        ("L&#39;usine d&eacute;&nbsp;Alabouga", "L'usine dé Alabouga"),
        ("&amp;eacute;t&amp;eacute;", "été"),  # double-escaped by the publisher
        ("<p>Hi</p><script>alert('x')</script><style>p{color:red}</style>", "Hi"),
        ("<iframe src='https://ads'></iframe><noscript>enable js</noscript>Text", "Text"),
        ("<!-- tracking --><img src='pixel.gif'>Text", "Text"),
        ("<svg><text>logo</text></svg><form><input value='q'><button>Go</button></form>Text", "Text"),
        ("AT&T says 3 < 4", "AT&T says 3 < 4"),
        ("<p>Незакрытый <b>тег", "Незакрытый тег"),
        ("<div>" * 5000 + "deep" + "</div>" * 5000, "deep"),
        ("", ""),
    ],
)
def test_html_to_text(html: str, text: str):
    assert html_to_text(html) == text


def test_output_is_capped():
    assert html_to_text("<p>" + "word " * 10_000 + "</p>", max_chars=100) == ("word " * 20).strip()


def test_huge_markup_is_cut_before_parsing():
    text = html_to_text("<p>" + "x" * 3_000_000 + "</p>", max_chars=10_000_000)
    assert set(text) == {"x"} and len(text) < 2_000_000
