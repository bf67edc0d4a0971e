"""Hostile values typed or piped into the CLI: a one-line error and exit 1 (2 for a usage error), bounded
memory, never a traceback; and the same commands still work on good input."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from monitor.cli.rules import MAX_LINE_BYTES
from tests.support.cli import invoke as run
from tests.support.watch_config import BUNDLED_CONFIG

PEAK_MEMORY = 100_000_000  # bytes allocated at most while reading /dev/zero (without a cap: until killed)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    """The bundled configuration plus a disabled rule whose query does not compile."""
    directory = tmp_path / "config"
    directory.mkdir()
    for path in BUNDLED_CONFIG.glob("*.yaml"):
        (directory / path.name).write_text(path.read_text())
    with (directory / "rules.yaml").open("a") as rules:
        rules.write("  - name: draft\n    query: (drone AND\n    channels: []\n    enabled: false\n")
    return directory


def invoke(config_dir: Path, *args: str, input: bytes | str | None = None) -> tuple[int, str, str]:
    """Run `monitor --config DIR ARGS…` in-process; an exception other than an exit fails the test."""
    return run("--config", str(config_dir), *args, input=input)


def one_line(err: str) -> str:
    """The error line of a command that failed with exit 1."""
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


# (arguments after --config DIR, with {tmp} the test's directory → exit code, words of the message)
USAGE_AND_RUNTIME_ERRORS = [
    (["hits", "--since", "99999999999d"], 2, "at most 36,500d"),
    (["rules", "test", "--since", "1000000d"], 2, "at most 36,500d"),
    (["hits", "--limit", "99999999999999999999"], 2, "less than or equal to"),
    (["--log-level", "bogus", "hits"], 2, "'bogus' is not a level"),
    (["sources", "export", "--output", "{tmp}"], 1, "error: cannot write {tmp}: Is a directory"),
    (["sources", "export", "--output", "{tmp}/missing/x.opml"], 1, "No such file or directory"),
    (["--db", "postgresql://u@h:notaport/x", "hits"], 1, "error: invalid database URL"),
    (["rules", "test", "--input", "{tmp}/missing.jsonl"], 2, "does not exist"),
    (["rules", "test", "--input", "{tmp}"], 2, "is a directory"),
    (["rules", "test", "--input", "-"], 1, "error: rule 'draft' (disabled) does not compile: AND needs"),
    (["deliveries", "retry", "99999999999999999999999"], 2, "less than or equal to 2147483647"),
    (["deliveries", "retry", "0"], 2, "greater than or equal to 1"),
    (["users", "token", "ana", "--revoke", "99999999999999999999"], 2, "less than or equal to 2147483647"),
]


@pytest.mark.parametrize(("args", "code", "message"), USAGE_AND_RUNTIME_ERRORS)
def test_bad_values_are_a_message_and_an_exit_code(
    config_dir: Path, tmp_path: Path, sqlite_url: str, args: list[str], code: int, message: str
) -> None:
    filled = [arg.format(tmp=tmp_path) for arg in args]
    exit_code, _, err = invoke(config_dir, "--db", sqlite_url, *filled, input="")
    assert exit_code == code, err
    flat = " ".join(err.replace("│", " ").split())
    assert message.format(tmp=tmp_path) in flat
    if code == 1:
        one_line(err)


# (bytes of one --input line → the error)
BAD_LINES = [
    (b'{"text": "Shahed", "language": 5}\n', "error: --input line 1: 'language' must be text"),
    (b'{"text": ["Shahed"]}\n', "error: --input line 1: 'text' must be text"),
    (
        b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n",
        "error: --input line 1: JSON nested too deeply",
    ),
    (b'{"id": 1' + b"0" * 5000 + b', "text": "x"}\n', "error: --input line 1: not JSON: Exceeds the limit"),
    (b'{"text": "ok"}\n{"text": "Shahed \xff\xfe"}\n', "error: --input line 2: not UTF-8 (byte 18)"),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES)
def test_a_bad_input_line_is_named_in_one_line(config_dir: Path, line: bytes, message: str) -> None:
    code, _, err = invoke(
        config_dir, "rules", "test", "--rule", "shahed-production-russia", "-i", "-", input=line
    )
    assert code == 1 and one_line(err).startswith(message)


def test_a_lone_surrogate_is_replaced_and_the_article_still_matched(config_dir: Path) -> None:
    line = '{"id": "s", "text": "Russia builds Shahed drones at the Alabuga plant \\ud800 \\u202e"}\n'
    code, out, _ = invoke(
        config_dir, "rules", "test", "--rule", "shahed-production-russia", "-i", "-", input=line
    )
    assert code == 0
    (result,) = map(json.loads, out.splitlines())
    assert [match["rule"] for match in result["matches"]] == ["shahed-production-russia"]
    assert "\ud800" not in out and "\u202e" not in out


def test_an_entry_repeating_a_matched_word_twenty_thousand_times_is_matched(config_dir: Path) -> None:
    text = "Russia builds Shahed drones at the Alabuga plant. " + "Shahed " * 20_000
    line = json.dumps({"id": "long", "title": "Shahed " * 1000, "text": text}) + "\n"
    code, out, _ = invoke(
        config_dir, "rules", "test", "--rule", "shahed-production-russia", "-i", "-", input=line
    )
    assert code == 0
    (result,) = map(json.loads, out.splitlines())
    (match,) = result["matches"]
    assert {"Shahed", "Alabuga"} <= set(match["terms"]) and "Shahed" in match["snippet"]
    assert "\x02" not in match["snippet"], "plain text carries no marks"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rules", "test", "--rule", "shahed-production-russia", "--input", "/dev/zero"],
         f"error: --input line 1: longer than {MAX_LINE_BYTES:,} bytes"),
        (["sources", "import", "/dev/zero"], "error: /dev/zero: larger than 10,000,000 bytes"),
    ],
)  # fmt: skip
def test_reading_dev_zero_stops_at_the_cap_within_bounded_memory(
    config_dir: Path, args: list[str], message: str
) -> None:
    tracemalloc.start()
    try:
        code, _, err = invoke(config_dir, *args)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 1 and one_line(err) == message
    assert peak < PEAK_MEMORY, f"{peak:,} bytes allocated at the peak"
