"""The plain runner (written out in ``App.__call__``) against ``Orchestrator.run``: for a
plain plan with nobody listening, every scenario ends the same way — the response, hook and
callback order, phases seen by a phase listener, the hook position, ``current_lctx`` and what
failure listeners receive. The same app serves each scenario twice: once as it is, once with
its route's plan marked not plain, which sends the request through ``run``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from starlette.responses import PlainTextResponse

from gati import App, Hook, LocalContext, current_lctx
from gati.lifecycle import plan_route

# A scenario: the app's before hooks (name, what each adds), what the handler adds, whether
# the handler fails.
Add = Callable[[LocalContext], None] | None
Scenario = tuple[list[tuple[str, Add]], Add, bool]


def _before(log: list[str], seen: list[LocalContext], name: str, add: Add) -> Any:
    async def hook(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        seen.append(lc)
        log.append(f"{name}:{lc.phase}:{lc.hook_index}")
        assert current_lctx() is lc
        if add is not None:
            add(lc)

    return hook


def _handler(
    log: list[str], seen: list[LocalContext], add: Add, *, fail: bool, delegated: bool
) -> Any:
    async def handler(req: Any, res: Any, lc: LocalContext, gctx: Any) -> Any:
        seen.append(lc)
        log.append(f"handler:{lc.phase}:{lc.hook_index}:{current_lctx() is lc}")
        if add is not None:
            add(lc)
        if fail:
            raise RuntimeError("handler failed")
        return PlainTextResponse("delegated") if delegated else {"ok": True}

    return handler


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


def _throw(lc: LocalContext) -> None:
    raise KeyError("x")


SCENARIOS: dict[str, Callable[[list[str]], Scenario]] = {
    "no hooks": lambda log: ([], None, False),
    "one before hook": lambda log: ([("a", None)], None, False),
    "two before hooks": lambda log: ([("a", None), ("b", None)], None, False),
    "a failing before hook": lambda log: ([("a", _throw)], None, False),
    "a failing handler": lambda log: ([("a", _callbacks(log))], None, True),
    "a before hook adds callbacks (a built-in step's way)": lambda log: (
        [("a", _end_callbacks(log)), ("b", None)],
        None,
        False,
    ),
    "a before hook adds callbacks, the handler fails": lambda log: (
        [("a", _end_callbacks(log))],
        None,
        True,
    ),
    "a before hook adds a local after hook and callbacks": lambda log: (
        [("a", _callbacks(log))],
        None,
        False,
    ),
    "a before hook adds local hooks and callbacks": lambda log: (
        [("a", _local_before(log)), ("b", None)],
        None,
        False,
    ),
    "a before hook watches phases": lambda log: ([("a", _watch(log))], None, False),
    "the handler adds local hooks and callbacks": lambda log: (
        [("a", None)],
        _callbacks(log),
        False,
    ),
    "the handler adds a local before hook too": lambda log: (
        [("a", None)],
        _local_before(log),
        False,
    ),
    "the handler's local after hook fails": lambda log: (
        [("a", None)],
        _callbacks(log, failing_after=True),
        False,
    ),
    "the handler watches phases": lambda log: ([], _watch(log), False),
}


async def _serve(app: App) -> tuple[int, bytes]:
    """One ``GET /`` through the app's ASGI entry: the status and the body."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"x-request-id", b"r")]
    scope = {"type": "http", "method": "GET", "path": "/", "headers": headers, "query_string": b""}
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def _outcome(
    runner: str, name: str, *, delegated: bool = False, slow: bool = False
) -> tuple[Any, ...]:
    log: list[str] = []
    seen: list[LocalContext] = []
    hooks, handler_adds, fail = SCENARIOS[name](log)
    app = App(health_paths=None, openapi_path=None, docs_path=None, timeout=0.02 if slow else 30)
    failures: list[str] = []
    app.emitter.subscribe(lambda ev: failures.append(ev["type"]), failures_only=True)
    for hook_name, add in hooks:
        app.hook("before", _before(log, seen, hook_name, add), id=hook_name)
    if slow:

        async def handler(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
            seen.append(lc)
            lc.on_timeout(lambda: log.append("on_timeout"))
            lc.on_cleanup(lambda: log.append("cleanup"))
            await asyncio.sleep(10)

    else:
        handler = _handler(log, seen, handler_adds, fail=fail, delegated=delegated)
    app.get("/")(handler)
    route = app.routes.resolve("GET", "/")[0]
    assert route.plan.plain
    if runner == "run":
        object.__setattr__(route.plan, "plain", False)
    status, body = await _serve(app)
    lctx = seen[0]
    snap = lctx.snapshot()
    return status, body, log, failures, lctx.phase, lctx.hook_index, snap.hook_index


@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("delegated", [False, True])
async def test_plain_runner_ends_like_run(name: str, delegated: bool) -> None:
    general = await _outcome("run", name, delegated=delegated)
    plain = await _outcome("plain", name, delegated=delegated)
    assert plain == general


async def test_plain_runner_times_out_like_run() -> None:
    """The handler's deadline, ``on_timeout`` then cleanup, a 504: once with the watchdog
    still to be made and once with it cached."""
    for _ in range(2):
        general = await _outcome("run", "no hooks", slow=True)
        plain = await _outcome("plain", "no hooks", slow=True)
        assert plain == general
        assert plain[2] == ["on_timeout", "cleanup"] and plain[4] == "timeout"


async def test_outside_cancellation_of_the_plain_runner_is_not_a_timeout() -> None:
    app = App(health_paths=None, openapi_path=None, docs_path=None)
    started = asyncio.Event()
    log: list[str] = []
    seen: list[LocalContext] = []

    @app.get("/")
    async def slow(req: Any, res: Any, lc: LocalContext, gctx: Any) -> None:
        seen.append(lc)
        lc.on_cleanup(lambda: log.append("cleanup"))
        started.set()
        await asyncio.sleep(10)

    task = asyncio.ensure_future(_serve(app))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert log == ["cleanup"] and seen[0].phase == "error"


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
