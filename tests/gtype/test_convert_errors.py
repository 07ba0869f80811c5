"""``Validator.convert`` validates, then builds (docs/gtype.md §9): a validation error anywhere
wins over a converter's refusal, a validator never sees an unchecked child's failure, and
convert fails exactly when ``validate`` does, with the same errors on both backends."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gati import ValidationError, gt
from gati._pure.gtype import Validator as PureValidator
from gati.gtype._plan import make_plan

native = pytest.importorskip("gati._native")
BACKENDS = {"native": native.Validator, "pure": PureValidator}


def refuse(value: Any) -> Any:
    raise ValueError("refused by the converter")


def outcome(validator: Any, value: Any) -> tuple[str, Any]:
    try:
        return "ok", validator.convert(value)
    except ValidationError as exc:
        return "errors", exc.errors()
    except Exception as exc:  # compared across backends
        return "raised", (type(exc).__name__, str(exc))


SCHEMA = gt.object(
    {
        "first": gt.string(convert=refuse),
        "age": gt.integer(min=0),
        "tags": gt.array(gt.string(convert=str.upper), max_items=2),
        "when": gt.optional(gt.string(format="date", convert="date")),
    },
    validators=[lambda v: v["age"] + 1 > 0],  # would raise on an unchecked "age"
)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_later_validation_error_wins_over_an_earlier_converter_refusal(backend: str) -> None:
    validator = BACKENDS[backend](make_plan(SCHEMA.core()))
    kind, errors = outcome(validator, {"first": "a", "age": "x", "tags": []})
    assert kind == "errors"
    assert [(e["path"], e["code"]) for e in errors] == [(("age",), "integer_type")]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_converter_refusal_on_a_valid_value_is_one_custom_error(backend: str) -> None:
    validator = BACKENDS[backend](make_plan(SCHEMA.core()))
    kind, errors = outcome(validator, {"first": "a", "age": 3, "tags": ["x"]})
    assert kind == "errors"
    assert [(e["path"], e["code"], e["message"]) for e in errors] == [
        (("first",), "custom", "refused by the converter")
    ]


VALUES = st.fixed_dictionaries(
    {"first": st.sampled_from(["a", 1]), "age": st.sampled_from([3, -1, "x", None])},
    optional={
        "tags": st.lists(st.sampled_from(["a", "b", 2]), max_size=3),
        "when": st.sampled_from(["2024-02-29", "2023-02-29", "x", None]),
        "other": st.just(1),
    },
)
LENIENT = gt.object(
    {
        "first": gt.string(),
        "age": gt.integer(min=0),
        "tags": gt.optional(gt.array(gt.string(convert=str.upper), max_items=2)),
        "when": gt.optional(gt.string(format="date", convert="date", nullable=True)),
    },
    validators=[lambda v: v["age"] + 1 > 0],
)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=VALUES)
def test_property_13_convert_in_one_walk_agrees_with_validate_then_build(value: Any) -> None:
    """Property 13: native and pure convert agree on the result and on every error, and
    convert fails exactly when validate does, with its errors."""
    plan = make_plan(LENIENT.core())
    got = {name: outcome(cls(plan), dict(value)) for name, cls in BACKENDS.items()}
    assert got["native"] == got["pure"]
    try:
        native.Validator(plan).validate(dict(value))
    except ValidationError as exc:
        assert got["native"] == ("errors", exc.errors())
    else:
        assert got["native"][0] == "ok"
