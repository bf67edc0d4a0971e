"""The desk's other pages with a logged-in browser session (cookies and CSRF tokens, as a browser sends
them): sources (add by discovery, disable, OPML), deliveries (masked URLs, retry, test alert,
a digest's alerts, held alerts), dashboard."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from sqlmodel import col, select

from monitor import clock
from monitor.storage.digests import Hold, digest_contents, hold_hit, make_digest
from monitor.storage.outbox import list_deliveries
from monitor.storage.tables import Article, Delivery, Hit
from monitor.storage.users import set_password
from monitor.web.templating import moment as when
from tests.conftest import migrated_sqlite_url
from tests.support.desk import PASSWORD, Browser, DeskSite, desk_config, desk_feeds, post_login, start_site
from tests.support.feed_server import FeedServer
from tests.support.watch_config import rss
from tests.support.webhook_receiver import WebhookReceiver


@pytest.fixture(scope="module")
def admin_site(
    feeds: FeedServer,
    receiver: WebhookReceiver,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Iterator[DeskSite]:
    directory = tmp_path_factory.mktemp("desk")
    channels = {"team": receiver.apprise_url("/team"), "broken": "json://127.0.0.1:9/x?token=hidden1234"}
    config_dir = desk_config(directory / "config", desk_feeds(feeds), channels=channels)
    desk = start_site(migrated_sqlite_url(sqlite_template, directory), config_dir)
    yield desk
    desk.stop()


def test_an_admin_adds_a_source_found_on_a_page_and_disables_it(
    admin_site: DeskSite, feeds: FeedServer
) -> None:
    feed_url = feeds.serve("/extra.xml", rss([("e1", "Rason port", "Freight at Rason.")]))
    page = f'<html><head><link rel="alternate" type="application/rss+xml" href="{feed_url}"></head></html>'
    site_url = feeds.serve("/site", page.encode(), headers={"Content-Type": "text/html"})
    ada = Browser(admin_site, "ada")
    assert Browser(admin_site, "ana").post("/sources", url=site_url).status_code == 403
    added = ada.post("/sources", url=site_url, name="Rason watch")
    assert added.status_code == 303 and "added+source" in added.headers["location"]
    sources_yaml = (admin_site.config_dir / "sources.yaml").read_text()
    assert f"url: {feed_url}" in sources_yaml and "Rason watch" in sources_yaml
    listing = ada.client.get("/sources").text
    assert "Rason watch" in listing and "<polyline" in listing
    again = ada.post("/sources", url=feed_url)
    assert again.status_code == 400 and "already configured" in again.text
    assert ada.post("/sources/enabled", name="Rason watch", enabled="no").status_code == 303
    assert "enabled: false" in (admin_site.config_dir / "sources.yaml").read_text()
    assert "Enable</button>" in ada.client.get("/sources").text


def test_sources_go_out_and_come_in_as_opml(admin_site: DeskSite, feeds: FeedServer) -> None:
    ada = Browser(admin_site, "ada")
    exported = ada.client.get("/sources.opml")
    assert exported.status_code == 200 and b"news.xml" in exported.content
    new_feed = feeds.serve("/opml-feed.xml", rss([("o1", "From OPML", "Imported.")]))
    opml = f'<opml version="2.0"><body><outline text="Imported feed" xmlUrl="{new_feed}"/></body></opml>'
    imported = ada.client.post(
        "/sources/import",
        data={"csrf_token": ada.csrf},
        files={"file": ("feeds.opml", opml.encode(), "text/x-opml")},
    )
    assert imported.status_code == 303 and "added+1+source%2C" in imported.headers["location"]
    assert "Imported feed" in (admin_site.config_dir / "sources.yaml").read_text()


def test_deliveries_show_masked_urls_retry_and_test_alerts(
    admin_site: DeskSite, receiver: WebhookReceiver
) -> None:
    ada = Browser(admin_site, "ada")
    page = ada.client.get("/deliveries").text
    assert "s3cretvalue" not in page and "hidden1234" not in page and "analysts" in page
    assert "<th>age</th>" in page, "how long each alert has waited is shown"
    with admin_site.database.session() as session:
        delivery = session.get(Delivery, list_deliveries(session)[0].id)
        delivery.status, delivery.last_error = (
            "failed",
            "HTTP 500 from json://127.0.0.1:9/hook?token=s3cretvalue",
        )
        session.add(delivery)
        session.commit()
        failed_id = delivery.id
    failed_page = ada.client.get("/deliveries", params={"status": "failed"}).text
    assert "s3cretvalue" not in failed_page and "HTTP 500" in failed_page
    assert ada.post(f"/deliveries/{failed_id}/retry").status_code == 303
    with admin_site.database.read_session() as session:
        assert session.get(Delivery, failed_id).status == "pending"
    sent = ada.post("/deliveries/test", channel="team")
    assert "test+alert+sent+to+team" in sent.headers["location"]
    assert receiver.wait_for(1)[0].json["title"] == "monitor: test alert"
    failed = ada.client.get(ada.post("/deliveries/test", channel="broken").headers["location"]).text
    assert "test alert to broken failed" in failed and "hidden1234" not in failed


def test_a_digest_lists_its_alerts_and_each_channel_its_held_ones(any_site: DeskSite) -> None:
    now = clock.now()
    hostile = '<script>alert("x")</script> Rason'
    with any_site.database.session() as session:
        hits = session.exec(select(Hit).order_by(col(Hit.id))).all()[:4]
        article = session.get(Article, hits[0].article_id)
        article.title = hostile
        session.add(article)
        for hit in hits[:2]:
            hold_hit(session, hit.id, "team", Hold(now, "digest"), kind="alert", now=now)
        digest_id = make_digest(session, "team", now)
        later = now + timedelta(hours=3)
        for hit in hits[2:]:
            hold_hit(session, hit.id, "team", Hold(later, "quiet_hours"), kind="alert", now=now)
        session.commit()
        included = [(hit.id, hit.rule) for hit in hits[:2]]
    page = BeautifulSoup(Browser(any_site, "vic").client.get("/deliveries").text, "html.parser")
    row = next(tr for tr in page.select("tr") if tr.select_one("ul.digest-items") is not None)
    listed = [
        (a["href"], li.select_one("span.rule").get_text())
        for li in row.select("ul.digest-items li")
        for a in li.select("a")
    ]
    assert listed == [(f"/hits/{hit_id}", rule) for hit_id, rule in included]
    assert row.select_one("ul.digest-items a").get_text() == hostile, "the hostile title is shown as text"
    assert row.select_one("ul.digest-items script") is None
    held = [
        [td.get_text(" ", strip=True) for td in tr.select("td")] for tr in page.select("table.held tbody tr")
    ]
    assert held == [["team", "2", when(later), "quiet hours"]]
    with any_site.database.read_session() as session:
        cut = digest_contents(session, [digest_id], per_digest=1)[digest_id]
    assert (len(cut.entries), cut.total) == (1, 2), "a long digest is listed in part, with its size"


def test_the_dashboard_draws_hits_per_rule_and_lists_trouble(admin_site: DeskSite) -> None:
    page = Browser(admin_site, "vic").client.get("/dashboard").text
    assert page.count("<polyline") == 3 and "korea" in page and "pending" in page


def test_failed_logins_are_limited_and_a_password_change_ends_sessions(admin_site: DeskSite) -> None:
    client = httpx.Client(base_url=admin_site.url)
    statuses = [post_login(client, "vic", "wrong guess!").status_code for _ in range(5)]
    blocked = post_login(client, "vic")
    assert statuses == [401] * 5 and blocked.status_code == 429 and "too many failed logins" in blocked.text
    ana = Browser(admin_site, "ana")
    assert ana.client.get("/").status_code == 200
    with admin_site.database.session() as session:
        set_password(session, "ana", "a brand new password")
        session.commit()
    assert ana.client.get("/").status_code == 303  # back to the login page


def test_the_login_form_refuses_a_post_made_by_another_site(admin_site: DeskSite) -> None:
    """Login CSRF: a hostile page posting the attacker's name and password logs no one in; the desk's own
    form (its token equal to its cookie's) does."""
    forged = httpx.Client(base_url=admin_site.url)
    refused = forged.post("/login", data={"name": "vic", "password": PASSWORD})
    assert refused.status_code == 403 and "came from another site" in refused.text
    assert "monitor_session" not in forged.cookies
    guessed = httpx.Client(base_url=admin_site.url, cookies={"monitor_login": "made-up"})
    made_up = {"name": "vic", "password": PASSWORD, "csrf_token": "made-up"}
    assert guessed.post("/login", data=made_up).status_code == 403, "a token the desk never signed"
    other = httpx.Client(base_url=admin_site.url)
    stolen = other.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
    assert forged.post("/login", data={**made_up, "csrf_token": stolen}).status_code == 403, "no cookie"
    assert post_login(httpx.Client(base_url=admin_site.url), "ada").status_code == 303


def test_pages_need_a_login_and_carry_the_security_headers(admin_site: DeskSite) -> None:
    for path in ("/", "/hits/1", "/dashboard", "/sources", "/deliveries", "/feeds", "/counts", "/export.csv"):
        response = httpx.get(f"{admin_site.url}{path}")
        assert (response.status_code, response.headers["location"]) == (
            303,
            f"/login?next={path.replace('/', '%2F')}",
        )
    headers = httpx.get(f"{admin_site.url}/login").headers
    assert (
        "script-src 'self'" in headers["content-security-policy"]
        and "unsafe" not in headers["content-security-policy"]
    )
    assert (headers["x-frame-options"], headers["x-content-type-options"]) == ("DENY", "nosniff")
