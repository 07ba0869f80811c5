"""Each kind and constraint: accepted values, rejected values, exact error dicts (§5–§6)."""

from __future__ import annotations

import enum
from typing import Any

import pytest

from gati import gt
from tests.gtype.helpers import accepts, codes, errors


class Color(enum.Enum):
    RED = "red"
    ONE = 1


class Text(str):
    pass


class Mapping(dict):  # type: ignore[type-arg]
    pass


def test_string() -> None:
    s = gt.string(min_length=2, max_length=3, pattern="^a")
    accepts(s, "ab")
    accepts(s, Text("abc"))
    assert errors(s, 5) == [
        {
            "path": (),
            "code": "string_type",
            "expected": "string",
            "actual": 5,
            "message": "Input should be a valid string",
        }
    ]
    assert errors(s, "b") == [
        {
            "path": (),
            "code": "string_min_length",
            "expected": "string of at least 2 characters",
            "actual": "b",
            "message": "String should have at least 2 characters",
        },
    ]  # a string of the wrong length gets only its length error: the pattern never runs
    assert codes(s, "bc") == [((), "string_pattern")]
    assert codes(s, "abcd") == [((), "string_max_length")]
    accepts(gt.string(min_length=2, max_length=2), "😀😀")  # code points, not bytes


def test_pattern_is_searched_with_python_semantics() -> None:
    accepts(gt.string(pattern="b+"), "abbbc")
    accepts(gt.string(pattern="^a$"), "a\n")
    assert codes(gt.string(pattern=r"^\d$"), "x") == [((), "string_pattern")]
    accepts(gt.string(pattern=r"\w"), "é")


def test_each_string_with_validators_searches_its_own_pattern() -> None:
    # the fast path of a node with validators is generated from a short-lived copy of the
    # node: a search cached by the copy's id was handed to the next copy with that id
    def yes(value: str) -> bool:
        return True

    letters = "abcdefgh"
    schema = gt.object({c: gt.string(pattern=f"^{c}+$", validators=[yes]) for c in letters})
    for _ in range(20):
        accepts(schema, {c: c * 3 for c in letters})
    assert codes(schema, {**{c: c for c in letters}, "h": "a"}) == [(("h",), "string_pattern")]


def test_number_and_integer() -> None:
    n = gt.number(min=0, max=10, exclusive_min=-1, exclusive_max=10.5, multiple_of=0.5)
    for good in (0, 2.5, 10, 10.0):
        accepts(n, good)
    assert codes(n, True) == [((), "number_type")]
    assert codes(n, "1") == [((), "number_type")]
    assert codes(n, float("nan")) == [((), "number_finite")]
    assert codes(n, float("-inf")) == [((), "number_finite")]
    assert codes(n, -1) == [((), "number_min"), ((), "number_exclusive_min")]
    assert codes(n, 10.25) == [((), "number_max"), ((), "number_multiple_of")]
    assert errors(gt.integer(min=18), 17) == [
        {
            "path": (),
            "code": "number_min",
            "expected": "integer ≥ 18",
            "actual": 17,
            "message": "Input should be greater than or equal to 18",
        }
    ]
    i = gt.integer(multiple_of=3)
    accepts(i, 9)
    accepts(i, 10**40 * 3)
    assert codes(i, 1.0) == [((), "integer_type")]
    assert codes(i, False) == [((), "integer_type")]
    assert codes(i, 10) == [((), "number_multiple_of")]
    accepts(gt.number(multiple_of=0.1), 0.5)
    assert codes(gt.number(multiple_of=0.5), 10**400) == [((), "number_multiple_of")]
    accepts(gt.number(max=2**70), 2**70)
    assert codes(gt.number(max=2**70), 2**70 + 1) == [((), "number_max")]
    assert codes(gt.number(exclusive_max=2**53), 2.0**53) == [((), "number_exclusive_max")]


def test_boolean_null_any() -> None:
    accepts(gt.boolean(), True)
    assert codes(gt.boolean(), 1) == [((), "boolean_type")]
    accepts(gt.null(), None)
    assert errors(gt.null(), 0)[0]["message"] == "Input should be null"
    for v in (None, [1, {2: 3}], object()):
        accepts(gt.any(), v)


def test_literal_and_enum() -> None:
    lit = gt.literal("a", 1, True, None)
    for v in ("a", Text("a"), 1, 1.0, True, None):
        accepts(lit, v)
    for v in ("b", 2, 0, False, 0.0, "1", [1]):
        assert codes(lit, v) == [((), "literal_error")]
    assert codes(gt.literal(1), True) == [((), "literal_error")]
    assert codes(gt.literal(True), 1) == [((), "literal_error")]
    e = gt.enum(Color)
    for v in (Color.RED, Color.ONE, "red", 1):
        accepts(e, v)
    assert errors(e, "RED") == [
        {
            "path": (),
            "code": "enum_error",
            "expected": 'one of "red", 1',
            "actual": "RED",
            "message": 'Input should be "red" or 1',
        }
    ]
    assert codes(gt.enum([1.5, None]), 1) == [((), "enum_error")]
    accepts(gt.enum([1.5, None]), 1.5)


def test_object() -> None:
    s = gt.object({"a": gt.integer(), "b": gt.optional(gt.string())})
    accepts(s, {"a": 1})
    accepts(s, {"a": 1, "b": "x", "other": object()})
    accepts(s, Mapping(a=1))
    assert codes(s, []) == [((), "object_type")]
    assert errors(s, {"b": 1}) == [
        {
            "path": ("a",),
            "code": "object_missing",
            "expected": "required property",
            "actual": "<dict>",
            "message": "Field required",
        },
        {
            "path": ("b",),
            "code": "string_type",
            "expected": "string",
            "actual": 1,
            "message": "Input should be a valid string",
        },
    ]
    assert errors(s, {1: 2, "a": 1, (3,): 4}) == [
        {
            "path": (),
            "code": "key_type",
            "expected": "string keys",
            "actual": 1,
            "message": "Object keys should be strings",
        },
        {
            "path": (),
            "code": "key_type",
            "expected": "string keys",
            "actual": "<tuple>",
            "message": "Object keys should be strings",
        },
    ]


def test_object_extra_policies() -> None:
    props = {"a": gt.integer()}
    forbid = gt.object(props, extra="forbid")
    accepts(forbid, {"a": 1})
    assert errors(forbid, {"z": 1, "a": 1, "y": None}) == [
        {
            "path": ("z",),
            "code": "object_extra",
            "expected": "no extra properties",
            "actual": 1,
            "message": "Extra properties are not permitted",
        },
        {
            "path": ("y",),
            "code": "object_extra",
            "expected": "no extra properties",
            "actual": None,
            "message": "Extra properties are not permitted",
        },
    ]
    typed = gt.object(props, extra=gt.string())
    accepts(typed, {"a": 1, "z": "s"})
    assert codes(typed, {"z": 2, "a": "x"}) == [(("a",), "integer_type"), (("z",), "string_type")]


def test_array() -> None:
    s = gt.array(gt.integer(), min_items=1, max_items=3, unique_items=True)
    for v in ([1], (1, 2), {1, 2, 3}, frozenset({4})):
        accepts(s, v)
    assert codes(s, "abc") == [((), "array_type")]
    assert codes(s, {"a": 1}) == [((), "array_type")]
    assert codes(s, []) == [((), "array_min_items")]
    assert codes(s, [1, "x", 3, 4]) == [((), "array_max_items"), ((1,), "integer_type")]
    assert errors(s, [1, 2, 1]) == [
        {
            "path": (),
            "code": "array_unique_items",
            "expected": "array of unique items",
            "actual": 1,
            "message": "Array items should be unique",
        }
    ]


def test_unique_items_uses_json_equality() -> None:
    s = gt.array(gt.any(), unique_items=True)
    accepts(s, [1, True, "1", None, [1], {"a": 1}, 0, False])
    assert errors(s, [1, 1.0])[0]["actual"] == 1.0
    assert codes(s, [[1, {"a": 2}], [1.0, {"a": 2.0}]]) == [((), "array_unique_items")]
    assert codes(s, [{"a": [True]}, {"a": [True]}]) == [((), "array_unique_items")]
    accepts(s, [{"a": [True]}, {"a": [1]}])
    assert codes(s, [{1, 2}, {2, 1}]) == [((), "array_unique_items")]
    accepts(s, [[0], [False]])


def test_tuple() -> None:
    s = gt.tuple([gt.string(), gt.integer()])
    accepts(s, ["a", 1])
    accepts(s, ("a", 1))
    assert codes(s, {"a", 1}) == [((), "tuple_type")]
    assert errors(s, ["a"]) == [
        {
            "path": (),
            "code": "tuple_length",
            "expected": "array of exactly 2 items",
            "actual": "<list>",
            "message": "Array should have exactly 2 items",
        }
    ]
    assert codes(s, [1, 2, 3]) == [((), "tuple_length")]
    assert codes(s, [1, "a"]) == [((0,), "string_type"), ((1,), "integer_type")]
    r = gt.tuple([gt.string()], rest=gt.integer())
    accepts(r, ["a"])
    accepts(r, ["a", 1, 2])
    assert codes(r, []) == [((), "tuple_length")]
    assert codes(r, ["a", 1, "x"]) == [((2,), "integer_type")]


def test_record() -> None:
    s = gt.record(gt.integer())
    accepts(s, {})
    accepts(s, {"a": 1, "b": 2})
    assert codes(s, [("a", 1)]) == [((), "record_type")]
    assert codes(s, {"a": "x", 1: 1, "b": 2, "c": None}) == [
        ((), "key_type"),
        (("a",), "integer_type"),
        (("c",), "integer_type"),
    ]


def test_union() -> None:
    s = gt.union(gt.integer(), gt.string(min_length=2))
    accepts(s, 1)
    accepts(s, "ab")
    assert errors(s, "a") == [
        {
            "path": (),
            "code": "union_mismatch",
            "expected": "integer or string",
            "actual": "a",
            "message": "Input should be integer or string",
            "members": [
                [
                    {
                        "path": (),
                        "code": "integer_type",
                        "expected": "integer",
                        "actual": "a",
                        "message": "Input should be a valid integer",
                    }
                ],
                [
                    {
                        "path": (),
                        "code": "string_min_length",
                        "expected": "string of at least 2 characters",
                        "actual": "a",
                        "message": "String should have at least 2 characters",
                    }
                ],
            ],
        }
    ]
    nested = gt.object({"v": s})
    member_paths = [e["path"] for m in errors(nested, {"v": None})[0]["members"] for e in m]
    assert member_paths == [("v",), ("v",)]


def test_discriminated_union() -> None:
    cat = gt.object({"kind": gt.literal("cat"), "lives": gt.integer()})
    dog = gt.object({"kind": gt.literal("dog"), "good": gt.boolean()})
    s = gt.union(cat, dog, discriminator="kind")
    accepts(s, {"kind": "dog", "good": True})
    assert codes(s, {"kind": "cat", "lives": "nine"}) == [(("lives",), "integer_type")]
    assert errors(s, {"lives": 1}) == [
        {
            "path": (),
            "code": "union_tag_missing",
            "expected": 'object with a "kind" property',
            "actual": "<dict>",
            "message": 'Discriminator property "kind" is missing',
        }
    ]
    assert errors(s, {"kind": "cow"}) == [
        {
            "path": ("kind",),
            "code": "union_tag_invalid",
            "expected": 'one of "cat", "dog"',
            "actual": "cow",
            "message": 'Discriminator "kind" should be "cat" or "dog"',
        }
    ]
    assert codes(s, {"kind": ["cat"]}) == [(("kind",), "union_tag_invalid")]
    assert codes(s, "cat") == [((), "object_type")]
    one = gt.union(gt.object({"t": gt.literal(1)}), discriminator="t")
    accepts(one, {"t": 1.0})
    assert codes(one, {"t": True}) == [(("t",), "union_tag_invalid")]


def test_intersection() -> None:
    s = gt.intersection(gt.object({"a": gt.integer()}), gt.object({"b": gt.string()}))
    accepts(s, {"a": 1, "b": "x"})
    assert codes(s, {"a": "x"}) == [(("a",), "integer_type"), (("b",), "object_missing")]
    assert codes(gt.intersection(gt.string(min_length=2), gt.string(pattern="z")), "a") == [
        ((), "string_min_length"),
        ((), "string_pattern"),
    ]


def test_ref_and_recursion() -> None:
    tree = gt.object({"v": gt.integer(), "kids": gt.array(gt.ref("T"))}, name="T")
    accepts(tree, {"v": 1, "kids": [{"v": 2, "kids": []}]})
    assert codes(tree, {"v": 1, "kids": [{"v": "x", "kids": [{"v": 3}]}]}) == [
        (("kids", 0, "v"), "integer_type"),
        (("kids", 0, "kids", 0, "kids"), "object_missing"),
    ]


def test_nullable() -> None:
    for s in (
        gt.string(nullable=True),
        gt.integer(nullable=True, min=5),
        gt.object({}, nullable=True),
        gt.array(gt.any(), nullable=True, min_items=1),
        gt.tuple([gt.any()], nullable=True),
        gt.record(gt.any(), nullable=True),
        gt.literal("a", nullable=True),
        gt.union(gt.string(), nullable=True),
        gt.union(gt.object({"k": gt.literal(1)}), discriminator="k", nullable=True),
        gt.intersection(gt.string(), nullable=True),
        gt.boolean(nullable=True),
    ):
        accepts(s, None)
    assert errors(gt.string(nullable=True), 1)[0]["expected"] == "string or null"
    assert errors(gt.string(nullable=True), 1)[0]["message"] == (
        "Input should be a valid string or null"
    )
    node = gt.object({"next": gt.ref("N", nullable=True)}, name="N")
    accepts(node, {"next": {"next": None}})


def not_42(v: Any) -> bool | str:
    return "must not be 42" if v == 42 else True


def positive(v: Any) -> bool:
    return bool(v > 0)


def no_bad(v: Any) -> bool:
    if v == "bad":
        raise ValueError("bad is bad")
    if v == "worse":
        raise AssertionError("worse is worse")
    return True


def explode(v: Any) -> bool:
    raise KeyError(v)


def test_custom_validators() -> None:
    s = gt.integer(validators=[not_42, positive])
    accepts(s, 7)
    assert errors(s, 42) == [
        {
            "path": (),
            "code": "custom",
            "expected": "value accepted by its custom validators",
            "actual": 42,
            "message": "must not be 42",
        }
    ]
    assert [e["message"] for e in errors(s, -1)] == ["Value failed custom validation"]
    assert codes(s, "x") == [((), "integer_type")]  # validators do not run after a type error
    t = gt.string(validators=[no_bad])
    assert errors(t, "bad")[0]["message"] == "bad is bad"
    assert errors(t, "worse")[0]["message"] == "worse is worse"
    with pytest.raises(KeyError):
        gt.compile(gt.string(validators=[explode])).validate("x")
    parent = gt.object({"a": gt.integer()}, validators=[lambda v: False])
    assert codes(parent, {"a": "x"}) == [(("a",), "integer_type")]
    assert codes(parent, {"a": 1}) == [((), "custom")]
    accepts(gt.integer(nullable=True, validators=[positive]), None)


def test_max_errors() -> None:
    s = gt.array(gt.integer())
    errs = errors(s, ["x"] * 10, max_errors=3)
    assert [(e["path"], e["code"]) for e in errs] == [
        ((0,), "integer_type"),
        ((1,), "integer_type"),
        ((2,), "integer_type"),
        ((), "too_many_errors"),
    ]
    assert errs[-1]["message"] == "Too many errors: stopped after 3"
    assert len(errors(s, ["x"] * 3, max_errors=3)) == 3
    assert len(errors(s, ["x"] * 500)) == 101


def test_actual_rendering() -> None:
    assert errors(gt.integer(), "x" * 100)[0]["actual"] == "x" * 80 + "…"
    assert errors(gt.string(), 2**64)[0]["actual"] == "<int>"
    assert errors(gt.string(), 2**64 - 1)[0]["actual"] == 2**64 - 1
    assert errors(gt.string(), -(2**63))[0]["actual"] == -(2**63)
    assert errors(gt.string(), -(2**63) - 1)[0]["actual"] == "<int>"
    assert errors(gt.string(), 1.5)[0]["actual"] == 1.5
    assert errors(gt.string(), [])[0]["actual"] == "<list>"
    assert errors(gt.string(), Color.RED)[0]["actual"] == "<Color>"
    actual = errors(gt.integer(), Text("t"))[0]["actual"]
    assert actual == "t" and type(actual) is str
