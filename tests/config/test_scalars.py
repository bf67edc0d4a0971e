"""Every character of a string scalar is located in its file, whatever the scalar's style."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from monitor.config.scalars import scalar_offsets


def _scalars(text: str) -> list[tuple[ScalarNode, int]]:
    """Every scalar value of a document with the column of its enclosing block collection."""
    found: list[tuple[ScalarNode, int]] = []

    def walk(node: Node, indent: int) -> None:
        if isinstance(node, MappingNode):
            for _, value in node.value:
                walk(value, node.start_mark.column)
        elif isinstance(node, SequenceNode):
            for item in node.value:
                walk(item, node.start_mark.column)
        elif isinstance(node, ScalarNode):
            found.append((node, indent))

    walk(YAML(typ="safe", pure=True).compose(text), -1)
    return found


def _where(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index)
    return line + 1, index - (text.rfind("\n", 0, index) + 1) + 1


# (document, the character of the query to locate (its first occurrence), expected line:column)
LOCATIONS = [
    ("q: shahed AND geran\n", "g", (1, 15)),
    ("q: shahed AND\n  geran\n", "g", (2, 3)),
    ("q: shahed\n\n  geran\n", "g", (3, 3)),
    ("q: 'it''s geran'\n", "g", (1, 11)),
    ("q: 'a\n     geran'\n", "g", (2, 6)),
    ('q: "\\x41 \\"geran\\""\n', "g", (1, 12)),
    ('q: "\\u00e9 \\\n   geran"\n', "g", (2, 4)),
    ("q: |\n  shahed\n    AND geran\n", "g", (3, 9)),
    ("q: |-\n   one\n\n   geran\n", "g", (4, 4)),
    ("q: >\n  shahed\n  AND\n\n  geran\n", "g", (5, 3)),
    ("q: >2-\n    x\n  geran\n", "g", (3, 3)),
    ("rules:\n  - query: >  # why\n      shahed\n      geran\n", "g", (4, 7)),
    ("rules:\n- name: x\n  query: |\n    (geran\n", "g", (4, 6)),
    ("q: [shahed, geran]\n", "g", (1, 13)),
]


@pytest.mark.parametrize(("document", "char", "expected"), LOCATIONS)
def test_a_character_of_the_value_is_found_at_its_line_and_column(
    document: str, char: str, expected: tuple[int, int]
) -> None:
    node, indent = next((n, i) for n, i in _scalars(document) if char in n.value and n.value != "x")
    offsets = scalar_offsets(document, node, indent)
    assert offsets is not None
    assert _where(document, offsets[node.value.index(char)]) == expected


@pytest.mark.parametrize(("document", "char", "expected"), LOCATIONS)
def test_the_end_offset_follows_the_last_character(
    document: str, char: str, expected: tuple[int, int]
) -> None:
    for node, indent in _scalars(document):
        offsets = scalar_offsets(document, node, indent)
        assert offsets is not None
        assert len(offsets) == len(node.value) + 1


STYLES = [str, SingleQuotedScalarString, DoubleQuotedScalarString, LiteralScalarString, FoldedScalarString]
TEXT = st.lists(
    st.sampled_from([*"ab (\")'\\:#-é ю\t", "  ", "\n", "\n\n", "geran"]), min_size=1, max_size=25
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=TEXT, style=st.sampled_from(STYLES), nested=st.booleans())
def test_every_dumped_string_maps_back_onto_itself(text: str, style: type, nested: bool) -> None:
    """Whatever ruamel.yaml writes, the replay reproduces the value and each visible character's place."""
    yaml = YAML()
    yaml.width = 12
    data = {"rules": [{"query": style(text)}]} if nested else {"query": style(text)}
    buffer = io.StringIO()
    try:
        yaml.dump(data, buffer)
    except Exception:  # ruamel refuses some styles for some texts (trailing spaces in block scalars)
        return
    document = buffer.getvalue()
    for node, indent in _scalars(document):
        if node.value != text:
            continue
        offsets = scalar_offsets(document, node, indent)
        assert offsets is not None, document
        for char, index in zip(node.value, offsets, strict=False):
            if char not in " \n\t\"'\\":
                assert document[index] == char, (document, char, index)
