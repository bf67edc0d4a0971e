"""The concept editor's live preview: every rule using the concept (directly or through another concept)
previewed with the draft alternatives, through the API, the editor's partial, and in a real browser as the
analyst types."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.desk import DeskSite, desk_config, desk_feeds, start_site
from tests.support.feed_server import FeedServer
from tests.web.conftest import api
from tests.web.test_browser import browser, login
from tests.web.test_pages import Browser

sync_api = pytest.importorskip("playwright.sync_api")
__all__ = ["browser"]

RULES = """\
rules:
  - name: drones
    query: "@uav OR дрон"
    channels: [analysts]
  - name: threats
    query: "@threats"
    channels: [analysts]
  - name: korea
    query: corée OR korea
    channels: [analysts]
"""
CONCEPTS = """\
concepts:
  uav: [shahed, geran, шахеды]
  threats: ["@uav", missile]
"""


@pytest.fixture(scope="module")
def concept_site(feeds: FeedServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeskSite]:
    directory = tmp_path_factory.mktemp("desk")
    config_dir = desk_config(directory / "config", desk_feeds(feeds))
    (config_dir / "rules.yaml").write_text(RULES, encoding="utf-8")
    (config_dir / "concepts.yaml").write_text(CONCEPTS, encoding="utf-8")
    desk = start_site(f"sqlite:///{directory / 'monitor.db'}", config_dir)
    yield desk
    desk.stop()


def test_a_draft_concept_is_previewed_in_every_rule_that_uses_it(concept_site: DeskSite) -> None:
    with api(concept_site, "ana") as ana:
        response = ana.post(
            "/concepts/uav/preview", json={"alternatives": ["shahed", "geran"], "since": "all"}
        )
        assert response.status_code == 200, response.text
        effects = {effect["rule"]: effect for effect in response.json()["rules"]}
        assert set(effects) == {"drones", "threats"}  # threats through @threats; korea does not use it
        for effect in effects.values():
            assert effect["error"] is None and effect["added_count"] == 0, effect
            assert [a["title"] for a in effect["dropped"]] == ["Шахеды над Харьковом"], effect
        wider = ana.post(
            "/concepts/uav/preview", json={"alternatives": ["shahed", "geran", "шахеды", "korea"]}
        )
        added = {e["rule"]: {a["title"] for a in e["added"]} for e in wider.json()["rules"]}
        assert added["drones"] == {"Korea rail freight grows"} == added["threats"]
        broken = ana.post("/concepts/uav/preview", json={"alternatives": ["@nowhere"]}).json()["rules"]
        assert all("does not compile" in effect["error"] for effect in broken)
        assert ana.post("/concepts/nothing/preview", json={"alternatives": ["x"]}).status_code == 404
    with api(concept_site, "vic") as vic:
        assert vic.post("/concepts/uav/preview", json={"alternatives": ["x"]}).status_code == 403


def test_the_concept_editor_shows_the_rules_using_it_and_their_preview(concept_site: DeskSite) -> None:
    ana = Browser(concept_site, "ana")
    page = ana.client.get("/concepts/uav/edit").text
    assert 'hx-post="/concepts/uav/preview"' in page and 'href="/rules/threats/edit"' in page
    partial = ana.post("/concepts/uav/preview", alternatives="shahed\ngeran\n", window="all").text
    assert partial.count('class="concept-rule"') == 2
    assert 'id="rule-1-dropped-count">−1<' in partial and "Шахеды над Харьковом" in partial
    refused = ana.client.post("/concepts/uav/preview", data={"alternatives": "shahed"})  # no CSRF token
    assert refused.status_code == 403


def test_the_preview_follows_the_concept_as_it_is_typed_in_a_browser(
    browser: object, concept_site: DeskSite
) -> None:
    expect = sync_api.expect
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    context.set_default_timeout(60_000)
    page = context.new_page()
    try:
        login(page, concept_site, "ana")
        page.goto(f"{concept_site.url}/concepts/uav/edit")
        sections = page.locator("section.concept-rule")
        expect(sections).to_have_count(2)
        expect(page.locator("#rule-1-dropped-count")).to_have_text("−0")
        page.fill("#alternatives", "shahed\ngeran")
        expect(page.locator("#rule-1-dropped-count")).to_have_text("−1")
        expect(sections.filter(has_text="threats").locator("ul.dropped")).to_contain_text(
            "Шахеды над Харьковом"
        )
        page.fill("#alternatives", "shahed\ngeran\nшахеды\nkorea")
        expect(page.locator("#rule-2-added-count")).to_have_text("+1")
        expect(sections.filter(has_text="drones").locator("ul.added")).to_contain_text("Korea rail freight")
    finally:
        context.close()
