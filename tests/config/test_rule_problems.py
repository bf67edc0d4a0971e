"""Rule problems are located inside the query, whatever its YAML style: compile errors, failing examples."""

from __future__ import annotations

import textwrap

import pytest

from monitor.config import check_config, load_config
from monitor.rules import Document
from tests.config.conftest import WriteConfig, rendered

# (rules.yaml, every problem rendered): the caret sits under the faulty part of the query
QUERY_ERRORS = {
    "plain": (
        """\
        rules:
          - name: drones
            query: shahed AND (geran
            channels: [analysts]
        """,
        """
        rules.yaml:3:23: unclosed parenthesis: add the matching ')'
                query: shahed AND (geran
                                  ^
        """,
    ),
    "plain, folded over lines": (
        """\
        rules:
          - name: drones
            query: shahed AND
              (geran OR
              shahed
            channels: [analysts]
        """,
        """
        rules.yaml:4:7: unclosed parenthesis: add the matching ')'
                  (geran OR
                  ^
        """,
    ),
    "single-quoted with an escaped quote before the fault": (
        """\
        rules:
          - name: drones
            query: 'don''t AND @nosuch'
            channels: [analysts]
        """,
        """
        rules.yaml:3:24: unknown concept @nosuch
                query: 'don''t AND @nosuch'
                                   ^^^^^^^
        """,
    ),
    "double-quoted with escapes before the fault": (
        """\
        rules:
          - name: drones
            query: "\\"Shahed\\" \\u0041ND @nosuch"
            channels: [analysts]
        """,
        """
        rules.yaml:3:33: unknown concept @nosuch
                query: "\\"Shahed\\" \\u0041ND @nosuch"
                                            ^^^^^^^
        """,
    ),
    "literal block": (
        """\
        rules:
          - name: drones
            query: |
              (shahed OR geran)
              AND NEAR/5
            channels: [analysts]
        """,
        """
        rules.yaml:5:7: AND needs a word, phrase or group on its right
                  AND NEAR/5
                  ^^^
        """,
    ),
    "folded block with a comment and an indentation indicator": (
        """\
        rules:
          - name: drones
            query: >2-  # drones
                shahed
                AND AND geran
            channels: [analysts]
        """,
        """
        rules.yaml:5:9: AND needs a word, phrase or group on its right
                    AND AND geran
                    ^^^
        """,
    ),
    "two broken rules, both reported": (
        """\
        rules:
          - {name: a, query: "title:", channels: [analysts]}
          - {name: b, query: '"unterminated', channels: [analysts]}
        """,
        """
        rules.yaml:2:23: title: needs a word, phrase or group right after it
              - {name: a, query: "title:", channels: [analysts]}
                                  ^^^^^^
        rules.yaml:3:23: unterminated quote: add the closing "
              - {name: b, query: '"unterminated', channels: [analysts]}
                                  ^^^^^^^^^^^^^
        """,
    ),
}


@pytest.mark.parametrize(("rules", "expected"), QUERY_ERRORS.values(), ids=QUERY_ERRORS.keys())
def test_query_errors_point_into_the_query(write_config: WriteConfig, rules: str, expected: str) -> None:
    directory = write_config({"rules.yaml": rules})
    assert rendered(check_config(directory, {}), directory) == textwrap.dedent(expected).strip("\n")


def test_a_query_built_from_a_variable_points_at_the_reference(write_config: WriteConfig) -> None:
    rules = 'rules:\n  - name: drones\n    query: "shahed ${EXTRA} AND"\n    channels: [analysts]\n'
    directory = write_config({"rules.yaml": rules})
    expected = """\
        rules.yaml:3:29: AND needs a word, phrase or group on its right
                query: "shahed ${EXTRA} AND"
                                        ^^^"""
    problems = check_config(directory, {"EXTRA": "OR geran"})
    assert rendered(problems, directory) == textwrap.dedent(expected)


CONCEPT_ERRORS = {
    "unknown concept in the second alternative": (
        "concepts:\n  drone:\n    - shahed\n    - '@nosuch'\n",
        """
        concepts.yaml:4:8: in concept 'drone': unknown concept @nosuch
                - '@nosuch'
                   ^^^^^^^
        """,
    ),
    "a concept without alternatives": (
        "concepts:\n  drone: []\n",
        """
        concepts.yaml:2:3: in concept 'drone': a concept needs at least one alternative
              drone: []
              ^^^^^
        """,
    ),
}


@pytest.mark.parametrize(("concepts", "expected"), CONCEPT_ERRORS.values(), ids=CONCEPT_ERRORS.keys())
def test_concept_errors_point_into_concepts_yaml(
    write_config: WriteConfig, concepts: str, expected: str
) -> None:
    rules = "rules:\n  - {name: drones, query: '@drone', channels: [analysts]}\n"
    directory = write_config({"rules.yaml": rules, "concepts.yaml": concepts})
    assert rendered(check_config(directory, {}), directory) == textwrap.dedent(expected).strip("\n")


def test_examples_that_disagree_with_their_rule_are_reported_with_the_explanation(
    write_config: WriteConfig,
) -> None:
    rules = """\
    rules:
      - name: rail
        query: Tumangang AND (rail OR train)
        channels: [analysts]
        examples:
          match:
            - A freight train crossed the bridge at Tumangang.
            - Tumangang port was quiet.
          no_match:
            - Rail traffic to Khasan resumed.
            - A train left Tumangang at dawn.
    """
    directory = write_config({"rules.yaml": rules})
    problems = check_config(directory, {})
    assert [(p.line, p.column) for p in problems] == [(8, 11), (11, 11)]
    assert problems[0].message.startswith("example should match but does not: rule 'rail' does not match")
    assert problems[1].message.startswith("example should not match but does: rule 'rail' matches")


def test_examples_of_valid_rules_are_checked_even_when_another_rule_is_broken(
    write_config: WriteConfig,
) -> None:
    rules = """\
    rules:
      - {name: broken, query: "(", channels: [analysts]}
      - name: drones
        query: shahed
        channels: [analysts]
        examples: {match: [Geran-2 drones]}
    """
    directory = write_config({"rules.yaml": rules})
    assert [(p.line, p.column, p.message) for p in check_config(directory, {})] == [
        (2, 29, "the query ends where a word was expected"),
        (
            6,
            24,
            "example should match but does not: rule 'drones' does not match: shahed is not in the article",
        ),
    ]


def test_disabled_rules_are_not_compiled_and_not_in_the_matcher(write_config: WriteConfig) -> None:
    rules = """\
    rules:
      - {name: drones, query: shahed, channels: [analysts]}
      - {name: draft, query: "(", channels: [analysts], enabled: false}
    """
    config = load_config(write_config({"rules.yaml": rules}), {})
    assert [rule.name for rule in config.rules] == ["drones", "draft"]
    assert [hit.rule for hit in config.matcher.match(Document(title="Shahed", text=""))] == ["drones"]
