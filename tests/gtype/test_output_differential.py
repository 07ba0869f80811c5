"""Property 13 for the output builder: native and pure ``convert`` / ``dump`` agree exactly.

Both are built from the very same plan (schemas with conversions, callables and property
defaults sprinkled over every kind). For every generated schema and value they must agree on
the outcome, the error list (``json_invalid`` by code and path), the output (compared with its
types, so ``Decimal("1")`` is not ``1``) and whether the output is the input object itself.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from gati._pure.gtype import Validator as PureValidator
from gati.gtype._plan import make_plan
from tests.gtype.strategies import converting_schema_and_value, schema_and_value
from tests.gtype.test_differential import comparable, json_data, outcome

native = pytest.importorskip("gati._native")

# Backend-independent (it builds what it compares itself): the Makefile runs it in one pass.
pytestmark = pytest.mark.once

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


def typed(value: Any) -> Any:
    """``value`` with every part's type spelled out, for an exact comparison."""
    if isinstance(value, dict):
        return (type(value).__name__, {k: typed(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return (type(value).__name__, [typed(v) for v in value])
    if isinstance(value, set | frozenset):
        return (type(value).__name__, sorted(map(repr, value)))
    return (type(value).__name__, value)


def assert_same(n: Any, p: Any, method: str, value: Any) -> None:
    got_n = outcome(lambda: getattr(n, method)(value))
    got_p = outcome(lambda: getattr(p, method)(value))
    assert got_n[0] == got_p[0], (got_n, got_p)
    if got_n[0] == "ok":
        assert typed(got_n[1]) == typed(got_p[1])
        assert (got_n[1] is value) == (got_p[1] is value)
    elif got_n[0] == "errors":
        assert comparable(got_n[1]) == comparable(got_p[1])
    else:
        assert got_n[1] == got_p[1]


def pair(core: dict[str, Any]) -> tuple[Any, Any]:
    plan = make_plan(core)
    return native.Validator(plan), PureValidator(plan)


@SETTINGS
@given(converting_schema_and_value())
def test_property_13_convert_agrees(case: tuple[dict[str, Any], Any]) -> None:
    """Property 13: convert builds the same objects (or errors) on both backends, data or JSON."""
    core, value = case
    n, p = pair(core)
    assert_same(n, p, "convert", value)
    if json_data(value):
        assert_same(n, p, "convert_json", json.dumps(value))


@SETTINGS
@given(schema_and_value())
def test_property_13_dump_agrees(case: tuple[dict[str, Any], Any]) -> None:
    """Property 13: dump lets out the same fields (or raises the same errors) on both backends."""
    core, value = case
    n, p = pair(core)
    assert_same(n, p, "dump", value)


@SETTINGS
@given(converting_schema_and_value())
def test_property_11_dump_fails_exactly_when_validate_fails(
    case: tuple[dict[str, Any], Any],
) -> None:
    """Property 11: dump is validation plus filtering: same errors, and no conversion at all."""
    core, value = case
    n, _ = pair(core)
    dumped, validated = outcome(lambda: n.dump(value)), outcome(lambda: n.validate(value))
    assert dumped[0] == validated[0]
    if dumped[0] != "ok":
        assert dumped[1] == validated[1]
