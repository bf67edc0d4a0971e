"""Broken configurations → the exact problems shown to the user: `file:line:column: message` and a caret."""

from __future__ import annotations

import textwrap

import pytest

from monitor.config import check_config
from tests.config.conftest import WriteConfig, rendered

# (files replacing the valid ones, every problem rendered)
BROKEN = {
    "yaml syntax error": (
        {"sources.yaml": "sources:\n  - name: a\n    url: b: c\n"},
        """
        sources.yaml:3:11: YAML syntax error: mapping values are not allowed here
                url: b: c
                      ^
        """,
    ),
    "unknown keys, with a suggestion or the list of known keys": (
        {
            "sources.yaml": """\
            sources:
              - name: a
                url: https://a.example/feed
                intervall: 10m
                colour: red
            """
        },
        """
        sources.yaml:4:5: unknown key 'intervall' (did you mean 'interval'?)
                intervall: 10m
                ^^^^^^^^^
        sources.yaml:5:5: unknown key 'colour' (known keys: name, url, interval, language, enabled, tags, type, selectors, full_text, min_interval, max_interval)
                colour: red
                ^^^^^^
        """,  # noqa: E501
    ),
    "unknown top-level key": (
        {"channels.yaml": "channel:\n  - name: analysts\n"},
        """
        channels.yaml:1:1: unknown key 'channel' (did you mean 'channels'?)
            channel:
            ^^^^^^^
        rules.yaml:4:16: unknown channel 'analysts'
                channels: [analysts]
                           ^^^^^^^^
        """,
    ),
    "missing required keys": (
        {"sources.yaml": "sources:\n  - name: a\n  - url: https://b.example/feed\n"},
        """
        sources.yaml:2:5: missing required key 'url'
              - name: a
                ^
        sources.yaml:3:5: missing required key 'name'
              - url: https://b.example/feed
                ^
        """,
    ),
    "wrong types": (
        {
            "sources.yaml": """\
            sources:
              - name: a
                url: https://a.example/feed
                enabled: maybe
                tags: [war, 1945]
              - just a string
            """
        },
        """
        sources.yaml:4:14: enabled: expected true or false, got text 'maybe'
                enabled: maybe
                         ^^^^^
        sources.yaml:5:17: tags[1]: expected text, got the number 1945
                tags: [war, 1945]
                            ^^^^
        sources.yaml:6:5: expected a mapping with name, url, …, got text 'just a string'
              - just a string
                ^^^^^^^^^^^^^
        """,
    ),
    "bad intervals, URLs and languages": (
        {
            "sources.yaml": """\
            sources:
              - name: a
                url: ftp://a.example/feed
                interval: 10 minutes
                language: english
              - name: b
                url: https://b.example/feed
                interval: 0s
            """
        },
        """
        sources.yaml:3:10: url: must be an http:// or https:// URL, got 'ftp://a.example/feed'
                url: ftp://a.example/feed
                     ^^^^^^^^^^^^^^^^^^^^
        sources.yaml:4:15: interval: expected a duration such as 10m, 2h or 7d, got '10 minutes'
                interval: 10 minutes
                          ^^^^^^^^^^
        sources.yaml:5:15: language: must be an ISO 639-1 code such as en, fr, uk, ru or de, got 'english'
                language: english
                          ^^^^^^^
        sources.yaml:8:15: interval: must be longer than zero, such as 10m
                interval: 0s
                          ^^
        """,
    ),
    "duplicate names of sources, channels and rules": (
        {
            "sources.yaml": """\
            sources:
              - {name: a, url: "https://a.example/feed"}
              - {name: a, url: "https://b.example/feed"}
            """,
            "channels.yaml": """\
            channels:
              - {name: analysts, urls: ["json://localhost/a"]}
              - {name: analysts, urls: ["json://localhost/b"]}
            """,
            "rules.yaml": """\
            rules:
              - {name: drones, query: shahed, channels: [analysts]}
              - {name: drones, query: geran, channels: [analysts]}
            """,
        },
        """
        sources.yaml:3:12: duplicate source name 'a' (first at line 2)
              - {name: a, url: "https://b.example/feed"}
                       ^
        channels.yaml:3:12: duplicate channel name 'analysts' (first at line 2)
              - {name: analysts, urls: ["json://***********"]}
                       ^^^^^^^^
        rules.yaml:3:12: duplicate rule name 'drones' (first at line 2)
              - {name: drones, query: geran, channels: [analysts]}
                       ^^^^^^
        """,
    ),
    "duplicate keys and duplicate concepts": (
        {
            "sources.yaml": "sources:\n  - name: a\n    url: https://a.example/feed\n    name: b\n",
            "concepts.yaml": "concepts:\n  drone: [shahed]\n  drone: [geran]\n",
        },
        """
        sources.yaml:4:5: duplicate key 'name' (first at line 2)
                name: b
                ^^^^
        concepts.yaml:3:3: duplicate key 'drone' (first at line 2)
              drone: [geran]
              ^^^^^
        """,
    ),
    "a rule naming an unknown channel": (
        {"rules.yaml": "rules:\n  - name: drones\n    query: shahed\n    channels: [analysts, nobody]\n"},
        """
        rules.yaml:4:26: unknown channel 'nobody'
                channels: [analysts, nobody]
                                     ^^^^^^
        """,
    ),
    "rules without channels.yaml": (
        {"channels.yaml": None},
        """
        rules.yaml:4:16: unknown channel 'analysts' (channels.yaml not found)
                channels: [analysts]
                           ^^^^^^^^
        """,
    ),
    "an invalid Apprise URL, masked in the message and the line": (
        {"channels.yaml": "channels:\n  - name: analysts\n    urls:\n      - tgram://SECRET-TOKEN\n"},
        """
        channels.yaml:4:9: not a valid Apprise URL: tgram://***
                  - tgram://************
                    ^^^^^^^^^^^^^^^^^^^^
        """,
    ),
    "a channel without URLs": (
        {"channels.yaml": "channels:\n  - name: analysts\n    urls: []\n"},
        """
        channels.yaml:3:11: urls: must not be empty
                urls: []
                      ^^
        """,
    ),
    "settings: unknown keys and wrong types, nested": (
        {"settings.yaml": "fetch:\n  connect_timout: 5\ndelivery:\n  max_attempts: nope\nlog_level: [1]\n"},
        """
        settings.yaml:2:3: unknown key 'connect_timout' (did you mean 'connect_timeout'?)
              connect_timout: 5
              ^^^^^^^^^^^^^^
        settings.yaml:4:17: delivery.max_attempts: expected a whole number, got text 'nope'
              max_attempts: nope
                            ^^^^
        settings.yaml:5:12: log_level: expected text, got a list
            log_level: [1]
                       ^^^
        """,
    ),
    "a file that is not a mapping": (
        {"sources.yaml": "- name: a\n"},
        """
        sources.yaml:1:1: expected 'sources:' at the top of the file, got a list
            - name: a
            ^
        """,
    ),
    "a section that is not a list": (
        {"sources.yaml": "sources: https://a.example/feed\n"},
        """
        sources.yaml:1:10: 'sources' must be a list, got text 'https://a.example/feed'
            sources: https://a.example/feed
                     ^^^^^^^^^^^^^^^^^^^^^^
        """,
    ),
}


@pytest.mark.parametrize(("files", "expected"), BROKEN.values(), ids=BROKEN.keys())
def test_broken_configuration_is_reported_exactly(
    write_config: WriteConfig, files: dict[str, str | None], expected: str
) -> None:
    directory = write_config(files)
    assert rendered(check_config(directory, {}), directory) == textwrap.dedent(expected).strip("\n")
