"""html_to_text: hostile HTML from feeds in, readable bounded text out."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.parsing import html_to_text
from monitor.parsing.html_text import collapse_whitespace

_WHITESPACE = [*" \n\t\r\x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000", "a", "b", "\u200b"]


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


@given(st.one_of(st.text(alphabet=st.sampled_from(_WHITESPACE), max_size=30), st.text()))
def test_collapse_whitespace_keeps_words_and_line_breaks_between_them(text: str):
    """Spaces collapse to one, blank lines to one break, edges are trimmed: the regex definition."""
    spaces_collapsed = re.sub(r"[^\S\n]+", " ", text)
    assert collapse_whitespace(text) == re.sub(r"\s*\n\s*", "\n", spaces_collapsed).strip()


def test_texts_of_successive_fragments_do_not_mix():
    """The parser is reused between fragments: nothing of one (text, or an open dropped tag) leaks."""
    assert html_to_text("<p>first <script>never closed") == "first"
    assert html_to_text("<p>second</p>") == "second"
