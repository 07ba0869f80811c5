"""Lifecycle events (Property 20): one start and one end or error per hook and handler."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import GlobalContext, Hook, LocalContext
from gati.lifecycle import Emitter, Orchestrator, plan_route
from gati.lifecycle.events import EVENT_TYPES

BASE = {"type", "ts_ns", "request_id", "handler_id", "version"}
EXTRA = {
    "request.start": set(),
    "request.end": {"duration_ns"},
    "hook.start": {"hook_id", "level", "attempt"},
    "hook.end": {"hook_id", "level", "attempt", "duration_ns"},
    "hook.error": {"hook_id", "level", "attempt", "duration_ns", "error"},
    "hook.retry": {"hook_id", "level", "attempt"},
    "handler.start": set(),
    "handler.end": {"duration_ns"},
    "handler.error": {"duration_ns", "error"},
}


def make(kind: str, fail: bool, is_async: bool) -> Any:
    def check() -> None:
        if fail:
            raise RuntimeError("planned")

    if kind == "catch":
        if is_async:

            async def acatch(exc: Any, req: Any, res: Any, lctx: Any, gctx: Any) -> None:
                check()

            return acatch

        def catch(exc: Any, req: Any, res: Any, lctx: Any, gctx: Any) -> None:
            check()

        return catch
    if is_async:

        async def ahook(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
            check()

        return ahook

    def hook(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        check()

    return hook


spec = st.lists(
    st.tuples(
        st.sampled_from(["before", "after", "catch"]),
        st.sampled_from(["global", "route"]),
        st.booleans(),
        st.booleans(),
    ),
    max_size=8,
)


@settings(max_examples=80, deadline=None)
@given(spec, st.booleans())
async def test_property_20_events_well_formed(
    hooks: list[tuple[str, str, bool, bool]], handler_fails: bool
) -> None:
    """Property 20: request.start first, request.end last, every event well-formed, and every
    hook or handler that started has exactly one matching end or error."""
    events: list[dict[str, Any]] = []
    em = Emitter()
    em.subscribe(events.append)
    orch = Orchestrator(GlobalContext(), em)
    g = [
        Hook(make(k, f, a), kind=k, level="global", id=f"h{i}")
        for i, (k, lv, f, a) in enumerate(hooks)
        if lv == "global"
    ]
    r = [
        Hook(make(k, f, a), kind=k, level="route", id=f"h{i}")
        for i, (k, lv, f, a) in enumerate(hooks)
        if lv == "route"
    ]

    async def call(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        if handler_fails:
            raise RuntimeError("handler")

    lctx = LocalContext("rid-20", handler_id="hid", version="v")
    with contextlib.suppress(RuntimeError):
        await orch.run(plan_route(g, r), call, None, None, lctx)
    assert events[0]["type"] == "request.start" and events[-1]["type"] == "request.end"
    for e in events:
        assert e["type"] in EVENT_TYPES
        assert set(e) == BASE | EXTRA[e["type"]] | (
            {"error"} if e["type"] == "request.end" and "error" in e else set()
        )
        assert (e["request_id"], e["handler_id"], e["version"]) == ("rid-20", "hid", "v")
    open_hooks: dict[str, int] = {}
    for e in events:
        if e["type"] == "hook.start":
            assert e["hook_id"] not in open_hooks
            open_hooks[e["hook_id"]] = e["attempt"]
        elif e["type"] in ("hook.end", "hook.error"):
            assert open_hooks.pop(e["hook_id"]) == e["attempt"]
    assert not open_hooks
    starts = [e for e in events if e["type"] == "handler.start"]
    ends = [e for e in events if e["type"] in ("handler.end", "handler.error")]
    assert len(starts) == len(ends) <= 1


async def test_listener_errors_are_isolated(caplog: pytest.LogCaptureFixture) -> None:
    em = Emitter()
    seen: list[str] = []

    def bad(ev: dict[str, Any]) -> None:
        raise RuntimeError("listener bug")

    em.subscribe(bad)
    unsubscribe = em.subscribe(lambda ev: seen.append(ev["type"]))
    orch = Orchestrator(GlobalContext(), em)

    async def call(req: Any, res: Any, lctx: Any, gctx: Any) -> str:
        return "ok"

    assert await orch.run(plan_route([]), call, None, None, LocalContext("x")) == "ok"
    assert seen == ["request.start", "handler.start", "handler.end", "request.end"]
    unsubscribe()
    assert len(em.listeners) == 1
