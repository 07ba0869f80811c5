"""How ``convert`` and ``dump`` read an object's fields and build its output (docs/gtype.md §9),
on both backends side by side: whatever order the keys come in, whether they are the schema's
own string objects or equal ones, ``str`` subclasses, missing optional fields and undeclared
keys anywhere, the output is the same (keys in the input's order, defaults appended), and a
dataclass built without ``__init__`` or a ``UUID`` built from its text is the object the class
itself makes.
"""

from __future__ import annotations

import dataclasses
import pickle
import uuid
from typing import Any

import pytest

from gati import gt
from gati._pure.gtype import Validator as PureValidator
from gati.gtype._plan import make_plan

native = pytest.importorskip("gati._native")
BACKENDS = {"native": native.Validator, "pure": PureValidator}


@dataclasses.dataclass
class Point:
    x: int
    y: int
    label: str = "p"


@dataclasses.dataclass(frozen=True)
class FrozenPoint:
    x: int
    y: int
    label: str = "p"


POINT_SCHEMA: dict[str, Any] = {
    "x": gt.integer(),
    "y": gt.integer(),
    "label": gt.optional(gt.string(default="p")),
}


def both(schema: Any) -> dict[str, Any]:
    plan = make_plan(schema.core())
    return {name: validator(plan) for name, validator in BACKENDS.items()}


def fresh(text: str) -> str:
    """An equal string that is not the interned one the schema holds."""
    return "".join(list(text))


class Key(str):
    """A ``str`` subclass key (validation accepts it as a property name)."""


# Each: the input, and the output of ``dump`` on an ``extra="ignore"`` object.
DUMPS = [
    ({"x": 1, "y": 2, "label": "a"}, {"x": 1, "y": 2, "label": "a"}),
    ({"label": "a", "y": 2, "x": 1}, {"label": "a", "y": 2, "x": 1}),
    ({"x": 1, "extra": 0, "y": 2}, {"x": 1, "y": 2}),
    ({"x": 1, "y": 2, "extra": 0}, {"x": 1, "y": 2}),
    ({"extra": 0, "x": 1, "y": 2, "label": "a"}, {"x": 1, "y": 2, "label": "a"}),
    ({fresh("x"): 1, fresh("y"): 2, "more": 3}, {"x": 1, "y": 2}),
    ({Key("x"): 1, Key("y"): 2, "z": 3}, {"x": 1, "y": 2}),
    ({"y": 2, "x": 1, "a": 0, "b": 0}, {"y": 2, "x": 1}),
]


@pytest.mark.parametrize(("value", "expected"), DUMPS)
def test_dump_keeps_the_declared_keys_in_the_inputs_order(
    value: dict[str, Any], expected: dict[str, Any]
) -> None:
    for name, validator in both(gt.object(POINT_SCHEMA)).items():
        out = validator.dump(value)
        assert list(out.items()) == list(expected.items()), name
        assert (out is value) == (value == expected), name


@pytest.mark.parametrize("cls", [Point, FrozenPoint])
@pytest.mark.parametrize(("value", "_"), DUMPS)
def test_a_dataclass_gets_the_same_fields_whatever_the_key_order(
    cls: type, value: dict[str, Any], _: Any
) -> None:
    for name, validator in both(gt.object(POINT_SCHEMA, convert=cls)).items():
        out = validator.convert(value)
        expected = cls(value["x"], value["y"], value.get("label", "p"))
        assert type(out) is cls and out == expected, name
        assert vars(out) == vars(expected)
        assert all(type(k) is str or type(k) is Key for k in vars(out)), name


def test_a_dataclass_built_without_init_behaves_as_one_built_with_it() -> None:
    schema = gt.object(POINT_SCHEMA, convert=Point)
    assert make_plan(schema.core())["root"]["instance_dict"]
    for name, validator in both(schema).items():
        out = validator.convert({"y": 2, "x": 1})
        assert out == Point(1, 2) and repr(out) == repr(Point(1, 2)), name
        assert list(vars(out)) == ["y", "x", "label"], name  # input order, default appended
        out.x = 5  # an ordinary instance: its own dict, writable, picklable
        assert out.x == 5 and pickle.loads(pickle.dumps(out)) == Point(5, 2)
        again = validator.convert({"x": 1, "y": 2})
        assert vars(again) is not vars(out)


def test_a_frozen_dataclass_built_without_init_stays_frozen() -> None:
    for name, validator in both(gt.object(POINT_SCHEMA, convert=FrozenPoint)).items():
        out = validator.convert({"x": 1, "y": 2})
        assert out == FrozenPoint(1, 2) and hash(out) == hash(FrozenPoint(1, 2)), name
        with pytest.raises(dataclasses.FrozenInstanceError):
            out.x = 5  # type: ignore[misc]


UUIDS = [
    "123e4567-e89b-12d3-a456-426614174000",
    "123E4567-E89B-12D3-A456-426614174000",
    "00000000-0000-0000-0000-000000000000",
    "00000000-0000-0000-0000-000000000001",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "FfFfFfFf-0000-8000-8000-0123456789aB",
]


@pytest.mark.parametrize("text", UUIDS)
def test_a_uuid_built_from_its_text_is_the_one_uuid_makes(text: str) -> None:
    expected = uuid.UUID(text)
    for name, validator in both(gt.string(format="uuid", convert="uuid")).items():
        out = validator.convert(text)
        assert type(out) is uuid.UUID, name
        assert (out, out.int, out.is_safe, str(out)) == (
            expected,
            expected.int,
            expected.is_safe,
            str(expected),
        ), name
        assert type(out.int) is int and hash(out) == hash(expected), name
        with pytest.raises(TypeError):
            out.int = 0  # type: ignore[misc]  # UUIDs stay immutable


def test_many_fields_of_uuids_in_and_out_of_order() -> None:
    """Property 13 on a wide object: the walk in schema order and the lookup it falls back to
    meet the same values."""
    names = [f"f{i}" for i in range(12)]
    schema = gt.object({n: gt.string(format="uuid", convert="uuid") for n in names})
    texts = {n: str(uuid.UUID(int=i * 0x1234567890ABCDEF)) for i, n in enumerate(names)}
    for order in (names, names[::-1], names[6:] + names[:6]):
        value = {n: texts[n] for n in order}
        outs = {name: v.convert(value) for name, v in both(schema).items()}
        assert outs["native"] == outs["pure"] == {n: uuid.UUID(texts[n]) for n in order}
        assert list(outs["native"]) == list(outs["pure"]) == order
