"""parse_opml / write_opml: subscription lists from other readers, read safely and written back."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.parsing.opml import MAX_OPML_BYTES, OpmlOutline, parse_opml, write_opml

NESTED = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Exported from a reader</title></head>
  <body>
    <outline text="Russia">
      <outline text="Drones">
        <outline type="rss" text="Meduza" title="Meduza EN" xmlUrl="https://meduza.io/rss/en/all"
                 htmlUrl="https://meduza.io/en" language="en"/>
      </outline>
      <outline type="rss" text="Kommersant" xmlUrl="https://www.kommersant.ru/RSS/news.xml"
               category="/Press/Business,rail"/>
    </outline>
    <outline type="rss" title="Le Monde" xmlurl=" https://www.lemonde.fr/rss/une.xml "/>
    <outline type="rss" xmlUrl="https://example.org/no-title.xml"/>
    <outline text="Empty folder"/>
  </body>
</opml>"""

EXPECTED_NESTED = [
    OpmlOutline("Meduza", "https://meduza.io/rss/en/all", "https://meduza.io/en", ("Russia", "Drones"), "en"),
    OpmlOutline(
        "Kommersant", "https://www.kommersant.ru/RSS/news.xml", None, ("Russia", "Press", "Business", "rail")
    ),
    OpmlOutline("Le Monde", "https://www.lemonde.fr/rss/une.xml"),
    OpmlOutline("https://example.org/no-title.xml", "https://example.org/no-title.xml"),
]


def test_nested_folders_become_tags_and_attributes_are_read_in_any_case() -> None:
    assert parse_opml(NESTED) == EXPECTED_NESTED


# (document, the reason given)
INVALID = [
    (b"", "not valid XML"),
    (b"<opml><body><outline", "not valid XML"),
    (b"<rss version='2.0'><channel/></rss>", "root element is not <opml>"),
    (b"<opml version='2.0'><head/></opml>", "no <body> element"),
    (b"\xff\xfe garbage", "not valid XML"),
]


@pytest.mark.parametrize(("data", "reason"), INVALID)
def test_invalid_documents_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_opml(data)


def test_external_entities_are_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = f"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file://{secret}">]>
<opml version="2.0"><body><outline text="a&xxe;" xmlUrl="https://example.org/feed"/></body></opml>"""
    with pytest.raises(ValueError, match="external entity") as error:
        parse_opml(data.encode())
    assert "TOP-SECRET" not in str(error.value)


def test_entity_expansion_bombs_are_refused() -> None:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)
    )
    data = f"""<?xml version="1.0"?><!DOCTYPE opml [{entities}]>
<opml version="2.0"><body><outline text="&i;" xmlUrl="https://example.org/feed"/></body></opml>"""
    with pytest.raises(ValueError, match="not valid XML"):
        parse_opml(data.encode())


def test_oversized_documents_are_refused() -> None:
    with pytest.raises(ValueError, match="too large"):
        parse_opml(b" " * (MAX_OPML_BYTES + 1))


def test_written_opml_is_read_back_unchanged() -> None:
    assert parse_opml(write_opml(EXPECTED_NESTED)) == EXPECTED_NESTED


def test_written_opml_is_plain_opml_2() -> None:
    data = write_opml([OpmlOutline("Yonhap", "https://en.yna.co.kr/RSS/news.xml", tags=("Korea",))])
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<opml version=\"2.0\">")
    assert b'category="Korea"' in data and b'xmlUrl="https://en.yna.co.kr/RSS/news.xml"' in data


_text = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
_tag = _text.filter(lambda tag: "," not in tag and "/" not in tag)
_outline = st.builds(
    OpmlOutline,
    title=_text,
    xml_url=_text.map(lambda s: "https://example.org/" + s),
    html_url=st.none() | _text.map(lambda s: "https://example.org/" + s),
    tags=st.lists(_tag, unique=True, max_size=4).map(tuple),
    language=st.none() | st.sampled_from(["fr", "en", "uk", "ru", "de"]),
)


@given(st.lists(_outline, max_size=5))
def test_any_list_of_outlines_round_trips(outlines: list[OpmlOutline]) -> None:
    assert parse_opml(write_opml(outlines)) == outlines
