"""The desk's sources page: each source's last warning and the reason for its next check (escaped, secrets
masked), and "check now" (a button, and the API), which polls one source as `monitor poll --source` does
and says what it found."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlmodel import select

from monitor import clock
from monitor.storage.sources import claim_sources
from monitor.storage.tables import Source
from tests.conftest import migrated_sqlite_url
from tests.support.desk import Browser, DeskSite, desk_config, start_site
from tests.support.feed_server import FeedServer
from tests.support.watch_config import rss
from tests.support.webhook_receiver import WebhookReceiver
from tests.web.conftest import api

WIRE = [("w-1", "Korea rail freight grows", "Freight trains cross from North Korea.")]
NEW_ITEM = ("w-2", "Shahed drones launched overnight", "Geran drones were seen over Kharkiv.")
SECRET = "s3cr3tvalue"
HOSTILE_WARNING = f"<script>window.__xss=1</script> feed at https://u:{SECRET}@feeds.example/x?token={SECRET}"
PAGE = (
    '<html><head><link rel="alternate" type="application/rss+xml" '
    f'href="/real.xml?token={SECRET}"></head></html>'
).encode()


@pytest.fixture(scope="module")
def check_site(
    feeds: FeedServer,
    receiver: WebhookReceiver,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> Iterator[DeskSite]:
    """A desk over a feed with one article and a page that is not a feed, alerts to a local receiver."""
    directory = tmp_path_factory.mktemp("checks")
    sources = {
        "wire": feeds.serve("/wire.xml", rss(WIRE)),
        "page": feeds.serve("/page.html", PAGE, headers={"Content-Type": "text/html"}),
    }
    channels = {"analysts": receiver.apprise_url("/analysts")}
    config_dir = desk_config(directory / "c", sources, channels=channels)
    desk = start_site(migrated_sqlite_url(sqlite_template, directory), config_dir)
    yield desk
    desk.stop()


def notice(response: object) -> str:
    """The notice a redirect back to the sources page carries."""
    location = response.headers["location"]  # type: ignore[attr-defined]
    assert urlsplit(location).path == "/sources", location
    return parse_qs(urlsplit(location).query)["notice"][0]


def test_check_now_polls_the_source_and_says_what_it_found(
    check_site: DeskSite, feeds: FeedServer, receiver: WebhookReceiver
) -> None:
    feeds.route("/wire.xml").body = rss([*WIRE, NEW_ITEM])
    fetched, alerted = len(feeds.requests_for("/wire.xml")), len(receiver.accepted)
    ana = Browser(check_site, "ana")

    response = ana.post("/sources/check", name="wire")

    assert response.status_code == 303, response.text
    assert notice(response) == "checked 'wire': 1 new article, 1 new hit; alerts: 1 sent, 0 not delivered yet"
    assert len(feeds.requests_for("/wire.xml")) == fetched + 1
    (alert,) = receiver.wait_for(alerted + 1)[alerted:]
    assert "Shahed drones launched overnight" in alert.body.decode()
    assert "checked &#39;wire&#39;: 1 new article" in ana.client.get(response.headers["location"]).text

    again = ana.post("/sources/check", name="wire")
    assert notice(again) == "checked 'wire': nothing new (not modified)"
    assert len(feeds.requests_for("/wire.xml")) == fetched + 2, "checked again though not due"


def test_check_now_shows_the_error_of_a_failing_source_masked(check_site: DeskSite) -> None:
    response = Browser(check_site, "ana").post("/sources/check", name="page")

    found = notice(response)
    assert found.startswith("checked 'page': failed: this is an HTML page, not a feed; it links to: http://")
    assert "token=***" in found and SECRET not in found


def test_check_now_needs_an_analyst_a_csrf_token_and_a_configured_source(
    check_site: DeskSite, feeds: FeedServer
) -> None:
    fetched = len(feeds.requests_for("/wire.xml"))
    assert Browser(check_site, "vic").post("/sources/check", name="wire").status_code == 403
    ana = Browser(check_site, "ana")
    assert ana.client.post("/sources/check", data={"name": "wire"}).status_code == 403, "no CSRF token"
    unknown = ana.post("/sources/check", name="<b>wier</b>")
    assert unknown.status_code == 400
    assert "no source named &#39;&lt;b&gt;wier&lt;/b&gt;&#39;" in unknown.text
    assert len(feeds.requests_for("/wire.xml")) == fetched
    assert "Check wire now" not in Browser(check_site, "vic").client.get("/sources").text
    assert 'aria-label="Check wire now"' in ana.client.get("/sources").text


def test_check_now_waits_for_a_poll_the_service_has_under_way(
    check_site: DeskSite, feeds: FeedServer
) -> None:
    lease = timedelta(seconds=2)
    with check_site.database.session() as session:  # a running service has claimed `wire` and polls it
        claimed = claim_sources(
            session, owner="service", now=clock.now(), lease=lease, limit=1, due_only=False, names=["wire"]
        )
        session.commit()
    assert [source.name for source in claimed] == ["wire"]
    fetched, asked = len(feeds.requests_for("/wire.xml")), time.monotonic()

    response = Browser(check_site, "ana").post("/sources/check", name="wire")

    assert notice(response).startswith("checked 'wire': ")
    (request,) = feeds.requests_for("/wire.xml")[fetched:]
    assert request.at - asked >= lease.total_seconds() * 0.9, "not fetched while the service held it"
    with check_site.database.read_session() as session:
        (source,) = session.exec(select(Source).where(Source.name == "wire")).all()
    assert source.lease_owner is None and source.last_checked_at is not None
    assert source.last_checked_at >= clock.now() - timedelta(minutes=1)


def test_the_api_checks_a_source_now_for_an_analyst(check_site: DeskSite, feeds: FeedServer) -> None:
    fetched = len(feeds.requests_for("/wire.xml"))

    found = api(check_site, "ana").post("/sources/wire/check")

    assert found.status_code == 200, found.text
    assert found.json() == {
        "source": "wire",
        "ok": True,
        "new_articles": 0,
        "new_hits": 0,
        "not_modified": True,
        "error": None,
        "warning": None,
        "alerts_sent": 0,
        "alerts_not_delivered": 0,
    }
    failed = api(check_site, "ana").post("/sources/page/check").json()
    assert failed["ok"] is False and "token=***" in failed["error"] and SECRET not in failed["error"]
    assert api(check_site, "vic").post("/sources/wire/check").status_code == 403
    unknown = api(check_site, "ana").post("/sources/no such/check")
    assert unknown.status_code == 400 and unknown.json()["error"].startswith("no source named 'no such'")
    assert len(feeds.requests_for("/wire.xml")) == fetched + 1


def test_the_page_and_the_api_show_the_warning_and_why_escaped_and_masked(check_site: DeskSite) -> None:
    with check_site.database.session() as session:
        wire = session.exec(select(Source).where(Source.name == "wire")).one()
        wire.last_warning = HOSTILE_WARNING
        wire.next_check_reason = f"<b>server</b> asked via https://cdn.example/f?apikey={SECRET}"
        session.add(wire)
        session.commit()

    page = Browser(check_site, "vic").client.get("/sources").text
    listed = {s["name"]: s for s in api(check_site, "vic").get("/sources").json()}

    escaped = "warning: &lt;script&gt;window.__xss=1&lt;/script&gt; feed at "
    assert escaped + "https://u:***@feeds.example/x?token=***" in page
    assert "&lt;b&gt;server&lt;/b&gt; asked via https://cdn.example/f?apikey=***" in page
    assert SECRET not in page and "<script>window.__xss" not in page
    assert listed["wire"]["last_warning"].endswith("https://u:***@feeds.example/x?token=***")
    assert listed["wire"]["next_check_reason"] == "<b>server</b> asked via https://cdn.example/f?apikey=***"
    assert SECRET not in str(listed)
