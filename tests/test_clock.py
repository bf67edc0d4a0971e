"""monitor's clock: aware UTC, moved as a whole by MONITOR_CLOCK_SHIFT for time-travel test runs."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor import clock


@pytest.mark.parametrize(
    ("text", "shift"),
    [
        (None, timedelta(0)),
        ("", timedelta(0)),
        ("365d", timedelta(days=365)),
        ("+2h", timedelta(hours=2)),
        ("-90m", -timedelta(minutes=90)),
    ],
)
def test_the_shift_is_read_as_a_signed_duration(text: str | None, shift: timedelta) -> None:
    assert clock._read_shift(text) == shift


def test_a_bad_shift_stops_the_process_with_the_variable_named() -> None:
    with pytest.raises(SystemExit, match="MONITOR_CLOCK_SHIFT: expected a duration"):
        clock._read_shift("next year")


def test_now_is_aware_utc_and_moved_by_the_shift_in_a_new_process() -> None:
    code = "from monitor import clock; print(clock.now().isoformat())"
    env = {"MONITOR_CLOCK_SHIFT": "400d", "PATH": ""}
    command = [sys.executable, "-c", code]
    printed = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    shifted = datetime.fromisoformat(printed.stdout.strip())
    expected = datetime.now(UTC) + timedelta(days=400)
    assert shifted.tzinfo is not None
    assert abs(shifted - expected) < timedelta(minutes=5)


def test_every_now_in_monitor_comes_from_the_clock() -> None:
    """A direct `datetime.now()` would escape the shift, and with it the year-ahead test run."""
    package = Path(clock.__file__).parent
    offenders = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        if path.name != "clock.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"datetime\.(now|utcnow|today)\(|date\.today\(", line)
    ]
    assert offenders == []
