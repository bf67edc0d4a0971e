"""Small things a new user trips on (issue 9, point 6): clear answers instead of misleading ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_commands import OTHER, SHAHED_EN, invoke
from tests.support.feed_server import FeedServer
from tests.support.watch_config import rss, write_config
from tests.support.webhook_receiver import WebhookReceiver


def config(feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path) -> Path:
    sources = {"wire": feed_server.serve("/wire.xml", rss([SHAHED_EN, OTHER]))}
    return write_config(tmp_path / "c", sources=sources, alert_url=webhook_receiver.apprise_url("/a"))


def test_sources_status_failing_says_none_fail_rather_than_none_configured(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path, database_url: str
) -> None:
    base = ("--config", str(config(feed_server, webhook_receiver, tmp_path)), "--db", database_url)
    invoke(*base, "poll")

    code, out, _ = invoke(*base, "sources", "--status", "failing")

    assert code == 0
    assert out.strip() == "no failing sources (1 source configured)"


def test_check_counts_one_of_a_kind_in_the_singular(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path
) -> None:
    code, out, _ = invoke("--config", str(config(feed_server, webhook_receiver, tmp_path)), "check")

    assert code == 0
    assert ": OK — 1 source, 3 rules (3 enabled), 1 channel, " in out, out


@pytest.mark.parametrize("command", ["hits", "stories"])
def test_hits_and_stories_name_an_unknown_rule_and_suggest_the_close_one(
    feed_server: FeedServer,
    webhook_receiver: WebhookReceiver,
    tmp_path: Path,
    database_url: str,
    command: str,
) -> None:
    base = ("--config", str(config(feed_server, webhook_receiver, tmp_path)), "--db", database_url)
    invoke(*base, "poll")

    code, _, err = invoke(*base, command, "--rule", "shahed-prodution-russia")

    assert code == 1
    assert "no rule named 'shahed-prodution-russia'" in err
    assert "did you mean 'shahed-production-russia'" in err
    code, out, _ = invoke(*base, command, "--rule", "shahed-production-russia", "--format", "json")
    assert code == 0 and len(out.splitlines()) == 1


def test_deliveries_names_an_unknown_channel_and_suggests_the_close_one(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path, database_url: str
) -> None:
    base = ("--config", str(config(feed_server, webhook_receiver, tmp_path)), "--db", database_url)
    invoke(*base, "poll")  # one alert sent to the channel 'analysts'

    code, out, err = invoke(*base, "deliveries", "--channel", "analyst")
    retried, _, retry_err = invoke(*base, "deliveries", "retry", "--all-failed", "--channel", "analyst")

    assert (code, out) == (1, "")
    assert "no channel named 'analyst'" in err and "did you mean 'analysts'" in err
    assert retried == 1 and "did you mean 'analysts'" in retry_err
    code, out, _ = invoke(*base, "deliveries", "--channel", "analysts", "--status", "failed")
    assert code == 0 and out.startswith("no deliveries"), "a known channel with none of that status"


def test_the_alert_names_the_words_found_in_the_article(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path, database_url: str
) -> None:
    base = ("--config", str(config(feed_server, webhook_receiver, tmp_path)), "--db", database_url)
    invoke(*base, "poll")

    (alert,) = webhook_receiver.wait_for(1)
    body = alert.json["message"]
    (matched,) = [line for line in body.splitlines() if line.startswith("Rule: ")]
    words = matched.split("matched: ", 1)[1].split(", ")
    assert "Shahed" in words and "Alabuga" in words, matched
    assert SHAHED_EN[1] not in body, "the title is the alert's title, not repeated in its body"


def test_rules_test_since_prints_a_table_of_the_matches_only(
    feed_server: FeedServer, webhook_receiver: WebhookReceiver, tmp_path: Path, database_url: str
) -> None:
    base = ("--config", str(config(feed_server, webhook_receiver, tmp_path)), "--db", database_url)
    invoke(*base, "poll")  # two articles stored, one about Shahed drones

    code, out, _ = invoke(*base, "rules", "test", "--since", "30d")

    assert code == 0
    header, *matches, total = out.splitlines()
    assert header.split()[:3] == ["ARTICLE", "RULE", "SOURCE"]
    assert len(matches) == 1 and "shahed-production-russia" in matches[0] and "wire" in matches[0]
    assert SHAHED_EN[1] in matches[0] and OTHER[1] not in out
    assert total == "1 of 2 articles matched"


@pytest.mark.parametrize("command", ["hits", "stories", "deliveries"])
def test_reading_a_database_that_does_not_exist_is_an_error_not_no_hits(tmp_path: Path, command: str) -> None:
    """A mistyped --db path used to create an empty database there and answer "no hits"."""
    typo = tmp_path / "monitr.db"
    config_dir = write_config(tmp_path / "c", sources={}, alert_url="json://127.0.0.1:9/x")

    code, _, err = invoke("--config", str(config_dir), "--db", f"sqlite:///{typo}", command)

    assert code == 1
    assert err.strip() == (
        f"error: no database at {typo}: `monitor run` or `monitor poll` creates it "
        "(a typo in --db or MONITOR_DATABASE_URL?)"
    )
    assert not typo.exists()
