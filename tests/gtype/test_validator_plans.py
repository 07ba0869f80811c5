"""The Validator API on hand-written plans (docs/gtype.md §4–§7), on the active backend."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gati import ValidationError
from tests.gtype.plans import compile_plan, node, obj


def errors_of(v: Any, value: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as info:
        v.validate(value)
    assert not v.is_valid(value)
    return info.value.errors()


def codes(v: Any, value: Any) -> list[tuple[tuple[str | int, ...], str]]:
    return [(e["path"], e["code"]) for e in errors_of(v, value)]


def test_valid_value_is_returned_itself() -> None:
    v = compile_plan(obj({"a": node("string")}))
    value = {"a": "x", "ignored": 1}
    assert v.validate(value) is value
    assert v.is_valid(value)


def test_error_dict_carries_planned_strings() -> None:
    v = compile_plan(obj({"zip": node("string", pattern="^[0-9]{5}$", pattern_engine="rust")}))
    [err] = errors_of(v, {"zip": "1234"})
    assert err == {
        "path": ("zip",),
        "code": "string_pattern",
        "expected": "exp:string_pattern",
        "actual": "1234",
        "message": "msg:string_pattern",
    }


def test_string_lengths_count_code_points() -> None:
    v = compile_plan(node("string", min_length=2, max_length=3))
    assert v.is_valid("éé") and v.is_valid("😀😀😀")
    assert codes(v, "é") == [((), "string_min_length")]
    assert codes(v, "abcd") == [((), "string_max_length")]
    assert codes(v, b"ab") == [((), "string_type")]


@pytest.mark.parametrize(
    "engine",
    [
        {"pattern_engine": "rust"},
        {"pattern_engine": "re2", "pattern_re2": "b+c"},
        {"pattern_engine": "backtracking", "pattern_timeout": 1.0},
    ],
    ids=lambda e: e["pattern_engine"],
)
def test_pattern_is_an_unanchored_search(engine: dict[str, Any]) -> None:
    v = compile_plan(node("string", pattern="b+c", **engine))
    assert v.is_valid("aabbbcdd")
    assert not v.is_valid("ac")


def test_a_lone_surrogate_matches_no_linear_pattern() -> None:
    for engine in ({"pattern_engine": "rust"}, {"pattern_engine": "re2", "pattern_re2": "a"}):
        v = compile_plan(node("string", pattern="a", **engine))
        assert not v.is_valid("\ud800a")
        assert v.is_valid("a")


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("email", "a.b+c@example.co", "a..b@example.co"),
        ("uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-42661417400"),
        ("date", "2024-02-29", "2023-02-29"),
        ("date-time", "2024-01-01T10:00:00.5+01:00", "2024-01-01T10:00:00"),
        ("time", "23:59:60Z", "24:00:00"),
        ("ipv4", "10.0.0.255", "10.0.0.256"),
        ("ipv6", "::ffff:1.2.3.4", "1::2::3"),
        ("hostname", "a-b.example", "a-.example"),
        ("url", "https://u@h.example:443/p?q#f", "https://h.example:99999"),
    ],
)
def test_formats(fmt: str, good: str, bad: str) -> None:
    v = compile_plan(node("string", format=fmt))
    assert v.is_valid(good)
    assert codes(v, bad) == [((), "string_format")]
    assert codes(v, good[:3] + "\ud800") == [((), "string_format")]


def test_integer_and_number_types() -> None:
    i = compile_plan(node("integer"))
    n = compile_plan(node("number"))
    assert i.is_valid(3) and i.is_valid(10**40)
    assert codes(i, True) == [((), "integer_type")]
    assert codes(i, 3.0) == [((), "integer_type")]
    assert n.is_valid(3.5) and n.is_valid(3)
    assert codes(n, False) == [((), "number_type")]
    assert codes(n, float("nan")) == [((), "number_finite")]
    assert codes(n, float("-inf")) == [((), "number_finite")]


def test_number_bounds_compare_exactly() -> None:
    v = compile_plan(node("number", max=2**53))
    assert v.is_valid(2**53) and v.is_valid(float(2**53))
    assert codes(v, 2**53 + 1) == [((), "number_max")]
    w = compile_plan(node("number", min=0.5, exclusive_max=10, exclusive_min=0))
    assert codes(w, 0.25) == [((), "number_min")]
    assert codes(w, 10) == [((), "number_exclusive_max")]
    big = compile_plan(node("integer", min=10**30))
    assert codes(big, 10**29) == [((), "number_min")]
    assert errors_of(big, 10**29)[0]["actual"] == "<int>"


def test_multiple_of() -> None:
    v = compile_plan(node("number", multiple_of=3))
    assert v.is_valid(9) and v.is_valid(-9) and v.is_valid(9.0) and v.is_valid(10**30 * 3)
    assert codes(v, 10) == [((), "number_multiple_of")]
    w = compile_plan(node("number", multiple_of=0.5))
    assert w.is_valid(2.5) and not w.is_valid(2.25)


def test_literal_and_enum_keep_bools_apart() -> None:
    v = compile_plan(node("literal", values=[1, "a", None]))
    assert v.is_valid(1) and v.is_valid(1.0) and v.is_valid("a") and v.is_valid(None)
    assert codes(v, True) == [((), "literal_error")]
    b = compile_plan(node("literal", values=[True]))
    assert b.is_valid(True) and not b.is_valid(1)
    e = compile_plan(node("enum", values=["x", 2.5]))
    assert e.is_valid(2.5) and codes(e, "y") == [((), "enum_error")]


def test_enum_class_members_are_accepted() -> None:
    import enum

    class Color(enum.Enum):
        RED = "red"

    v = compile_plan(node("enum", values=["red"], enum_class=Color))
    assert v.is_valid(Color.RED) and v.is_valid("red") and not v.is_valid("blue")


def test_object_checks_keys_properties_then_extras_in_order() -> None:
    v = compile_plan(
        obj({"a": node("integer"), "b": node("string")}, optional=("b",), extra="forbid")
    )
    assert codes(v, {1: 0, "z": 1, "b": 2}) == [
        ((), "key_type"),
        (("a",), "object_missing"),
        (("b",), "string_type"),
        (("z",), "object_extra"),
    ]
    assert v.is_valid({"a": 1})
    assert codes(v, [1]) == [((), "object_type")]


def test_object_extra_schema_validates_extra_values() -> None:
    v = compile_plan(obj({"a": node("integer")}, extra=node("string")))
    assert v.is_valid({"a": 1, "x": "y"})
    assert codes(v, {"x": 1, "a": 1}) == [(("x",), "string_type")]


def test_record_validates_every_value() -> None:
    v = compile_plan(node("record", values=node("integer")))
    assert v.is_valid({"a": 1, "b": 2})
    assert codes(v, {"a": "x", 2: 3}) == [((), "key_type"), (("a",), "integer_type")]


def test_array_accepts_sequences_and_sets() -> None:
    v = compile_plan(node("array", items=node("integer"), min_items=1, max_items=2))
    for ok in ([1], (1, 2), {1}, frozenset({2})):
        assert v.is_valid(ok)
    assert codes(v, []) == [((), "array_min_items")]
    assert codes(v, [1, "x", 3]) == [((), "array_max_items"), ((1,), "integer_type")]
    assert codes(v, "ab") == [((), "array_type")]


def test_unique_items_uses_json_equality() -> None:
    v = compile_plan(node("array", items=node("any"), unique_items=True))
    assert v.is_valid([1, True]) and v.is_valid([[1], [True]])
    [err] = errors_of(v, [1, 2, 1.0])
    assert (err["code"], err["actual"]) == ("array_unique_items", 1.0)
    assert not v.is_valid([{"a": [1]}, {"a": (1.0,)}])


def test_tuple_length_then_items_then_rest() -> None:
    v = compile_plan(node("tuple", items=[node("string"), node("integer")], rest=node("boolean")))
    assert v.is_valid(("a", 1)) and v.is_valid(["a", 1, True, False])
    assert codes(v, ["a"]) == [((), "tuple_length")]
    assert codes(v, ["a", 1, 2]) == [((2,), "boolean_type")]
    fixed = compile_plan(node("tuple", items=[node("string")]))
    assert codes(fixed, ["a", "b"]) == [((), "tuple_length")]
    assert codes(fixed, {"a"}) == [((), "tuple_type")]


def test_union_reports_one_mismatch_with_member_errors() -> None:
    v = compile_plan(node("union", members=[node("string"), node("integer", min=5)]))
    assert v.is_valid("a") and v.is_valid(7)
    [err] = errors_of(v, 3)
    assert err["code"] == "union_mismatch" and err["path"] == ()
    assert [[e["code"] for e in m] for m in err["members"]] == [["string_type"], ["number_min"]]


def test_discriminated_union() -> None:
    cat = obj({"kind": node("literal", values=["cat"]), "lives": node("integer")})
    dog = obj({"kind": node("literal", values=["dog"]), "good": node("boolean")})
    v = compile_plan(
        node("union", members=[cat, dog], discriminator="kind", mapping={"cat": 0, "dog": 1})
    )
    assert v.is_valid({"kind": "dog", "good": True})
    assert codes(v, {"kind": "dog", "good": 1}) == [(("good",), "boolean_type")]
    assert codes(v, {"good": 1}) == [((), "union_tag_missing")]
    assert codes(v, {"kind": "cow"}) == [(("kind",), "union_tag_invalid")]
    assert codes(v, 3) == [((), "object_type")]


def test_intersection_collects_every_member() -> None:
    v = compile_plan(
        node(
            "intersection",
            members=[
                node("string", min_length=3),
                node("string", pattern="x", pattern_engine="rust"),
            ],
        )
    )
    assert codes(v, "ab") == [((), "string_min_length"), ((), "string_pattern")]


def test_nullable_skips_constraints_and_validators() -> None:
    def never(_: Any) -> bool:
        raise AssertionError("not called")

    v = compile_plan(node("string", nullable=True, validators=[never]))
    assert v.validate(None) is None


def test_custom_validators() -> None:
    def positive(x: int) -> bool:
        return x > 0

    def even(x: int) -> bool | str:
        return True if x % 2 == 0 else "must be even"

    def small(x: int) -> bool:
        if x > 100:
            raise ValueError("too big")
        return True

    v = compile_plan(node("integer", validators=[positive, even, small]))
    assert v.is_valid(4)
    errs = errors_of(v, -101)
    assert [(e["code"], e["message"]) for e in errs] == [
        ("custom", "msg:custom"),
        ("custom", "must be even"),
    ]
    assert [e["message"] for e in errors_of(v, 101)] == ["must be even", "too big"]


def test_custom_validators_do_not_run_after_errors_and_propagate_other_exceptions() -> None:
    calls: list[Any] = []

    def record(x: Any) -> bool:
        calls.append(x)
        return True

    v = compile_plan(obj({"a": node("integer")}, validators=[record]))
    assert not v.is_valid({"a": "x"})
    assert calls == []

    def boom(_: Any) -> bool:
        raise KeyError("boom")

    w = compile_plan(node("any", validators=[boom]))
    with pytest.raises(KeyError):
        w.validate(1)


def test_max_errors_ends_with_too_many_errors() -> None:
    v = compile_plan(node("array", items=node("integer")), max_errors=3)
    errs = errors_of(v, ["a"] * 10)
    assert [(e["path"], e["code"]) for e in errs] == [
        ((0,), "integer_type"),
        ((1,), "integer_type"),
        ((2,), "integer_type"),
        ((), "too_many_errors"),
    ]
    assert errs[-1]["message"] == "msg:too_many_errors"


def test_max_depth_and_recursion_loop() -> None:
    tree = {"Tree": node("array", items=node("ref", name="Tree"))}
    v = compile_plan(node("ref", name="Tree"), definitions=tree, max_depth=3)
    assert v.is_valid([[[]]])
    assert codes(v, [[[[]]]]) == [((0, 0, 0), "depth_exceeded")]
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    deep = compile_plan(node("ref", name="Tree"), definitions=tree)
    assert codes(deep, cyclic) == [((0,), "recursion_loop")]


def test_actual_is_cut_and_typed() -> None:
    v = compile_plan(node("integer"))
    assert errors_of(v, "x" * 100)[0]["actual"] == "x" * 80 + "…"
    assert errors_of(v, [1])[0]["actual"] == "<list>"
    assert errors_of(v, None)[0]["actual"] is None

    class Name(str):
        pass

    actual = errors_of(v, Name("n"))[0]["actual"]
    assert actual == "n" and type(actual) is str


def test_validate_json_parses_and_validates() -> None:
    v = compile_plan(obj({"n": node("integer"), "s": node("string")}))
    big = 10**40
    assert v.validate_json(b'{"n": %d, "s": "\\u00e9"}' % big) == {"n": big, "s": "é"}
    assert v.validate_json('{"n": 1, "s": "x", "n": 2}') == {"n": 2, "s": "x"}
    assert v.validate_json(bytearray(b'{"n": 1, "s": ""}')) == {"n": 1, "s": ""}
    assert v.validate_json(memoryview(b'{"n": 1, "s": ""}')) == {"n": 1, "s": ""}
    with pytest.raises(ValidationError) as info:
        v.validate_json(b'{"n": 1.5, "s": ""}')
    assert [e["code"] for e in info.value.errors()] == ["integer_type"]


@pytest.mark.parametrize(
    "doc",
    [b"", b"{", b'{"a": NaN}', b"[1,]", b'"\\ud800"', b'"\xff"', b"1e999", b"[] []", "\ud800"],
)
def test_malformed_json_is_one_json_invalid(doc: bytes | str) -> None:
    v = compile_plan(node("any"))
    with pytest.raises(ValidationError) as info:
        v.validate_json(doc)
    [err] = info.value.errors()
    assert (err["path"], err["code"]) == ((), "json_invalid")
    assert err["message"].startswith("Invalid JSON: ")
    assert err["line"] >= 1 and err["column"] >= 1


def test_json_invalid_position_is_one_based() -> None:
    v = compile_plan(node("any"))
    with pytest.raises(ValidationError) as info:
        v.validate_json(b"[1,\n  2,\n  x]")
    [err] = info.value.errors()
    assert (err["line"], err["column"]) == (3, 3)


def test_json_deeper_than_max_depth_is_one_error_at_root() -> None:
    v = compile_plan(node("any"), max_depth=4)
    assert v.validate_json(b"[[[[]]]]") == [[[[]]]]
    with pytest.raises(ValidationError) as info:
        v.validate_json(b"[[[[[]]]]]")
    assert [(e["path"], e["code"]) for e in info.value.errors()] == [((), "depth_exceeded")]


def test_schema_attribute_and_error_text() -> None:
    from gati.gtype.validator import Validator
    from tests.gtype.plans import plan

    marker = object()
    v = Validator(plan(node("string")), marker)
    assert v.schema is marker
    assert repr(marker) in repr(v)
    with pytest.raises(ValidationError, match=re.escape("(root): msg:string_type")):
        v.validate(1)


def test_json_keys_match_after_unescaping() -> None:
    v = compile_plan(obj({"ab": node("integer"), "": node("integer"), 'q"': node("integer")}))
    doc = b'{"a\\u0062": 1, "": 2, "q\\"": 3}'
    assert v.validate_json(doc) == {"ab": 1, "": 2, 'q"': 3}
    with pytest.raises(ValidationError) as info:
        v.validate_json(b'{"ab": 1, "": "x", "q\\"": 3}')
    assert [(e["path"], e["code"]) for e in info.value.errors()] == [(("",), "integer_type")]


def test_json_strings_read_back_exactly_across_documents() -> None:
    import json

    v = compile_plan(node("array", items=node("string")))
    for start in (0, 2500, 0):
        words = [f"w{i}" * (i % 7) for i in range(start, start + 5000)]
        assert v.validate_json(json.dumps(words)) == words
