"""Property 13 on the native object paths that take shortcuts (docs/gtype.md §8):

* ``validate_json`` fills a copy of a per-object template while keys come in schema order and
  rebuilds the dict at the first key out of that order; short strings come from a cache
  compared eight bytes at a time.
* ``validate`` on a dict reads every value in one pass when each key is the very name object
  of a property (dict literals, JSON the native reader built), and looks properties up
  otherwise.

Whatever shortcut is taken, both backends must agree on everything — and ``validate_json``
returns what ``json.loads`` reads, keys in the document's order.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gati import gt
from tests.gtype.strategies import schema_and_value
from tests.gtype.test_differential import (
    assert_same_json,
    assert_same_validate,
    json_data,
    outcome,
    pair,
)
from tests.gtype.test_json_kinds import assert_same_as_validate, kinds, written

pytest.importorskip("gati._native")
# Backend-independent (it builds what it compares itself): the Makefile runs it in one pass.
pytestmark = pytest.mark.once

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))

PROPS = ["a", "bb", "ccc", "d\u00e9", "e" * 9, 'f"q', "g\\h", "k\u0001"]


def schema(required: list[bool], extra: Any) -> dict[str, Any]:
    return gt.object(
        {
            name: gt.integer(min=0) if i % 2 else gt.string(max_length=40)
            for i, name in enumerate(PROPS)
            if required[i]
        }
        | {
            name: gt.optional(gt.integer(min=0) if i % 2 else gt.string(max_length=40))
            for i, name in enumerate(PROPS)
            if not required[i]
        },
        extra=extra,
    ).core()


def in_order(value: Any) -> Any:
    """``value`` with every dict as a list of its items: equal only in the same key order."""
    if isinstance(value, dict):
        return [(k, in_order(x)) for k, x in value.items()]
    if isinstance(value, list):
        return [in_order(x) for x in value]
    return value


TEXTS = st.sampled_from(
    ["", "x", "ada", "caf\u00e9", "\u2603 snow", "\U0001f600", "tab\there", 'q"uote', "back\\",
     "a" * 64, "a" * 65, "\u0000", "line\nfeed"]
)  # fmt: skip
NUMBERS = st.sampled_from(
    [0, 1, -1, 255, 256, 2**63 - 1, 2**63, 2**64, -(2**63) - 1, 10**30, 1.5, -0.0, 1e300]
)


@st.composite
def object_case(draw: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A schema over ``PROPS`` (some optional, any ``extra``) and a value using some of them,
    maybe with undeclared keys, in an order drawn apart from the schema's."""
    required = draw(st.lists(st.booleans(), min_size=len(PROPS), max_size=len(PROPS)))
    extra = draw(st.sampled_from(["ignore", "forbid", gt.string()]))
    names = draw(st.lists(st.sampled_from([*PROPS, "zz", "a "]), unique=True))
    if draw(st.booleans()):
        names.sort(key=lambda n: PROPS.index(n) if n in PROPS else len(PROPS))
    value = {n: draw(TEXTS | NUMBERS | st.none()) for n in names}
    return schema(required, extra), value


@SETTINGS
@given(object_case(), st.randoms(use_true_random=False), st.booleans())
def test_property_13_objects_read_from_json_in_any_key_order(
    case: tuple[dict[str, Any], dict[str, Any]], rng: random.Random, repeat: bool
) -> None:
    """Property 13: keys in schema order or not, missing at the start, middle or end,
    undeclared or repeated; strings with escapes and non-ASCII text; ints past 64 bits."""
    core, value = case
    n, p = pair(core)
    for text in (json.dumps(value), written(value, rng, repeat)):
        assert_same_json(n, p, text)
        assert_same_json(n, p, text.encode())
        assert_same_as_validate(n, text)
        got = outcome(lambda text=text: n.validate_json(text))
        if got[0] == "ok":
            assert in_order(got[1]) == in_order(json.loads(text))


@SETTINGS
@given(schema_and_value(), st.randoms(use_true_random=False), st.booleans())
def test_property_13_generated_objects_read_from_json(
    case: tuple[dict[str, Any], Any], rng: random.Random, repeat: bool
) -> None:
    """Property 13 on every generated schema holding an object: the template and its
    rebuilds give what ``json.loads`` gives, in the same key order."""
    core, value = case
    assume("object" in kinds(core) and json_data(value))
    n, p = pair(core)
    text = written(value, rng, repeat)
    assert_same_json(n, p, text)
    assert_same_as_validate(n, text)
    got = outcome(lambda: n.validate_json(text))
    if got[0] == "ok":
        assert in_order(got[1]) == in_order(json.loads(text))


class Key(str):
    """A ``str`` subclass key: equal to a property name, never the same object."""


@SETTINGS
@given(object_case(), st.sampled_from(["literal", "copied", "subclass", "int key"]))
def test_property_13_dicts_whose_keys_are_or_are_not_the_names(
    case: tuple[dict[str, Any], dict[str, Any]], keys: str
) -> None:
    """Property 13 on ``validate``: keys that are the interned property names (read in one
    pass), equal copies of them, ``str`` subclasses and non-``str`` keys (looked up)."""
    core, value = case
    n, p = pair(core)
    if keys == "copied":
        value = {"".join(list(k)): x for k, x in value.items()}
    elif keys == "subclass":
        value = {Key(k): x for k, x in value.items()}
    elif keys == "int key":
        value = {**value, 7: "seven"}
    assert_same_validate(n, p, value)


def test_a_missing_trailing_optional_property_leaves_no_trace() -> None:
    """The template's unread properties at the end are removed, whatever came before."""
    core = gt.object(
        {"a": gt.integer(), "b": gt.optional(gt.integer()), "c": gt.optional(gt.string())}
    ).core()
    n, p = pair(core)
    for text in ('{"a": 1}', '{"a": 1, "b": 2}', '{"a": 1, "c": "x"}', '{"b": 2, "a": 1}', "{}"):
        assert_same_json(n, p, text)
        got = outcome(lambda text=text: n.validate_json(text))
        if got[0] == "ok":
            assert in_order(got[1]) == in_order(json.loads(text))


def test_repeated_strings_and_keys_come_back_equal() -> None:
    """The string cache hands back equal strings only: many distinct short strings (slot
    collisions) and ones differing in their last byte of a word."""
    core = gt.array(gt.object({"s": gt.string(), "t": gt.optional(gt.string())})).core()
    n, p = pair(core)
    values = [{"s": f"{i:08d}", "t": f"{i:07d}x"} for i in range(6000)]
    values += [{"s": "abcdefgh" + c} for c in "abcdefghij"]
    text = json.dumps(values)
    assert n.validate_json(text) == values == p.validate_json(text)
    assert n.validate_json(text) == values
