"""Validators that change the container being validated, and containers that lie about what
they hold (docs/gtype.md §5, "Hostile values"): both backends walk the same stable view.

An array's items, a record's entries and an object's undeclared entries are read once, as
stored, when the walk reaches them; what a custom validator (or converter) then adds, removes
or replaces is not walked, counted or compared. Declared properties are looked up one by one.
Subclasses of ``list``, ``tuple``, ``set`` and ``frozenset`` are read as their base type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gati import ValidationError, gt
from gati._pure.gtype import Validator as PureValidator
from gati.gtype._plan import make_plan
from tests.gtype.strategies import LiarList, LiarSet, LiarTuple

native = pytest.importorskip("gati._native")
BACKENDS = {"native": native.Validator, "pure": PureValidator}

# What a validator does to the container it can reach, each time it runs.
OPS: dict[str, Callable[[Any], None]] = {
    "append": lambda c: c.append(0) if isinstance(c, list) else c.__setitem__(f"n{len(c)}", 0),
    "extend": lambda c: c.extend([0, "x", 1]) if isinstance(c, list) else c.update(z=0, y="x"),
    "pop": lambda c: c.pop() if isinstance(c, list) and c else c.popitem() if c else None,
    "insert": lambda c: c.insert(0, "x") if isinstance(c, list) else c.__setitem__("a", "x"),
    "clear": lambda c: c.clear(),
    "replace": lambda c: c.__setitem__(0, "x") if isinstance(c, list) and c else None,
}


def schemas(check: Callable[[Any], bool]) -> dict[str, Any]:
    item = gt.integer(validators=[check])
    return {
        "array": gt.array(item, max_items=5),
        "unique array": gt.array(item, unique_items=True),
        "tuple": gt.tuple([item], rest=item),
        "record": gt.record(item),
        "object extra": gt.object({"a": gt.integer()}, extra=item),
        "object property": gt.object({"a": item, "b": gt.integer(), "c": gt.optional(item)}),
    }


def initial(kind: str, size: int) -> Any:
    if kind in ("record", "object extra", "object property"):
        return {k: i for i, k in enumerate("abcdefg"[:size])}
    return list(range(1, size + 1))


def outcome(validator: Any, method: str, value: Any) -> tuple[Any, ...]:
    try:
        result = getattr(validator, method)(value)
    except ValidationError as exc:
        return "errors", exc.errors(), repr(value)
    except Exception as exc:  # compared across backends
        return "raised", type(exc).__name__, str(exc)
    return "ok", repr(result), repr(value)


def run(backend: str, kind: str, ops: list[str], size: int, method: str) -> tuple[Any, ...]:
    """One backend validating a fresh container whose items' validator applies ``ops``: the
    outcome and the values the validator saw, in order."""
    box: dict[str, Any] = {}
    calls = iter(ops * 50)  # bounded: a walk that kept seeing new items would run dry here
    seen: list[Any] = []

    def check(value: Any) -> bool:
        op = next(calls, None)
        assert op is not None, "the walk did not stop"
        seen.append(value)
        OPS[op](box["container"])
        return True

    validator = BACKENDS[backend](make_plan(schemas(check)[kind].core()))
    box["container"] = initial(kind, size)
    return (*outcome(validator, method, box["container"]), seen)


KINDS = ["array", "unique array", "tuple", "record", "object extra", "object property"]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    kind=st.sampled_from(KINDS),
    ops=st.lists(st.sampled_from(sorted(OPS)), min_size=1, max_size=4),
    size=st.integers(0, 6),
    method=st.sampled_from(["validate", "is_valid", "convert", "dump"]),
)
def test_property_13_a_validator_changing_its_container_gets_the_same_answer_on_both(
    kind: str, ops: list[str], size: int, method: str
) -> None:
    """Property 13: whatever a validator does to the container being walked, both backends
    terminate, agree on the verdict and, for a valid value, on the result, the container left
    behind and every value the validator was shown. (An invalid value is walked a second time
    by the pure twin to collect its errors, docs/gtype.md §7, so its error list may differ.)"""
    got_native = run("native", kind, ops, size, method)
    got_pure = run("pure", kind, ops, size, method)
    assert got_native[0] == got_pure[0]
    if got_native[0] == "ok":
        assert got_native == got_pure


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_validator_appending_to_its_list_does_not_walk_what_it_added(backend: str) -> None:
    seen: list[Any] = []
    box: dict[str, list[Any]] = {}

    def check(value: Any) -> bool:
        seen.append(value)
        box["list"].append(value)
        return True

    validator = BACKENDS[backend](make_plan(gt.array(gt.integer(validators=[check])).core()))
    box["list"] = [1, 2, 3]
    assert validator.validate(box["list"]) == [1, 2, 3, 1, 2, 3]
    assert seen == [1, 2, 3]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_validator_deleting_from_its_record_walks_every_entry_it_had(backend: str) -> None:
    box: dict[str, dict[str, Any]] = {}
    seen: list[Any] = []

    def check(value: Any) -> bool:
        seen.append(value)
        box["d"].pop("b", None)
        box["d"]["new"] = "not an int"
        return True

    validator = BACKENDS[backend](make_plan(gt.record(gt.integer(validators=[check])).core()))
    box["d"] = {"a": 1, "b": 2, "c": 3}
    assert validator.validate(box["d"]) == {"a": 1, "c": 3, "new": "not an int"}
    assert seen == [1, 2, 3]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("cls", [LiarList, LiarTuple])
def test_a_list_or_tuple_subclass_is_read_as_its_base_type(backend: str, cls: type) -> None:
    validator = BACKENDS[backend](make_plan(gt.array(gt.integer(), max_items=3).core()))
    value = cls([1, 2, 3])
    assert validator.validate(value) is value
    too_many = cls([1, 2, 3, "four"])
    codes = [(e["path"], e["code"]) for e in _errors(validator, too_many)]
    assert codes == [((), "array_max_items"), ((3,), "integer_type")]
    tuple_validator = BACKENDS[backend](make_plan(gt.tuple([gt.integer(), gt.string()]).core()))
    assert tuple_validator.validate(cls([1, "a"])) is not None


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_set_subclass_is_read_as_its_members(backend: str) -> None:
    validator = BACKENDS[backend](make_plan(gt.array(gt.integer(), max_items=2).core()))
    value = LiarSet([1, 2])
    assert validator.validate(value) is value
    assert [e["code"] for e in _errors(validator, LiarSet([1, 2, "x"]))] == [
        "array_max_items",
        "integer_type",
    ]


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_convert_builds_from_what_a_subclass_holds(backend: str) -> None:
    schema = gt.array(gt.string(format="uuid", convert="uuid"))
    validator = BACKENDS[backend](make_plan(schema.core()))
    text = "123e4567-e89b-12d3-a456-426614174000"
    assert [str(u) for u in validator.convert(LiarList([text]))] == [text]


def _errors(validator: Any, value: Any) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as info:
        validator.validate(value)
    return info.value.errors()
