"""Configuration that would make monitor work without end: each bound reported as `file:line:column` with a
caret, and nothing else lost (the other rules still compile, the other files are still checked)."""

from __future__ import annotations

import pytest

from monitor.config import check_config, load_config
from monitor.config.yamlfile import MAX_DEPTH, MAX_FILE_BYTES
from monitor.rules.limits import MAX_NESTING, MAX_QUERY_CHARS, TOO_DEEP, too_many_terms
from tests.config.conftest import WriteConfig, rendered

QUERY_TOO_LONG = (
    f"query: is 12,000 characters long, more than the {MAX_QUERY_CHARS:,} a query or concept alternative "
    "may have (write long lists of alternatives in concepts.yaml, one per line)"
)
OTHER_RULE = "  - name: other\n    query: drone\n    channels: [analysts]\n"


def rules_with(query: str) -> str:
    """rules.yaml: a rule with `query` (in double quotes, on line 3) and a good rule after it."""
    return f'rules:\n  - name: r\n    query: "{query}"\n    channels: [analysts]\n{OTHER_RULE}'


def concepts_chain(count: int, uses: int) -> str:
    """concepts.yaml: c0 … c{count}, each using the next one `uses` times, the last a word."""
    lines = [f"  c{i}: [{', '.join([repr(f'@c{i + 1}')] * uses)}]\n" for i in range(count)]
    return "concepts:\n" + "".join(lines) + f"  c{count}: [drone]\n"


CONCEPT_NESTING = (
    f"concepts nested more than {MAX_NESTING} levels deep: @c0 → … → @c{MAX_NESTING - 1} → @c{MAX_NESTING}"
)

# (files replacing the valid ones → the one problem: file, line, column, caret width, message)
LIMITS = {
    "parentheses": (
        {"rules.yaml": rules_with("(" * 300 + "drone" + ")" * 300)},
        ("rules.yaml", 3, 13 + MAX_NESTING, 1, TOO_DEEP),
    ),
    "NOT chain": (
        {"rules.yaml": rules_with("drone " + "NOT " * 1200 + "x")},
        ("rules.yaml", 3, 19 + 4 * MAX_NESTING, 3, TOO_DEEP),
    ),
    "field prefixes": (
        {"rules.yaml": rules_with("title:" * 1000 + "drone")},
        ("rules.yaml", 3, 13 + 6 * MAX_NESTING, 6, TOO_DEEP),
    ),
    "nested concepts": (
        {"rules.yaml": rules_with("@c0"), "concepts.yaml": concepts_chain(400, 1)},
        ("concepts.yaml", MAX_NESTING + 1, 10, 4, f"in concept 'c{MAX_NESTING - 1}': {CONCEPT_NESTING}"),
    ),
    "concepts that double at each level": (
        {"rules.yaml": rules_with("@c0 NEAR/3 x"), "concepts.yaml": concepts_chain(30, 2)},
        ("concepts.yaml", 17, 18, 1, f"in concept 'c15': {too_many_terms('this concept')}"),
    ),
    "a query longer than the limit": (
        {"rules.yaml": rules_with("drone " * 2000)},
        ("rules.yaml", 3, 12, 12_002, QUERY_TOO_LONG),
    ),
    "YAML flow nesting": (
        {"rules.yaml": "rules: " + "[" * 600 + "]" * 600 + "\n"},
        ("rules.yaml", 1, 8 + MAX_DEPTH - 1, 1, f"nested more than {MAX_DEPTH} levels deep"),
    ),
    "YAML block nesting": (
        {"settings.yaml": "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "v\n"},
        ("settings.yaml", MAX_DEPTH, 2 * MAX_DEPTH - 1, 1, f"nested more than {MAX_DEPTH} levels deep"),
    ),
}


@pytest.mark.parametrize(("files", "expected"), LIMITS.values(), ids=LIMITS.keys())
def test_each_limit_is_one_problem_located_with_a_caret(
    write_config: WriteConfig, files: dict[str, str], expected: tuple[str, int, int, int, str]
) -> None:
    directory = write_config(files)
    problems = check_config(directory, {})
    assert len(problems) == 1, rendered(problems, directory)
    (problem,) = problems
    where = (problem.file.removeprefix(f"{directory}/"), problem.line, problem.column)
    shown = min(expected[3], len(problem.source_line) - expected[2] + 1)
    assert (*where, problem.width, problem.message) == (*expected[:3], shown, expected[4])
    assert "^" * problem.width in problem.render().splitlines()[-1]


def test_a_long_string_aliased_many_times_is_refused_at_the_alias_that_passes_the_limit(
    write_config: WriteConfig,
) -> None:
    text = "x" * (MAX_FILE_BYTES // 4 - 100)  # r0 to r3 stay within the limit, r4 passes it
    rules = f"rules:\n  - name: r0\n    query: &q {text}\n    channels: [analysts]\n" + "".join(
        f"  - name: r{i}\n    query: *q\n    channels: [analysts]\n" for i in range(1, 20)
    )
    directory = write_config({"rules.yaml": rules})
    (problem,) = check_config(directory, {})
    assert (problem.file, problem.line, problem.column) == (str(directory / "rules.yaml"), 15, 5)
    limit = f"{MAX_FILE_BYTES:,}"
    assert problem.message == f"too much text: more than {limit} characters once the aliases are expanded"
    assert problem.source_line.strip() == "query: *q"


def test_rules_within_the_limits_load_beside_nothing_refused(write_config: WriteConfig) -> None:
    query = "(" * (MAX_NESTING - 1) + "drone" + ")" * (MAX_NESTING - 1)
    directory = write_config({"rules.yaml": rules_with(query), "concepts.yaml": concepts_chain(12, 2)})
    config = load_config(directory, {})
    assert [rule.name for rule in config.rules] == ["r", "other"]


TOO_LONG_A_DURATION = "expected a duration of at most 36,500d (100 years)"

# (sources.yaml url or interval → message)
SOURCE_VALUES = [
    ("url: https://example.org:99999/feed", "url: has port 99999: a port goes from 1 to 65535"),
    ("url: https://example.org:0/feed", "url: has port 0: a port goes from 1 to 65535"),
    ("url: https://example.org:http/feed", "url: is not a valid URL: invalid port: 'http'"),
    ("url: http://999.1.1.1/feed", "url: is not a valid URL: invalid IPv4 address: '999.1.1.1'"),
    ("url: https://exa mple.org/feed", "url: has no valid host name"),
    ("interval: .inf", f"interval: {TOO_LONG_A_DURATION}, got inf"),
    ("interval: 99999999999999w", f"interval: {TOO_LONG_A_DURATION}, got '99999999999999w'"),
    ("interval: " + "9" * 5000, "cannot read this int: exceeds the limit (4300 digits) for integer string "
     "conversion"),
]  # fmt: skip


@pytest.mark.parametrize(("line", "message"), SOURCE_VALUES)
def test_bad_source_values_are_one_located_problem(
    write_config: WriteConfig, line: str, message: str
) -> None:
    key = line.split(":")[0]
    url = "" if key == "url" else "    url: https://example.org/feed\n"
    sources = f"sources:\n  - name: a\n{url}    {line}\n  - name: b\n    url: https://example.org/b\n"
    directory = write_config({"sources.yaml": sources})
    (problem,) = check_config(directory, {})
    assert (problem.line, problem.column, problem.message) == (4 if url else 3, 5 + len(key) + 2, message)


def test_a_name_with_a_bidirectional_override_is_refused(write_config: WriteConfig) -> None:
    directory = write_config(
        {"sources.yaml": 'sources:\n  - name: "evil\\u202etxt.exe"\n    url: https://a.example/\n'}
    )
    (problem,) = check_config(directory, {})
    message = "name: must not contain control characters or bidirectional overrides"
    assert (problem.line, problem.column, problem.message) == (2, 11, message)
