"""The orchestrator: order, failures, catch, timeouts, retries, callbacks and bad input."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import (
    GlobalContext,
    Hook,
    HookError,
    LocalContext,
    NoRequestContext,
    RequestTimeout,
    ValidationError,
    current_lctx,
)
from gati.errors import HookTimeout
from gati.lifecycle import Emitter, Orchestrator, plan_route


def rec(log: list[str], name: str, *, fail: bool = False, is_async: bool = False) -> Any:
    if is_async:

        async def ahook(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
            await asyncio.sleep(0)
            log.append(name)
            if fail:
                raise RuntimeError(name)

        return ahook

    def hook(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        log.append(name)
        if fail:
            raise RuntimeError(name)

    return hook


def handler(log: list[str], result: Any = "ok", fail: bool = False) -> Any:
    async def call(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        log.append("handler")
        if fail:
            raise RuntimeError("handler")
        return result

    return call


async def test_full_order_global_route_local(
    orch: Orchestrator, lctx: LocalContext, res: Any
) -> None:
    """Property 25: before global → route → local; after in the exact reverse; sync/async mixed."""
    log: list[str] = []
    g = [
        Hook(rec(log, "g1"), id="g1"),
        Hook(rec(log, "g2", is_async=True), id="g2", priority=5),
        Hook(rec(log, "ga1"), kind="after", id="ga1"),
        Hook(rec(log, "ga2", is_async=True), kind="after", id="ga2", priority=5),
    ]
    r = [
        Hook(rec(log, "r1", is_async=True), level="route", id="r1"),
        Hook(rec(log, "ra1"), kind="after", level="route", id="ra1"),
    ]

    def add_local(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        log.append("g0")
        lc.before(rec(log, "l1"), id="l1")
        lc.before(rec(log, "l2", is_async=True), id="l2")
        lc.after(rec(log, "la1"), id="la1")
        lc.after(rec(log, "la2", is_async=True), id="la2")

    g.insert(0, Hook(add_local, id="g0", priority=9))
    plan = plan_route(g, r)
    assert await orch.run(plan, handler(log), None, res, lctx) == "ok"
    assert log == ["g0", "g2", "g1", "r1", "l1", "l2", "handler", "la2", "la1", "ra1", "ga1", "ga2"]
    assert lctx.phase == "completed"
    assert lctx.hook_index == 12  # 6 before, the handler, 5 after


async def test_before_failure_skips_rest_and_handler(
    orch: Orchestrator, lctx: LocalContext, res: Any
) -> None:
    log: list[str] = []
    plan = plan_route([Hook(rec(log, "a", fail=True), id="a"), Hook(rec(log, "b"), id="b")])
    with pytest.raises(RuntimeError, match="a"):
        await orch.run(plan, handler(log), None, res, lctx)
    assert log == ["a"]
    assert lctx.phase == "error"


async def test_catch_hook_that_writes_handles_the_error(
    orch: Orchestrator, lctx: LocalContext, res: Any
) -> None:
    """Catch hooks run in reverse order, each isolated; one that writes handles the error."""
    log: list[str] = []

    def broken(exc: Any, req: Any, r: Any, lc: Any, gctx: Any) -> None:
        log.append("broken")
        raise ValueError("catch hook bug")

    def writer(exc: Any, req: Any, r: Any, lc: Any, gctx: Any) -> None:
        log.append(f"writer:{exc}")
        r.json({"error": str(exc)})

    plan = plan_route([Hook(writer, kind="catch", id="w"), Hook(broken, kind="catch", id="b")])
    res.written = True  # a response written by the failed handler does not count
    assert await orch.run(plan, handler(log, fail=True), None, res, lctx) is None
    assert log == ["handler", "broken", "writer:handler"]
    assert res.body == {"error": "handler"}
    assert lctx.phase == "completed"


async def test_catch_hook_that_does_not_write_leaves_the_error(
    orch: Orchestrator, lctx: LocalContext, res: Any
) -> None:
    seen: list[Any] = []
    plan = plan_route([Hook(lambda e, *a: seen.append(e), kind="catch", id="c")])
    with pytest.raises(RuntimeError):
        await orch.run(plan, handler([], fail=True), None, res, lctx)
    assert len(seen) == 1 and isinstance(seen[0], RuntimeError)


async def test_after_failure_goes_to_catch(
    orch: Orchestrator, lctx: LocalContext, res: Any
) -> None:
    log: list[str] = []
    plan = plan_route(
        [
            Hook(rec(log, "a1"), kind="after", id="a1"),
            Hook(rec(log, "a2", fail=True), kind="after", id="a2"),
            Hook(lambda e, req, r, lc, g: r.json("handled"), kind="catch", id="c"),
        ]
    )
    assert await orch.run(plan, handler(log), None, res, lctx) is None
    assert log == ["handler", "a2"]
    assert res.body == "handled"


async def test_retries_with_backoff(
    orch: Orchestrator, lctx: LocalContext, res: Any, events: list[dict[str, Any]]
) -> None:
    calls = []

    async def flaky(req: Any, res: Any, lc: Any, gctx: Any) -> None:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("flaky")

    plan = plan_route([Hook(flaky, retries=2, backoff=0.001, id="flaky")])
    assert await orch.run(plan, handler([]), None, res, lctx) == "ok"
    assert len(calls) == 3
    kinds = [(e["type"], e.get("attempt")) for e in events if e.get("hook_id") == "flaky"]
    assert kinds == [
        ("hook.start", 1),
        ("hook.error", 1),
        ("hook.retry", 2),
        ("hook.start", 2),
        ("hook.error", 2),
        ("hook.retry", 3),
        ("hook.start", 3),
        ("hook.end", 3),
    ]


async def test_retries_exhausted(orch: Orchestrator, lctx: LocalContext, res: Any) -> None:
    calls = []

    def always(req: Any, res: Any, lc: Any, gctx: Any) -> None:
        calls.append(1)
        raise ConnectionError("down")

    with pytest.raises(ConnectionError):
        await orch.run(
            plan_route([Hook(always, retries=1, backoff=0.0)]), handler([]), None, res, lctx
        )
    assert len(calls) == 2


async def test_hanging_async_hook_is_cancelled_at_its_timeout(
    orch: Orchestrator, lctx: LocalContext, res: Any
) -> None:
    async def hang(req: Any, res: Any, lc: Any, gctx: Any) -> None:
        await asyncio.Event().wait()

    with pytest.raises(HookTimeout):
        await orch.run(plan_route([Hook(hang, timeout=0.02)]), handler([]), None, res, lctx)
    assert lctx.phase == "error"


async def test_property_8_handler_timeout_runs_on_timeout_then_cleanup(
    orch: Orchestrator, lctx: LocalContext, res: Any, events: list[dict[str, Any]]
) -> None:
    """Property 8: a timed-out handler is cancelled; on_timeout runs, then cleanup; 504 outcome."""
    log: list[str] = []

    async def slow(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        lc.on_cleanup(lambda: log.append("cleanup"))
        lc.on_timeout(lambda: log.append("on_timeout"))
        lc.compensate(lambda: log.append("compensate"))
        catch_seen = lc.catch(lambda *a: log.append("catch"))
        assert catch_seen is not None
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            log.append("cancelled")
            raise

    with pytest.raises(RequestTimeout):
        await orch.run(plan_route([], timeout=0.02), slow, None, res, lctx)
    assert log == ["cancelled", "on_timeout", "compensate", "cleanup"]
    assert lctx.phase == "timeout"
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]
    assert events[-1]["type"] == "request.end" and "error" in events[-1]


async def test_handler_that_swallows_cancellation_still_times_out(
    orch: Orchestrator, lctx: LocalContext, res: Any
) -> None:
    async def stubborn(req: Any, res: Any, lc: Any, gctx: Any) -> str:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(10)
        return "late"

    with pytest.raises(RequestTimeout):
        await orch.run(plan_route([], timeout=0.02), stubborn, None, res, lctx)


async def test_outside_cancellation_runs_cleanup_and_propagates(
    gctx: GlobalContext, res: Any
) -> None:
    orch = Orchestrator(gctx)
    log: list[str] = []
    started = asyncio.Event()

    async def slow(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        lc.on_cleanup(lambda: log.append("cleanup"))
        started.set()
        await asyncio.sleep(10)

    lc = LocalContext("x")
    task = asyncio.ensure_future(orch.run(plan_route([]), slow, None, res, lc))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert log == ["cleanup"]


async def test_compensations_last_first_and_alert(
    orch: Orchestrator, lctx: LocalContext, res: Any, events: list[dict[str, Any]]
) -> None:
    log: list[str] = []

    def c3() -> None:
        log.append("c3")
        raise RuntimeError("c3 broke")

    async def call(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        lc.compensate(lambda: log.append("c1"))
        lc.compensate(lambda: log.append("c2"))
        lc.compensate(c3)
        raise RuntimeError("fail")

    with pytest.raises(RuntimeError, match="fail"):
        await orch.run(plan_route([]), call, None, res, lctx)
    assert log == ["c3", "c2", "c1"]
    alerts = [e for e in events if e["type"] == "compensation.alert"]
    assert len(alerts) == 1 and "c3 broke" in alerts[0]["error"]


async def test_no_compensation_on_success(orch: Orchestrator, lctx: LocalContext, res: Any) -> None:
    log: list[str] = []

    async def call(req: Any, res: Any, lc: LocalContext, gctx: Any) -> str:
        lc.compensate(lambda: log.append("undo"))
        lc.on_error(lambda e: log.append("on_error"))
        return "fine"

    assert await orch.run(plan_route([]), call, None, res, lctx) == "fine"
    assert log == []


@pytest.mark.parametrize("fail", [False, True])
async def test_cleanup_last_first_always_and_isolated(
    orch: Orchestrator, res: Any, fail: bool
) -> None:
    log: list[str] = []

    async def acleanup() -> None:
        log.append("async")

    def broken() -> None:
        log.append("broken")
        raise RuntimeError("cleanup bug")

    async def call(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        lc.on_cleanup(lambda: log.append("first"))
        lc.on_cleanup(acleanup)
        lc.on_cleanup(broken)
        lc.on_error(lambda e: log.append(f"on_error:{e}"))
        if fail:
            raise RuntimeError("boom")

    lc = LocalContext("c")
    if fail:
        with pytest.raises(RuntimeError, match="boom"):
            await orch.run(plan_route([]), call, None, res, lc)
        assert log == ["on_error:boom", "broken", "async", "first"]
    else:
        await orch.run(plan_route([]), call, None, res, lc)
        assert log == ["broken", "async", "first"]


async def test_state_may_change_during_cleanup(
    orch: Orchestrator, lctx: LocalContext, res: Any
) -> None:
    async def call(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        lc.state.set("n", 1)
        lc.on_cleanup(lambda: lc.state.set("n", lc.state["n"] + 1))
        lc.on_cleanup(lambda: lc.state.set("cleaned", True))

    await orch.run(plan_route([]), call, None, res, lctx)
    assert lctx.state.items() == [("n", 2), ("cleaned", True)]


async def test_hanging_cleanup_is_bounded(orch: Orchestrator, lctx: LocalContext, res: Any) -> None:
    log: list[str] = []

    async def hang() -> None:
        await asyncio.Event().wait()

    async def call(req: Any, res: Any, lc: LocalContext, gctx: Any) -> str:
        lc.on_cleanup(lambda: log.append("ran"))
        lc.on_cleanup(hang)
        return "done"

    orch.callback_timeout = 0.02
    assert await orch.run(plan_route([]), call, None, res, lctx) == "done"
    assert log == ["ran"]


async def test_pending_tracked_tasks_are_cancelled(
    orch: Orchestrator, lctx: LocalContext, res: Any
) -> None:
    holder: list[asyncio.Future[Any]] = []

    async def call(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        holder.append(lc.track(asyncio.sleep(10), name="bg"))
        holder.append(lc.track(asyncio.sleep(0), name="quick"))
        await holder[1]

    await orch.run(plan_route([]), call, None, res, lctx)
    await asyncio.sleep(0)
    assert holder[0].cancelled() and not holder[1].cancelled()
    assert lctx.snapshot().outstanding == (
        {"name": "bg", "status": "rejected"},
        {"name": "quick", "status": "fulfilled"},
    )


async def test_non_awaitable_call_result_is_an_error(
    orch: Orchestrator, lctx: LocalContext, res: Any
) -> None:
    def sync_call(req: Any, res: Any, lc: Any, gctx: Any) -> str:
        return "not awaitable"

    with pytest.raises(TypeError):
        await orch.run(plan_route([]), sync_call, None, res, lctx)  # type: ignore[arg-type]
    assert lctx.phase == "error"


async def test_sync_hook_returning_awaitable_is_awaited(
    orch: Orchestrator, lctx: LocalContext, res: Any
) -> None:
    log: list[str] = []

    async def inner() -> None:
        log.append("awaited")

    plan = plan_route([Hook(lambda req, res, lc, g: inner(), id="lam")])
    await orch.run(plan, handler(log), None, res, lctx)
    assert log == ["awaited", "handler"]


async def test_recursive_local_registration_is_bounded(
    orch: Orchestrator, lctx: LocalContext, res: Any
) -> None:
    def again(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        lc.before(again)

    with pytest.raises(HookError):
        await orch.run(plan_route([Hook(again)]), handler([]), None, res, lctx)


async def test_current_lctx_inside_and_outside(
    orch: Orchestrator, lctx: LocalContext, res: Any
) -> None:
    async def call(req: Any, res: Any, lc: LocalContext, gctx: Any) -> Any:
        return current_lctx()

    assert await orch.run(plan_route([]), call, None, res, lctx) is lctx
    with pytest.raises(NoRequestContext):
        current_lctx()


async def test_validation_error_event(
    orch: Orchestrator, lctx: LocalContext, res: Any, events: list[dict[str, Any]]
) -> None:
    async def call(req: Any, res: Any, lc: Any, gctx: Any) -> None:
        raise ValidationError([{"path": (), "code": "x", "message": "bad"}])

    with pytest.raises(ValidationError):
        await orch.run(plan_route([]), call, None, res, lctx)
    assert "validation.error" in [e["type"] for e in events]


async def test_no_event_is_built_without_listeners(
    gctx: GlobalContext, res: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gati.lifecycle.orchestrator as mod

    def boom(*a: Any, **k: Any) -> None:
        raise AssertionError("event built with nobody listening")

    monkeypatch.setattr(mod, "event", boom)
    orch = Orchestrator(gctx, Emitter())
    log: list[str] = []
    plan = plan_route([Hook(rec(log, "b"), id="b"), Hook(rec(log, "a"), kind="after", id="a")])
    await orch.run(plan, handler(log), None, res, LocalContext("q"))
    assert log == ["b", "handler", "a"]


async def test_resume_from_hook_index(orch: Orchestrator, res: Any) -> None:
    log: list[str] = []
    plan = plan_route([Hook(rec(log, "b1"), id="b1"), Hook(rec(log, "b2"), id="b2")])
    lc = LocalContext("r")
    lc.hook_index = 1
    snap = lc.snapshot()
    await orch.run(plan, handler(log), None, res, LocalContext.restore(snap))
    assert log == ["b2", "handler"]


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 30), st.data())
async def test_property_6_failure_isolated_among_concurrent_requests(
    n: int, data: st.DataObject
) -> None:
    """Property 6: one failing request among many leaves the others' state and responses alone."""
    orch = Orchestrator(GlobalContext())
    bad = data.draw(st.integers(0, n - 1))

    class R:
        written = False
        body: Any = None

    def on_catch(exc: Any, req: Any, res: Any, lc: Any, g: Any) -> None:
        res.body = f"error:{exc}"
        res.written = True

    plan = plan_route([Hook(on_catch, kind="catch")], timeout=5)

    async def call(req: int, res: Any, lc: LocalContext, g: Any) -> None:
        lc.state.set("mine", req)
        await asyncio.sleep(0)
        if req == bad:
            lc.state.set("mine", "corrupt")
            raise RuntimeError(req)
        await asyncio.sleep(0)
        res.body = lc.state.get("mine")

    ctxs = [LocalContext(f"r{i}") for i in range(n)]
    ress = [R() for _ in range(n)]
    await asyncio.gather(*(orch.run(plan, call, i, ress[i], ctxs[i]) for i in range(n)))
    for i in range(n):
        if i == bad:
            assert ress[i].body == f"error:{i}" and ctxs[i].phase == "completed"
        else:
            assert ress[i].body == i and ctxs[i].state.get("mine") == i
            assert ctxs[i].phase == "completed"


async def test_hook_timeout_is_retried_then_fails(
    orch: Orchestrator, lctx: LocalContext, res: Any
) -> None:
    calls: list[int] = []

    async def hang(req: Any, res: Any, lc: Any, gctx: Any) -> None:
        calls.append(1)
        await asyncio.Event().wait()

    plan = plan_route([Hook(hang, timeout=0.01, retries=1, backoff=0.0)])
    with pytest.raises(HookTimeout):
        await orch.run(plan, handler([]), None, res, lctx)
    assert len(calls) == 2


async def test_cancelled_request_is_never_retried(gctx: GlobalContext, res: Any) -> None:
    orch = Orchestrator(gctx)
    calls: list[int] = []
    failed = asyncio.Event()

    def flaky(req: Any, res: Any, lc: Any, gctx: Any) -> None:
        calls.append(1)
        failed.set()
        raise ConnectionError("down")

    plan = plan_route([Hook(flaky, retries=5, backoff=10.0)])
    task = asyncio.ensure_future(orch.run(plan, handler([]), None, res, LocalContext("c")))
    await failed.wait()
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(calls) == 1


async def test_timeouts_among_concurrent_requests_hit_only_the_slow_one(
    gctx: GlobalContext,
) -> None:
    """Property 6 with deadlines: one request times out, the others (with their own deadlines,
    armed in any order) complete untouched."""
    orch = Orchestrator(gctx)

    async def call(req: float, res: Any, lc: LocalContext, g: Any) -> float:
        await asyncio.sleep(req)
        return req

    delays = [0.0, 0.01, 0.3, 0.0, 0.02]
    plans = [plan_route([], timeout=t) for t in (5.0, 1.0, 0.05, 2.0, 0.5)]
    outcomes = await asyncio.gather(
        *(orch.run(plans[i], call, d, None, LocalContext(f"r{i}")) for i, d in enumerate(delays)),
        return_exceptions=True,
    )
    assert [type(o).__name__ if isinstance(o, BaseException) else o for o in outcomes] == [
        0.0,
        0.01,
        "RequestTimeout",
        0.0,
        0.02,
    ]


async def test_slow_sync_hook_with_timeout_runs_off_the_loop(gctx: GlobalContext) -> None:
    """A blocking sync hook with a timeout neither blocks other requests nor hangs its own."""
    orch = Orchestrator(gctx)
    release = threading.Event()
    seen: list[Any] = []

    def blocking(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        seen.append(current_lctx().meta.request_id)
        release.wait(5)

    async def quick(req: Any, res: Any, lc: LocalContext, gctx: Any) -> str:
        return "quick"

    slow = orch.run(
        plan_route([Hook(blocking, timeout=0.05)]), quick, None, None, LocalContext("slow")
    )
    fast = orch.run(plan_route([]), quick, None, None, LocalContext("fast"))
    outcomes = await asyncio.gather(slow, fast, return_exceptions=True)
    release.set()
    assert isinstance(outcomes[0], HookTimeout) and outcomes[1] == "quick"
    assert seen == ["slow"]


# -- the path taken when nobody listens for events ---------------------------------------------


async def test_unobserved_plain_async_hook_retries_then_succeeds(gctx: GlobalContext) -> None:
    orch = Orchestrator(gctx)
    calls: list[int] = []

    async def flaky(req: Any, res: Any, lc: Any, gctx: Any) -> None:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("flaky")

    log: list[str] = []
    plan = plan_route([Hook(flaky, retries=2, backoff=0.001)])
    assert await orch.run(plan, handler(log), None, None, LocalContext("a")) == "ok"
    assert len(calls) == 3 and log == ["handler"]
    calls.clear()
    log.clear()
    with pytest.raises(ConnectionError):
        await orch.run(plan_route([Hook(flaky)]), handler(log), None, None, LocalContext("b"))
    assert len(calls) == 1 and log == []


async def test_unobserved_handler_timeout_after_the_watchdog_is_cached(
    gctx: GlobalContext,
) -> None:
    orch = Orchestrator(gctx)
    assert await orch.run(plan_route([], timeout=5), handler([]), None, None, LocalContext("a"))
    log: list[str] = []

    async def slow(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        lc.on_timeout(lambda: log.append("on_timeout"))
        lc.on_cleanup(lambda: log.append("cleanup"))
        await asyncio.sleep(10)

    lc = LocalContext("b")
    with pytest.raises(RequestTimeout):
        await orch.run(plan_route([], timeout=0.02), slow, None, None, lc)
    assert log == ["on_timeout", "cleanup"] and lc.phase == "timeout"
    assert await orch.run(plan_route([], timeout=5), handler([]), None, None, LocalContext("c"))


async def test_unobserved_outside_cancellation_is_not_a_timeout(gctx: GlobalContext) -> None:
    orch = Orchestrator(gctx)
    assert await orch.run(plan_route([], timeout=5), handler([]), None, None, LocalContext("a"))
    started = asyncio.Event()

    async def slow(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        started.set()
        await asyncio.sleep(10)

    task = asyncio.ensure_future(
        orch.run(plan_route([], timeout=5), slow, None, None, LocalContext("b"))
    )
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_phases_at_the_end_with_and_without_observers(gctx: GlobalContext) -> None:
    orch = Orchestrator(gctx)
    plain = LocalContext("a", phase="routed")
    await orch.run(plan_route([]), handler([]), None, None, plain)
    assert plain.phase == "completed"
    seen: list[tuple[str, str]] = []
    watched = LocalContext("b", phase="routed")
    watched.on_phase_change(lambda old, new: seen.append((old, new)))
    await orch.run(plan_route([]), handler([]), None, None, watched)
    assert seen == [("routed", "responding"), ("responding", "completed")]
    phases: list[str] = []

    async def after(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        phases.append(lc.phase)

    hooked = LocalContext("c", phase="routed")
    await orch.run(plan_route([Hook(after, kind="after")]), handler([]), None, None, hooked)
    assert phases == ["responding"] and hooked.phase == "completed"
