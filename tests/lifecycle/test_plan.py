"""Hook records and route plans (Property 24, 25: registration and order)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import Backoff, Hook, HookError
from gati.lifecycle import plan_route


def before(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    return None


async def abefore(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    return None


def catcher(exc: Any, req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    return None


def test_sync_async_detected_once() -> None:
    class AsyncCallable:
        async def __call__(self, req: Any, res: Any, lctx: Any, gctx: Any) -> None:
            return None

    assert Hook(before).is_async is False
    assert Hook(abefore).is_async is True
    assert Hook(AsyncCallable()).is_async is True


def test_defaults_and_validation() -> None:
    h = Hook(before)
    assert (h.kind, h.level, h.id, h.priority, h.timeout, h.retries) == (
        "before",
        "global",
        "before",
        0,
        None,
        0,
    )
    with pytest.raises(ValueError):
        Hook(before, kind="around")
    with pytest.raises(ValueError):
        Hook(before, level="app")
    with pytest.raises(ValueError):
        Hook(before, timeout=0)
    with pytest.raises(ValueError):
        Hook(before, retries=-1)
    with pytest.raises(ValueError):
        Hook(before, priority=2**70)
    with pytest.raises(TypeError):
        Hook("not callable")  # type: ignore[arg-type]
    with pytest.raises(HookError):
        Hook(lambda req: None)
    with pytest.raises(HookError):
        Hook(before, kind="catch")
    Hook(catcher, kind="catch")
    Hook(lambda *a: None, kind="catch")


def test_backoff_is_exponential_and_capped() -> None:
    b = Backoff(base=0.1, factor=2, cap=0.5)
    assert [b.delay(n) for n in range(1, 6)] == [0.1, 0.2, 0.4, 0.5, 0.5]
    assert Hook(before, backoff=0.3).backoff == Backoff(base=0.3)
    with pytest.raises(ValueError):
        Backoff(factor=0.5)


def test_plan_rejects_wrong_levels_and_duplicates() -> None:
    with pytest.raises(ValueError):
        plan_route([Hook(before, level="route")])
    with pytest.raises(ValueError):
        plan_route([], [Hook(before, level="global")])
    with pytest.raises(ValueError):
        plan_route([Hook(before, level="local")])
    with pytest.raises(ValueError):
        plan_route([Hook(before), Hook(before)])
    with pytest.raises(TypeError):
        plan_route([before])  # type: ignore[list-item]
    plan_route([Hook(before), Hook(before, kind="after")])  # same id, different kinds: fine


def test_plan_timeout() -> None:
    assert plan_route([]).timeout == 30.0
    assert plan_route([], timeout=None).timeout is None
    assert not plan_route([]).has_hooks
    with pytest.raises(ValueError):
        plan_route([], timeout=-1)


specs = st.lists(
    st.tuples(
        st.sampled_from(["before", "after", "catch"]),
        st.sampled_from(["global", "route"]),
        st.integers(-2, 2),
        st.booleans(),
    ),
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(specs)
def test_property_24_25_order_across_levels_and_priorities(
    spec: list[tuple[str, str, int, bool]],
) -> None:
    """Property 24/25: every registered hook is planned once; before runs global → route,
    higher priority first, registration order on ties; after and catch are the reverse."""
    g: list[Hook] = []
    r: list[Hook] = []
    for i, (kind, level, prio, is_async) in enumerate(spec):
        if kind == "catch":
            fn: Any = catcher
        else:
            fn = abefore if is_async else before
        h = Hook(fn, kind=kind, level=level, priority=prio, id=f"h{i}")
        (g if level == "global" else r).append(h)
    plan = plan_route(g, r)
    rank = {"global": 0, "route": 1}

    def expected(kind: str) -> list[Hook]:
        hs = [h for h in (*g, *r) if h.kind == kind]
        order = {id(h): n for n, h in enumerate((*g, *r))}
        return sorted(hs, key=lambda h: (rank[h.level], -h.priority, order[id(h)]))

    assert list(plan.before) == expected("before")
    assert list(plan.after) == expected("after")[::-1]
    assert list(plan.catch) == expected("catch")[::-1]
