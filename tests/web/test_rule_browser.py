"""The rule workshop in a real browser (Debian's chromium driven by Playwright): an analyst breaks a rule
and sees the caret under the fault, fixes it, watches the preview change, saves it (rules.yaml keeps its
comments), sees the next poll apply the saved rule, is refused a save over someone else's edit, and rolls
back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.desk import ITEMS, DeskSite
from tests.support.feed_server import FeedServer
from tests.support.watch_config import rss
from tests.web.conftest import api
from tests.web.test_browser import browser, login

sync_api = pytest.importorskip("playwright.sync_api")
COMMENT = "# The rules of the test desk: this comment must survive every save.\n"
NEXT_ITEMS = [
    ("en-3", "Geran assembly line in Yelabuga", "Geran drones are built there."),
    ("en-4", "Shahed debris in Odesa", "Shahed fragments were found."),
]
__all__ = ["browser"]


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    context.set_default_timeout(60_000)
    opened = context.new_page()
    yield opened
    context.close()


def _type_query(page: object, query: str) -> None:
    page.fill("#query", query)  # type: ignore[attr-defined]


def test_edit_preview_save_poll_conflict_and_rollback(
    page: object, site: DeskSite, feeds: FeedServer
) -> None:
    expect = sync_api.expect
    rules_file = site.config_dir / "rules.yaml"
    original = COMMENT + rules_file.read_text(encoding="utf-8")
    rules_file.write_text(original, encoding="utf-8")
    login(page, site, "ana")
    page.goto(f"{site.url}/rules")  # type: ignore[attr-defined]
    page.click("#rule-drones a.button")  # type: ignore[attr-defined]
    expect(page.locator("#preview .preview-summary")).to_contain_text("Matches 3")  # type: ignore[attr-defined]

    _type_query(page, "shahed OR (geran AND")
    caret = page.locator("#check pre.caret")  # type: ignore[attr-defined]
    expect(caret).to_have_text("shahed OR (geran AND\n" + " " * 17 + "^^^")
    expect(page.locator("#check .where")).to_have_text("line 1, column 18")  # type: ignore[attr-defined]
    assert caret.inner_text().split("\n")[1] == " " * 17 + "^^^"  # under AND, column 18

    _type_query(page, "geran")
    expect(page.locator("#check .check-ok")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.locator("#dropped-count")).to_have_text("−2")  # type: ignore[attr-defined]
    _type_query(page, "geran OR шахеды")
    expect(page.locator("#dropped-count")).to_have_text("−1")  # type: ignore[attr-defined]
    expect(page.locator("ul.dropped")).to_contain_text("Des drones Shahed assemblés en Russie")  # type: ignore[attr-defined]
    expect(page.locator("#added-count")).to_have_text("+0")  # type: ignore[attr-defined]

    page.click("#save")  # type: ignore[attr-defined]
    expect(page.locator("p.created")).to_contain_text("saved rule 'drones'")  # type: ignore[attr-defined]
    saved = rules_file.read_text(encoding="utf-8")
    assert saved.startswith(COMMENT) and "query: geran OR шахеды" in saved
    assert saved.replace("geran OR шахеды", "shahed OR geran OR шахед OR шахеды OR дрон") == original
    with api(site, "vic") as vic:
        assert vic.get("/rules/drones").json()["query"] == "geran OR шахеды"  # the desk took the change
    feeds.serve("/news.xml", rss([*ITEMS, *NEXT_ITEMS]))  # the next poll: the saved rule decides
    site.poll(["news"])
    page.goto(f"{site.url}/?rule=drones")  # type: ignore[attr-defined]
    rows = page.locator("tr.hit-row")  # type: ignore[attr-defined]
    expect(rows.filter(has_text="Geran assembly line in Yelabuga")).to_have_count(1)
    expect(rows.filter(has_text="Shahed debris in Odesa")).to_have_count(0)  # only the old rule had shahed

    page.goto(f"{site.url}/rules/drones/edit")  # type: ignore[attr-defined]
    rules_file.write_text(saved + "# edited by hand meanwhile\n", encoding="utf-8")
    _type_query(page, "geran")
    page.click("#save")  # type: ignore[attr-defined]
    expect(page.locator("main")).to_contain_text("changed on disk")  # type: ignore[attr-defined]
    assert rules_file.read_text(encoding="utf-8").endswith("# edited by hand meanwhile\n")

    rules_file.write_text(saved, encoding="utf-8")
    page.goto(f"{site.url}/rules/drones/edit")  # type: ignore[attr-defined]
    page.click("section.history button.rollback")  # type: ignore[attr-defined]
    expect(page.locator("p.created")).to_contain_text("rolled back change")  # type: ignore[attr-defined]
    assert rules_file.read_text(encoding="utf-8") == original
