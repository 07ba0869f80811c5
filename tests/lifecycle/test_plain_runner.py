"""``Orchestrator.run_plain`` against ``run``: for a plain plan with nobody listening, every
scenario ends the same way — result or error, hook and callback order, phases seen by a phase
listener, the hook position, ``current_lctx``, and what failure listeners receive."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from gati import GlobalContext, Hook, LocalContext, current_lctx
from gati.lifecycle import Emitter, Orchestrator, plan_route
from gati.lifecycle.plan import RoutePlan


class Res:
    """A response the orchestrator reads ``asgi`` from (set: a delegated body is pending)."""

    def __init__(self, delegated: bool = False) -> None:
        self.written = False
        self.asgi: Any = object() if delegated else None


Scenario = Callable[[list[str]], tuple[RoutePlan, Any]]


def _before(log: list[str], name: str, add: Callable[[LocalContext], None] | None = None) -> Hook:
    async def hook(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        log.append(f"{name}:{lc.phase}:{lc.hook_index}")
        assert current_lctx() is lc
        if add is not None:
            add(lc)

    return Hook(hook, id=name)


def _handler(
    log: list[str], add: Callable[[LocalContext], None] | None = None, *, fail: bool = False
) -> Any:
    async def call(req: Any, res: Any, lc: LocalContext, gctx: Any) -> Any:
        lc.advance("processing")
        log.append(f"handler:{lc.phase}:{lc.hook_index}:{current_lctx() is lc}")
        if add is not None:
            add(lc)
        if fail:
            raise RuntimeError("handler failed")
        return {"ok": True}

    return call


def _watch(log: list[str]) -> Callable[[LocalContext], None]:
    def add(lc: LocalContext) -> None:
        lc.on_phase_change(lambda old, new: log.append(f"phase:{old}->{new}"))

    return add


def _callbacks(log: list[str], *, failing_after: bool = False) -> Callable[[LocalContext], None]:
    def add(lc: LocalContext) -> None:
        async def after(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
            log.append(f"local after:{lc.phase}:{lc.hook_index}")
            if failing_after:
                raise ValueError("after failed")

        lc.after(after, id="la")
        lc.on_cleanup(lambda: log.append("cleanup"))
        lc.on_error(lambda exc: log.append(f"on_error:{exc}"))

    return add


def _end_callbacks(log: list[str]) -> Callable[[LocalContext], None]:
    def add(lc: LocalContext) -> None:
        lc.on_cleanup(lambda: log.append(f"cleanup:{lc.phase}"))
        lc.on_error(lambda exc: log.append(f"on_error:{exc}"))

    return add


def _local_before(log: list[str]) -> Callable[[LocalContext], None]:
    def add(lc: LocalContext) -> None:
        async def before(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
            log.append(f"local before:{lc.hook_index}")

        lc.before(before, id="lb")
        _callbacks(log)(lc)

    return add


SCENARIOS: dict[str, Scenario] = {
    "no hooks": lambda log: (plan_route([]), _handler(log)),
    "one before hook": lambda log: (plan_route([_before(log, "a")]), _handler(log)),
    "two before hooks, no timeout": lambda log: (
        plan_route([_before(log, "a"), _before(log, "b")], timeout=None),
        _handler(log),
    ),
    "a failing before hook": lambda log: (
        plan_route([_before(log, "a", lambda lc: (_ for _ in ()).throw(KeyError("x")))]),
        _handler(log),
    ),
    "a failing handler": lambda log: (
        plan_route([_before(log, "a", _callbacks(log))]),
        _handler(log, fail=True),
    ),
    "a before hook adds callbacks (a built-in step's way)": lambda log: (
        plan_route([_before(log, "a", _end_callbacks(log)), _before(log, "b")]),
        _handler(log),
    ),
    "a before hook adds callbacks, the handler fails": lambda log: (
        plan_route([_before(log, "a", _end_callbacks(log))]),
        _handler(log, fail=True),
    ),
    "a before hook adds a local after hook and callbacks": lambda log: (
        plan_route([_before(log, "a", _callbacks(log))]),
        _handler(log),
    ),
    "a before hook adds local hooks and callbacks": lambda log: (
        plan_route([_before(log, "a", _local_before(log)), _before(log, "b")]),
        _handler(log),
    ),
    "a before hook watches phases": lambda log: (
        plan_route([_before(log, "a", _watch(log))]),
        _handler(log),
    ),
    "the handler adds local hooks and callbacks": lambda log: (
        plan_route([_before(log, "a")]),
        _handler(log, _callbacks(log)),
    ),
    "the handler adds a local before hook too": lambda log: (
        plan_route([_before(log, "a")]),
        _handler(log, _local_before(log)),
    ),
    "the handler's local after hook fails": lambda log: (
        plan_route([_before(log, "a")]),
        _handler(log, _callbacks(log, failing_after=True)),
    ),
    "the handler watches phases": lambda log: (plan_route([]), _handler(log, _watch(log))),
}


async def _outcome(
    runner: str, scenario: Scenario, *, delegated: bool = False, slow: bool = False
) -> tuple[Any, ...]:
    failures: list[str] = []
    emitter = Emitter()
    emitter.subscribe(lambda ev: failures.append(ev["type"]), failures_only=True)
    orch = Orchestrator(GlobalContext({}), emitter, callback_timeout=0.5)
    log: list[str] = []
    plan, call = scenario(log)
    if slow:
        plan = plan_route([], timeout=0.02)

        async def call(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
            lc.on_timeout(lambda: log.append("on_timeout"))
            lc.on_cleanup(lambda: log.append("cleanup"))
            await asyncio.sleep(10)

    assert plan.plain
    lctx = LocalContext("r", phase="routed")
    run = orch.run_plain if runner == "plain" else orch.run
    try:
        outcome: Any = await run(plan, call, None, Res(delegated), lctx)
    except Exception as exc:
        outcome = (type(exc).__name__, str(exc).replace(" r:", ""))
    snap = lctx.snapshot()
    return outcome, log, failures, lctx.phase, lctx.hook_index, snap.hook_index


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("delegated", [False, True])
async def test_plain_runner_ends_like_run(name: str, delegated: bool) -> None:
    scenario = SCENARIOS[name]
    general = await _outcome("run", scenario, delegated=delegated)
    plain = await _outcome("plain", scenario, delegated=delegated)
    assert plain == general


async def test_plain_runner_times_out_like_run() -> None:
    """The handler's deadline, ``on_timeout`` then cleanup, ``RequestTimeout``: once with the
    watchdog still to be made and once with it cached."""
    for _ in range(2):
        general = await _outcome("run", SCENARIOS["no hooks"], slow=True)
        plain = await _outcome("plain", SCENARIOS["no hooks"], slow=True)
        assert plain == general
        assert plain[0][0] == "RequestTimeout" and plain[3] == "timeout"


async def test_outside_cancellation_of_the_plain_runner_is_not_a_timeout() -> None:
    orch = Orchestrator(GlobalContext({}))
    started = asyncio.Event()
    log: list[str] = []

    async def slow(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        lc.on_cleanup(lambda: log.append("cleanup"))
        started.set()
        await asyncio.sleep(10)

    lctx = LocalContext("r", phase="routed")
    task = asyncio.ensure_future(orch.run_plain(plan_route([]), slow, None, Res(), lctx))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert log == ["cleanup"] and lctx.phase == "error"


def test_which_plans_are_plain() -> None:
    async def a(req: Any, res: Any, lc: Any, gctx: Any) -> None:
        return None

    def s(req: Any, res: Any, lc: Any, gctx: Any) -> None:
        return None

    async def c(exc: Any, req: Any, res: Any, lc: Any, gctx: Any) -> None:
        return None

    assert plan_route([]).plain and plan_route([Hook(a)]).plain
    assert not plan_route([Hook(s)]).plain
    assert not plan_route([Hook(a, timeout=1.0)]).plain
    assert not plan_route([Hook(a, retries=1)]).plain
    assert not plan_route([Hook(a, kind="after")]).plain
    assert not plan_route([Hook(c, kind="catch")]).plain
