"""Stories in a real browser (Debian's chromium driven by Playwright): the hit log shows a story told by
three outlets in two languages as one row, which unfolds (key e) to its hits; its page lists them on a
timeline; triage there marks every hit of it, as the hit log then shows; triage of one hit of an unfolded
story updates the story's row in place."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.desk import DeskSite
from tests.support.desk_stories import ALONE, RULE, STORY, story_site, titles
from tests.web.conftest import api
from tests.web.test_browser import SCREENSHOTS, browser, login, page

sync_api = pytest.importorskip("playwright.sync_api")
__all__ = ["browser", "page"]
WAIT = 30_000
"""How long an expectation waits for the page (ms): the machine is loaded."""


@pytest.fixture(scope="module")
def story_desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeskSite]:
    directory: Path = tmp_path_factory.mktemp("stories")
    with story_site(f"sqlite:///{directory / 'monitor.db'}", directory) as site:
        yield site


def test_a_story_is_one_row_that_unfolds_and_its_triage_marks_every_hit(
    page: object, story_desk: DeskSite
) -> None:
    expect = sync_api.expect
    login(page, story_desk, "ana")
    story_row = page.locator("tr.story-row")  # type: ignore[attr-defined]
    expect(story_row).to_have_count(1, timeout=WAIT)
    expect(story_row.locator("p.spread")).to_contain_text("3 sources in 2 languages", timeout=WAIT)
    expect(page.locator("tr.hit-row")).to_have_count(2, timeout=WAIT)  # type: ignore[attr-defined]
    expect(page.locator("tr.hit-row:not(.story-row) a.title")).to_have_text(titles(ALONE), timeout=WAIT)  # type: ignore[attr-defined]

    rows = page.locator("tr.hit-row").evaluate_all("rows => rows.map(row => row.className)")  # type: ignore[attr-defined]
    position = next(index for index, names in enumerate(rows) if "story-row" in names)
    for _ in range(position + 1):
        page.keyboard.press("j")  # type: ignore[attr-defined]
    page.keyboard.press("e")  # type: ignore[attr-defined]
    members = page.locator("tbody.story tr.hit-row:not(.story-row)")  # type: ignore[attr-defined]
    expect(members).to_have_count(3, timeout=WAIT)
    assert sorted(members.locator("a.title").all_inner_texts()) == sorted(titles(*STORY))
    assert page.evaluate("window.__xss === undefined")  # type: ignore[attr-defined]
    page.screenshot(path=str(SCREENSHOTS / "desk-story-unfolded.png"), full_page=False)  # type: ignore[attr-defined]

    page.click("tr.story-row a.title")  # type: ignore[attr-defined]
    page.wait_for_selector("ol.timeline")  # type: ignore[attr-defined]
    entries = page.locator("ol.timeline li.entry")  # type: ignore[attr-defined]
    expect(entries).to_have_count(3, timeout=WAIT)
    assert sorted(entries.locator("a.title").all_inner_texts()) == sorted(titles(*STORY))
    assert sorted(entries.locator(".lang").all_inner_texts()) == ["en", "en", "fr"]
    assert page.evaluate("window.__xss === undefined"), "the daily's hostile headline is text"  # type: ignore[attr-defined]
    assert page.locator("main img, main script").count() == 0  # type: ignore[attr-defined]
    page.select_option("#story-triage select[name=rule]", RULE)  # type: ignore[attr-defined]
    page.click("#story-triage button.act-relevant")  # type: ignore[attr-defined]
    expect(entries.locator(".hits .state")).to_have_text(["relevant"] * 3, timeout=WAIT)
    page.screenshot(path=str(SCREENSHOTS / "desk-story.png"), full_page=True)  # type: ignore[attr-defined]

    page.goto(f"{story_desk.url}/")  # type: ignore[attr-defined]
    expect(page.locator("tr.story-row.state-relevant")).to_have_count(1, timeout=WAIT)  # type: ignore[attr-defined]
    page.click("tr.story-row a.act-expand")  # type: ignore[attr-defined]
    expect(page.locator("tbody.story tr.hit-row.state-relevant:not(.story-row)")).to_have_count(
        3, timeout=WAIT
    )  # type: ignore[attr-defined]
    with api(story_desk, "vic") as client:
        states = {hit["title"]: hit["state"] for hit in client.get("/hits").json()["hits"]}
    assert {states[title] for title in titles(*STORY)} == {"relevant"}
    assert states[titles(ALONE)[0]] == "new"


def test_triage_of_one_hit_of_an_unfolded_story_updates_the_story_row_without_a_reload(
    page: object, story_desk: DeskSite
) -> None:
    expect = sync_api.expect
    login(page, story_desk, "ana")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)  # type: ignore[attr-defined]
    story_row = page.locator("tr.story-row")  # type: ignore[attr-defined]
    story_row.locator("form.act-relevant button").click()
    expect(story_row).to_have_class("hit-row story-row state-relevant", timeout=WAIT)
    story_row.locator("a.act-expand").click()
    members = page.locator("tbody.story tr.hit-row:not(.story-row)")  # type: ignore[attr-defined]
    expect(members).to_have_count(3, timeout=WAIT)
    members.first.locator("form.act-irrelevant button").click()
    expect(members.first).to_have_class("hit-row state-irrelevant", timeout=WAIT)
    expect(story_row.locator("span.state")).to_have_text("mixed", timeout=WAIT)
    expect(story_row.locator("small.states")).to_have_text("2 relevant, 1 irrelevant", timeout=WAIT)
    expect(page.locator("tr.story-row")).to_have_count(1)  # type: ignore[attr-defined]
    expect(members).to_have_count(3)
    assert page.evaluate("window.__xss === undefined")  # type: ignore[attr-defined]
    assert not [error for error in errors if "Content Security Policy" in error], errors
