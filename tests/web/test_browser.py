"""The desk in a real browser (Debian's chromium driven by Playwright): what an analyst does all day."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.settings import build_settings
from monitor.storage.hitlog import HitFilter, hit_page
from monitor.web.server import setup_link
from tests.conftest import PROJECT_ROOT
from tests.support.desk import PASSWORD, XSS_PAYLOADS, DeskSite, desk_config, start_site
from tests.support.feed_server import FeedServer
from tests.support.watch_config import rss
from tests.support.webhook_receiver import WebhookReceiver
from tests.web.conftest import api

sync_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path(os.environ.get("MONITOR_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = (
    PROJECT_ROOT / "docs"
    if os.environ.get("MONITOR_UPDATE_SCREENSHOTS")
    else Path(tempfile.mkdtemp(prefix="monitor-screenshots-"))
)
"""Where the browser tests save the desk's screenshots: the README's pictures in docs/ when
MONITOR_UPDATE_SCREENSHOTS is set, else a scratch folder (a test run leaves the checkout as it was)."""


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One chromium for the module; closed with it, since Playwright holds an event loop in this thread."""
    if not CHROMIUM.exists():
        message = f"chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    context.set_default_timeout(30_000)
    opened = context.new_page()
    yield opened
    context.close()


def login(page: object, site: DeskSite, name: str) -> None:
    page.goto(f"{site.url}/login")  # type: ignore[attr-defined]
    page.fill("input[name=name]", name)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("table.hits")  # type: ignore[attr-defined]


def state_of(site: DeskSite, title: str) -> set[tuple[str, str, bool]]:
    with site.database.read_session() as session:
        rows = hit_page(session, HitFilter(), limit=500).rows
    return {(row.rule, row.state, row.starred) for row in rows if row.title == title}


def test_the_setup_link_creates_the_first_admin_once(page: object, tmp_path: Path) -> None:
    config_dir = desk_config(tmp_path / "config", {})
    site = start_site(f"sqlite:///{tmp_path / 'monitor.db'}", config_dir, users=False, poll=False)
    try:
        link = setup_link(site.database, build_settings(), site.url)
        assert link is not None
        page.goto(link)  # type: ignore[attr-defined]
        page.fill("input[name=name]", "ada")  # type: ignore[attr-defined]
        page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
        page.fill("input[name=repeat]", PASSWORD)  # type: ignore[attr-defined]
        page.click("button[type=submit]")  # type: ignore[attr-defined]
        page.wait_for_selector("table.hits")  # type: ignore[attr-defined]
        assert "ada" in page.inner_text("header")  # type: ignore[attr-defined]
        again = page.goto(link)  # type: ignore[attr-defined]
        assert again.status == 404 and "has been used" in page.inner_text("main")  # type: ignore[attr-defined]
    finally:
        site.stop()


def test_keyboard_triage(page: object, site: DeskSite) -> None:
    login(page, site, "ana")
    page.goto(f"{site.url}/?rule=korea")  # type: ignore[attr-defined]
    first = page.inner_text("tr.hit-row >> nth=0 >> a.title")  # type: ignore[attr-defined]
    second = page.inner_text("tr.hit-row >> nth=1 >> a.title")  # type: ignore[attr-defined]
    page.keyboard.press("j")  # type: ignore[attr-defined]
    page.keyboard.press("r")  # type: ignore[attr-defined]
    page.wait_for_selector("tr.hit-row.state-relevant")  # type: ignore[attr-defined]
    page.keyboard.press("s")  # type: ignore[attr-defined]
    page.wait_for_selector("tr.hit-row >> nth=0 >> button.on")  # type: ignore[attr-defined]
    page.keyboard.press("j")  # type: ignore[attr-defined]
    page.keyboard.press("x")  # type: ignore[attr-defined]
    page.wait_for_selector("tr.hit-row.state-irrelevant")  # type: ignore[attr-defined]
    assert ("korea", "relevant", True) in state_of(site, first)
    assert ("korea", "irrelevant", False) in state_of(site, second)
    page.keyboard.press("?")  # type: ignore[attr-defined]
    assert page.is_visible("dialog#help")  # type: ignore[attr-defined]
    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    page.keyboard.press("o")  # type: ignore[attr-defined]
    page.wait_for_selector("article.reader")  # type: ignore[attr-defined]
    assert page.inner_text("article.reader h1") == second  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("typed", "expected", "marked"),
    [
        ("coree", "La Corée du Nord envoie des obus", "Corée"),
        ("самолет", "Самолёт с грузом из Кореи", "самолёт"),
    ],
)
def test_search_without_accents_in_french_and_russian(
    page: object, site: DeskSite, typed: str, expected: str, marked: str
) -> None:
    login(page, site, "vic")
    page.keyboard.press("/")  # type: ignore[attr-defined]
    page.keyboard.type(typed)  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url("**q=*")  # type: ignore[attr-defined]
    assert page.locator("tr.hit-row a.title").all_inner_texts() == [expected]  # type: ignore[attr-defined]
    assert marked in page.locator("tr.hit-row mark").all_inner_texts()  # type: ignore[attr-defined]


def test_filter_then_bulk_mark_the_whole_filter_then_export_it(page: object, site: DeskSite) -> None:
    login(page, site, "ana")
    page.select_option("select[name=rule]", "drones")  # type: ignore[attr-defined]
    page.click("form.filters button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url("**rule=drones*")  # type: ignore[attr-defined]
    rules = page.locator("tr.hit-row td.rules span.rule:not(.other)").all_inner_texts()  # type: ignore[attr-defined]
    expected = api(site, "ana").get("/hits", params={"rule": "drones"}).json()["hits"]
    assert set(rules) == {"drones"} and len(rules) == len(expected) >= 3
    page.select_option("form#bulk select[name=action]", "seen")  # type: ignore[attr-defined]
    page.click("#bulk-filter")  # type: ignore[attr-defined]
    page.wait_for_selector("tr.hit-row.state-seen")  # type: ignore[attr-defined]
    states = page.locator("tr.hit-row span.state").all_inner_texts()  # type: ignore[attr-defined]
    assert set(states) == {"seen"}
    with page.expect_download() as download:  # type: ignore[attr-defined]
        page.click("#export-csv")  # type: ignore[attr-defined]
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("id,rule,state") and len(lines) == len(expected) + 1
    assert all(",drones,seen," in line for line in lines[1:])


def test_article_highlights_notes_and_tags(page: object, site: DeskSite) -> None:
    login(page, site, "ana")
    page.goto(f"{site.url}/?q=coree")  # type: ignore[attr-defined]
    page.screenshot(path=str(SCREENSHOTS / "desk-hit-log.png"), full_page=False)  # type: ignore[attr-defined]
    page.click("tr.hit-row a.title")  # type: ignore[attr-defined]
    page.wait_for_selector("article.reader")  # type: ignore[attr-defined]
    assert page.locator("article.reader h1 mark").all_inner_texts() == ["Corée"]  # type: ignore[attr-defined]
    assert "Corée" in page.locator("div.text mark").all_inner_texts()  # type: ignore[attr-defined]
    page.fill("#tag-form input[name=tag]", "khasan")  # type: ignore[attr-defined]
    page.click("#tag-form button")  # type: ignore[attr-defined]
    page.wait_for_selector("p.tags .tag")  # type: ignore[attr-defined]
    page.fill("#note-form textarea", "Watch <b>Khasan</b> next week")  # type: ignore[attr-defined]
    page.click("#note-form button")  # type: ignore[attr-defined]
    page.wait_for_selector("div.note")  # type: ignore[attr-defined]
    assert page.inner_text("div.note p.body") == "Watch <b>Khasan</b> next week"  # type: ignore[attr-defined]
    assert page.inner_text("p.tags") == "khasan"  # type: ignore[attr-defined]
    assert "seen" in page.inner_text("ul.events")  # type: ignore[attr-defined]
    page.screenshot(path=str(SCREENSHOTS / "desk-article.png"), full_page=True)  # type: ignore[attr-defined]


def test_a_viewer_sees_no_edit_controls_and_a_forced_post_is_refused(page: object, site: DeskSite) -> None:
    login(page, site, "vic")
    assert page.locator("form#bulk, td.actions, .act-star").count() == 0  # type: ignore[attr-defined]
    hit_id = page.get_attribute("tr.hit-row >> nth=0", "id").removeprefix("hit-")  # type: ignore[attr-defined]
    before = api(site, "vic").get(f"/hits/{hit_id}").json()
    page.click("tr.hit-row >> nth=0 >> a.title")  # type: ignore[attr-defined]
    page.wait_for_selector("article.reader")  # type: ignore[attr-defined]
    assert page.locator("#note-form, #tag-form, section.triage").count() == 0  # type: ignore[attr-defined]
    csrf = page.get_attribute("body", "data-csrf")  # type: ignore[attr-defined]
    forced = page.request.post(  # type: ignore[attr-defined]
        f"{site.url}/hits/{hit_id}/state", form={"state": "relevant", "csrf_token": csrf}
    )
    after = api(site, "vic").get(f"/hits/{hit_id}").json()
    assert forced.status == 403
    assert (after["state"], after["events"], after["notes"]) == (
        before["state"],
        before["events"],
        before["notes"],
    )


def test_a_change_without_its_csrf_token_is_refused(page: object, site: DeskSite) -> None:
    login(page, site, "ana")
    hit_id = page.get_attribute("tr.hit-row >> nth=0", "id").removeprefix("hit-")  # type: ignore[attr-defined]
    before = api(site, "ana").get(f"/hits/{hit_id}").json()
    missing = page.request.post(f"{site.url}/hits/{hit_id}/state", form={"state": "irrelevant"})  # type: ignore[attr-defined]
    wrong = page.request.post(  # type: ignore[attr-defined]
        f"{site.url}/hits/{hit_id}/state", form={"state": "irrelevant", "csrf_token": "guess"}
    )
    after = api(site, "ana").get(f"/hits/{hit_id}").json()
    assert (missing.status, wrong.status) == (403, 403)
    assert after["state"] == before["state"] and len(after["events"]) == len(before["events"])


def test_hostile_feed_text_is_shown_as_text_and_nothing_runs(page: object, site: DeskSite) -> None:
    login(page, site, "ana")
    response = page.goto(f"{site.url}/?rule=hostile")  # type: ignore[attr-defined]
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("tr.hit-row").count() == len(XSS_PAYLOADS)  # type: ignore[attr-defined]
    for index in range(len(XSS_PAYLOADS)):
        page.goto(f"{site.url}/?rule=hostile")  # type: ignore[attr-defined]
        page.hover(f"tr.hit-row >> nth={index}")  # type: ignore[attr-defined]
        page.click(f"tr.hit-row >> nth={index} >> a.title")  # type: ignore[attr-defined]
        page.wait_for_selector("article.reader")  # type: ignore[attr-defined]
        page.hover("article.reader h1")  # type: ignore[attr-defined]
        assert page.evaluate("window.__xss === undefined")  # type: ignore[attr-defined]
        assert page.locator("article.reader script, article.reader img, article.reader svg").count() == 0  # type: ignore[attr-defined]
    titles = api(site, "ana").get("/hits", params={"rule": "hostile", "limit": 50}).json()["hits"]
    assert any("<script>" in hit["title"] for hit in titles)  # stored as written, shown as text


def test_an_analyst_checks_a_source_now_by_click_and_by_keyboard(
    page: object, feeds: FeedServer, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    wire = [("b-1", "Korea rail freight grows", "Freight trains cross from North Korea.")]
    url = feeds.serve("/browser-wire.xml", rss(wire))
    channels = {"analysts": receiver.apprise_url("/browser")}
    config_dir = desk_config(tmp_path / "config", {"wire": url}, channels=channels)
    site = start_site(f"sqlite:///{tmp_path / 'monitor.db'}", config_dir)
    try:
        login(page, site, "ana")
        page.goto(f"{site.url}/sources")  # type: ignore[attr-defined]
        feeds.route("/browser-wire.xml").body = rss([*wire, ("b-2", "Shahed drones over Kharkiv", "Geran.")])
        page.click("button[aria-label='Check wire now']")  # type: ignore[attr-defined]
        found = page.wait_for_selector("p.created:has-text('checked')")  # type: ignore[attr-defined]
        assert "checked 'wire': 1 new article, 1 new hit; alerts: 1 sent" in found.inner_text()
        assert "Shahed drones over Kharkiv" in page.goto(f"{site.url}/?rule=drones").text()  # type: ignore[attr-defined]

        page.goto(f"{site.url}/sources")  # type: ignore[attr-defined]
        page.focus("button[aria-label='Check wire now']")  # type: ignore[attr-defined]
        focused = page.evaluate("document.activeElement.getAttribute('aria-label')")  # type: ignore[attr-defined]
        assert focused == "Check wire now"
        page.keyboard.press("Enter")  # type: ignore[attr-defined]
        again = page.wait_for_selector("p.created:has-text('nothing new')")  # type: ignore[attr-defined]
        assert again.inner_text() == "checked 'wire': nothing new (not modified)"
        assert len(feeds.requests_for("/browser-wire.xml")) == 3
    finally:
        site.stop()
