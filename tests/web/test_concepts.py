"""The concept editor's live preview: every rule using the concept (directly or through another concept)
previewed with the draft alternatives, through the API and the editor's partial."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.desk import DeskSite, desk_config, desk_feeds, start_site
from tests.support.feed_server import FeedServer
from tests.web.conftest import api
from tests.web.test_pages import Browser

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
