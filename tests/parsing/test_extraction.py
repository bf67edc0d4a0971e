"""extract_article: the main text of real pages, without their navigation, and safe on hostile input."""

from __future__ import annotations

import gzip
import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest

from monitor.parsing.extraction import MAX_INPUT_BYTES, ExtractedArticle, extract_article

PROJECT_ROOT = Path(__file__).resolve().parents[2]
F1_FLOOR = 0.94  # measured 0.957 on the Scrapinghub benchmark (trafilatura alone: 0.960); a regression guard


def _flat(text: str) -> str:
    return " ".join(text.split())


def _readability_page(corpus_dir: Path, name: str) -> bytes:
    return (corpus_dir / "article-pages" / "readability" / name / "source.html").read_bytes()


# (Mozilla test page, sentences of the article, navigation and boilerplate that must not appear)
REAL_PAGES = [
    (
        "liberation-1",
        [
            "Un troisième Français a été tué dans le tremblement de terre samedi au Népal",
            "Des dizaines de milliers de personnes sont sans abri.",
        ],
        ["Se connecter", "Abonnez-vous", "Feuilleter"],
    ),
    (
        "lemonde-1",
        [
            "Les députés ont, sans surprise, adopté à une large majorité",
            "Aucune mesure de rétorsion ne pourra viser l’agent",
        ],
        ["Édition Abonnés", "Jeux vidéo", "Banc d'essai"],
    ),
    (
        "heise",
        ["1Password kostet aktuell knapp 50 Euro im Mac App Store"],
        ["Telepolis", "Registrieren", "Menü auf-/zuklappen"],
    ),
    (
        "bbc-1",
        [
            'President Barack Obama has admitted that his failure to pass "common sense gun safety laws"',
            "Mr Obama will become the first US president to address the African Union",
        ],
        ["CBeebies", "Accessibility Help", "Skip to content"],
    ),
]


@pytest.mark.corpus
@pytest.mark.parametrize(("page", "sentences", "navigation"), REAL_PAGES, ids=[p[0] for p in REAL_PAGES])
def test_real_pages_give_their_article_and_not_their_navigation(
    corpus_dir: Path, page: str, sentences: list[str], navigation: list[str]
) -> None:
    text = _flat(extract_article(_readability_page(corpus_dir, page)).text)
    for sentence in sentences:
        assert sentence in text
    for boilerplate in navigation:
        assert boilerplate not in text


# (Mozilla test page, title, language, published, author)
METADATA = [
    (
        "liberation-1",
        "Un troisième Français mort dans le séisme au Népal",
        "fr",
        datetime(2015, 4, 30, 7, 19, 58, tzinfo=UTC),
        None,
    ),
    (
        "heise",
        "1Password für Mac generiert Einmal-Passwörter",
        "de",
        datetime(2015, 4, 8, 12, 46, tzinfo=UTC),
        "Mac & i",
    ),
    (
        "guardian-1",
        "'What is the sea telling us?': Māori tribes fearful over whale strandings | Eleanor Ainge Roy",
        "en",
        datetime(2019, 1, 3, 7, 0, 2, tzinfo=UTC),
        "Eleanor Ainge Roy",
    ),
]


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("page", "title", "language", "published", "author"), METADATA, ids=[m[0] for m in METADATA]
)
def test_metadata_of_real_pages(
    corpus_dir: Path, page: str, title: str, language: str, published: datetime, author: str | None
) -> None:
    article = extract_article(_readability_page(corpus_dir, page))
    assert (article.title, article.language, article.published, article.author) == (
        title,
        language,
        published,
        author,
    )


BENCHMARK_PAGES = ["3c6d3381ef52", "57d46c9d751e", "1ee91d1fce65", "0d46122928b6"]  # ru, Reuters, …


@pytest.mark.corpus
@pytest.mark.parametrize("prefix", BENCHMARK_PAGES)
def test_benchmark_pages_hold_the_first_and_last_sentences_of_the_ground_truth(
    corpus_dir: Path, prefix: str
) -> None:
    root = corpus_dir / "article-pages" / "article-extraction-benchmark"
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    key = next(k for k in truth if k.startswith(prefix))
    expected = [_flat(p) for p in truth[key]["articleBody"].split("\n") if p.strip()]
    text = _flat(extract_article(gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes())).text)
    assert expected[0] in text
    assert expected[-1] in text


def _bench_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_extraction", PROJECT_ROOT / "benchmarks" / "bench_extraction.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.corpus
def test_f1_over_the_benchmark_stays_above_the_floor(corpus_dir: Path) -> None:
    bench = _bench_module()
    pages = bench.scrapinghub_pages(corpus_dir / "article-pages" / "article-extraction-benchmark")
    counts, _ = bench.run(pages, 4, bench.monitor_text)
    _, _, f1 = bench.summarize(list(counts.values()))
    assert f1 >= F1_FLOOR


BOILERPLATE_ONLY = """<html><head><title>Section</title></head><body>
<header class="site-header"><a href="/">Home</a> <a href="/world">World</a></header>
<nav><ul><li><a href="/a">Politics, elections and parties</a></li><li><a href="/b">Economy</a></li></ul></nav>
<div class="cookie-banner">We use cookies, to improve your experience, and to show ads.</div>
<div class="related"><ul><li><a href="/x">Another story about something, somewhere</a></li>
<li><a href="/y">Yet another story, with commas, and more words</a></li></ul></div>
<footer>© 2024 Example News, all rights reserved. <a href="/privacy">Privacy</a></footer>
</body></html>"""

FIRST_PARAGRAPH = (
    "На заводі в Алабузі, за даними розвідки, щомісяця збирають сотні дронів, і виробництво зростає."
)
SECOND_PARAGRAPH = "Партії компонентів, як і раніше, надходять через треті країни, кажуть аналітики."
ARTICLE = f"""<html lang="uk"><head><meta property="og:title" content="Шахеди з Алабуги">
<meta property="article:published_time" content="2024-03-01T10:00:00+02:00">
<meta name="author" content="Олена Коваль"></head><body>
<nav><a href="/">Головна</a> <a href="/news">Новини</a></nav>
<article><h1>Шахеди з Алабуги</h1>
<p>{FIRST_PARAGRAPH}</p>
<p>{SECOND_PARAGRAPH}</p>
</article><footer>Усі права захищено</footer></body></html>"""


EXTRACTIONS = [
    ("boilerplate only", BOILERPLATE_ONLY, ""),
    ("empty bytes", b"", ""),
    ("whitespace", "   \n ", ""),
    ("not html", b"\x00\x01\x02 binary \xff\xfe", ""),
    ("text without markup", "just a line", ""),
]


@pytest.mark.parametrize(("name", "page", "text"), EXTRACTIONS, ids=[e[0] for e in EXTRACTIONS])
def test_pages_without_an_article_give_empty_text(name: str, page: str | bytes, text: str) -> None:
    assert extract_article(page).text == text


def test_a_small_article_is_found_with_its_metadata() -> None:
    article = extract_article(ARTICLE.encode("utf-8"))
    assert article == ExtractedArticle(
        title="Шахеди з Алабуги",
        text="\n\n".join(("Шахеди з Алабуги", FIRST_PARAGRAPH, SECOND_PARAGRAPH)),
        published=datetime(2024, 3, 1, 8, 0, tzinfo=UTC),
        language="uk",
        author="Олена Коваль",
    )


def test_the_declared_charset_of_bytes_is_honoured() -> None:
    page = ARTICLE.replace("<head>", '<head><meta charset="windows-1251">').encode("windows-1251")
    assert "виробництво зростає" in extract_article(page).text


RUSSIAN_PARAGRAPHS = (
    "Завод в Алабуге, по данным разведки, ежемесячно собирает сотни беспилотников, и выпуск растёт.",
    "Партии комплектующих, как и прежде, поступают через третьи страны, говорят аналитики и эксперты.",
    "Грузовые вагоны из КНДР всё чаще пересекают границу на станции Хасан, сообщают местные жители.",
)
RUSSIAN_ARTICLE = "<html><head><title>Завод в Алабуге</title></head><body><article><h1>Завод в Алабуге</h1>"
RUSSIAN_ARTICLE += (
    "".join(f"<p>{paragraph}</p>" for paragraph in RUSSIAN_PARAGRAPHS) + "</article></body></html>"
)

# (how the page is encoded, the HTTP Content-Type): pages without any declaration, decoded as discovery does
UNDECLARED = [
    ("windows-1251", None),
    ("koi8-r", None),
    ("windows-1251", "text/html"),
    ("koi8-r", "text/html; charset=koi8-r"),
    ("utf-8", "text/html; charset=utf-8"),
]


@pytest.mark.parametrize(("encoding", "content_type"), UNDECLARED)
def test_undeclared_cyrillic_pages_are_decoded_by_http_charset_or_detection(
    encoding: str, content_type: str | None
) -> None:
    article = extract_article(RUSSIAN_ARTICLE.encode(encoding), content_type=content_type)
    assert RUSSIAN_PARAGRAPHS[0] in article.text and RUSSIAN_PARAGRAPHS[2] in article.text
    assert (article.title, article.language) == ("Завод в Алабуге", "ru")


def test_the_http_charset_beats_the_page_declaration_and_a_bom_beats_both() -> None:
    lying = RUSSIAN_ARTICLE.replace("<head>", '<head><meta charset="iso-8859-1">').encode("koi8-r")
    assert RUSSIAN_PARAGRAPHS[1] in extract_article(lying, content_type="text/html; charset=KOI8-R").text
    with_bom = b"\xef\xbb\xbf" + RUSSIAN_ARTICLE.encode("utf-8")
    assert RUSSIAN_PARAGRAPHS[1] in extract_article(with_bom, content_type="text/html; charset=koi8-r").text


def test_json_ld_article_body_is_used_when_the_page_body_is_empty() -> None:
    body = "Rail freight through Tumangang and Khasan doubled, officials said. " * 5
    page = (
        '<html><head><script type="application/ld+json">'
        + json.dumps({"@graph": [{"@type": "NewsArticle", "headline": "Rason", "articleBody": body}]})
        + "</script></head><body><div id='app'></div></body></html>"
    )
    article = extract_article(page)
    assert (article.title, article.text) == ("Rason", body.strip())


def test_broken_json_ld_is_ignored() -> None:
    page = ARTICLE.replace("<head>", '<head><script type="application/ld+json">{"broken": </script>')
    assert "виробництво зростає" in extract_article(page).text


def test_huge_input_is_capped_before_parsing() -> None:
    paragraph = "<p>Munitions trains left Rason again, the report said, and more are expected soon.</p>\n"
    head = "<html><body><article>" + paragraph * (MAX_INPUT_BYTES // len(paragraph) + 1)
    page = (
        head + "<p>BEYOND THE CAP, this sentence must never be read by the extractor.</p>" * 1000
    ).encode()
    assert len(page) > MAX_INPUT_BYTES
    text = extract_article(page).text
    assert "Munitions trains left Rason again" in text
    assert "BEYOND THE CAP" not in text


def test_scripts_and_styles_never_reach_the_text() -> None:
    page = ARTICLE.replace("</article>", "<script>alert('x')</script><style>p{color:red}</style></article>")
    text = extract_article(page).text
    assert "alert" not in text and "color" not in text


def test_deeply_nested_markup_is_handled() -> None:
    page = "<html><body>" + "<div>" * 5000 + "<p>Deep, deep, deep text, with commas, " * 3 + "</div>" * 5000
    assert isinstance(extract_article(page), ExtractedArticle)


DATES = [
    (
        '<meta property="article:published_time" content="2024-05-01T12:30:00Z">',
        datetime(2024, 5, 1, 12, 30, tzinfo=UTC),
    ),
    ('<meta name="pubdate" content="2024-05-01T14:30:00+02:00">', datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
    ('<meta name="date" content="Wed, 01 May 2024 12:30:00 GMT">', datetime(2024, 5, 1, 12, 30, tzinfo=UTC)),
    ('<meta name="date" content="2024-05-01">', datetime(2024, 5, 1, tzinfo=UTC)),
    ('<meta name="date" content="yesterday">', None),
    ("", None),
]


@pytest.mark.parametrize(("meta", "published"), DATES)
def test_publication_dates_are_read_as_utc(meta: str, published: datetime | None) -> None:
    assert extract_article(f"<html><head>{meta}</head><body><p>x</p></body></html>").published == published


def test_time_element_gives_the_date_when_meta_tags_do_not() -> None:
    page = '<html><body><article><time datetime="2023-11-20T08:02:00+03:00">20 Nov</time></article></body>'
    assert extract_article(page).published == datetime(2023, 11, 20, 5, 2, tzinfo=UTC)


LANGUAGES = [
    ('<html lang="fr-FR">', "", "fr"),
    ("<html>", '<meta property="og:locale" content="ru_RU">', "ru"),
    ("<html>", '<meta http-equiv="content-language" content="de">', "de"),
    ("<html lang='english'>", "", None),
    ("<html>", "", None),
]


@pytest.mark.parametrize(("tag", "meta", "language"), LANGUAGES)
def test_language_from_the_page_declarations(tag: str, meta: str, language: str | None) -> None:
    page = f"{tag}<head>{meta}</head><body><p>x</p></body></html>"
    assert extract_article(page).language == language


def test_language_is_detected_from_the_text_when_the_page_declares_none() -> None:
    page = f"<html><body><article><p>{FIRST_PARAGRAPH}</p><p>{SECOND_PARAGRAPH}</p></article></body></html>"
    assert extract_article(page).language == "uk"
