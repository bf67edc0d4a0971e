"""`monitor users` manages the desk's accounts and tokens; `monitor hits` shows and filters triage."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from monitor.storage import open_database
from monitor.storage.users import verify_login
from tests.support.cli import invoke
from tests.support.desk import desk_config, desk_feeds, start_site
from tests.support.feed_server import FeedServer


@pytest.fixture
def base(tmp_path: Path, sqlite_url: str) -> tuple[str, ...]:
    config_dir = desk_config(tmp_path / "config", {})
    return ("--config", str(config_dir), "--db", sqlite_url)


def test_users_are_added_listed_changed_and_removed(base: tuple[str, ...], tmp_path: Path) -> None:
    assert invoke(*base, "users", "add", "ana", "--role", "analyst", "--password", "long enough 1")[0] == 0
    code, out, _ = invoke(
        *base, "users", "add", "bob", "--role", "viewer", input="long enough 2\nlong enough 2\n"
    )
    assert code == 0 and "added viewer bob" in out
    code, _, err = invoke(*base, "users", "add", "ana", "--password", "long enough 3")
    assert code == 1 and "exists already" in err
    code, _, err = invoke(*base, "users", "add", "cy", "--password", "short")
    assert code == 1 and "at least 10 characters" in err
    _, out, _ = invoke(*base, "users", "list")
    assert [line.split("\t")[:2] for line in out.splitlines()] == [["ana", "analyst"], ["bob", "viewer"]]
    assert invoke(*base, "users", "passwd", "ana", "--password", "another long one")[0] == 0
    database = open_database(base[-1])
    with database.session() as session:
        assert verify_login(session, "ana", "long enough 1") is None
        assert verify_login(session, "ana", "another long one") is not None
    database.dispose()
    assert invoke(*base, "users", "remove", "bob")[0] == 0
    code, _, err = invoke(*base, "users", "remove", "bob")
    assert code == 1 and "no user named 'bob'" in err


def test_a_token_opens_the_api_until_revoked_and_hits_show_triage(tmp_path: Path, sqlite_url: str) -> None:
    with FeedServer() as feeds:
        config_dir = desk_config(tmp_path / "config", desk_feeds(feeds))
        url = sqlite_url
        site = start_site(url, config_dir, users=False)
        try:
            base = ("--config", str(config_dir), "--db", url)
            invoke(*base, "users", "add", "ana", "--password", "long enough 1")
            code, token, _ = invoke(*base, "users", "token", "ana", "--label", "script")
            client = httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {token.strip()}"})
            hit = client.get("/api/v1/hits", params={"q": "coree"}).json()["hits"][0]
            client.post(f"/api/v1/hits/{hit['id']}/triage", json={"state": "relevant", "starred": True})
            client.post(f"/api/v1/hits/{hit['id']}/tags", json={"tag": "rason"})
            _, listed, _ = invoke(*base, "users", "token", "ana", "--list")
            token_id = listed.split("\t")[0]
            assert invoke(*base, "users", "token", "ana", "--revoke", token_id)[0] == 0
            assert client.get("/api/v1/hits").status_code == 401
        finally:
            site.stop()
        _, out, _ = invoke(*base, "hits", "--state", "relevant", "--format", "json")
        rows = [json.loads(line) for line in out.splitlines()]
        assert [(r["title"], r["state"], r["starred"], r["tags"]) for r in rows] == [
            ("La Corée du Nord envoie des obus", "relevant", True, ["rason"])
        ]
        _, out, _ = invoke(*base, "hits", "--search", "самолет")
        assert "Самолёт с грузом из Кореи" in out and "STATE" in out
        code, _, err = invoke(*base, "hits", "--state", "maybe")
        assert code != 0 and "relevant" in err
