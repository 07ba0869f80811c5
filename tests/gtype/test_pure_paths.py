"""The pure validator's three paths agree: generated fast path, closure fast path, error path."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from gati._pure.gtype import Call, _Compiler, _Sink
from gati.gtype._plan import make_plan
from tests.gtype.strategies import schema_and_value

# The pure compiler itself, whatever GATI_BACKEND says: the Makefile runs it in one pass.
pytestmark = pytest.mark.once


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schema_and_value())
def test_property_13_fast_and_slow_paths_agree(case: tuple[dict[str, Any], Any]) -> None:
    """Property 13 (pure backend): a value is valid exactly when the error path finds nothing."""
    core, value = case
    plan = make_plan(core, max_errors=10**6)
    compiler = _Compiler(plan)
    ok, err = compiler.node(plan["root"])
    generated = compiler.fast(plan["root"], ok)
    sink = _Sink(10**6)
    err(value, 0, Call(), (), sink)
    assert ok(value, 0, Call()) is generated(value, 0, Call()) is (not sink.errors)
