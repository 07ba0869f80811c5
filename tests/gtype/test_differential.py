"""Property 13: the native and the pure validator agree exactly (docs/gtype.md §5–§7).

Both are built from the very same plan. For every generated schema and value they must agree
on validity, on the full error list, and on the returned value (the same object for
``validate``, an equal one for ``validate_json``). ``json_invalid`` errors are compared by code
and path only: their detail text and column come from each backend's own parser.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gati import ValidationError
from gati._pure.gtype import Validator as PureValidator
from gati.gtype._plan import make_plan
from tests.gtype.strategies import hostile, schema_and_valid_value, schema_and_value

native = pytest.importorskip("gati._native")

# Backend-independent (it builds what it compares itself): the Makefile runs it in one pass.
pytestmark = pytest.mark.once
NativeValidator = native.Validator

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))


def outcome(call: Any) -> tuple[str, Any]:
    """``("ok", value)``, ``("errors", list)`` or ``("raised", exception type and text)``."""
    try:
        return "ok", call()
    except ValidationError as exc:
        return "errors", exc.errors()
    except Exception as exc:  # a custom validator's own exception must propagate alike
        return "raised", (type(exc), str(exc))


def comparable(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """json_invalid keeps only code and path; everything else is compared as is."""
    return [
        {"path": e["path"], "code": e["code"]} if e["code"] == "json_invalid" else e for e in errors
    ]


def pair(core: dict[str, Any], **options: Any) -> tuple[Any, Any]:
    plan = make_plan(core, **options)
    return NativeValidator(plan), PureValidator(plan)


def json_data(value: Any) -> bool:
    """Whether ``value`` is plain JSON data (so its JSON text parses back to an equal value)."""
    if value is None or type(value) in (bool, str, int):
        return True
    if type(value) is float:
        return math.isfinite(value)
    if type(value) in (list, tuple):
        return all(json_data(x) for x in value)
    if type(value) is dict:
        return all(type(k) is str and json_data(x) for k, x in value.items())
    return False


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def assert_same_validate(n: Any, p: Any, value: Any) -> None:
    got_n, got_p = outcome(lambda: n.validate(value)), outcome(lambda: p.validate(value))
    assert got_n[0] == got_p[0], (got_n, got_p)
    if got_n[0] == "ok":
        assert got_n[1] is value and got_p[1] is value
    else:
        assert got_n[1] == got_p[1]
    assert outcome(lambda: n.is_valid(value)) == outcome(lambda: p.is_valid(value))


def assert_same_json(n: Any, p: Any, data: bytes | str) -> None:
    got_n, got_p = outcome(lambda: n.validate_json(data)), outcome(lambda: p.validate_json(data))
    assert got_n[0] == got_p[0], (got_n, got_p)
    if got_n[0] == "errors":
        assert comparable(got_n[1]) == comparable(got_p[1])
    else:
        assert got_n[1] == got_p[1]


@SETTINGS
@given(schema_and_value(), st.sampled_from([100, 3, 1]))
def test_property_13_native_and_pure_agree(case: tuple[dict[str, Any], Any], limit: int) -> None:
    """Property 13: same validity, same error list, same returned object, as data and JSON."""
    core, value = case
    n, p = pair(core, max_errors=limit)
    assert_same_validate(n, p, value)
    if json_data(value):
        assert_same_json(n, p, json.dumps(value))
        assert_same_json(n, p, json.dumps(value).encode())


@SETTINGS
@given(schema_and_valid_value())
def test_property_13_agree_on_valid_values_and_their_json(case: tuple[dict[str, Any], Any]) -> None:
    """Property 13 on values built to match: both accept, and their JSON reads back equal."""
    core, value = case
    n, p = pair(core)
    assert_same_validate(n, p, value)
    if json_data(value):
        text = json.dumps(value, ensure_ascii=False, indent=1)
        # A lone surrogate cannot be UTF-8: such text travels with \u escapes instead.
        data = text.encode() if text.isascii() or _encodable(text) else json.dumps(value).encode()
        assert_same_json(n, p, data)


@SETTINGS
@given(schema_and_value(max_leaves=4), st.integers(1, 6))
def test_property_13_agree_on_depth_limits(case: tuple[dict[str, Any], Any], depth: int) -> None:
    """Property 13 with a small max_depth: depth_exceeded lands at the same paths."""
    core, value = case
    n, p = pair(core, max_depth=depth)
    try:
        assert_same_validate(n, p, value)
    except AssertionError:
        print("CORE", repr(core), "VALUE", repr(value), depth)
        raise
    if json_data(value):
        assert_same_json(n, p, json.dumps(value))


JSONISH = st.one_of(
    st.binary(max_size=40),
    st.text(alphabet='{}[]":,-+.0123456789eEtrufalsn \\u\n\ud800x', max_size=40),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
        max_leaves=6,
    ).map(lambda v: json.dumps(v)[: len(json.dumps(v)) // 2 or None]),
)


@SETTINGS
@given(schema_and_value(max_leaves=3), JSONISH)
def test_property_13_random_documents_never_crash(
    case: tuple[dict[str, Any], Any], data: bytes | str
) -> None:
    """Random bytes and JSON-ish text: no crash, and both backends agree on the outcome."""
    n, p = pair(case[0])
    assert_same_json(n, p, data)


TRICKY = [
    b"[[[[[[1]]]]]]",
    b"[[[[[[1] x",
    b"[1 x [[[[[[",
    b'["\\ud800", [[[[[[]]]]]]]',
    b'[[[[[[["\\ud800"]]]]]]]',
    b"[[[[[[\xff",
    b'{"a": 1, "a": [2], "b": {"a": 3}}',
    b'{"a": 1e400}',
    b"[-0, 1E5, 0.5e-3, -12345678901234567890123]",
    b' \t\n[ 1 , { "k" : "v" } ] \r\n',
    b'{"\\u0061": "\\ud83d\\ude00", "b": "\\/\\b\\f\\n\\r\\t"}',
    b"[1,]",
    b"[01]",
    b'"\x01"',
    "[\ud83d]".encode("utf-8", "surrogatepass"),
]


@pytest.mark.parametrize("doc", TRICKY)
@pytest.mark.parametrize(
    "core",
    [
        {"type": "any"},
        {"type": "array", "items": {"type": "any"}},
        {"type": "object", "properties": {"a": {"type": "integer"}}, "extra": "forbid"},
    ],
)
def test_property_13_tricky_documents(doc: bytes, core: dict[str, Any]) -> None:
    """Property 13 on hand-picked documents: problems are reported in document order alike."""
    n, p = pair(core, max_depth=5)
    assert_same_json(n, p, doc)
    assert_same_json(n, p, doc.decode("utf-8", "surrogateescape"))


@SETTINGS
@given(case=schema_and_value(), value=hostile)
def test_property_13_agree_on_hostile_values(case: tuple[dict[str, Any], Any], value: Any) -> None:
    """Dict subclasses that lie, scalars whose __eq__/__hash__ raise, objects that cannot be
    compared, one NaN twice (docs/gtype.md §5, hostile values): both backends agree."""
    core, _ = case
    n, p = pair(core)
    assert_same_validate(n, p, value)
