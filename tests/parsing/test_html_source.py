"""extract_links: a news page without a feed, read through CSS selectors, as feed entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import soupsieve

from monitor import clock
from monitor.parsing.entries import FeedEntry
from monitor.parsing.html_source import MAX_ITEMS, extract_links

BASE = "https://www.example.ru/news/"

LISTING = """<html lang="ru"><head><title> Новости — Приморье </title></head><body>
<nav><a href="/">Главная</a></nav>
<ul class="news">
  <li class="item">
    <time datetime="2024-05-01T09:00:00+10:00">1 мая</time>
    <a class="headline" href="/news/2024/05/01/khasan.html?utm_source=main">Поезда через Хасан</a>
    <p class="lead">Грузовые составы  снова пошли через мост.</p>
  </li>
  <li class="item">
    <span class="date">Опубликовано 02.05.2024</span>
    <a class="headline" href="https://www.example.ru/news/2024/05/02/rason.html">Порт Расон</a>
    <p class="lead">Новые причалы.</p>
  </li>
  <li class="item"><span class="date">нет даты</span><p class="lead">Без ссылки.</p></li>
  <li class="item">
    <a class="headline" href="/news/2024/05/01/khasan.html#comments">Поезда через Хасан (дубль)</a>
  </li>
</ul></body></html>"""

SELECTORS: dict[str, Any] = {
    "item_selector": "ul.news > li.item",
    "title_selector": "a.headline",
    "summary_selector": "p.lead",
    "date_selector": "time, .date",
}


def test_a_listing_page_becomes_entries_with_canonical_urls_as_guids() -> None:
    parsed = extract_links(LISTING.encode("utf-8"), BASE, **SELECTORS)
    khasan = "https://www.example.ru/news/2024/05/01/khasan.html"
    rason = "https://www.example.ru/news/2024/05/02/rason.html"
    assert parsed.entries == [
        FeedEntry(
            guid=khasan,
            url=khasan,
            title="Поезда через Хасан",
            summary="Грузовые составы снова пошли через мост.",
            content="",
            published=datetime(2024, 4, 30, 23, 0, tzinfo=UTC),
            language="ru",
            author=None,
        ),
        FeedEntry(
            rason, rason, "Порт Расон", "Новые причалы.", "", datetime(2024, 5, 2, tzinfo=UTC), "ru", None
        ),
    ]
    assert (parsed.title, parsed.language, parsed.skipped, parsed.warning) == (
        "Новости — Приморье",
        "ru",
        1,
        None,
    )


# (page body, selectors, expected (url, title) pairs)
CASES = [
    (
        "item is the link itself",
        '<div><a class="story" href="a.html"> A  story </a><a class="story" href="b.html">B</a></div>',
        {"item_selector": "a.story"},
        [(BASE + "a.html", "A story"), (BASE + "b.html", "B")],
    ),
    (
        "first link of the item, title from the link text",
        '<article><a href="/x">X title</a> <a href="/tag/rail">rail</a></article>',
        {"item_selector": "article"},
        [("https://www.example.ru/x", "X title")],
    ),
    (
        "link selector picks the right link; title falls back to a heading when the link is empty",
        '<article><a href="/tag">tag</a><h2>Heading</h2><a class="more" href="/y"></a></article>',
        {"item_selector": "article", "link_selector": "a.more"},
        [("https://www.example.ru/y", "Heading")],
    ),
    (
        "links that are not http(s) are skipped",
        '<div class="i"><a href="javascript:x">J</a></div><div class="i"><a href="mailto:a">M</a></div>',
        {"item_selector": "div.i"},
        [],
    ),
]


@pytest.mark.parametrize(("page", "selectors", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_links_and_titles(page: str, selectors: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    parsed = extract_links(f"<html><body>{page}</body></html>", BASE, **selectors)
    assert [(e.url, e.title) for e in parsed.entries] == expected


# (selector options, the invalid one)
INVALID = [
    ({"item_selector": "div["}, "div["),
    ({"item_selector": "li", "title_selector": "a:unknown-pseudo"}, "a:unknown-pseudo"),
    ({"item_selector": "li", "link_selector": "a[href"}, "a[href"),
    ({"item_selector": "li", "summary_selector": "p,"}, "p,"),
    ({"item_selector": "li", "date_selector": ">>"}, ">>"),
]


@pytest.mark.parametrize(("selectors", "invalid"), INVALID)
def test_an_invalid_selector_raises_value_error_with_soupsieves_message(
    selectors: dict[str, Any], invalid: str
) -> None:
    with pytest.raises(soupsieve.SelectorSyntaxError) as expected:
        soupsieve.compile(invalid)
    with pytest.raises(ValueError) as error:
        extract_links(LISTING, BASE, **selectors)
    assert str(error.value) == str(expected.value)
    assert "line 1:" in str(error.value)


def test_a_selector_matching_nothing_gives_a_warning_not_an_error() -> None:
    parsed = extract_links(LISTING, BASE, item_selector="div.gone")
    assert (parsed.entries, parsed.warning) == (
        [],
        "the item selector 'div.gone' matched nothing on the page",
    )


# (text of the date element, published)
DATES = [
    ('<time datetime="2024-05-01T12:00:00Z">today</time>', datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ('<meta itemprop="datePublished" content="2024-05-01">', datetime(2024, 5, 1, tzinfo=UTC)),
    ("<span>Wed, 01 May 2024 12:00:00 +0200</span>", datetime(2024, 5, 1, 10, tzinfo=UTC)),
    ("<span>Mis à jour le 2024-05-01 08:30</span>", datetime(2024, 5, 1, 8, 30, tzinfo=UTC)),
    ("<span>Stand: 31.12.2023</span>", datetime(2023, 12, 31, tzinfo=UTC)),
    ("<span>31.02.2023</span>", None),
    ("<span>sans date</span>", None),
]


@pytest.mark.parametrize(("markup", "published"), DATES)
def test_dates_of_items(markup: str, published: datetime | None) -> None:
    page = f'<html><body><div class="i"><a href="/a">A</a>{markup}</div></body></html>'
    parsed = extract_links(page, BASE, item_selector="div.i", date_selector="time, meta, span")
    assert parsed.entries[0].published == published


NOW = datetime(2025, 3, 20, 9, 0, tzinfo=UTC)
# (page language, text of the date element, published when the page is read at NOW)
WRITTEN_DATES = [
    ("fr", "12 mars 2024", datetime(2024, 3, 12, tzinfo=UTC)),
    ("fr", "Mis à jour le 12 mars 2024 à 08h30", datetime(2024, 3, 12, 8, 30, tzinfo=UTC)),
    ("fr", "Publié hier à 18h05", datetime(2025, 3, 19, 18, 5, tzinfo=UTC)),
    ("de", "3. März 2024", datetime(2024, 3, 3, tzinfo=UTC)),
    ("de", "gestern, 14:30 Uhr", datetime(2025, 3, 19, 14, 30, tzinfo=UTC)),
    ("ru", "вчера, 14:30", datetime(2025, 3, 19, 14, 30, tzinfo=UTC)),
    ("ru", "Опубликовано 5 мая 2024", datetime(2024, 5, 5, tzinfo=UTC)),
    ("uk", "12 березня 2024", datetime(2024, 3, 12, tzinfo=UTC)),
    ("uk", "вчора о 14:30", datetime(2025, 3, 19, 14, 30, tzinfo=UTC)),
    ("en", "Updated 2 hours ago", datetime(2025, 3, 20, 7, 0, tzinfo=UTC)),
    ("en", "May 3, 2024", datetime(2024, 5, 3, tzinfo=UTC)),
    ("ru", "нет даты", None),
]


@pytest.mark.parametrize(("language", "text", "published"), WRITTEN_DATES)
def test_dates_written_in_words_are_read_in_the_page_language(
    language: str, text: str, published: datetime | None
) -> None:
    item = f'<div class="i"><a href="/a">A</a><span>{text}</span></div>'
    page = f'<html lang="{language}"><body>{item}</body></html>'
    parsed = extract_links(page, BASE, item_selector="div.i", date_selector="span", now=NOW)
    assert parsed.entries[0].published == published


def test_relative_dates_count_from_monitors_clock() -> None:
    page = (
        '<html lang="ru"><body><div class="i"><a href="/a">A</a><span>вчера, 14:30</span></div></body></html>'
    )
    before = clock.now()
    published = extract_links(page, BASE, item_selector="div.i", date_selector="span").entries[0].published
    after = clock.now()
    assert published is not None and (published.hour, published.minute) == (14, 30)
    assert published.date() in {(before - timedelta(days=1)).date(), (after - timedelta(days=1)).date()}


def test_items_are_capped() -> None:
    page = (
        "<html><body>"
        + "".join(f'<p><a href="/{i}">{i}</a></p>' for i in range(MAX_ITEMS + 50))
        + "</body></html>"
    )
    assert len(extract_links(page, BASE, item_selector="p").entries) == MAX_ITEMS


@pytest.mark.corpus
def test_a_real_front_page_lists_its_articles(corpus_dir: Path) -> None:
    page = (corpus_dir / "article-pages" / "readability" / "lemonde-1" / "source.html").read_bytes()
    parsed = extract_links(page, "https://www.lemonde.fr/", item_selector="nav a")
    urls = [entry.url for entry in parsed.entries]
    assert len(urls) == len(set(urls)) > 5
    assert all(url and url.startswith("http") for url in urls)
    assert parsed.language == "fr"
