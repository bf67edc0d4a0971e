"""The `monitor` command as a user types it: check, poll, hits, rules test."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT
from tests.support.cli import invoke
from tests.support.feed_server import FeedServer
from tests.support.watch_config import POLLER_PROCESSES_SETTINGS, atom, rss, write_config
from tests.support.webhook_receiver import WebhookReceiver

SHAHED_EN = (
    "e1",
    "Russia expands Shahed drone production at Alabuga",
    "The Alabuga factory assembles Shahed drones.",
)
SHAHED_FR = (
    "f1",
    "Production de drones Shahed en Russie",
    "L&#39;usine d&#39;Alabuga produit des drones Shahed.",
)
OTHER = ("e2", "Markets close higher", "Stocks rose on Monday.")


@pytest.fixture
def config_dir(feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path) -> Path:
    sources = {
        "English wire": feed_server.serve("/en.xml", rss([SHAHED_EN, OTHER])),
        "Presse": feed_server.serve("/fr.atom", atom([SHAHED_FR])),
    }
    return write_config(tmp_path / "config", sources=sources, alert_url=webhook_receiver.apprise_url("/a"))


def test_check_accepts_the_bundled_configuration() -> None:
    code, out, _ = invoke("--config", str(PROJECT_ROOT / "config"), "check")
    assert code == 0
    assert "OK" in out and "3 rules" in out


def test_check_reports_every_problem_with_file_line_and_column(tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text("sources:\n  - name: a\n    url: ftp://x\n    colour: red\n")
    (tmp_path / "rules.yaml").write_text("rules:\n  - name: r\n    query: (drone\n    channels: [nowhere]\n")
    (tmp_path / "channels.yaml").write_text("channels: []\n")

    code, _, err = invoke("--config", str(tmp_path), "check")

    assert code == 1
    assert f"{tmp_path / 'sources.yaml'}:4:5:" in err, "the unknown key `colour` is located"
    assert f"{tmp_path / 'sources.yaml'}:3:10:" in err, "the ftp:// URL is located"
    assert f"{tmp_path / 'rules.yaml'}:3:12:" in err, "the unbalanced parenthesis is located"
    assert "nowhere" in err
    assert "^" in err


def test_poll_delivers_one_alert_per_hit_and_hits_lists_exactly_those(
    config_dir: Path, webhook_receiver: WebhookReceiver, database_url: str
) -> None:
    (config_dir / "settings.yaml").write_text(POLLER_PROCESSES_SETTINGS, encoding="utf-8")
    code, out, _ = invoke("--config", str(config_dir), "--db", database_url, "poll")

    assert code == 0, out
    assert "sources: 2 ok, 0 failed; new articles: 3; new hits: 2; alerts: 2 sent, 0 failed" in out
    assert len(webhook_receiver.wait_for(2)) == 2

    code, out, _ = invoke("--config", str(config_dir), "--db", database_url, "hits", "--format", "json")
    assert code == 0
    hits = [json.loads(line) for line in out.splitlines()]
    assert {(h["rule"], h["title"], h["source"]) for h in hits} == {
        ("shahed-production-russia", SHAHED_EN[1], "English wire"),
        ("shahed-production-russia", SHAHED_FR[1], "Presse"),
    }
    assert all({"url", "published", "matched_at", "terms"} <= hit.keys() for hit in hits)

    code, out, _ = invoke("--config", str(config_dir), "--db", database_url, "poll")
    assert "new articles: 0; new hits: 0; alerts: 0 sent" in out
    assert len(webhook_receiver.accepted) == 2


def test_hits_filters_by_rule_and_age_and_writes_csv(config_dir: Path, database_url: str) -> None:
    invoke("--config", str(config_dir), "--db", database_url, "poll")
    base = ("--config", str(config_dir), "--db", database_url, "hits")

    _, out, _ = invoke(*base, "--rule", "rail-freight-north-korea-russia", "--format", "json")
    assert out.strip() == ""
    _, out, _ = invoke(*base, "--since", "1h", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["title"] for row in rows} == {SHAHED_EN[1], SHAHED_FR[1]}
    code, _, err = invoke(*base, "--since", "soon")
    assert code != 0 and "duration" in err


def test_rules_test_reads_json_lines_and_alerts_nobody(config_dir: Path, tmp_path: Path) -> None:
    articles = [
        {
            "id": "a",
            "title": "Shahed production",
            "text": "Russia builds Shahed drones at the Alabuga plant.",
        },
        {"id": "b", "text": "La Corée du Nord a livré des millions d'obus à la Russie.", "language": "fr"},
        {"id": "c", "text": "Nothing to see here."},
    ]
    stdin = "\n".join(json.dumps(a) for a in articles)

    code, out, _ = invoke("--config", str(config_dir), "rules", "test", "--input", "-", input=stdin)

    assert code == 0
    results = {line["id"]: line for line in map(json.loads, out.splitlines())}
    assert [m["rule"] for m in results["a"]["matches"]] == ["shahed-production-russia"]
    assert [m["rule"] for m in results["b"]["matches"]] == ["north-korean-munitions-to-russia"]
    assert results["c"]["matches"] == []
    assert results["a"]["matches"][0]["terms"] and results["a"]["matches"][0]["snippet"]


def test_rules_test_table_names_the_words_found_in_the_article(config_dir: Path) -> None:
    line = json.dumps(
        {"id": "y", "title": "The plant in Yelabuga now assembles Geran-2 drones", "language": "en"}
    )

    code, out, _ = invoke(
        "--config", str(config_dir), "rules", "test", "--input", "-", "--format", "table", input=line
    )

    assert code == 0
    (row,) = [row for row in out.splitlines() if "shahed-production-russia" in row]
    found = row.rsplit(" — ", 1)[1].split(", ")
    assert "assembles" in found and "Yelabuga" in found
    assert "assembly" not in found, "the rule's word, not the article's"


def test_rules_test_replays_stored_articles(config_dir: Path, database_url: str) -> None:
    invoke("--config", str(config_dir), "--db", database_url, "poll")

    code, out, _ = invoke(
        "--config",
        str(config_dir),
        "--db",
        database_url,
        "rules",
        "test",
        "--since",
        "30d",
        "--rule",
        "shahed-production-russia",
        "--format",
        "json",
    )

    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 3, "every stored article is replayed (as JSON, matched or not)"
    assert sum(1 for line in lines if line["matches"]) == 2


def test_rules_test_names_a_bad_input_line(config_dir: Path) -> None:
    code, _, err = invoke(
        "--config", str(config_dir), "rules", "test", "--input", "-", input='{"text": "x"}\nnot json\n'
    )
    assert code != 0 and "line 2" in err


def test_poll_reports_entries_it_cannot_store(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path, sqlite_url: str
) -> None:
    anonymous = b"<item><description>No link, no GUID, no title.</description></item>"
    body = rss([OTHER]).replace(b"</channel>", anonymous + b"</channel>")
    sources = {"wire": feed_server.serve("/wire.xml", body)}
    config_dir = write_config(tmp_path / "c", sources=sources, alert_url=webhook_receiver.apprise_url("/a"))

    code, out, _ = invoke("--config", str(config_dir), "--db", sqlite_url, "poll")

    assert code == 0
    assert "skipped: wire: 1 entry with neither link, GUID nor title" in out
    assert "new articles: 1;" in out


def test_rules_preview_counts_and_compares_with_the_saved_rule(config_dir: Path, database_url: str) -> None:
    invoke("--config", str(config_dir), "--db", database_url, "poll")
    base = ("--config", str(config_dir), "--db", database_url, "rules", "preview")

    code, out, _ = invoke(*base, "--query", "Shahed AND NOT usine", "--since", "30d")
    assert code == 0 and out.startswith("matches 1 of 3 articles since 30d")

    code, out, _ = invoke(*base, "--query", "Shahed AND NOT usine", "--rule", "shahed-production-russia")
    assert code == 0
    assert "saved rule 'shahed-production-russia' matches 2" in out
    assert "adds 0" in out and "drops 1 (1 new)" in out
    assert "Production de drones Shahed en Russie [new]" in out

    code, _, err = invoke(*base, "--query", "Shahed AND (")
    assert code == 1 and "--query does not compile" in err
