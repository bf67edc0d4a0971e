"""A channel's alert policy in channels.yaml (mode, every/at, timezone, quiet_hours, max_per_hour) and a
rule's priority: loaded with their defaults, and every mistake reported at its file:line:col."""

from __future__ import annotations

import textwrap
from datetime import time, timedelta

import pytest

from monitor.config import check_config, load_config
from tests.config.conftest import WriteConfig, rendered

POLICIES = """\
channels:
  - name: analysts
    urls: ["json://localhost:8099/alerts"]
  - name: morning
    urls: ["json://localhost:8099/digest"]
    mode: digest
    at: ["17:30", "08:00"]
    timezone: Europe/Paris
    quiet_hours: {from: "22:00", to: "07:00", timezone: Europe/Paris}
  - name: hourly
    urls: ["json://localhost:8099/hourly"]
    mode: digest
    every: 1h
    max_per_hour: 20
"""
RULES = """\
rules:
  - name: drones
    query: shahed
    channels: [analysts, morning]
    priority: high
"""


def test_policies_load_with_their_defaults(write_config: WriteConfig) -> None:
    config = load_config(write_config({"channels.yaml": POLICIES, "rules.yaml": RULES}), {})
    analysts, morning, hourly = config.channels
    assert (analysts.mode, analysts.every, analysts.at, analysts.quiet_hours, analysts.max_per_hour) == (
        "immediate",
        None,
        None,
        None,
        None,
    )
    assert morning.at == [time(8), time(17, 30)] and morning.timezone == "Europe/Paris"
    assert morning.quiet_hours is not None
    assert (morning.quiet_hours.start, morning.quiet_hours.end) == (time(22), time(7))
    assert (hourly.every, hourly.timezone, hourly.max_per_hour) == (timedelta(hours=1), "UTC", 20)
    assert config.rules[0].priority == "high"


BROKEN = {
    "a time of day out of range, an unknown time zone, an empty list of times": (
        """\
        channels:
          - name: analysts
            urls: ["json://localhost:8099/alerts"]
            mode: digest
            at: ["08:00", "25:00", 8]
            timezone: Europe/Pariss
          - name: other
            urls: ["json://localhost:8099/alerts"]
            mode: digest
            at: []
        """,
        """
        channels.yaml:5:19: at[1]: expected a time of day from "00:00" to "23:59", got '25:00'
                at: ["08:00", "25:00", 8]
                              ^^^^^^^
        channels.yaml:5:28: at[2]: expected a time of day such as "08:00", got int
                at: ["08:00", "25:00", 8]
                                       ^
        channels.yaml:6:15: timezone: unknown time zone 'Europe/Pariss': use a name of the IANA database such as Europe/Paris or UTC
                timezone: Europe/Pariss
                          ^^^^^^^^^^^^^
        channels.yaml:10:9: at: must list at least one time of day, such as ["08:00"]
                at: []
                    ^^
        """,  # noqa: E501
    ),
    "a digest without a schedule, a schedule without digest mode, both every and at, every too long": (
        """\
        channels:
          - name: a
            urls: ["json://localhost:8099/alerts"]
            mode: digest
          - name: b
            urls: ["json://localhost:8099/alerts"]
            every: 1h
          - name: c
            urls: ["json://localhost:8099/alerts"]
            mode: digest
            every: 1h
            at: ["08:00"]
          - name: analysts
            urls: ["json://localhost:8099/alerts"]
            mode: digests
            every: 2d
        """,
        """
        channels.yaml:2:5: mode digest needs either `every` (such as 1h) or `at` (such as ["08:00"]), one of them
              - name: a
                ^
        channels.yaml:5:5: `every` and `at` are for mode: digest (add `mode: digest`, or remove them)
              - name: b
                ^
        channels.yaml:8:5: mode digest needs either `every` (such as 1h) or `at` (such as ["08:00"]), one of them
              - name: c
                ^
        channels.yaml:15:11: mode: expected 'immediate' or 'digest', got text 'digests'
                mode: digests
                      ^^^^^^^
        channels.yaml:16:12: every: must be from 1m to 1d, got 2d
                every: 2d
                       ^^
        """,  # noqa: E501
    ),
    "quiet hours: a misspelt key, a bad time, an empty span, a bad zone; max_per_hour below 1": (
        """\
        channels:
          - name: a
            urls: ["json://localhost:8099/alerts"]
            quiet_hours: {from: "22:00", too: "07:00"}
            max_per_hour: 0
          - name: b
            urls: ["json://localhost:8099/alerts"]
            quiet_hours:
              from: "22h"
              to: "07:00"
              timezone: Mars/Olympus
          - name: analysts
            urls: ["json://localhost:8099/alerts"]
            quiet_hours: {from: "07:00", to: "7:00"}
        """,
        """
        channels.yaml:4:18: missing required key 'to'
                quiet_hours: {from: "22:00", too: "07:00"}
                             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
        channels.yaml:4:34: unknown key 'too' (did you mean 'to'?)
                quiet_hours: {from: "22:00", too: "07:00"}
                                             ^^^
        channels.yaml:5:19: max_per_hour: input should be greater than or equal to 1
                max_per_hour: 0
                              ^
        channels.yaml:9:13: quiet_hours.from: expected a time of day from "00:00" to "23:59", got '22h'
                  from: "22h"
                        ^^^^^
        channels.yaml:11:17: quiet_hours.timezone: unknown time zone 'Mars/Olympus': use a name of the IANA database such as Europe/Paris or UTC
                  timezone: Mars/Olympus
                            ^^^^^^^^^^^^
        channels.yaml:14:18: quiet_hours: from and to are the same time: quiet hours would never start or never end
                quiet_hours: {from: "07:00", to: "7:00"}
                             ^^^^^^^^^^^^^^^^^^^^^^^^^^^
        """,  # noqa: E501
    ),
}


@pytest.mark.parametrize("case", list(BROKEN), ids=list(BROKEN))
def test_policy_mistakes_are_reported_at_their_place(write_config: WriteConfig, case: str) -> None:
    channels, expected = BROKEN[case]
    directory = write_config({"channels.yaml": channels})
    assert rendered(check_config(directory, {}), directory) == textwrap.dedent(expected).strip()


def test_an_unknown_priority_is_reported_at_its_value(write_config: WriteConfig) -> None:
    rules = RULES.replace("priority: high", "priority: urgent")
    directory = write_config({"rules.yaml": rules})
    assert rendered(check_config(directory, {}), directory) == (
        "rules.yaml:5:15: priority: expected 'normal' or 'high', got text 'urgent'\n"
        "        priority: urgent\n"
        "                  ^^^^^^"
    )
