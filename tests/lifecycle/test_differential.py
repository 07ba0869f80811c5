"""Native and pure state stores and planners agree exactly on random operation sequences."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from gati._pure import hooks as pure_hooks
from gati._pure import state as pure_state
from gati._pure.values import copy_value
from gati.lifecycle.hooks import Hook

native = pytest.importorskip("gati._native")

# Backend-independent (it builds what it compares itself): the Makefile runs it in one pass.
pytestmark = pytest.mark.once

keys = st.sampled_from(["a", "b", "c", "d", "e", "ü", ""])
values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3)
    ),
    max_leaves=8,
)


def outcome(fn: Any, *args: Any) -> Any:
    try:
        return ("ok", fn(*args))
    except Exception as exc:
        return ("raise", type(exc))


class StoreMachine(RuleBasedStateMachine):
    """Drives both stores with the same operations and compares every answer."""

    @initialize()
    def make(self) -> None:
        self.n = native.StateStore(copy_value)
        self.p = pure_state.StateStore(copy_value)
        self.snaps: list[tuple[Any, Any]] = []

    def both(self, name: str, *args: Any) -> None:
        a = outcome(getattr(self.n, name), *args)
        b = outcome(getattr(self.p, name), *args)
        assert a == b, (name, args, a, b)

    @rule(k=keys, v=values)
    def set(self, k: str, v: Any) -> None:
        self.both("set", k, v)

    @rule(name=st.sampled_from(["get", "__getitem__", "delete", "__delitem__"]), k=keys)
    def by_key(self, name: str, k: str) -> None:
        """The one-key reads and deletions."""
        self.both(name, k)

    @rule(k=st.one_of(keys, st.integers()))
    def contains(self, k: Any) -> None:
        self.both("__contains__", k)

    @rule()
    def clean(self) -> None:
        self.both("clean")

    @rule()
    def snapshot(self) -> None:
        self.snaps.append((self.n.snapshot(), self.p.snapshot()))

    @precondition(lambda self: bool(self.snaps))
    @rule(i=st.integers(0, 100))
    def restore(self, i: int) -> None:
        sn, sp = self.snaps[i % len(self.snaps)]
        self.n.restore(sn)
        self.p.restore(sp)

    @invariant()
    def agree(self) -> None:
        assert self.n.keys() == self.p.keys()
        assert self.n.items() == self.p.items()
        assert len(self.n) == len(self.p)
        for sn, sp in self.snaps:
            assert sn.items() == sp.items() and len(sn) == len(sp)
            assert sn.get("a") == sp.get("a") and ("b" in sn) == ("b" in sp)


StoreMachine.TestCase.settings = settings(max_examples=200, stateful_step_count=30, deadline=None)
TestStoreDifferential = StoreMachine.TestCase


def test_restore_refuses_the_other_backends_snapshot() -> None:
    with pytest.raises(TypeError):
        native.StateStore(copy_value).restore(pure_state.StateStore(copy_value).snapshot())
    with pytest.raises(TypeError):
        pure_state.StateStore(copy_value).restore(native.StateStore(copy_value).snapshot())


def _noop(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    return None


def _noop_catch(exc: Any, req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    return None


hook_specs = st.lists(
    st.tuples(
        st.sampled_from(["before", "after", "catch"]),
        st.sampled_from(["global", "route"]),
        st.integers(-3, 3),
        st.sampled_from(["x", "y", "z", "w"]),
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(hook_specs)
def test_planners_agree(specs: list[tuple[str, str, int, str]]) -> None:
    hooks = [
        Hook(_noop_catch if k == "catch" else _noop, kind=k, level=lv, priority=p, id=i)
        for k, lv, p, i in specs
    ]
    a = outcome(native.plan_hooks, hooks)
    b = outcome(pure_hooks.plan_hooks, hooks)
    assert a == b


nested = st.recursive(
    st.none()
    | st.integers()
    | st.text(max_size=3)
    | st.binary(max_size=3)
    | st.frozensets(st.integers(), max_size=2),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=2), inner, max_size=3)
        | st.sets(st.integers(), max_size=3)
        | st.builds(bytearray, st.binary(max_size=3))
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(nested)
def test_copy_value_twins_agree_and_copy(value: Any) -> None:
    a, b = native.copy_value(value), copy_value(value)
    assert a == b == value
    assert type(a) is type(b) is type(value)
    if isinstance(value, dict | list | set | bytearray):
        assert a is not value and b is not value


def test_copy_value_depth_bound_agrees() -> None:
    deep: Any = []
    for _ in range(300):
        deep = [deep]
    for fn in (native.copy_value, copy_value):
        with pytest.raises(ValueError, match="nested deeper"):
            fn(deep)
    ok: Any = 1
    for _ in range(255):
        ok = (ok,)
    assert native.copy_value(ok) == copy_value(ok)
