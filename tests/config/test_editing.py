"""Appending sources to sources.yaml: everything already written stays as written; a bad change is undone."""

from __future__ import annotations

import pytest

from monitor.config import load_config
from monitor.config.editing import append_sources, appended_text, entry_problem, source_entry, unique_name
from monitor.errors import ConfigError
from tests.config.conftest import WriteConfig, rendered
from tests.conftest import PROJECT_ROOT

COMMENTED = """\
# Header comment.
sources:
  # --- a section ---
  - name: "Quoted: name"   # trailing comment
    url: 'https://a.example/feed'
    tags: [one, two]
    interval: 1h30m

  - {name: Flow, url: "https://b.example/feed"}
# closing comment
"""
NEW = {"name": "New", "url": "https://c.example/feed", "tags": ["x", "y"]}
NEW_YAML = "  - name: New\n    url: https://c.example/feed\n    tags: [x, y]\n"


# (existing text, text after appending NEW)
APPENDED = {
    "comments, quotes, flow styles and blank lines kept; a closing comment stays last": (
        COMMENTED,
        COMMENTED.replace("# closing comment\n", NEW_YAML + "# closing comment\n"),
    ),
    "an empty list becomes a block list": ("sources: []\n", "sources:\n" + NEW_YAML),
    "a key without a list": ("# c\nsources:\n", "# c\nsources:\n" + NEW_YAML),
    "the file's own indentation imitated": (
        "sources:\n- name: a\n  url: https://a.example/\n",
        "sources:\n- name: a\n  url: https://a.example/\n- name: New\n  url: https://c.example/feed\n"
        "  tags: [x, y]\n",
    ),
}


@pytest.mark.parametrize(("before", "after"), APPENDED.values(), ids=APPENDED.keys())
def test_appended_text_changes_nothing_but_the_end_of_the_list(before: str, after: str) -> None:
    assert appended_text(before, [NEW]) == after


def test_the_bundled_sources_file_gains_only_the_new_lines() -> None:
    bundled = (PROJECT_ROOT / "config" / "sources.yaml").read_text(encoding="utf-8")
    assert appended_text(bundled, [NEW]) == bundled + NEW_YAML


def test_append_sources_returns_the_configuration_with_them(write_config: WriteConfig) -> None:
    directory = write_config({"sources.yaml": COMMENTED})
    config = append_sources(
        directory, [NEW, {"name": "Costs ${HOME}", "url": "https://d.example/"}], environ={}
    )

    assert [source.name for source in config.sources] == ["Quoted: name", "Flow", "New", "Costs ${HOME}"]
    assert "name: Costs $${HOME}" in (directory / "sources.yaml").read_text(), "text from feeds stays literal"


def test_an_invalid_addition_is_undone_byte_for_byte(write_config: WriteConfig) -> None:
    directory = write_config({"sources.yaml": COMMENTED.replace("\n", "\r\n")})
    before = (directory / "sources.yaml").read_bytes()

    with pytest.raises(ConfigError) as caught:
        append_sources(directory, [{"name": "Flow", "url": "ftp://e.example/"}], environ={})

    assert (directory / "sources.yaml").read_bytes() == before
    assert rendered(caught.value.problems, directory).splitlines()[0] == (
        "sources.yaml:11:10: url: must be an http:// or https:// URL, got 'ftp://e.example/'"
    ), "the problem is shown where the entry would have been"


def test_windows_line_endings_are_kept(write_config: WriteConfig) -> None:
    directory = write_config({"sources.yaml": COMMENTED.replace("\n", "\r\n")})
    append_sources(directory, [NEW], environ={})
    expected = COMMENTED.replace("# closing comment\n", NEW_YAML + "# closing comment\n")
    assert (directory / "sources.yaml").read_bytes() == expected.replace("\n", "\r\n").encode()


def test_a_missing_file_is_created_and_removed_again_when_invalid(write_config: WriteConfig) -> None:
    directory = write_config({"sources.yaml": None})

    with pytest.raises(ConfigError):
        append_sources(
            directory, [{"name": "a", "url": "https://a.example/", "interval": "never"}], environ={}
        )
    assert not (directory / "sources.yaml").exists()

    append_sources(directory, [NEW], environ={})
    assert [source.name for source in load_config(directory, {}).sources] == ["New"]
    assert (directory / "sources.yaml").read_text().startswith("# Sources polled by monitor")


def test_a_file_without_a_sources_list_is_refused(write_config: WriteConfig) -> None:
    directory = write_config({"sources.yaml": "sources: https://a.example/feed\n"})
    with pytest.raises(ConfigError, match="'sources' must be a list"):
        append_sources(directory, [NEW], environ={})
    assert (directory / "sources.yaml").read_text() == "sources: https://a.example/feed\n"


# (wanted, taken, result)
NAMES = {
    "free": ("BBC", set(), "BBC"),
    "taken": ("BBC", {"BBC"}, "BBC (2)"),
    "taken twice": ("BBC", {"BBC", "BBC (2)"}, "BBC (3)"),
    "whitespace collapsed": ("  Le \n Monde ", set(), "Le Monde"),
    "empty: the fallback": ("   ", set(), "a.example"),
    "long: cut to 200 with room for the suffix": ("x" * 300, {"x" * 200}, "x" * 196 + " (2)"),
}


@pytest.mark.parametrize(("wanted", "taken", "expected"), NAMES.values(), ids=NAMES.keys())
def test_unique_name(wanted: str, taken: set[str], expected: str) -> None:
    assert unique_name(wanted, taken, fallback="a.example") == expected


# (entry, problem)
ENTRIES = {
    "defaults left out": (source_entry("a", "https://a.example/"), None),
    "every option": (
        source_entry("a", "https://a.example/", interval="30m", language="fr", tags=("x",)),
        None,
    ),
    "a bad URL": (
        source_entry("a", "gopher://a.example/"),
        "url: must be an http:// or https:// URL, got 'gopher://a.example/'",
    ),
    "a bad interval": (
        source_entry("a", "https://a.example/", interval="soon"),
        "interval: expected a duration such as 10m, 2h or 7d, got 'soon'",
    ),
}


@pytest.mark.parametrize(("entry", "problem"), ENTRIES.values(), ids=ENTRIES.keys())
def test_entry_problem_says_why_an_entry_is_refused(entry: dict[str, object], problem: str | None) -> None:
    assert entry_problem(entry) == problem


def test_source_entry_writes_only_what_was_given() -> None:
    assert source_entry("a", "https://a.example/") == {"name": "a", "url": "https://a.example/"}
    assert list(source_entry("a", "u", interval="1h", language="de", tags=["t"])) == [
        "name",
        "url",
        "interval",
        "language",
        "tags",
    ]
