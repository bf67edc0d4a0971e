"""`monitor deliveries` shows the outbox with masked errors, `deliveries retry` sends failed alerts again,
and `monitor poll` exits 3 while alerts are not delivered."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_commands import OTHER, SHAHED_EN, SHAHED_FR, invoke
from tests.support.feed_server import FeedServer
from tests.support.watch_config import ONE_POLLER, atom, rss, write_config
from tests.support.webhook_receiver import WebhookReceiver

TOKEN = "s3cr3tt0ken42"
FAST_FAIL = "delivery:\n  max_attempts: 1\n  timeout: 5\n"


def _config(tmp_path: Path, feed_server: FeedServer, alert_url: str, settings: str = "") -> Path:
    sources = {
        "English wire": feed_server.serve("/en.xml", rss([SHAHED_EN, OTHER])),
        "Presse": feed_server.serve("/fr.atom", atom([SHAHED_FR])),
    }
    return write_config(
        tmp_path / "config", sources=sources, alert_url=alert_url, settings=ONE_POLLER + settings
    )


def _polled(
    tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver, database_url: str, failures: int
) -> tuple[tuple[str, ...], int]:
    """One poll whose first `failures` alerts are refused (HTTP 503, no retry): the global options of
    these commands and poll's exit status."""
    config = _config(tmp_path, feed_server, receiver.apprise_url("/a"), FAST_FAIL)
    base = ("--config", str(config), "--db", database_url)
    receiver.fail_next(failures, status=503)
    code, _, _ = invoke(*base, "poll")
    return base, code


def test_poll_exits_3_while_alerts_wait_and_deliveries_shows_them_with_masked_errors(
    tmp_path: Path, feed_server: FeedServer, database_url: str
) -> None:
    slow_retry = "delivery:\n  retry_base: 1h\n  retry_max: 1h\n"
    config = _config(tmp_path, feed_server, f"json://127.0.0.1:1/hooks/{TOKEN}", slow_retry)  # no listener
    base = ("--config", str(config), "--db", database_url)
    first, out, err = invoke(*base, "poll")
    again, _, _ = invoke(*base, "poll")  # nothing tried (backoff), still not delivered
    _, listed, _ = invoke(*base, "deliveries", "--format", "json")
    _, table, _ = invoke(*base, "deliveries", "--status", "pending", "--channel", "analysts")
    _, none_failed, _ = invoke(*base, "deliveries", "--status", "failed")
    assert (first, again) == (3, 3)
    assert "alerts: 0 sent, 1 failed (1 to retry)" in out  # the channel's oldest; the other waits behind
    assert "2 alerts not delivered" in err and "monitor deliveries" in err
    rows = [json.loads(line) for line in listed.splitlines()]
    assert [(r["status"], r["channel"], r["attempts"]) for r in rows] == [
        ("pending", "analysts", 0),
        ("pending", "analysts", 1),
    ]
    assert all(r["next_attempt_at"] and r["age_seconds"] >= 0 for r in rows) and rows[1]["last_error"]
    assert {r["subject"].split(":")[0] for r in rows} == {"shahed-production-russia"}
    assert TOKEN not in listed + table + out + err
    assert "ID" in table and "NEXT ATTEMPT" in table and "error: attempt 1:" in table and "in " in table
    assert "outbox: 2 pending, 0 failed, 0 sent" in table
    assert none_failed.startswith("no deliveries")


def test_deliveries_retry_all_failed_makes_the_next_poll_send_them(
    tmp_path: Path, feed_server: FeedServer, webhook_receiver: WebhookReceiver, database_url: str
) -> None:
    base, failed = _polled(tmp_path, feed_server, webhook_receiver, database_url, failures=2)
    _, listed, _ = invoke(*base, "deliveries", "--status", "failed", "--format", "json")
    retried, said, _ = invoke(*base, "deliveries", "retry", "--all-failed")
    sent, out, _ = invoke(*base, "poll")
    _, after, _ = invoke(*base, "deliveries", "--status", "sent", "--format", "json")
    assert [json.loads(line)["status"] for line in listed.splitlines()] == ["failed", "failed"]
    assert (failed, retried, sent) == (3, 0, 0)
    assert said.strip() == "2 deliveries due now"
    assert "alerts: 2 sent, 0 failed" in out
    assert len(webhook_receiver.wait_for(2)) == 2
    assert len(after.splitlines()) == 2


def test_deliveries_retry_by_id_names_the_ones_it_cannot_retry(
    tmp_path: Path, feed_server: FeedServer, webhook_receiver: WebhookReceiver, database_url: str
) -> None:
    base, _ = _polled(tmp_path, feed_server, webhook_receiver, database_url, failures=1)
    _, listed, _ = invoke(*base, "deliveries", "--format", "json")
    ids = {json.loads(line)["status"]: json.loads(line)["id"] for line in listed.splitlines()}
    code, out, err = invoke(*base, "deliveries", "retry", str(ids["failed"]), str(ids["sent"]), "999999")
    usage, _, _ = invoke(*base, "deliveries", "retry")
    assert code == 1 and out.strip() == "1 delivery due now"
    assert f"not waiting or failed (sent already, or unknown): {ids['sent']}, 999999" in err
    assert usage == 2


def test_reading_commands_work_with_a_broken_configuration(
    tmp_path: Path, feed_server: FeedServer, webhook_receiver: WebhookReceiver, database_url: str
) -> None:
    config = _config(tmp_path, feed_server, webhook_receiver.apprise_url("/a"))
    base = ("--config", str(config), "--db", database_url)
    invoke(*base, "poll")
    (config / "rules.yaml").write_text("rules:\n  - name: broken\n    query: (\n")
    results = {
        command: invoke(*base, command, "--format", "json") for command in ("hits", "sources", "deliveries")
    }
    check, _, _ = invoke(*base, "check")
    assert check == 1
    for command, (code, out, err) in results.items():
        assert code == 0, (command, err)
        assert len(out.splitlines()) == 2, command  # two hits, two sources, two deliveries
        if command == "sources":  # it shows the configured sources too; hits and deliveries read only
            assert "warning: the configuration has 1 problem" in err


def test_deliveries_counts_the_alerts_held_for_a_digest(
    tmp_path: Path, feed_server: FeedServer, webhook_receiver: WebhookReceiver, database_url: str
) -> None:
    config = _config(tmp_path, feed_server, webhook_receiver.apprise_url("/a"))
    url = webhook_receiver.apprise_url("/a")
    (config / "channels.yaml").write_text(
        f"channels:\n  - name: analysts\n    urls: ['{url}']\n    mode: digest\n    every: 1d\n",
        encoding="utf-8",
    )
    base = ("--config", str(config), "--db", database_url)
    code, out, _ = invoke(*base, "poll")
    _, table, _ = invoke(*base, "deliveries")
    assert code == 0 and "alerts: 0 sent" in out and webhook_receiver.requests == []
    assert table.splitlines()[-1] == "outbox: 0 pending, 0 failed, 0 sent, 2 held for digests"
