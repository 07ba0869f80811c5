"""Cyclic garbage through the backend's objects is collected (state store, snapshots, hooks,
validators): a cycle through a native object is as collectable as one through its pure twin.

These run on the active backend (``make test-py`` runs both); the validator tests build both.
"""

from __future__ import annotations

import enum
import gc
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gati import LocalContext, gt
from gati._pure import gtype as pure_gtype
from gati.context.store import new_store
from gati.gtype._plan import make_plan

try:
    from gati import _native
except ImportError:  # pragma: no cover - a pure-only install
    _native = None  # type: ignore[assignment]

VALIDATORS = [pure_gtype.Validator] + ([] if _native is None else [_native.Validator])


class Marker:
    """Something in the cycle that a weak reference can watch."""

    back: Any = None


@pytest.fixture(autouse=True)
def collected() -> Iterator[None]:
    gc.collect()
    yield
    gc.collect()


def survivors(make: Callable[[Marker], None], rounds: int) -> int:
    """How many of ``rounds`` markers, each put in a cycle by ``make``, outlive a collection."""
    refs = []
    for _ in range(rounds):
        marker = Marker()
        make(marker)
        refs.append(weakref.ref(marker))
        del marker
    gc.collect()
    return sum(ref() is not None for ref in refs)


def context(i: int = 0) -> LocalContext:
    return LocalContext(f"r{i}", handler_id="h", version="2025-01-01")


def test_a_state_value_referring_back_to_its_context_is_collected() -> None:
    def make(marker: Marker) -> None:
        lctx = context()
        marker.back = lctx
        lctx.state.set("me", marker)

    assert survivors(make, 200) == 0


def test_a_state_value_holding_the_store_itself_is_collected() -> None:
    def make(marker: Marker) -> None:
        store = new_store()
        marker.back = store
        store["me"] = marker

    assert survivors(make, 100) == 0


def test_a_cycle_through_a_store_and_its_snapshots_is_collected() -> None:
    def make(marker: Marker) -> None:
        lctx = context()
        lctx.state.set("me", marker)
        marker.back = [lctx, lctx.snapshot(), lctx.state.snapshot()]

    assert survivors(make, 100) == 0


def test_a_cycle_through_a_snapshots_trace_is_collected() -> None:
    """The snapshot record shows its trace and task records to the collector."""

    def make(marker: Marker) -> None:
        lctx = context()
        lctx.publish("topic", marker)
        marker.back = lctx.snapshot()

    assert survivors(make, 100) == 0


def test_a_cycle_through_a_restored_store_is_collected() -> None:
    def make(marker: Marker) -> None:
        lctx = context()
        lctx.state.set("me", marker)
        again = LocalContext.restore(lctx.snapshot())
        marker.back = [lctx, again]

    assert survivors(make, 50) == 0


def test_a_cycle_through_local_hooks_is_collected() -> None:
    def make(marker: Marker) -> None:
        lctx = context()

        async def hook(req: Any, res: Any, lctx_: Any, gctx: Any) -> None:
            marker.back = lctx

        lctx.before(hook)
        lctx.state.set("hook", hook)
        marker.back = lctx

    assert survivors(make, 100) == 0


@pytest.mark.parametrize("validator", VALIDATORS)
def test_a_validator_whose_custom_check_refers_to_it_is_collected(validator: Any) -> None:
    def make(marker: Marker) -> None:
        box: dict[str, Any] = {"marker": marker}

        def check(value: Any) -> bool:
            return box["validator"] is not None

        v = validator(make_plan(gt.string(validators=[check]).core()))
        box["validator"] = v
        assert v.validate("x") == "x"

    assert survivors(make, 100) == 0


@pytest.mark.parametrize("validator", VALIDATORS)
def test_a_validator_whose_schema_refers_to_it_is_collected(validator: Any) -> None:
    def make(marker: Marker) -> None:
        schema = gt.object({"a": gt.array(gt.integer(validators=[lambda v: marker is not None]))})
        v = validator(make_plan(schema.core()), schema=[schema, marker])
        marker.back = v

    assert survivors(make, 100) == 0


@pytest.mark.parametrize("validator", VALIDATORS)
def test_a_validator_whose_converter_or_default_refers_to_it_is_collected(validator: Any) -> None:
    def make(marker: Marker) -> None:
        box: dict[str, Any] = {"marker": marker}

        def to_upper(value: str) -> str:
            return value.upper() if box["validator"] is not None else value

        schema = gt.object(
            {
                "name": gt.string(convert=to_upper),
                "extra": gt.optional(gt.any(default=[box])),
            }
        )
        v = validator(make_plan(schema.core()))
        box["validator"] = v
        assert v.convert({"name": "x"})["name"] == "X"
        assert v.dump({"name": "x", "undeclared": 1}) == {"name": "x"}

    assert survivors(make, 100) == 0


def _tp_clear(cls: type) -> Any:
    """The type's ``tp_clear`` slot as a callable, or None when the type has none."""
    import ctypes

    get_slot = ctypes.pythonapi.PyType_GetSlot
    get_slot.restype, get_slot.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_int]
    address = get_slot(cls, 51)  # Py_tp_clear
    if not address:
        return None
    return ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.py_object)(address)  # called holding the GIL


@pytest.mark.skipif(_native is None, reason="the native extension is not built")
def test_clearing_a_native_validator_drops_every_object_it_holds() -> None:
    """The collector can break a cycle at the validator itself (``__clear__``), as it can at
    the pure twin's closures: afterwards it holds nothing that could lead back to anything."""
    box: dict[str, Any] = {}

    def check(value: Any) -> bool:
        return box is not None

    class Colour(enum.Enum):
        RED = "red"

    schema = gt.object(
        {
            "a": gt.array(gt.integer(validators=[check])),
            "c": gt.enum(Colour),
            "d": gt.optional(gt.any(default=[box])),
            "n": gt.string(convert=str.upper),
        }
    )
    v = _native.Validator(make_plan(schema.core()), schema=schema)
    assert {id(x) for x in gc.get_referents(v)} >= {id(check), id(Colour), id(schema)}
    clear = _tp_clear(_native.Validator)
    assert clear is not None
    assert clear(v) == 0
    assert all(x is None or x is _native.Validator for x in gc.get_referents(v))
    assert v.schema is None
    v.validate({"a": [1], "c": "red", "n": "x"})  # cleared, but still safe to call
