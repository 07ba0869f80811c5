"""``Validator.dump``: a value leaves through its schema (docs/gtype.md §9, Property 11).

Only declared properties of an ``extra="ignore"`` object are let out, at every depth; an
``extra`` schema keeps (and has validated) the others; ``extra="forbid"`` refuses them.
"""

from __future__ import annotations

import pytest

from gati import ValidationError, gt

USER = gt.object({"id": gt.integer(), "name": gt.string()})


def test_undeclared_fields_do_not_leave() -> None:
    out = gt.compile(USER).dump({"id": 1, "name": "x", "password": "secret"})
    assert out == {"id": 1, "name": "x"}


def test_nested_objects_in_arrays_records_and_unions_are_filtered() -> None:
    schema = gt.object(
        {
            "users": gt.array(USER),
            "by_name": gt.record(USER),
            "either": gt.union(gt.integer(), USER),
            "pair": gt.tuple([USER]),
        }
    )
    leak = {"id": 1, "name": "x", "password": "p"}
    out = gt.compile(schema).dump(
        {"users": [leak], "by_name": {"a": leak}, "either": leak, "pair": [leak], "token": "t"}
    )
    clean = {"id": 1, "name": "x"}
    assert out == {"users": [clean], "by_name": {"a": clean}, "either": clean, "pair": [clean]}


def test_an_extra_schema_keeps_and_validates_the_extras() -> None:
    schema = gt.object({"id": gt.integer()}, extra=gt.string())
    assert gt.compile(schema).dump({"id": 1, "note": "n"}) == {"id": 1, "note": "n"}
    with pytest.raises(ValidationError):
        gt.compile(schema).dump({"id": 1, "note": 2})


def test_forbid_refuses_extras() -> None:
    with pytest.raises(ValidationError) as info:
        gt.compile(gt.object({"id": gt.integer()}, extra="forbid")).dump({"id": 1, "x": 2})
    assert info.value.errors()[0]["code"] == "object_extra"


def test_a_value_with_nothing_to_drop_is_returned_itself() -> None:
    value = {"id": 1, "name": "x"}
    assert gt.compile(USER).dump(value) is value


def test_dump_converts_nothing() -> None:
    schema = gt.object({"when": gt.string(format="date", convert="date")})
    value = {"when": "2024-01-01"}
    assert gt.compile(schema).dump(value) is value


def test_an_invalid_value_raises_as_validate_does() -> None:
    validator = gt.compile(USER)
    with pytest.raises(ValidationError) as dumped:
        validator.dump({"id": "1"})
    with pytest.raises(ValidationError) as validated:
        validator.validate({"id": "1"})
    assert dumped.value.errors() == validated.value.errors()
