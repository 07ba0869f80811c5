"""LocalContext: metadata (Property 27), phases, request-scoped events (Property 26), logs."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gati import App, HookError, LocalContext
from gati.context import PHASES, Client
from gati.context.ids import new_request_id
from gati.context.meta import Meta
from gati.http.ingress import new_ingress
from gati.testing import AsyncTestClient


@settings(max_examples=100, deadline=None)
@given(
    st.text(min_size=1, max_size=20),
    st.sampled_from(["GET", "POST", "DELETE"]),
    st.text(max_size=20),
    st.frozensets(st.text(max_size=5), max_size=3),
    st.integers(-5, 5),
)
def test_property_27_metadata(
    rid: str, method: str, path: str, flags: frozenset[str], prio: int
) -> None:
    """Property 27: metadata holds what the request was created with, plus phase and start time."""
    c = Client("10.0.0.1", "ua")
    lctx = LocalContext(
        rid,
        method=method,
        path=path,
        route="/r",
        handler_id="h",
        version="v",
        flags=flags,
        priority=prio,
        client=c,
        trace_id="t",
        principal="p",
    )
    m = lctx.meta
    assert (m.request_id, m.method, m.path, m.route, m.handler_id, m.version) == (
        rid,
        method,
        path,
        "/r",
        "h",
        "v",
    )
    assert (m.flags, m.priority, m.client, m.trace_id, m.principal) == (flags, prio, c, "t", "p")
    assert m.phase == "received" and m.started_at > 0
    with pytest.raises(AttributeError):
        m.phase = "error"  # type: ignore[misc]


def test_routed_starts_like_the_keyword_form() -> None:
    """``LocalContext.routed(...)`` (the app's constructor) starts like ``LocalContext(...)``."""
    client = Client("10.0.0.1", "ua")
    flags = frozenset({"beta"})
    lctx = LocalContext.routed("r1", "POST", "/a/1", "/a/{id}", "h", "v2", flags, client, "t", 1.0)
    plain = LocalContext(
        "r1",
        method="POST",
        path="/a/1",
        route="/a/{id}",
        handler_id="h",
        version="v2",
        flags=flags,
        client=client,
        trace_id="t",
        started_at=1.0,
        phase="routed",
    )
    for name in Meta.__slots__:
        assert getattr(lctx.meta, name) == getattr(plain.meta, name), name
    assert lctx.phase == plain.phase == "routed"
    assert lctx.hook_index == plain.hook_index == 0
    assert lctx.snapshot().state == plain.snapshot().state == {}
    assert lctx.snapshot().events == () and lctx.snapshot().outstanding == ()
    assert lctx.advance("processing") and lctx.meta.phase == "processing"


def test_meta_is_made_on_first_read_and_then_kept() -> None:
    """``lctx.meta`` is made on first read (the app's contexts do not make it until then), is
    the same object on every later read, and follows every phase move made before or after."""
    lctx = LocalContext.routed("r", "GET", "/a", "/a", "h", "v1", frozenset(), None, "t", 1.0)
    assert lctx.meta_if_made is None
    assert lctx.advance("processing") and lctx.phase == "processing"
    meta = lctx.meta
    assert lctx.meta_if_made is meta and lctx.meta is meta
    assert (meta.request_id, meta.route, meta.version) == ("r", "/a", "v1")
    assert meta.phase == "processing"
    assert (meta.priority, meta.principal, meta.started_at) == (0, None, 1.0)
    lctx.set_phase("completed")
    assert meta.phase == lctx.phase == "completed"
    assert lctx.snapshot().request_id == "r" and lctx.snapshot().phase == "completed"


def test_started_at_is_read_without_making_the_meta() -> None:
    """``lctx.started_at`` is the request's start time (what ``meta.started_at`` holds), read
    without making the ``Meta``; once one is made, it follows the ``Meta``."""
    lctx = LocalContext.routed("r", "GET", "/a", "/a", "h", "v1", frozenset(), None, "t", 7.5)
    assert lctx.started_at == 7.5 and lctx.meta_if_made is None
    lctx.meta.started_at = 9.0
    assert lctx.started_at == 9.0
    assert LocalContext("r", started_at=3.0).started_at == 3.0


@pytest.mark.parametrize("read_meta", [False, True])
async def test_meta_read_during_a_request_follows_its_phases(read_meta: bool) -> None:
    """A ``Meta`` read by a hook (kept by reference, as recorders do) sees the request's
    later phases too: the lifecycle's written-out phase moves mirror them into it."""
    app = App()
    kept: list[Any] = []
    seen: list[str] = []

    @app.hook("before")
    async def keep(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        if read_meta:
            kept.append(lctx.meta)
        kept.append(lctx)

    @app.get("/x")
    async def handler(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        seen.append(lctx.meta.phase if read_meta else lctx.phase)
        return {"ok": True}

    async with AsyncTestClient(app) as client:
        assert (await client.get("/x")).status_code == 200
    lctx = kept[-1]
    assert seen == ["processing"] and lctx.phase == "completed"
    assert lctx.meta.phase == "completed" and lctx.meta.path == "/x"
    if read_meta:
        assert kept[0] is lctx.meta


def test_meta_client_is_made_from_the_ingress_on_first_read() -> None:
    """The app hands ``routed`` the request's ``Ingress``; ``meta.client`` is the same
    ``Client`` named tuple as before, made once."""
    info = new_ingress()
    info.client_ip, info.user_agent = "10.0.0.9", "ua/1"
    lctx = LocalContext.routed("r", "GET", "/", "/", "h", None, frozenset(), info, None, 1.0)
    client = lctx.meta.client
    assert client == Client("10.0.0.9", "ua/1") and type(client) is Client
    assert lctx.meta.client is client
    bare = LocalContext.routed("r", "GET", "/", "/", "h", None, frozenset(), None, None, 1.0)
    assert bare.meta.client is None


def test_request_ids_are_unique() -> None:
    ids = {new_request_id() for _ in range(10_000)}
    assert len(ids) == 10_000


def test_phase_transitions_and_listeners() -> None:
    lctx = LocalContext("r")
    seen: list[tuple[str, str]] = []
    lctx.on_phase_change(lambda old, new: seen.append((old, new)))
    lctx.set_phase("routed")
    lctx.set_phase("validated")
    lctx.set_phase("validated")  # same phase: no transition
    with pytest.raises(ValueError):
        lctx.set_phase("received")
    with pytest.raises(ValueError):
        lctx.set_phase("nope")
    lctx.set_phase("error")
    lctx.set_phase("completed")
    with pytest.raises(ValueError):
        lctx.set_phase("timeout")
    assert seen == [
        ("received", "routed"),
        ("routed", "validated"),
        ("validated", "error"),
        ("error", "completed"),
    ]
    assert set(PHASES) >= {p for pair in seen for p in pair}


def test_phase_listener_errors_are_isolated() -> None:
    lctx = LocalContext("r")

    def bad(old: str, new: str) -> None:
        raise RuntimeError("listener")

    lctx.on_phase_change(bad)
    lctx.set_phase("routed")
    assert lctx.phase == "routed"


async def test_property_26_request_scoped_events_never_cross() -> None:
    """Property 26: a request's publish reaches only its own subscribers."""
    got: dict[str, list[Any]] = {"a": [], "b": []}
    la, lb = LocalContext("a"), LocalContext("b")
    la.subscribe("t", got["a"].append)
    lb.subscribe("t", got["b"].append)

    async def pub(lctx: LocalContext, n: int) -> None:
        for i in range(n):
            lctx.publish("t", (lctx.meta.request_id, i))
            await asyncio.sleep(0)

    await asyncio.gather(pub(la, 5), pub(lb, 3))
    assert got["a"] == [("a", i) for i in range(5)]
    assert got["b"] == [("b", i) for i in range(3)]


@pytest.mark.parametrize(
    "register",
    [
        lambda lctx, fn: lctx.subscribe("t", fn),
        lambda lctx, fn: lctx.on_cleanup(fn),
        lambda lctx, fn: lctx.on_timeout(fn),
        lambda lctx, fn: lctx.on_error(fn),
        lambda lctx, fn: lctx.compensate(fn),
        lambda lctx, fn: lctx.defer(fn),
    ],
)
def test_a_request_callback_that_is_not_callable_is_refused_where_it_is_registered(
    register: Any,
) -> None:
    # it was kept, and failed (logged) when the request published or ended
    lctx = LocalContext("r")
    with pytest.raises(TypeError, match=r"lctx\.\w+\(\) takes a callable, not str"):
        register(lctx, "handler")


async def test_subscribers_isolated_async_tracked_and_unsubscribe() -> None:
    lctx = LocalContext("r")
    seen: list[Any] = []

    def bad(p: Any) -> None:
        raise RuntimeError("sub")

    async def asub(p: Any) -> None:
        seen.append(("async", p))

    lctx.subscribe("t", bad)
    off = lctx.subscribe("t", seen.append)
    lctx.subscribe("t", asub)
    lctx.publish("t", 1)
    await asyncio.sleep(0)
    off()
    lctx.publish("t", 2)
    await asyncio.sleep(0)
    assert seen == [1, ("async", 1), ("async", 2)]
    assert [o["status"] for o in lctx.snapshot().outstanding] == ["fulfilled", "fulfilled"]


def test_log_is_structured_and_kept(caplog: pytest.LogCaptureFixture) -> None:
    lctx = LocalContext("rid-log", handler_id="h")
    with caplog.at_level(logging.INFO, logger="gati.request"):
        lctx.log("charged", level="warning", amount=3)
    rec = caplog.records[-1]
    assert rec.getMessage() == "charged" and rec.levelno == logging.WARNING
    assert rec.request_id == "rid-log" and rec.fields == {"amount": 3}  # type: ignore[attr-defined]
    ev = lctx.snapshot().events[-1]
    assert (ev["type"], ev["level"], ev["message"], ev["fields"]) == (
        "log",
        "warning",
        "charged",
        {"amount": 3},
    )
    with pytest.raises(ValueError):
        lctx.log("x", level="loud")


def test_local_hooks_are_bounded_per_request() -> None:
    lctx = LocalContext("r")

    def h(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        return None

    for _ in range(256):
        lctx.after(h)
    with pytest.raises(HookError):
        lctx.after(h)
    assert lctx.before(h, id="x", timeout=1, retries=2).level == "local"


def test_a_backoff_without_retries_is_refused() -> None:
    # it was kept and never used: a hook without retries is never retried
    async def hook(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    lctx = LocalContext("r")
    with pytest.raises(ValueError, match="backoff= spaces the retries: give retries="):
        lctx.before(hook, backoff=0.5)
    assert lctx.before(hook, retries=2, backoff=0.5).backoff.base == 0.5
