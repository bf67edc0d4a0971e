"""The REST API on SQLite and PostgreSQL: every endpoint, its permissions, its JSON errors."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from tests.support.desk import DeskSite
from tests.web.conftest import api


def titles(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [hit["title"] for hit in response.json()["hits"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "coree"}, ["La Corée du Nord envoie des obus"]),
        ({"q": "самолет"}, ["Самолёт с грузом из Кореи"]),
        ({"q": "usine alabuga"}, ["Des drones Shahed assemblés en Russie"]),
        ({"rule": "drones", "state": "new", "q": "geran"}, ["Geran drones seen in Kherson"]),
        ({"rule": "korea", "q": "freight"}, ["Korea rail freight grows"]),
        ({"rule": "nothing"}, []),
    ],
)
def test_hits_are_filtered_and_searched(
    any_site: DeskSite, params: dict[str, str], expected: list[str]
) -> None:
    with api(any_site, "vic") as client:
        assert titles(client.get("/hits", params=params)) == expected


def test_pages_follow_the_cursor_to_the_end(any_site: DeskSite) -> None:
    with api(any_site, "vic") as client:
        everything = client.get("/hits", params={"limit": 500}).json()["hits"]
        seen, cursor = [], None
        while True:
            page = client.get("/hits", params={"limit": 4, **({"cursor": cursor} if cursor else {})}).json()
            seen += [hit["id"] for hit in page["hits"]]
            if not (cursor := page["next_cursor"]):
                break
        assert seen == [hit["id"] for hit in everything] and len(seen) > 8
        assert client.get("/hits", params={"cursor": "nonsense"}).json() == {
            "error": "not a page cursor of this hit log"
        }


def test_triage_notes_tags_and_bulk_are_kept_with_their_author(any_site: DeskSite) -> None:
    with api(any_site, "ana") as client:
        hit = client.get("/hits", params={"q": "coree"}).json()["hits"][0]
        assert client.post(
            f"/hits/{hit['id']}/triage", json={"state": "relevant", "starred": True}
        ).json() == {
            "id": hit["id"],
            "state": "relevant",
            "starred": True,
        }
        assert client.post(f"/hits/{hit['id']}/notes", json={"body": "Khasan again"}).status_code == 201
        assert client.post(f"/hits/{hit['id']}/tags", json={"tag": "rail"}).json()["tags"] == ["rail"]
        bulk = client.post("/hits/bulk", json={"filter": {"rule": ["drones"]}, "state": "irrelevant"})
        detail = client.get(f"/hits/{hit['id']}").json()
        drones = client.get("/hits", params={"rule": "drones"}).json()["hits"]
        assert client.delete(f"/hits/{hit['id']}/tags/rail").json()["tags"] == []
    assert bulk.json()["changed"] == len(drones) > 0
    assert {h["state"] for h in drones} == {"irrelevant"}
    assert detail["notes"][0]["author"] == "ana" and detail["notes"][0]["body"] == "Khasan again"
    assert [(e["actor"], e["action"]) for e in detail["events"]] == [
        ("ana", "state"),
        ("ana", "star"),
        ("ana", "note"),
        ("ana", "tag"),
    ]
    assert detail["article"]["title"] == "La Corée du Nord envoie des obus"
    assert any(h["field"] == "title" for rule in detail["rules"] for h in rule["highlights"])


def test_a_viewer_changes_nothing(any_site: DeskSite) -> None:
    with api(any_site, "vic") as client:
        hit = client.get("/hits").json()["hits"][0]
        before = client.get(f"/hits/{hit['id']}").json()
        refused = [
            client.post(f"/hits/{hit['id']}/triage", json={"state": "relevant"}),
            client.post(f"/hits/{hit['id']}/notes", json={"body": "x"}),
            client.post("/hits/bulk", json={"ids": [hit["id"]], "state": "seen"}),
            client.get("/users"),
        ]
        after = client.get(f"/hits/{hit['id']}").json()
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert refused[0].json()["error"].startswith("this needs the analyst role")
    assert (after["state"], after["notes"], after["events"]) == (
        before["state"],
        before["notes"],
        before["events"],
    )


def test_no_token_or_a_wrong_one_is_401_as_json(any_site: DeskSite) -> None:
    assert httpx.get(f"{any_site.url}/api/v1/hits").status_code == 401
    wrong = httpx.get(f"{any_site.url}/api/v1/hits", headers={"Authorization": "Bearer mon_nope"})
    assert (wrong.status_code, wrong.json()) == (401, {"error": "invalid or revoked API token"})


def test_unknown_things_are_404_and_bad_input_422(any_site: DeskSite) -> None:
    with api(any_site, "ada") as client:
        assert client.get("/hits/999999").json() == {"error": "no hit 999999"}
        assert client.get("/articles/999999").status_code == 404
        assert client.get("/hits", params={"state": "maybe"}).status_code == 422
        assert client.post("/users", json={"name": "x", "password": "short"}).status_code == 422


def test_export_csv_and_json_of_a_filter(any_site: DeskSite) -> None:
    with api(any_site, "vic") as client:
        exported = client.get("/hits/export", params={"format": "csv", "rule": "korea"})
        as_json = client.get("/hits/export", params={"format": "json", "rule": "korea"}).json()
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert exported.headers["content-type"].startswith("text/csv")
    assert {row["rule"] for row in rows} == {"korea"} and len(rows) == len(as_json) == 3


def test_a_feed_is_an_atom_document_at_a_secret_url_until_revoked(any_site: DeskSite) -> None:
    with api(any_site, "ana") as client:
        created = client.post("/feeds", json={"label": "korea", "filter": {"rule": ["korea"]}}).json()
        feed = httpx.get(created["url"].replace("http://127.0.0.1:0", any_site.url))
        (token,) = [f for f in client.get("/feeds").json() if f["label"] == "korea"]
        client.delete(f"/feeds/{token['id']}")
        gone = httpx.get(created["url"].replace("http://127.0.0.1:0", any_site.url))
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert feed.text.count("<entry>") == 3 and "Corée" in feed.text
    assert gone.status_code == 404


def test_rules_sources_deliveries_and_users(any_site: DeskSite) -> None:
    with api(any_site, "ada") as client:
        rules = client.get("/rules").json()
        sources = client.get("/sources").json()
        deliveries = client.get("/deliveries").json()
        added = client.post(
            "/users", json={"name": "newbie", "password": "long enough pass", "role": "analyst"}
        )
        names = [u["name"] for u in client.get("/users").json()]
        removed = client.delete("/users/newbie")
    assert [r["name"] for r in rules] == ["drones", "korea", "hostile"]
    assert {s["name"] for s in sources} == {"news", "hostile"}
    assert deliveries["deliveries"] and "s3cretvalue" not in str(deliveries)
    assert added.status_code == 201 and "newbie" in names and removed.status_code == 200
