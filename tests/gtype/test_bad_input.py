"""Hostile and odd input: depth, cycles, malformed JSON, huge numbers, subclasses (§5)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gati import ValidationError, gt
from tests.gtype.helpers import accepts, codes, errors, json_errors

NESTED = gt.union(gt.integer(), gt.array(gt.ref("N")), name="N")


def nested_list(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


def test_deep_python_data_is_depth_exceeded() -> None:
    errs = errors(NESTED, nested_list(10_000))
    assert len(errs) == 1 and errs[0]["code"] == "union_mismatch"
    member = errs[0]["members"][1]
    # the union failing inside that member list reports itself, without members of its own
    assert [(e["path"], e["code"], "members" in e) for e in member] == [
        ((0,), "union_mismatch", False)
    ]
    # the depth limit: 256 containers down
    lists = gt.array(gt.ref("L"), name="L")
    assert [(e["path"], e["code"]) for e in errors(lists, nested_list(10_000))] == [
        ((0,) * 256, "depth_exceeded")
    ]
    accepts(NESTED, nested_list(255))


def test_depth_counts_containers() -> None:
    s = gt.array(gt.array(gt.array(gt.integer())))
    accepts(s, [[[1]]])
    assert errors(s, [[[1]]], max_depth=2) == [
        {
            "path": (0, 0),
            "code": "depth_exceeded",
            "expected": "at most 2 levels of nesting",
            "actual": "<list>",
            "message": "Input is nested deeper than 2 levels",
        }
    ]
    assert gt.compile(s, max_depth=3).is_valid([[[1]]])


def test_deep_json_is_one_depth_exceeded() -> None:
    for doc in (b"[" * 10_000 + b"]" * 10_000, b"[" * 10_000, "[" * 300 + "]" * 300):
        errs = json_errors(NESTED, doc)
        assert [(e["path"], e["code"]) for e in errs] == [((), "depth_exceeded")]
    v = gt.compile(gt.any(), max_depth=3)
    assert v.validate_json(b'[[["[[[[[[[["]]]') == [[["[[[[[[[["]]]
    with pytest.raises(ValidationError):
        v.validate_json(b"[[[[]]]]")
    tricky = '{"a": "[[[[\\"[[", "b\\\\": [[["\\\\"], {}]], "c": "\\u005b"}'
    assert gt.compile(gt.any(), max_depth=4).validate_json(tricky)["b\\"] == [[["\\"], {}]]
    assert json_errors(gt.any(), tricky, max_depth=3)[0]["code"] == "depth_exceeded"
    # a syntax error before the nesting gets too deep is reported as such
    assert json_errors(gt.any(), b"[x" + b"[" * 300)[0]["code"] == "json_invalid"


def test_cyclic_data_through_a_ref() -> None:
    node = gt.object({"next": gt.ref("L", nullable=True)}, name="L")
    a: dict[str, Any] = {}
    b: dict[str, Any] = {"next": a}
    a["next"] = b
    # the root is not entered through the ref, so the loop shows one step later
    assert errors(node, a) == [
        {
            "path": ("next", "next", "next"),
            "code": "recursion_loop",
            "expected": "acyclic data",
            "actual": "<dict>",
            "message": "Recursion loop: the input contains itself",
        }
    ]
    loop: list[Any] = []
    loop.append(loop)
    assert codes(NESTED, loop)[0][1] == "union_mismatch"
    shared = [1]
    accepts(NESTED, [shared, shared, [shared]])  # shared, but not cyclic


def test_invalid_json() -> None:
    v = gt.compile(gt.any())
    for doc, line, column in (
        (b'{"a": 1,', 1, 9),
        (b"[1,\n 2,\n x]", 3, 2),
        (b"", 1, 1),
        (b'{"a" 1}', 1, 6),
    ):
        with pytest.raises(ValidationError) as info:
            v.validate_json(doc)
        (e,) = info.value.errors()
        assert (e["path"], e["code"], e["line"], e["column"]) == ((), "json_invalid", line, column)
        assert e["message"].startswith("Invalid JSON: ")
        assert e["expected"] == "valid JSON"


@pytest.mark.parametrize(
    "doc",
    [
        b"\xff",
        b'"\xc3"',
        b'["ok", "\xed\xa0\x80"]',
        b"[NaN]",
        b"Infinity",
        b"-Infinity",
        b"1e400",
        b"[-1e999]",
        b'"\\ud800"',
        b'"\\udc00"',
        b'"\\ud800\\u0041"',
        b"\xef\xbb\xbf[1]",
        "\ud800",
        b"[1] x",
        b"{'a': 1}",
        b"01",
    ],
)
def test_json_invalid_cases(doc: bytes | str) -> None:
    (e,) = json_errors(gt.any(), doc)
    assert e["code"] == "json_invalid" and e["path"] == ()
    assert isinstance(e["line"], int) and isinstance(e["column"], int)


def test_json_accepts_all_input_types() -> None:
    v = gt.compile(gt.object({"a": gt.array(gt.integer())}))
    for doc in (b'{"a": [1]}', bytearray(b'{"a": [1]}'), memoryview(b'{"a": [1]}'), '{"a": [1]}'):
        assert v.validate_json(doc) == {"a": [1]}
    assert gt.compile(gt.string()).validate_json(b'"\\ud83d\\ude00 \\\\ud800"') == "😀 \\ud800"
    assert gt.compile(gt.any()).validate_json(b'{"a": 1, "a": 2}') == {"a": 2}
    with pytest.raises(TypeError):
        v.validate_json(12)


def test_json_numbers() -> None:
    big = "1" + "0" * 4299
    assert gt.compile(gt.integer()).validate_json(big) == 10**4299
    assert codes_json(gt.integer(), (big + "0").encode()) == [((), "json_invalid")]
    assert gt.compile(gt.number()).validate_json(b"1e-400") == 0.0
    assert gt.compile(gt.number()).validate_json(b"1.5e300") == 1.5e300
    assert codes_json(gt.integer(), b"1.0") == [((), "integer_type")]
    errs = json_errors(gt.object({"x": gt.string()}), json.dumps({"x": 10**30}))
    assert errs[0]["actual"] == "<int>"


def codes_json(schema: Any, doc: bytes) -> list[tuple[Any, str]]:
    return [(e["path"], e["code"]) for e in json_errors(schema, doc)]


def test_huge_numbers_and_non_finite_floats() -> None:
    accepts(gt.integer(), 10**100)
    accepts(gt.number(min=0), 10**400)
    assert codes(gt.number(max=1e308), 10**400) == [((), "number_max")]
    assert codes(gt.number(), float("nan")) == [((), "number_finite")]
    assert errors(gt.number(), float("inf"))[0]["actual"] == float("inf")
    assert codes(gt.integer(), float("inf")) == [((), "integer_type")]


def test_bool_is_not_a_number() -> None:
    for s in (gt.integer(), gt.number(), gt.integer(min=0)):
        assert codes(s, True)[0][1] in ("integer_type", "number_type")
    assert codes(gt.literal(0), False) == [((), "literal_error")]


def test_subclasses() -> None:
    class S(str):
        pass

    class D(dict):  # type: ignore[type-arg]
        pass

    class L(list):  # type: ignore[type-arg]
        pass

    class I(int):  # noqa: E742
        pass

    accepts(gt.string(min_length=1), S("x"))
    accepts(gt.object({"a": gt.integer()}), D(a=I(3)))
    accepts(gt.record(gt.string()), D(k=S("v")))
    accepts(gt.array(gt.integer()), L([1, I(2)]))
    accepts(gt.tuple([gt.integer()]), L([1]))
    assert errors(gt.integer(), S("x"))[0]["actual"] == "x"


def test_non_str_keys() -> None:
    assert codes(gt.object({}), {1: "a", None: "b"}) == [((), "key_type"), ((), "key_type")]
    assert codes(gt.record(gt.any()), {(1, 2): 3}) == [((), "key_type")]
    assert errors(gt.object({}), {1.5: 0})[0]["actual"] == 1.5


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        ('["\\ud800", [[]]]', "json_invalid"),
        ('[[["\\udc00"]]]', "depth_exceeded"),
        (b"[[[[\xff", "json_invalid"),
        ("[[[[\ud800", "json_invalid"),
        ("[[[[ x", "depth_exceeded"),
        ("[x [[[[", "json_invalid"),
        ("[NaN, [[[[]]]]]", "json_invalid"),
        ("[[[[[NaN]]]]]", "depth_exceeded"),
        ("[[[[1e400]]]]", "depth_exceeded"),
        ("[1e400, [[[[[]]]]]]", "json_invalid"),
    ],
)
def test_first_problem_in_the_document_wins(doc: bytes | str, code: str) -> None:
    """Invalid UTF-8 is refused first; otherwise depth and syntax go by document order."""
    assert [e["code"] for e in json_errors(gt.any(), doc, max_depth=2)] == [code]
