"""Property 13 for ``validate_json`` on the kinds the native one-pass reader checks on the
tokens: unions (plain and discriminated), refs, tuples, records, intersections and objects of
more than 64 properties (docs/gtype.md §8).

The documents are written the ways clients write them and the reader must not care about:
keys in any order (a tag after the fields it selects), whitespace, repeated keys (the last
value wins, at the first key's place). Native and pure must agree on everything, and the
outcome must equal ``validate`` on what ``json.loads`` reads.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.gtype.strategies import schema_and_value
from tests.gtype.test_differential import assert_same_json, json_data, outcome, pair

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))

ONE_PASS_KINDS = {"union", "ref", "tuple", "record", "intersection"}


def kinds(core: Any) -> set[str]:
    """Every node type used anywhere in a core schema."""
    if isinstance(core, dict):
        found = {core["type"]} if isinstance(core.get("type"), str) else set()
        for value in core.values():
            found |= kinds(value)
        return found
    if isinstance(core, list):
        return set().union(*(kinds(x) for x in core)) if core else set()
    return set()


# What a repeated key holds first (the value that follows it replaces it).
DECOYS = ["null", "[1]", "{}", '"x"']


def written(value: Any, rng: random.Random, repeat: bool) -> str:
    """``value`` as JSON with shuffled keys and random spacing; with ``repeat``, some keys
    first appear with another value (``json.loads`` keeps the last one, at the first place)."""
    space = rng.choice(["", " ", "\n  "])
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        parts = []
        for key in keys:
            name = json.dumps(key)
            if repeat and rng.random() < 0.3:
                parts.append(f"{name}:{space}{rng.choice(DECOYS)}")
            parts.append(f"{name}:{space}{written(value[key], rng, repeat)}")
        return "{" + f",{space}".join(parts) + "}"
    if isinstance(value, list | tuple):
        return "[" + f",{space}".join(written(x, rng, repeat) for x in value) + "]"
    return json.dumps(value)


def assert_same_as_validate(validator: Any, text: str) -> None:
    """``validate_json`` says what ``validate`` says about the parsed document (when the text
    is one RFC 8259 accepts: ``json.loads`` also reads lone surrogate escapes)."""
    try:
        json.loads(text)
    except ValueError:
        return
    if "\\ud8" in text:
        return
    got_json = outcome(lambda: validator.validate_json(text))
    got_value = outcome(lambda: validator.validate(json.loads(text)))
    assert got_json == got_value


@SETTINGS
@given(schema_and_value(), st.randoms(use_true_random=False), st.booleans())
def test_property_13_one_pass_kinds_agree_on_reordered_documents(
    case: tuple[dict[str, Any], Any], rng: random.Random, repeat: bool
) -> None:
    """Property 13: unions, refs, tuples, records, intersections read from JSON written in any
    key order, spacing and with repeated keys: both backends agree, and equal ``validate``."""
    core, value = case
    assume(kinds(core) & ONE_PASS_KINDS and json_data(value))
    n, p = pair(core)
    text = written(value, rng, repeat)
    assert_same_json(n, p, text)
    assert_same_json(n, p, text.encode())
    assert_same_as_validate(n, text)


WIDE = 70


@st.composite
def wide_object(draw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """An object of ``WIDE`` integer properties, some optional, and a value for it."""
    required = draw(st.lists(st.booleans(), min_size=WIDE, max_size=WIDE))
    extra = draw(st.sampled_from(["ignore", "forbid", {"type": "string"}]))
    core = {
        "type": "object",
        "properties": {f"p{i}": {"type": "integer", "min": 0} for i in range(WIDE)},
        "required": [f"p{i}" for i in range(WIDE) if required[i]],
        "extra": extra,
    }
    present = draw(st.lists(st.integers(0, WIDE + 3), max_size=WIDE + 4, unique=True))
    value = {f"p{i}": draw(st.integers(-1, 3) | st.just("x")) for i in present}
    return core, value


@SETTINGS
@given(wide_object(), st.randoms(use_true_random=False), st.booleans())
def test_property_13_objects_over_64_properties(
    case: tuple[dict[str, Any], dict[str, Any]], rng: random.Random, repeat: bool
) -> None:
    """Property 13 on objects wider than one 64-bit word of seen properties."""
    core, value = case
    n, p = pair(core)
    text = written(value, rng, repeat)
    assert_same_json(n, p, text)
    assert_same_as_validate(n, text)


CHAIN = {
    "type": "union",
    "name": "Chain",
    "members": [
        {
            "type": "object",
            "properties": {
                "t": {"type": "literal", "values": [tag]},
                "c": {"type": "ref", "name": "Chain", "nullable": True},
            },
            "required": ["t", "c"],
        }
        for tag in ("a", "b")
    ],
}


def chain(depth: int, tag: str) -> str:
    """``depth`` nested links whose tag comes after the link it holds."""
    return '{"c": ' * depth + "null" + f', "t": "{tag}"}}' * depth


@pytest.mark.parametrize("tag", ["a", "b"])
def test_nested_plain_unions_stay_linear(tag: str) -> None:
    """Members tried on the tokens re-read input; a budget bounds that, so a chain of unions
    whose first member fails only at each link's end is read in linear time, not 2**depth."""
    n, p = pair(CHAIN, max_depth=1000)
    text = chain(120, tag)
    assert_same_json(n, p, text)
    assert_same_as_validate(n, text)


TAGGED = {
    "type": "union",
    "discriminator": "kind",
    "members": [
        {
            "type": "object",
            "properties": {
                "kind": {"type": "literal", "values": [tag]},
                "x": {"type": "integer"},
            },
            "required": ["kind", "x"],
        }
        for tag in ("a", "b", 3)
    ],
}


@pytest.mark.parametrize(
    "text",
    [
        '{"kind": "a", "x": 1}',
        '{"x": 1, "kind": "b"}',
        '{"x": {"deep": ["}", "\\"", 1]}, "kind": 3, "x": 2}',
        '{"kind": "a", "x": 1, "kind": "b"}',
        '{"kind": 3.0, "x": 1}',
        '{"kind": true, "x": 1}',
        '{"kind": "c", "x": 1}',
        '{"kind": ["a"], "x": 1}',
        '{"x": 1}',
        '{"x": 1, "kind": "a"',
        '{"x": "\\ud800", "kind": "a"}',
        "[]",
    ],
)
def test_discriminated_union_tags_anywhere(text: str) -> None:
    """The tag is found wherever it is (after nested values holding brackets and quotes); a
    repeated, missing, unknown or malformed one is reported exactly as ``validate`` would."""
    n, p = pair(TAGGED)
    assert_same_json(n, p, text)
    assert_same_as_validate(n, text)


TAG_LAST = {
    "type": "union",
    "discriminator": "kind",
    "members": [
        {
            "type": "object",
            "properties": {
                **{f"p{i}": {"type": "integer"} for i in range(width)},
                "kind": {"type": "literal", "values": [tag]},
            },
            "required": ["kind", "p0"],
        }
        for tag, width in (("small", 1), ("wide", 8))
    ],
}


@pytest.mark.parametrize(
    "text",
    [
        '{"kind": "small", "p0": 1}',
        '{"kind": "small"}',
        '{"kind": "small", "p0": "x"}',
        '{"kind": "small", "p0": 1, "kind": "small"}',
        '{"kind": "wide", "p0": 1, "p7": 7, "p3": 3}',
        '{"kind": "wide", "p0": 1, "extra": [1, 2]}',
        '{"kind": "wide"}',
        '{"kind": "wide", }',
        '{"kind": "small" "p0": 1}',
        '{"p0": 1, "kind": "wide"}',
    ],
)
def test_discriminated_union_read_on_from_a_leading_tag(text: str) -> None:
    """A tag written first is read once and the member goes on from there, whatever place
    the tag has among the member's properties: the dict, its key order and every error are
    those of reading the object whole."""
    n, p = pair(TAG_LAST)
    assert_same_json(n, p, text)
    assert_same_as_validate(n, text)
    kind, value = outcome(lambda: n.validate_json(text))
    if kind == "ok":
        assert list(value) == list(p.validate_json(text)) == list(json.loads(text))
