"""The rule workshop through the API and the pages: roles, validation at line and column, the preview,
saving with a version (409 when the file changed), history, rollback, apply to history."""

from __future__ import annotations

import httpx
from sqlmodel import select

from monitor.storage.tables import Delivery, Hit
from tests.support.desk import DeskSite, post_login
from tests.web.conftest import api


def _rule(client: httpx.Client, name: str) -> dict:  # type: ignore[type-arg]
    response = client.get(f"/rules/{name}")
    assert response.status_code == 200, response.text
    return response.json()


def test_a_viewer_reads_the_rules_but_cannot_edit_them(site: DeskSite) -> None:
    with api(site, "vic") as vic:
        response = vic.get("/rules")
        listed = response.json()
        assert [r["name"] for r in listed] == ["drones", "korea", "hostile"]
        drones = listed[0]
        assert len(drones["hits_per_day"]) == 30 and drones["waiting"] == sum(drones["hits_per_day"])
        assert drones["precision"] is None
        body = {"query": "shahed", "channels": ["analysts"], "version": response.headers["X-Version"]}
        assert vic.put("/rules/drones", json=body).status_code == 403
        assert vic.post("/rules/drones/preview", json={"query": "shahed"}).status_code == 403


def test_validation_gives_the_messages_of_monitor_check_at_line_and_column(site: DeskSite) -> None:
    with api(site, "ana") as ana:
        found = ana.post("/rules/drones/validate", json={"query": "shahed OR\n (geran AND", "channels": []})
        body = found.json()
        assert body["ok"] is False
        assert body["query"] == [
            {"line": 2, "column": 9, "width": 3, "message": "AND needs a word, phrase or group on its right"}
        ]
        assert body["problems"][0]["file"].endswith("rules.yaml")
        assert "AND needs a word" in body["problems"][0]["text"]
        fine = ana.post("/rules/drones/validate", json={"query": "shahed", "channels": ["analysts"]}).json()
        assert fine == {"ok": True, "problems": [], "query": []}


def test_preview_shows_what_a_draft_adds_and_drops(site: DeskSite) -> None:
    with api(site, "ana") as ana:
        found = ana.post(
            "/rules/drones/preview", json={"query": "shahed OR geran OR Kherson", "since": "all"}
        )
        body = found.json()
        assert (body["saved_matched"], body["matched"], body["added_count"]) == (3, 2, 0)
        assert [a["title"] for a in body["dropped"]] == ["Шахеды над Харьковом"]
        narrower = ana.post("/rules/drones/preview", json={"query": "geran", "since": "all"}).json()
        assert narrower["matched"] == 1 and narrower["dropped_count"] == 2
        assert {a["title"] for a in narrower["dropped"]} == {
            "Шахеды над Харьковом",
            "Des drones Shahed assemblés en Russie",
        }
        assert narrower["dropped_states"] == {"new": 2} and narrower["added"] == []
        broken = ana.post("/rules/drones/preview", json={"query": "shahed AND ("})
        assert broken.status_code == 400 and "does not compile" in broken.json()["error"]


def test_save_conflict_history_rollback_and_apply(site: DeskSite) -> None:
    original = (site.config_dir / "rules.yaml").read_text()
    with api(site, "ana") as ana:
        version = ana.get("/rules").headers["X-Version"]
        body = {"query": "kherson", "channels": ["analysts"], "version": version}
        saved = ana.put("/rules/kherson", json=body | {"apply_since": "all"})
        assert saved.status_code == 200, saved.text
        assert saved.json()["applied"] == {"matched": 1, "created": 1}
        text = (site.config_dir / "rules.yaml").read_text()
        assert text.startswith(original) and "name: kherson" in text
        stale = ana.put("/rules/kherson", json=body | {"query": "kyiv"})
        assert stale.status_code == 409 and "changed on disk" in stale.json()["error"]
        broken = ana.put("/rules/kherson", json=body | {"query": "(kyiv", "version": saved.json()["version"]})
        assert broken.status_code == 400 and "rules.yaml" in broken.json()["error"]
        changes = ana.get("/rule-changes", params={"subject": "kherson"}).json()["changes"]
        assert [(c["actor"], c["id"]) for c in changes] == [("ana", saved.json()["id"])]
        rolled = ana.post(f"/rule-changes/{saved.json()['id']}/rollback")
        assert rolled.status_code == 200 and rolled.json()["summary"] == f"rollback of #{saved.json()['id']}"
    assert (site.config_dir / "rules.yaml").read_text() == original
    with site.database.session() as session:
        (hit,) = session.exec(select(Hit).where(Hit.rule == "kherson")).all()
        assert session.exec(select(Delivery).where(Delivery.hit_id == hit.id)).all() == []


def test_a_save_with_a_bad_apply_window_is_refused_and_writes_nothing(site: DeskSite) -> None:
    original = (site.config_dir / "rules.yaml").read_text()
    with api(site, "ana") as ana:
        version = ana.get("/rules").headers["X-Version"]
        before = ana.get("/rule-changes").json()["changes"]
        body = {"query": "kherson", "channels": ["analysts"], "version": version, "apply_since": "bogus"}
        refused = ana.put("/rules/kherson", json=body)
        assert refused.status_code == 400 and "window" in refused.json()["error"]
        assert ana.get("/rule-changes").json()["changes"] == before
    assert (site.config_dir / "rules.yaml").read_text() == original


def test_a_save_of_the_query_alone_keeps_the_rules_other_fields(site: DeskSite) -> None:
    original = (site.config_dir / "rules.yaml").read_text()
    with api(site, "ana") as ana:
        before = _rule(ana, "drones")
        saved = ana.put("/rules/drones", json={"query": "shahed OR geran", "version": before["version"]})
        assert saved.status_code == 200, saved.text
        after = _rule(ana, "drones")
        ana.post(f"/rule-changes/{saved.json()['id']}/rollback")
    assert after["query"].strip() == "shahed OR geran"
    unchanged = ("description", "channels", "enabled", "match", "no_match")
    assert {key: after[key] for key in unchanged} == {key: before[key] for key in unchanged}
    assert before["channels"], "the fixture's rule has channels to lose"
    assert (site.config_dir / "rules.yaml").read_text() == original


def test_the_pages_list_rules_and_the_editor_checks_as_you_type(site: DeskSite) -> None:
    client = httpx.Client(base_url=site.url, timeout=30)
    post_login(client, "vic")
    assert "drones" in client.get("/rules").text
    assert client.get("/rules/drones/edit").status_code == 403
    client = httpx.Client(base_url=site.url, timeout=30)
    post_login(client, "ana")
    page = client.get("/rules/drones/edit")
    assert (
        page.status_code == 200 and 'id="query"' in page.text and "@" not in page.text.split("<body")[0][-1:]
    )
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    checked = client.post("/rules/drones/check", data={"csrf_token": token, "query": "shahed AND"})
    assert "line 1, column 8" in checked.text and "shahed AND\n       ^^^" in checked.text
    shown = client.post(
        "/rules/drones/preview", data={"csrf_token": token, "query": "geran", "window": "all"}
    )
    assert 'id="matched">1<' in shown.text
