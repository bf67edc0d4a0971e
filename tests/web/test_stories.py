"""Stories in the desk, over HTTP, on SQLite and PostgreSQL: the hit log's one row per story (unfolding to
its hits, paged without showing a story twice), the story's page, triage of a whole story (recorded as the
triage of each hit: audit trail, counts), and the stories API with its permissions; a plain row of a story
links to it, and triage of one hit of an unfolded story brings its row back updated."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup, Tag

from monitor import clock
from monitor.storage.hitlog import Cursor, HitFilter
from monitor.storage.stories import _merge
from monitor.storage.storylog import group_page
from monitor.storage.tables import Hit, Story
from tests.conftest import make_postgres_database
from tests.support.desk import DeskSite
from tests.support.desk_stories import ALONE, RULE, STORY, story_site, titles
from tests.web.conftest import api
from tests.web.test_pages import Browser


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def story_desk(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DeskSite]:
    directory = tmp_path_factory.mktemp("stories")
    if request.param == "sqlite":
        with story_site(f"sqlite:///{directory / 'monitor.db'}", directory) as site:
            yield site
        return
    for url in make_postgres_database():
        with story_site(url, directory) as site:
            yield site


def soup(response: httpx.Response) -> BeautifulSoup:
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def story_id(site: DeskSite) -> int:
    with api(site, "vic") as client:
        found = client.get("/stories").json()["stories"]
    return next(story["id"] for story in found if len(story["articles"]) == 3)


def hits_of(site: DeskSite) -> dict[str, tuple[str, str]]:
    """Title → (rule, state) of every hit."""
    with api(site, "vic") as client:
        return {hit["title"]: (hit["rule"], hit["state"]) for hit in client.get("/hits").json()["hits"]}


def test_the_hit_log_shows_one_row_per_story_that_unfolds_to_its_hits(story_desk: DeskSite) -> None:
    reader = Browser(story_desk, "vic")
    page = soup(reader.client.get("/"))
    rows = page.select("table.hits tr.hit-row")
    story_rows = page.select("tr.story-row")
    assert len(story_rows) == 1 and len(rows) == 2, "the story's three hits are one row, the other its own"
    row = story_rows[0]
    assert "3 sources in 2 languages" in row.select_one("p.spread").get_text()
    assert row.select_one("a.title").get_text() in titles(*STORY)
    assert row.select_one("a.title")["href"] == f"/stories/{story_id(story_desk)}"
    assert [span.get_text() for span in row.select("td.rules span.rule")] == [RULE]
    assert page.select_one("tr.hit-row:not(.story-row) a.title").get_text() == titles(ALONE)[0]

    toggle = row.select_one("a.act-expand")["hx-get"]
    unfolded = soup(reader.client.get(toggle, headers={"HX-Request": "true"}))
    members = unfolded.select("tbody.story tr.hit-row:not(.story-row) a.title")
    assert sorted(a.get_text() for a in members) == sorted(titles(*STORY))
    folded = unfolded.select_one("a.act-expand")["hx-get"]
    assert len(soup(reader.client.get(folded, headers={"HX-Request": "true"})).select("tr.hit-row")) == 1
    plain = reader.client.get(toggle)
    assert plain.status_code == 303 and plain.headers["location"] == f"/stories/{story_id(story_desk)}"

    searched = soup(reader.client.get("/", params={"q": "alabuga"}))
    assert len(searched.select("tr.story-row")) == 1 and len(searched.select("tr.hit-row")) == 2

    french = soup(reader.client.get("/", params={"language": "fr"}))
    assert not french.select("tr.story-row"), "one article of the story in the filter: a plain hit row"
    assert [a.get_text() for a in french.select("tr.hit-row a.title")] == titles(STORY[2])


def test_pages_of_stories_show_each_story_once(story_desk: DeskSite) -> None:
    """The story's hits on either side of the other article's in the log: the page after the story's meets
    it again deeper down and leaves it out."""
    with api(story_desk, "vic") as client:
        ids = {hit["title"]: hit["id"] for hit in client.get("/hits").json()["hits"]}
    now = clock.now()
    times = {titles(STORY[0])[0]: 3, titles(ALONE)[0]: 2, titles(STORY[1])[0]: 1, titles(STORY[2])[0]: 1}
    with story_desk.database.session() as session:
        for title, minutes in times.items():
            session.execute(
                sa.update(Hit).where(Hit.id == ids[title]).values(matched_at=now - timedelta(minutes=minutes))
            )
        session.commit()
    shown, cursor = [], None
    with story_desk.database.read_session() as session:
        while True:
            page = group_page(session, HitFilter(), after=cursor, limit=1)
            shown += [
                (group.story_id is not None and group.articles, group.lead.title) for group in page.groups
            ]
            if page.next_cursor is None:
                break
            cursor = Cursor.decode(page.next_cursor)
    assert [articles for articles, _ in shown] == [3, 1]
    assert shown[0][1] == titles(STORY[0])[0], "the story's earliest hit stands for it"
    assert shown[1][1] == titles(ALONE)[0]


def test_the_story_page_lists_its_articles_on_a_timeline(story_desk: DeskSite) -> None:
    story = story_id(story_desk)
    reader = Browser(story_desk, "vic")
    page = soup(reader.client.get(f"/stories/{story}"))
    entries = page.select("ol.timeline li.entry")
    listed = {
        entry.select_one("a.title").get_text(): (
            entry.select_one(".source").get_text(),
            entry.select_one(".lang").get_text(),
            entry.select_one("a.title")["href"],
        )
        for entry in entries
    }
    with api(story_desk, "vic") as client:
        by_title = {hit["title"]: hit["id"] for hit in client.get("/hits").json()["hits"]}
        articles = client.get(f"/stories/{story}").json()["articles"]
    wire, daily, journal = titles(*STORY)
    assert listed == {
        wire: ("Wire", "en", f"/hits/{by_title[wire]}"),
        daily: ("Daily", "en", f"/hits/{by_title[daily]}"),
        journal: ("Journal", "fr", f"/hits/{by_title[journal]}"),
    }
    assert [a["at"] for a in articles] == sorted(a["at"] for a in articles), "oldest first"
    assert [entry.select_one("a.title").get_text() for entry in entries] == [a["title"] for a in articles]
    assert all(RULE in entry.select_one(".hits").get_text() for entry in entries)
    assert "3 sources in 2 languages" in page.select_one("p.spread").get_text()
    assert not page.select("#story-triage"), "a viewer reads, and changes nothing"
    assert reader.client.get("/stories/99999").status_code == 404
    assert httpx.get(f"{story_desk.url}/stories/{story}").status_code == 303, "the login page first"


def test_triage_of_a_story_marks_every_hit_as_hit_triage_does(story_desk: DeskSite) -> None:
    story = story_id(story_desk)
    analyst = Browser(story_desk, "ana")
    refused = analyst.client.post(f"/stories/{story}/state", data={"state": "irrelevant"})
    forced = Browser(story_desk, "vic").post(f"/stories/{story}/state", state="irrelevant")
    assert (refused.status_code, forced.status_code) == (403, 403)
    assert {hits_of(story_desk)[title][1] for title in titles(*STORY)} == {"new"}

    done = analyst.post(f"/stories/{story}/state", state="irrelevant", rule=RULE)
    assert done.status_code == 303
    after = hits_of(story_desk)
    assert {after[title] for title in titles(*STORY)} == {(RULE, "irrelevant")}
    assert after[titles(ALONE)[0]] == (RULE, "new"), "another story's hit is left alone"
    with api(story_desk, "vic") as client:
        counts = client.get("/hits/counts").json()
        hit = next(h for h in client.get("/hits").json()["hits"] if h["title"] == titles(STORY[1])[0])
        events = client.get(f"/hits/{hit['id']}").json()["events"]
    assert counts["by_rule"][RULE]["irrelevant"] == 3, "the counts see each hit"
    assert precision(story_desk) == 0.0, "and so does the rule's measured precision"
    assert [(e["actor"], e["action"], e["detail"]) for e in events] == [("ana", "state", "new → irrelevant")]

    swapped = analyst.client.post(
        f"/stories/{story}/state",
        data={"state": "relevant", "expanded": "yes", "csrf_token": analyst.csrf},
        headers={"HX-Request": "true"},
    )
    assert swapped.headers["HX-Trigger"] == "counts-changed"
    group = soup(swapped)
    assert "state-relevant" in group.select_one("tr.story-row")["class"]
    assert len(group.select("tr.hit-row.state-relevant")) == 4, "the story's row and its three hits"
    assert {hits_of(story_desk)[title][1] for title in titles(*STORY)} == {"relevant"}
    assert precision(story_desk) == 1.0


def precision(site: DeskSite) -> float | None:
    """The measured precision of the rule, as the rules page and API show it."""
    with api(site, "vic") as client:
        return next(rule["precision"] for rule in client.get("/rules").json() if rule["name"] == RULE)


def test_the_stories_api(story_desk: DeskSite) -> None:
    story = story_id(story_desk)
    with api(story_desk, "vic") as client:
        listed = client.get("/stories", params={"since": "7d", "rule": RULE}).json()["stories"]
        assert sorted(len(s["articles"]) for s in listed) == [1, 3]
        one = client.get(f"/stories/{story}").json()
        assert (one["id"], one["sources"], one["languages"], one["rules"]) == (story, 3, ["en", "fr"], [RULE])
        assert sorted(a["title"] for a in one["articles"]) == sorted(titles(*STORY))
        hits = client.get("/hits").json()["hits"]
        assert sorted(hit["title"] for hit in hits if hit["story"] == story) == sorted(titles(*STORY))
        assert client.post(f"/stories/{story}/triage", json={"state": "seen"}).status_code == 403
        assert client.get("/stories/99999").json() == {"error": "no story 99999"}
        assert client.get("/stories", params={"since": "soon"}).status_code == 400
    assert httpx.get(f"{story_desk.url}/api/v1/stories").status_code == 401
    with api(story_desk, "ana") as client:
        changed = client.post(f"/stories/{story}/triage", json={"state": "seen", "rule": RULE}).json()
        assert changed["changed"] == 3
        assert {hit["state"] for a in changed["articles"] for hit in a["hits"]} == {"seen"}
        assert client.post(f"/stories/{story}/triage", json={"state": "seen"}).json()["changed"] == 0
        unknown_rule = client.post(f"/stories/{story}/triage", json={"state": "new", "rule": "nope"})
        assert unknown_rule.status_code == 400 and "no hit of rule 'nope'" in unknown_rule.json()["error"]
        assert client.post(f"/stories/{story}/triage", json={"state": "maybe"}).status_code == 422


def test_a_merged_story_leads_to_the_story_that_took_its_articles(story_desk: DeskSite) -> None:
    story = story_id(story_desk)
    now = clock.now()
    with story_desk.database.session() as session:
        gone = Story(first_at=now - timedelta(hours=1), last_at=now - timedelta(hours=1), created_at=now)
        session.add(gone)
        session.flush()
        assert gone.id is not None
        merged = gone.id
        _merge(session, [merged], story, now)
        session.commit()
    with api(story_desk, "vic") as client:
        found = client.get(f"/stories/{merged}").json()
    assert (found["id"], found["merged_from"]) == (story, [merged])
    page = soup(Browser(story_desk, "vic").client.get(f"/stories/{merged}"))
    assert f"Story {merged} was merged into this one" in page.select_one("p.merged-into").get_text()
    assert f"story {merged}" in page.select_one("p.merged-from").get_text()
    assert len(page.select("ol.timeline li.entry")) == 3


def test_a_bulk_action_takes_the_selected_stories_hits(story_desk: DeskSite) -> None:
    story = story_id(story_desk)
    analyst = Browser(story_desk, "ana")
    done = analyst.client.post(
        "/hits/bulk?language=en",
        data={"action": "star", "scope": "selection", "story": str(story), "csrf_token": analyst.csrf},
    )
    assert done.status_code == 303
    with api(story_desk, "vic") as client:
        starred = {hit["title"] for hit in client.get("/hits", params={"starred": "yes"}).json()["hits"]}
    assert starred == set(titles(*STORY[:2])), "the story's hits in the filter (English), nothing else"


def htmx_post(person: Browser, form: Tag) -> httpx.Response:
    """What htmx sends when the form's button is pressed (its hidden fields, to its hx-post)."""
    fields = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
    return person.client.post(str(form["hx-post"]), data=fields, headers={"HX-Request": "true"})


def test_a_plain_row_of_a_story_links_to_the_story(story_desk: DeskSite) -> None:
    story = story_id(story_desk)
    analyst = Browser(story_desk, "ana")
    french = soup(analyst.client.get("/", params={"language": "fr"}))
    row = french.select_one("tr.hit-row")
    assert not french.select("tr.story-row") and row.select_one("a.title").get_text() == titles(STORY[2])[0]
    link = row.select_one("a.story-link")
    assert link["href"] == f"/stories/{story}" and "3 articles" in link.get_text()
    alone = soup(analyst.client.get("/")).select("tr.hit-row:not(.story-row)")
    assert [r.select_one("a.title").get_text() for r in alone] == titles(ALONE)
    assert not alone[0].select("a.story-link"), "a story of one article has nothing more to show"

    changed = soup(htmx_post(analyst, row.select_one("form.act-irrelevant")))
    assert "state-irrelevant" in changed.select_one("tr.hit-row")["class"]
    assert changed.select_one("a.story-link")["href"] == f"/stories/{story}", "the link stays after triage"
    assert not changed.select("tr.story-row")


def test_triage_in_an_unfolded_story_updates_the_story_row_in_place(story_desk: DeskSite) -> None:
    story = story_id(story_desk)
    analyst = Browser(story_desk, "ana")
    assert analyst.post(f"/stories/{story}/state", state="new").status_code == 303
    english = soup(analyst.client.get("/", params={"language": "en"}))
    toggle = english.select_one("tr.story-row a.act-expand")["hx-get"]
    unfolded = soup(analyst.client.get(toggle, headers={"HX-Request": "true"}))
    members = unfolded.select("tbody.story tr.hit-row:not(.story-row)")
    assert len(members) == 2 and not unfolded.select("a.story-link"), "the story's own hits need no link"

    response = htmx_post(analyst, members[0].select_one("form.act-irrelevant"))
    assert response.headers["HX-Trigger"] == "counts-changed"
    changed = soup(response)
    assert not changed.select("img"), "the daily's hostile headline stays text"
    member = changed.select_one(f"tr#{members[0]['id']}")
    assert "state-irrelevant" in member["class"]
    row = changed.select_one(f"tr#story-row-{story}")
    assert row["hx-swap-oob"] == "true" and "state-mixed" in row["class"]
    assert sorted(row.select_one("small.states").get_text().split(", ")) == ["1 irrelevant", "1 new"]
    assert "2 sources in 1 language" in row.select_one("p.spread").get_text(), "under the page's filter"
    again = member.select_one("form.act-relevant")["hx-post"]
    assert f"story={story}" in again and "language=en" in again, "the next change updates the row too"
