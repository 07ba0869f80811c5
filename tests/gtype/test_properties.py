"""Hypothesis properties of the active backend's validator (DESIGN §11: Properties 12 and 13)."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings

from gati import ValidationError, format_path
from gati.gtype._plan import make_plan
from gati.gtype.validator import Validator
from tests.gtype.strategies import schema_and_valid_value, schema_and_value

CODES = {
    "string_type", "number_type", "integer_type", "boolean_type", "null_type", "object_type",
    "array_type", "tuple_type", "record_type", "literal_error", "enum_error", "number_finite",
    "number_min", "number_max", "number_exclusive_min", "number_exclusive_max",
    "number_multiple_of", "string_min_length", "string_max_length", "string_pattern",
    "string_format", "array_min_items", "array_max_items", "array_unique_items", "tuple_length",
    "key_type", "object_missing", "object_extra", "union_mismatch", "union_tag_missing",
    "union_tag_invalid", "custom", "depth_exceeded", "recursion_loop", "too_many_errors",
    "json_invalid",
}  # fmt: skip
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_error(e: dict[str, Any], in_member: bool = False) -> None:
    """One error's structure; inside a union member's list a ``union_mismatch`` has no
    ``members`` of its own."""
    assert isinstance(e["path"], tuple)
    assert all(type(p) in (str, int) for p in e["path"])
    assert e["code"] in CODES
    assert isinstance(e["expected"], str) and e["expected"]
    assert isinstance(e["message"], str) and e["message"]
    json.dumps(e["actual"])
    a = e["actual"]
    assert a is None or type(a) in (bool, int, float, str)
    if type(a) is str:
        assert len(a) <= 81
    assert isinstance(format_path(e["path"]), str)
    keys = {"path", "code", "expected", "actual", "message"}
    if e["code"] == "union_mismatch" and not in_member:
        keys.add("members")
        for member in e["members"]:
            assert isinstance(member, list) and member
            for inner in member:
                check_error(inner, in_member=True)
    if e["code"] == "json_invalid":
        keys |= {"line", "column"}
    assert set(e) == keys


@SETTINGS
@given(schema_and_value())
def test_property_12_error_structure(case: tuple[dict[str, Any], Any]) -> None:
    """Property 12: every error has a str/int path, a documented code, strings, JSON actual."""
    core, value = case
    v = Validator(make_plan(core, max_errors=20))
    try:
        result = v.validate(value)
    except ValidationError as exc:
        assert not v.is_valid(value)
        errs = exc.errors()
        assert 1 <= len(errs) <= 21
        assert all(e["code"] != "too_many_errors" for e in errs[:-1])
        for e in errs:
            check_error(e)
    else:
        assert result is value
        assert v.is_valid(value)


def text(value: str) -> bool:
    """Whether ``value`` is Unicode text: a lone surrogate is not, and its JSON escape is
    ``json_invalid`` on both backends (docs/gtype.md §5)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def json_data(value: Any) -> bool:
    """Whether ``value`` survives a JSON round trip unchanged in kind."""
    if isinstance(value, str):
        return type(value) is str and text(value)
    if value is None or isinstance(value, bool):
        return type(value) in (type(None), bool)
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int):
        return type(value) is int
    if isinstance(value, list):
        return type(value) is list and all(json_data(x) for x in value)
    if isinstance(value, dict):
        return type(value) is dict and all(
            isinstance(k, str) and text(k) and json_data(x) for k, x in value.items()
        )
    return False


@SETTINGS
@given(schema_and_valid_value())
def test_property_13_valid_values_pass(case: tuple[dict[str, Any], Any]) -> None:
    """Property 13: values built to match a schema are accepted, as Python data and as JSON."""
    core, value = case
    v = Validator(make_plan(core))
    assert v.validate(value) is value
    assert v.is_valid(value)
    if json_data(value):
        assert v.validate_json(json.dumps(value)) == value
