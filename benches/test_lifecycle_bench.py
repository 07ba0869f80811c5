"""Lifecycle benchmarks: native vs pure state store and planner, in one run.

Run: ``.venv/bin/python -m pytest benches/test_lifecycle_bench.py --benchmark-only``.
The ``run`` cases time a batch of ``BATCH`` requests per round (divide by ``BATCH``).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from benches.asgi import gati_with_backend

import gati.context.local as local_mod
import gati.lifecycle.plan as plan_mod
from gati import GlobalContext, Hook, LocalContext
from gati._pure import hooks as pure_hooks
from gati._pure import state as pure_state
from gati._pure.values import copy_value
from gati.context.ids import new_request_id
from gati.lifecycle import Orchestrator, plan_route

try:
    from gati import _native as native
except ImportError:  # pragma: no cover - benches need the extension for the native column
    native = None  # type: ignore[assignment]

BATCH = 1000
IMPLS: list[tuple[str, Any, Any]] = [("gati-pure", pure_state.StateStore, pure_hooks.plan_hooks)]
if native is not None:
    IMPLS.insert(0, ("gati-native", native.StateStore, native.plan_hooks))

impl = pytest.mark.parametrize(("name", "store_cls", "planner"), IMPLS, ids=[i[0] for i in IMPLS])


@impl
@pytest.mark.benchmark(group="lifecycle: context creation + first state use")
def test_context_creation(benchmark: Any, name: str, store_cls: Any, planner: Any) -> None:
    benchmark.extra_info["impl"] = name

    def make() -> Any:
        lctx = LocalContext(new_request_id())
        lctx.state_if_made = store_cls(copy_value)
        return lctx

    benchmark(make)


@impl
@pytest.mark.benchmark(group="lifecycle: creation + 10 state ops")
def test_creation_and_ten_ops(benchmark: Any, name: str, store_cls: Any, planner: Any) -> None:
    benchmark.extra_info["impl"] = name
    user = {"id": 7, "name": "a"}

    def run() -> Any:
        lctx = LocalContext(new_request_id())
        s = lctx.state_if_made = store_cls(copy_value)
        s.set("user_id", 7)
        s.set("role", "admin")
        s.set("user", user)
        s.get("user_id")
        s.get("role")
        s.get("missing")
        "role" in s  # noqa: B015
        s.set("count", 1)
        s.delete("role")
        return s.get("count")

    benchmark(run)


@impl
@pytest.mark.benchmark(group="lifecycle: state get/set/delete mix (scalars, 20 ops)")
def test_state_mix(benchmark: Any, name: str, store_cls: Any, planner: Any) -> None:
    benchmark.extra_info["impl"] = name
    s = store_cls(copy_value)
    for i in range(50):
        s.set(f"k{i}", i)
    keys = [f"k{i}" for i in range(10)]

    def run() -> None:
        for k in keys:
            s.set(k, 1)
            s.get(k)
        s.delete("k0")
        s.set("k0", 0)

    benchmark(run)


def _filled(store_cls: Any, n: int) -> Any:
    s = store_cls(copy_value)
    for i in range(n):
        s.set(f"key{i}", {"n": i} if i % 2 else i)
    return s


@pytest.mark.parametrize("n", [10, 100, 1000, 10000])
@impl
def test_snapshot(benchmark: Any, name: str, store_cls: Any, planner: Any, n: int) -> None:
    benchmark.extra_info["impl"] = name
    benchmark.group = f"lifecycle: snapshot, {n} keys"
    benchmark(_filled(store_cls, n).snapshot)


@pytest.mark.parametrize("n", [10, 100, 1000, 10000])
@impl
def test_snapshot_restore(benchmark: Any, name: str, store_cls: Any, planner: Any, n: int) -> None:
    benchmark.extra_info["impl"] = name
    benchmark.group = f"lifecycle: snapshot + restore, {n} keys"
    s = _filled(store_cls, n)

    def run() -> None:
        s.restore(s.snapshot())

    benchmark(run)


@pytest.fixture(scope="module")
def contexts() -> dict[str, Any]:
    """``LocalContext`` of each backend, from a fresh import of gati with its GATI_BACKEND: the
    public ``Snapshot`` is the backend's record class, chosen at import."""
    made = {"gati-pure": gati_with_backend("pure", fresh_local_context)}
    if native is not None:
        made["gati-native"] = gati_with_backend("native", fresh_local_context)
    return made


def fresh_local_context() -> Any:
    from gati import LocalContext as fresh

    return fresh


def _lctx(contexts: dict[str, Any], name: str, n: int) -> Any:
    lctx = contexts[name]("snap")
    for i in range(n):
        lctx.state.set(f"key{i}", {"n": i} if i % 2 else i)
    return lctx


@pytest.mark.parametrize("n", [10, 1000, 100_000])
@pytest.mark.parametrize("call", ["lctx.snapshot()", "LocalContext.restore(snapshot)"])
@impl
def test_lctx_call(
    benchmark: Any,
    name: str,
    store_cls: Any,
    planner: Any,
    call: str,
    n: int,
    contexts: dict[str, Any],
) -> None:
    """The public calls ``lctx.snapshot()`` (target: <= 300 ns native at every size) and
    ``LocalContext.restore(snapshot)``."""
    benchmark.extra_info["impl"] = name
    benchmark.group = f"lifecycle: {call}, {n} keys"
    lctx = _lctx(contexts, name, n)
    if call == "lctx.snapshot()":
        benchmark(lctx.snapshot)
    else:
        benchmark(contexts[name].restore, lctx.snapshot())


def _chain(is_async: bool) -> tuple[list[Hook], list[Hook]]:
    """3 global + 3 route hooks; the first global one adds 2 local hooks (before, after)."""
    if is_async:

        async def h(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
            lctx.state.set("seen", 1)

    else:

        def h(req: Any, res: Any, lctx: Any, gctx: Any) -> None:  # type: ignore[misc]
            lctx.state.set("seen", 1)

    def add_local(req: Any, res: Any, lctx: LocalContext, gctx: Any) -> None:
        lctx.before(h, id="l0")
        lctx.after(h, id="l1")

    g = [Hook(add_local, id="g0", priority=1), *(Hook(h, id=f"g{i}") for i in (1, 2))]
    r = [Hook(h, level="route", id=f"r{i}") for i in range(2)]
    r.append(Hook(h, kind="after", level="route", id="ra"))
    return g, r


@impl
@pytest.mark.benchmark(group="lifecycle: plan 3 global + 3 route hooks")
def test_plan(benchmark: Any, name: str, store_cls: Any, planner: Any, monkeypatch: Any) -> None:
    benchmark.extra_info["impl"] = name
    monkeypatch.setattr(plan_mod, "_plan_hooks", planner)
    g, r = _chain(False)
    benchmark(plan_route, g, r)


@pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
@impl
def test_run_chain(
    benchmark: Any,
    name: str,
    store_cls: Any,
    planner: Any,
    is_async: bool,
    loop: asyncio.AbstractEventLoop,
    monkeypatch: Any,
) -> None:
    """3 global + 3 route + 2 local hooks, each writing state, around a trivial handler."""
    benchmark.extra_info["impl"] = name
    benchmark.extra_info["per_op"] = f"divide by {BATCH}"
    benchmark.group = f"lifecycle: run 3g+3r+2l hooks ({'async' if is_async else 'sync'}), x{BATCH}"
    monkeypatch.setattr(plan_mod, "_plan_hooks", planner)
    monkeypatch.setattr(local_mod, "new_store", lambda: store_cls(copy_value))
    g, r = _chain(is_async)
    plan = plan_route(g, r)
    orch = Orchestrator(GlobalContext())

    async def call(req: Any, res: Any, lctx: LocalContext, gctx: Any) -> str:
        return "ok"

    async def batch() -> None:
        for _ in range(BATCH):
            await orch.run(plan, call, None, None, LocalContext(new_request_id()))

    benchmark(lambda: loop.run_until_complete(batch()))


@pytest.mark.benchmark(group=f"lifecycle: bare run (no hooks, no listeners), x{BATCH}")
@pytest.mark.parametrize("variant", ["direct await", "orchestrator.run"])
def test_bare_run(benchmark: Any, variant: str, loop: asyncio.AbstractEventLoop) -> None:
    """What ``run`` adds around the handler when nothing is registered (both backends alike)."""
    benchmark.extra_info["impl"] = "gati-" + variant.replace(" ", "-").replace(".", "-")
    orch = Orchestrator(GlobalContext())
    plan = plan_route([])
    lctx = LocalContext("bare")

    async def call(req: Any, res: Any, lc: Any, gctx: Any) -> str:
        return "ok"

    async def direct() -> None:
        for _ in range(BATCH):
            await call(None, None, lctx, None)

    async def orchestrated() -> None:
        for _ in range(BATCH):
            lctx.meta._phase = "processing"
            await orch.run(plan, call, None, None, lctx)

    fn = direct if variant == "direct await" else orchestrated
    benchmark(lambda: loop.run_until_complete(fn()))


@pytest.mark.benchmark(group=f"lifecycle: handler timeout mechanism, x{BATCH}")
@pytest.mark.parametrize(
    "mechanism",
    ["none", "asyncio.timeout", "loop.call_at", "watchdog native", "watchdog pure"],
)
def test_timeout_mechanism(benchmark: Any, mechanism: str, loop: asyncio.AbstractEventLoop) -> None:
    """Why the orchestrator enforces handler timeouts with a shared watchdog (docs/lifecycle.md),
    and the native watchdog against its pure twin."""
    from gati._backend import pair

    if mechanism.startswith("watchdog") and native is None:
        pytest.skip("native extension not importable")
    benchmark.extra_info["impl"] = mechanism

    async def call() -> str:
        return "ok"

    def fire() -> None:
        return None

    async def batch() -> None:
        lp = asyncio.get_running_loop()
        if mechanism.startswith("watchdog"):
            made = pair("Watchdog")[0 if mechanism == "watchdog native" else 1]
            wd = made(lp)
        for _ in range(BATCH):
            if mechanism == "none":
                await call()
            elif mechanism == "asyncio.timeout":
                async with asyncio.timeout(30):
                    await call()
            elif mechanism == "loop.call_at":
                h = lp.call_at(lp.time() + 30, fire)
                await call()
                h.cancel()
            else:
                task = wd.arm_running(30)
                await call()
                wd.disarm(task)

    benchmark(lambda: loop.run_until_complete(batch()))
