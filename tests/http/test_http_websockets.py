"""WebSocket routes: Local Context, before hooks, request id and close codes."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

with warnings.catch_warnings():  # its httpx transport is all these tests need
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient as StarletteClient
from starlette.websockets import WebSocketDisconnect

from gati import App, HTTPError, Router


def chat_app(log: list[str]) -> App:
    app = App()

    @app.hook
    async def auth(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        if req.query.get("token") != "ok":
            raise HTTPError(401, "no token")
        lctx.state.set("user", "ann")

    @app.websocket("/ws/{room}")
    async def chat(ws: Any, lctx: Any, gctx: Any) -> None:
        await ws.accept()
        lctx.on_cleanup(lambda: log.append("cleanup"))
        lctx.defer(log.append, "deferred")
        room = ws.path_params["room"]
        text = await ws.receive_text()
        await ws.send_json(
            {"room": room, "echo": text, "user": lctx.state.get("user"), "rid": ws.request_id}
        )
        await ws.close()

    @app.websocket("/crash")
    async def crash(ws: Any, lctx: Any, gctx: Any) -> None:
        await ws.accept()
        raise RuntimeError("boom")

    @app.websocket("/quiet")
    async def quiet(ws: Any, lctx: Any, gctx: Any) -> None:
        await ws.accept()
        await ws.send_text("hi")

    return app


def test_a_websocket_route_gets_hooks_a_context_and_the_request_id() -> None:
    log: list[str] = []
    client = StarletteClient(chat_app(log))
    with client.websocket_connect("/ws/lobby?token=ok", headers={"X-Request-ID": "ws-1"}) as ws:
        ws.send_text("hello")
        assert ws.receive_json() == {"room": "lobby", "echo": "hello", "user": "ann", "rid": "ws-1"}
    assert log == ["cleanup", "deferred"]


def test_a_refusing_before_hook_closes_with_1008() -> None:
    client = StarletteClient(chat_app([]))
    with pytest.raises(WebSocketDisconnect) as info, client.websocket_connect("/ws/lobby"):
        pass
    assert info.value.code == 1008


def test_an_unknown_path_closes_with_1008_and_a_crash_with_1011() -> None:
    client = StarletteClient(chat_app([]))
    with pytest.raises(WebSocketDisconnect) as info, client.websocket_connect("/nope?token=ok"):
        pass
    assert info.value.code == 1008
    with client.websocket_connect("/crash?token=ok") as ws:
        with pytest.raises(WebSocketDisconnect) as info:
            ws.receive_text()
        assert info.value.code == 1011


def test_a_handler_that_returns_closes_normally() -> None:
    client = StarletteClient(chat_app([]))
    with client.websocket_connect("/quiet?token=ok") as ws:
        assert ws.receive_text() == "hi"
        with pytest.raises(WebSocketDisconnect) as info:
            ws.receive_text()
        assert info.value.code == 1000


def test_a_router_declares_websocket_routes_under_its_prefix_and_hooks() -> None:
    seen: list[str] = []

    async def mark(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        seen.append("router hook")

    live = Router(prefix="/live", hooks=[mark])

    @live.websocket("/feed")
    async def feed(ws: Any, lctx: Any, gctx: Any) -> None:
        await ws.accept()
        await ws.send_text("tick")
        await ws.close()

    app = App()
    app.include(live)
    with StarletteClient(app).websocket_connect("/live/feed") as ws:
        assert ws.receive_text() == "tick"
    assert seen == ["router hook"]


def test_a_websocket_handler_that_cannot_be_served_is_refused_at_registration() -> None:
    app = App()

    async def http_shaped(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    def not_async(ws: Any, lctx: Any, gctx: Any) -> None: ...

    async def chat(ws: Any, lctx: Any, gctx: Any) -> None: ...

    # each was accepted and then failed every connection with 1011
    with pytest.raises(TypeError, match=r"http_shaped\(req.* must accept \(ws, lctx, gctx\)"):
        app.websocket("/a")(http_shaped)
    with pytest.raises(TypeError, match=r"not_async must be async: async def not_async\(ws"):
        app.websocket("/b")(not_async)
    with pytest.raises(TypeError, match="hooks= takes a list of hooks"):
        app.websocket("/c", hooks=chat)(chat)  # type: ignore[arg-type]
    assert not list(app.websocket_routes.routes())
