"""`monitor sources`: health listing, `add` (feeds and pages), `import` and `export` of OPML — end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer

from monitor.cli import service, sources
from monitor.cli.app import main_options
from monitor.config import load_config
from monitor.parsing.opml import parse_opml
from tests.support.cli import invoke as run
from tests.support.feed_server import FeedServer
from tests.support.watch_config import FETCH_SETTINGS, LOOPBACK_CONTENT_SETTINGS, atom, rss, write_config
from tests.support.webhook_receiver import WebhookReceiver

HTML = {"Content-Type": "text/html; charset=utf-8"}
ITEM = ("e1", "Freight trains cross at Tumangang", "Wagons crossed the bridge.")
SOURCES_YAML = """\
# Our sources: this comment stays.
sources:
  # --- the one we already had ---
  - name: Existing   # a trailing comment
    url: {existing}
    tags: [world]
"""


def cli() -> typer.Typer:
    """The real global options with the sources group and `poll`, as monitor.cli.app registers them."""
    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)
    app.callback()(main_options)
    app.add_typer(sources.app, name="sources")
    app.command("poll")(service.poll)
    return app


def invoke(config_dir: Path, *args: str) -> tuple[int, str, str]:
    return run("--config", str(config_dir), *args, app=cli())


def page(*links: tuple[str, str, str]) -> bytes:
    """An HTML page announcing feeds as (type, href, title) `<link rel=alternate>` tags."""
    tags = "".join(
        f'<link rel="alternate" type="{t}" href="{href}" title="{title}">' for t, href, title in links
    )
    return (
        f"<!DOCTYPE html><html><head><title>News</title>{tags}</head><body><p>Hi</p></body></html>".encode()
    )


@pytest.fixture
def server(feed_server: FeedServer) -> FeedServer:
    feed_server.serve("/existing.xml", rss([ITEM]))
    feed_server.serve("/feed.xml", rss([ITEM]))
    feed_server.serve("/copy.xml", rss([ITEM]))
    feed_server.serve("/fr.atom", atom([ITEM]), headers={"Content-Type": "application/atom+xml"})
    rss_link = ("application/rss+xml", "/feed.xml", "All news")
    atom_link = ("application/atom+xml", "/fr.atom", "En français")
    feed_server.serve("/page.html", page(rss_link, atom_link), headers=HTML)
    feed_server.serve("/one.html", page(atom_link), headers=HTML)
    feed_server.serve("/plain.html", page(), headers=HTML)
    feed_server.serve("/broken.html", page(("application/rss+xml", "/gone.xml", "Gone")), headers=HTML)
    return feed_server


@pytest.fixture
def config_dir(server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path) -> Path:
    directory = write_config(
        tmp_path / "config",
        sources={},
        alert_url=webhook_receiver.apprise_url("/a"),
        settings=LOOPBACK_CONTENT_SETTINGS,
    )
    (directory / "sources.yaml").write_text(SOURCES_YAML.format(existing=server.url("/existing.xml")))
    return directory


def sources_yaml(config_dir: Path) -> str:
    return (config_dir / "sources.yaml").read_text(encoding="utf-8")


def original(server: FeedServer) -> str:
    return SOURCES_YAML.format(existing=server.url("/existing.xml"))


# --- add -------------------------------------------------------------------------------------------------


def test_add_a_feed_appends_it_with_the_feeds_title_and_language(
    config_dir: Path, server: FeedServer
) -> None:
    code, out, _ = invoke(config_dir, "sources", "add", server.url("/feed.xml"))

    assert code == 0
    assert out == f"added source 'Test feed': {server.url('/feed.xml')}\n"
    added = f"  - name: Test feed\n    url: {server.url('/feed.xml')}\n    language: en\n"
    assert sources_yaml(config_dir) == original(server) + added, "appended, comments and layout kept"


def test_add_writes_the_given_options(config_dir: Path, server: FeedServer) -> None:
    args = [
        "--name",
        "Wire: rail",
        "--interval",
        "30m",
        "--language",
        "fr",
        "--tag",
        "korea",
        "--tag",
        "rail",
    ]
    code, _, _ = invoke(config_dir, "sources", "add", server.url("/feed.xml"), *args)

    assert code == 0
    added = sources_yaml(config_dir).removeprefix(original(server))
    assert added == (
        f"  - name: 'Wire: rail'\n    url: {server.url('/feed.xml')}\n    interval: 30m\n"
        "    language: fr\n    tags: [korea, rail]\n"
    )
    source = load_config(config_dir).source_by_name("Wire: rail")
    assert source is not None and source.tags == ["korea", "rail"] and source.language == "fr"


def test_a_taken_name_gets_a_suffix_and_a_configured_url_is_refused(
    config_dir: Path, server: FeedServer
) -> None:
    assert invoke(config_dir, "sources", "add", server.url("/feed.xml"))[0] == 0
    assert invoke(config_dir, "sources", "add", server.url("/copy.xml"))[0] == 0
    assert [s.name for s in load_config(config_dir).sources] == ["Existing", "Test feed", "Test feed (2)"]
    before = sources_yaml(config_dir)

    code, _, err = invoke(config_dir, "sources", "add", server.url("/copy.xml"))

    assert code == 1
    assert f"already configured as source 'Test feed (2)': {server.url('/copy.xml')}" in err
    assert sources_yaml(config_dir) == before


def test_a_page_with_one_feed_adds_that_feed(config_dir: Path, server: FeedServer) -> None:
    code, out, _ = invoke(config_dir, "sources", "add", server.url("/one.html"))

    assert code == 0
    assert out == f"added source 'Flux de test': {server.url('/fr.atom')}\n"
    source = load_config(config_dir).source_by_name("Flux de test")
    assert source is not None and source.language == "fr"


def test_a_page_with_several_feeds_adds_the_first_and_names_the_others(
    config_dir: Path, server: FeedServer
) -> None:
    code, out, _ = invoke(config_dir, "sources", "add", server.url("/page.html"))

    assert code == 0
    assert out.splitlines() == [
        "the page lists other feeds too (add them with --all, or by URL):",
        f"  {server.url('/fr.atom')}  (En français)",
        f"added source 'Test feed': {server.url('/feed.xml')}",
    ]
    assert [s.url for s in load_config(config_dir).sources][1:] == [server.url("/feed.xml")]


def test_a_page_is_read_in_the_charset_its_server_declares(config_dir: Path, server: FeedServer) -> None:
    rss_link = ("application/rss+xml", "/feed.xml", "Все новости")
    links = [rss_link, ("application/atom+xml", "/fr.atom", "Хасан")]
    body = page(*links).decode().encode("windows-1251")  # no <meta charset>: only the HTTP header says it
    url = server.serve("/ru.html", body, headers={"Content-Type": "text/html; charset=windows-1251"})

    code, out, _ = invoke(config_dir, "sources", "add", url)

    assert code == 0
    assert out.splitlines()[1] == f"  {server.url('/fr.atom')}  (Хасан)"


def test_all_adds_every_feed_of_a_page_not_configured_yet(config_dir: Path, server: FeedServer) -> None:
    invoke(config_dir, "sources", "add", server.url("/feed.xml"))

    code, out, _ = invoke(config_dir, "sources", "add", server.url("/page.html"), "--all")

    assert code == 0
    assert out.splitlines() == [
        f"skipped {server.url('/feed.xml')}: already configured as 'Test feed'",
        f"added source 'Flux de test': {server.url('/fr.atom')}",
    ]


# (path, message expected on stderr)
REFUSED = {
    "a page without feeds suggests type: html": ("/plain.html", "type: html"),
    "a 404": ("/missing.xml", "HTTP 404"),
    "a page whose only feed is broken": ("/broken.html", "no feed listed by"),
    "a URL already configured": ("/existing.xml", "already configured as source 'Existing'"),
}


@pytest.mark.parametrize(("path", "message"), REFUSED.values(), ids=REFUSED.keys())
def test_add_refuses_with_a_clear_message_and_leaves_the_file_alone(
    config_dir: Path, server: FeedServer, path: str, message: str
) -> None:
    code, _, err = invoke(config_dir, "sources", "add", server.url(path))

    assert code == 1
    assert message in err
    assert sources_yaml(config_dir) == original(server)


def test_add_does_not_read_a_discovered_feed_at_an_internal_address(
    config_dir: Path, server: FeedServer
) -> None:
    (config_dir / "settings.yaml").write_text(FETCH_SETTINGS, encoding="utf-8")  # no allowed_networks
    code, _, err = invoke(config_dir, "sources", "add", server.url("/one.html"))

    assert code == 1
    assert (
        f"warning: could not read {server.url('/fr.atom')}: blocked: 127.0.0.1 resolves to 127.0.0.1" in err
    )
    assert server.requests_for("/fr.atom") == [] and server.requests_for("/one.html") != []
    assert sources_yaml(config_dir) == original(server)


def test_add_rejects_a_bad_interval_before_fetching(config_dir: Path, server: FeedServer) -> None:
    code, _, err = invoke(config_dir, "sources", "add", server.url("/feed.xml"), "--interval", "soon")

    assert code == 2 and "duration" in err
    assert server.requests_for("/feed.xml") == []


# --- import and export -----------------------------------------------------------------------------------

OPML = """\
<?xml version="1.0"?>
<opml version="2.0"><head><title>Reader export</title></head><body>
  <outline text="Korea">
    <outline text="NK News" xmlUrl="https://nknews.example/feed/" language="en-US" category="rail"/>
    <outline text="Existing" xmlUrl="https://existing-name.example/rss"/>
  </outline>
  <outline text="Already here" xmlUrl="{existing}"/>
  <outline text="Listed twice" xmlUrl="https://nknews.example/feed/"/>
  <outline text="Gopher" xmlUrl="gopher://old.example/feed"/>
</body></opml>
"""


def test_import_adds_new_feeds_and_says_why_others_were_skipped(
    config_dir: Path, server: FeedServer, tmp_path: Path
) -> None:
    opml = tmp_path / "export.opml"
    opml.write_text(OPML.format(existing=server.url("/existing.xml")))

    code, out, _ = invoke(config_dir, "sources", "import", str(opml))

    assert code == 0
    assert out.splitlines() == [
        "added 2 sources, skipped 3",
        "  skipped 'Already here': already configured as 'Existing'",
        "  skipped 'Listed twice': already configured as 'NK News'",
        "  skipped 'Gopher': url: must be an http:// or https:// URL, got 'gopher://old.example/feed'",
    ]
    assert sources_yaml(config_dir).removeprefix(original(server)) == (
        "  - name: NK News\n    url: https://nknews.example/feed/\n    language: en\n"
        "    tags: [Korea, rail]\n"
        "  - name: Existing (2)\n    url: https://existing-name.example/rss\n    tags: [Korea]\n"
    )


def test_import_of_a_file_that_is_not_opml_fails_cleanly(config_dir: Path, server: FeedServer) -> None:
    not_opml = config_dir.parent / "feed.opml"
    not_opml.write_bytes(rss([ITEM]))

    code, _, err = invoke(config_dir, "sources", "import", str(not_opml))

    assert code == 1 and "not an OPML document" in err
    assert sources_yaml(config_dir) == original(server)


def test_export_then_import_round_trips_names_urls_tags_and_languages(
    config_dir: Path, server: FeedServer, tmp_path: Path
) -> None:
    invoke(config_dir, "sources", "add", server.url("/fr.atom"), "--tag", "france", "--tag", "wire")
    code, out, _ = invoke(config_dir, "sources", "export")
    assert code == 0
    assert [(o.title, o.tags, o.language) for o in parse_opml(out.encode())] == [
        ("Existing", ("world",), None),
        ("Flux de test", ("france", "wire"), "fr"),
    ]
    exported = tmp_path / "out.opml"
    assert invoke(config_dir, "sources", "export", "--output", str(exported))[0] == 0
    assert b'<outline text="world" title="world">' in exported.read_bytes(), "tags as folders"

    empty = write_config(tmp_path / "empty", sources={}, alert_url="json://127.0.0.1:9/a")
    (empty / "sources.yaml").unlink()
    code, out, _ = invoke(empty, "sources", "import", str(exported))

    assert code == 0 and out.startswith("added 2 sources, skipped 0")

    def summary(directory: Path) -> list[tuple[str, str, list[str], str | None]]:
        return [(s.name, s.url, s.tags, s.language) for s in load_config(directory).sources]

    assert summary(empty) == summary(config_dir)


# --- health ----------------------------------------------------------------------------------------------


def test_health_lists_configured_sources_as_new_then_ok_or_failing_after_a_poll(
    config_dir: Path, server: FeedServer, database_url: str
) -> None:
    server.serve("/down.xml", b"", status=500)
    (config_dir / "sources.yaml").write_text(
        original(server) + f"  - name: Down\n    url: {server.url('/down.xml')}\n"
    )
    db = ("--db", database_url)

    code, out, _ = invoke(config_dir, *db, "sources", "--format", "json")
    assert code == 0
    assert [(row["name"], row["status"]) for row in map(json.loads, out.splitlines())] == [
        ("Down", "new"),
        ("Existing", "new"),
    ]

    invoke(config_dir, *db, "poll")
    code, out, _ = invoke(config_dir, *db, "sources", "--format", "json")

    rows = {row["name"]: row for row in map(json.loads, out.splitlines())}
    assert code == 0
    down, existing = rows["Down"], rows["Existing"]
    assert (down["status"], down["consecutive_failures"], down["url"]) == (
        "failing",
        1,
        server.url("/down.xml"),
    )
    assert "500" in down["last_error"]
    assert down["last_success_at"] is None and down["last_checked_at"].endswith("Z")
    assert (existing["status"], existing["last_error"], existing["new_items_24h"]) == ("ok", None, 1)
    assert existing["last_success_at"].endswith("Z")
    assert existing["next_check_reason"] == "interval 15m", "why the next check is when it is"
    assert down["next_check_reason"] == "backoff: 1 failure in a row"

    code, out, _ = invoke(config_dir, *db, "sources", "--format", "json", "--status", "failing")
    assert [json.loads(line)["name"] for line in out.splitlines()] == ["Down"]


def test_health_table_is_aligned_with_errors_shortened(
    config_dir: Path, server: FeedServer, database_url: str
) -> None:
    long_error = "x" * 500
    server.serve("/down.xml", long_error.encode(), status=200, headers=HTML)
    (config_dir / "sources.yaml").write_text(
        original(server) + f"  - name: Down\n    url: {server.url('/down.xml')}\n"
    )
    invoke(config_dir, "--db", database_url, "poll")

    code, out, _ = invoke(config_dir, "--db", database_url, "sources")

    assert code == 0
    header, down, existing, total = out.splitlines()
    assert header.split() == [
        "NAME",
        "STATUS",
        "FAILS",
        "NEW",
        "24H",
        "LAST",
        "SUCCESS",
        "NEXT",
        "CHECK",
        "WHY",
        "LAST",
        "ERROR",
    ]
    assert header.index("STATUS") == down.index("failing") == existing.index("ok")
    assert down.split()[:3] == ["Down", "failing", "1"]
    assert len(down) - header.index("LAST ERROR") <= sources.ERROR_CHARS
    assert total == "2 sources: 1 failing, 1 ok"


def test_feed_credentials_are_masked_in_the_listing_and_the_failing_notice_but_kept_in_the_export(
    config_dir: Path, server: FeedServer, webhook_receiver: WebhookReceiver, database_url: str
) -> None:
    server.serve("/private.xml", b"", status=500)
    secret_url = server.url("/private.xml?apikey=K3Y5678&lang=en").replace("://", "://reader:s3cretpw@")
    (config_dir / "sources.yaml").write_text(
        original(server) + f"  - name: Private\n    url: '{secret_url}'\n"
    )
    (config_dir / "settings.yaml").write_text(
        LOOPBACK_CONTENT_SETTINGS + "health:\n  operations_channel: analysts\n  failure_threshold: 1\n"
    )
    db = ("--db", database_url)

    assert invoke(config_dir, *db, "poll")[0] == 0
    _, table, _ = invoke(config_dir, *db, "sources")
    _, rows, _ = invoke(config_dir, *db, "sources", "--format", "json")
    [notice] = [r for r in webhook_receiver.wait_for(1) if b"Source failing" in r.body]
    _, exported, _ = invoke(config_dir, "sources", "export")

    shown = table + rows + notice.body.decode()
    assert "s3cretpw" not in shown and "K3Y5678" not in shown
    private = next(row for row in map(json.loads, rows.splitlines()) if row["name"] == "Private")
    assert private["url"] == secret_url.replace("s3cretpw", "***").replace("K3Y5678", "***")
    assert "HTTP 500" in private["last_error"] and "reader:***@" in notice.body.decode()
    assert secret_url.replace("&", "&amp;") in exported, "the export is a file asked for: real URLs"


def test_a_feed_read_despite_a_problem_shows_its_warning_until_it_is_clean(
    config_dir: Path, server: FeedServer, database_url: str
) -> None:
    broken = b"<?xml version='1.0'?><rss version='2.0'><channel><title>B &amp; b</title>"
    broken += b"<item><title>Khasan crossing</title><link>https://example.org/k</link></item><item>"
    server.serve("/broken.xml", broken)
    (config_dir / "sources.yaml").write_text(
        original(server) + f"  - name: Broken\n    url: {server.url('/broken.xml')}\n"
    )
    db = ("--db", database_url)

    invoke(config_dir, *db, "poll")
    _, table, _ = invoke(config_dir, *db, "sources")
    _, rows, _ = invoke(config_dir, *db, "sources", "--format", "json")

    row = next(row for row in map(json.loads, rows.splitlines()) if row["name"] == "Broken")
    assert row["status"] == "ok" and row["last_error"] is None
    assert (
        row["last_warning"].startswith("not well-formed XML (line 1: ")
        and "recovered 1 entry" in row["last_warning"]
    )
    assert "warning: not well-formed XML" in next(
        line for line in table.splitlines() if line.startswith("Broken")
    )

    server.route("/broken.xml").body = rss([ITEM])
    invoke(config_dir, *db, "poll")
    _, rows, _ = invoke(config_dir, *db, "sources", "--format", "json")
    assert (
        next(row for row in map(json.loads, rows.splitlines()) if row["name"] == "Broken")["last_warning"]
        is None
    )


def test_entries_past_the_cap_are_dropped_with_a_warning_and_the_rest_stored(
    config_dir: Path, server: FeedServer, database_url: str
) -> None:
    server.serve("/many.xml", rss([(f"m{n}", f"Item {n}", "text") for n in range(5)]))
    (config_dir / "sources.yaml").write_text(
        f"sources:\n  - name: Many\n    url: {server.url('/many.xml')}\n"
    )
    (config_dir / "settings.yaml").write_text(LOOPBACK_CONTENT_SETTINGS + "  max_entries_per_feed: 3\n")
    db = ("--db", database_url)

    code, _, _ = invoke(config_dir, *db, "poll")
    _, rows, _ = invoke(config_dir, *db, "sources", "--format", "json")

    assert code == 0
    [row] = map(json.loads, rows.splitlines())
    assert row["new_items_24h"] == 3 and row["status"] == "ok"
    assert (
        row["last_warning"]
        == "the feed has 5 entries: only the first 3 were read (fetch.max_entries_per_feed)"
    )
