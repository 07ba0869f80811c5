"""``gati.Snapshot``'s record: the native one and its pure twin agree exactly.

``gati.Snapshot`` is the active backend's record plus shared Python views, so these tests and
tests/lifecycle/test_snapshot.py (run on both backends by ``make test-py``) cover the public
behaviour of both (Property 21: snapshots are isolated from later changes).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import LocalContext, Snapshot
from gati._backend import pair
from gati._pure.values import copy_value

pytest.importorskip("gati._native")
NativeRecord, PureRecord = pair("Snapshot")
NativeStore, PureStore = pair("StateStore")
native_take, pure_take = pair("take_snapshot")

values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner),
    max_leaves=8,
)
states = st.dictionaries(st.text(max_size=3), values, max_size=8)
fields = st.tuples(
    st.text(max_size=5),
    st.sampled_from(["received", "routed", "processing", "error"]),
    st.integers(0, 50),
    st.none() | st.text(max_size=10),
    st.lists(st.tuples(st.none() | st.text(max_size=3), st.sampled_from(["pending", "rejected"]))),
    st.lists(st.dictionaries(st.text(max_size=3), values, max_size=3), max_size=3),
    st.none() | st.integers(0, 2**62),
)


def record(record_cls: Any, store_cls: Any, state: dict[str, Any], f: tuple[Any, ...]) -> Any:
    store = store_cls(copy_value)
    for k, v in state.items():
        store.set(k, v)
    request_id, phase, hook_index, version, tracked, trace, taken_at = f
    made = record_cls(
        store, request_id, phase, hook_index, version, tuple(tracked), tuple(trace), taken_at
    )
    store.set("after", 1)  # later writes never reach the record
    return made


def seen(r: Any) -> tuple[Any, ...]:
    restored = r.new_store()
    restored.set("restored", 2)  # nor do writes to a store restored from it
    return (
        r.request_id,
        r.phase,
        r.hook_index,
        r.handler_version,
        r.tracked,
        r.trace,
        r.state_store_snapshot.items(),
        restored.items(),
        r.state_store_snapshot.items(),
    )


@settings(max_examples=200, deadline=None)
@given(states, fields)
def test_native_and_pure_records_agree(state: dict[str, Any], f: tuple[Any, ...]) -> None:
    n = record(NativeRecord, NativeStore, state, f)
    p = record(PureRecord, PureStore, state, f)
    assert seen(n) == seen(p)
    if f[-1] is not None:
        assert n.taken_at == p.taken_at == f[-1]


@settings(max_examples=100, deadline=None)
@given(states, fields)
def test_take_snapshot_is_the_constructor_with_the_clock_read_now(
    state: dict[str, Any], f: tuple[Any, ...]
) -> None:
    """``lctx.snapshot()``'s call, native and pure: a record equal to the constructor's."""
    made = []
    for take, record_cls, store_cls in (
        (native_take, NativeRecord, NativeStore),
        (pure_take, PureRecord, PureStore),
    ):
        store = store_cls(copy_value)
        for k, v in state.items():
            store.set(k, v)
        before = time.time_ns()
        taken = take(store, *f[:4], tuple(f[4]), tuple(f[5]))
        assert type(taken) is record_cls
        assert before <= taken.taken_at <= time.time_ns()
        store.set("after", 1)
        made.append(seen(taken))
    assert made[0] == made[1]


@pytest.mark.parametrize(
    ("record_cls", "store_cls"), [(NativeRecord, NativeStore), (PureRecord, PureStore)]
)
def test_taken_at_defaults_to_now(record_cls: Any, store_cls: Any) -> None:
    before = time.time_ns()
    r = record_cls(store_cls(copy_value), "r", "routed", 0, None, (), ())
    assert before <= r.taken_at <= time.time_ns()


@pytest.mark.parametrize(
    ("record_cls", "other"), [(NativeRecord, PureStore), (PureRecord, NativeStore)]
)
def test_a_record_refuses_another_backends_store(record_cls: Any, other: Any) -> None:
    for store in (other(copy_value), {"a": 1}, None):
        with pytest.raises(TypeError, match="state store"):
            record_cls(store, "r", "routed", 0, None, (), ())


def test_snapshot_and_restore_share_the_state_without_copying_it() -> None:
    """The public pair keeps value semantics: neither side sees the other's later writes."""
    lctx = LocalContext("r")
    lctx.state.set("n", {"a": [1]})
    snap = lctx.snapshot()
    again = LocalContext.restore(snap)
    again.state.set("m", 1)
    lctx.state.set("n", 2)
    assert snap.state == {"n": {"a": [1]}}
    assert dict(again.state.items()) == {"n": {"a": [1]}, "m": 1}
    assert isinstance(snap, Snapshot)
    with pytest.raises(AttributeError, match="immutable"):
        snap.request_id = "x"  # type: ignore[misc]


def test_restore_with_meta_keeps_the_snapshots_fields() -> None:
    lctx = LocalContext("r", version="2025-01-01", phase="processing")
    lctx.hook_index = 3
    lctx.state.set("k", 1)
    again = LocalContext.restore(lctx.snapshot(), method="POST", path="/x")
    assert (again.meta.method, again.meta.path, again.meta.version) == ("POST", "/x", "2025-01-01")
    assert (again.phase, again.hook_index, again.state.get("k")) == ("processing", 3, 1)
    plain = LocalContext.restore(lctx.snapshot())
    assert (plain.meta.method, plain.meta.path, plain.meta.route) == ("GET", "/", None)
    assert (plain.phase, plain.hook_index, plain.meta.version) == ("processing", 3, "2025-01-01")


def test_the_public_snapshot_is_the_active_backends_record_itself() -> None:
    """No wrapper object: ``lctx.snapshot()`` returns the record, named ``gati.Snapshot``."""
    snap = LocalContext("r").snapshot()
    assert type(snap) is Snapshot
    assert Snapshot in (NativeRecord, PureRecord)
    assert f"{Snapshot.__module__}.{Snapshot.__qualname__}" == "gati.Snapshot"
