"""Which hooks run when: global hooks for 404/405/413, after hooks over every response gati
produces (errors included); exception handlers by type and by status."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from starlette.responses import JSONResponse, PlainTextResponse

from gati import App, HTTPError
from gati.testing import TestClient


def timing_app(order: list[str]) -> App:
    app = App(max_body_size=8)

    @app.hook("before")
    async def start(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        order.append(f"before {lctx.meta.handler_id}")

    @app.hook("after")
    async def server_timing(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        order.append(f"after {res.status_code}")
        res.header("Server-Timing", "app;dur=1")

    @app.get("/ok")
    async def ok(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"ok": True}

    @app.get("/crash")
    async def crash(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        raise RuntimeError("boom")

    @app.get("/teapot")
    async def teapot(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        raise HTTPError(418, "short", headers={"X-Tea": "1"})

    @app.get("/slow", timeout=0.01)
    async def slow(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        await asyncio.sleep(5)

    @app.post("/post")
    async def post(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {}

    return app


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/ok", 200),
        ("GET", "/crash", 500),
        ("GET", "/teapot", 418),
        ("GET", "/slow", 504),
        ("GET", "/nowhere", 404),
        ("DELETE", "/ok", 405),
        ("POST", "/post", 413),
    ],
)
def test_an_after_hook_sees_every_response(method: str, path: str, status: int) -> None:
    order: list[str] = []
    client = TestClient(timing_app(order))
    r = client.request(method, path, content=b"x" * 20 if method == "POST" else None)
    assert r.status_code == status
    assert r.headers["server-timing"] == "app;dur=1"
    assert order[-1] == f"after {status}"
    assert order[0].startswith("before ")


def test_routing_failures_run_under_the_stand_in_handler_id_and_keep_allow() -> None:
    order: list[str] = []
    r = TestClient(timing_app(order)).delete("/ok")
    assert r.headers["allow"] == "GET, HEAD"
    assert order[0] == "before gati.not_routed"
    assert r.json()["status"] == 405


def test_a_before_hook_may_refuse_unknown_paths_too() -> None:
    app = App()

    @app.hook
    async def auth(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        if req.headers.get("x-key") != "k":
            raise HTTPError(401, "no key")

    assert TestClient(app).get("/nothing").status_code == 401
    assert TestClient(app).get("/nothing", headers={"x-key": "k"}).status_code == 404


def test_a_failing_after_hook_on_an_error_response_is_logged_and_the_error_sent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = App()

    @app.hook("after")
    async def broken(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        raise ValueError("after bug")

    with caplog.at_level(logging.ERROR):
        r = TestClient(app).get("/missing")
    assert r.status_code == 404
    assert "failed on an error response" in caplog.text


def test_exception_handlers_most_specific_first_and_by_status() -> None:
    async def lookup(req: Any, exc: LookupError) -> Any:
        return JSONResponse({"lookup": str(exc)}, status_code=404)

    app = App(exception_handlers={LookupError: lookup})

    @app.exception_handler(KeyError)
    async def key_error(req: Any, exc: KeyError) -> Any:
        return JSONResponse({"key": exc.args[0]}, status_code=422)

    @app.exception_handler(404)
    def not_found(req: Any, exc: HTTPError) -> Any:
        return PlainTextResponse(f"nothing at {req.path}", status_code=404)

    @app.exception_handler(ValueError)
    async def decline(req: Any, exc: ValueError) -> Any:
        return None  # the default problem response

    @app.get("/key")
    async def key(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        raise KeyError("isbn")

    @app.get("/index")
    async def index(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        raise IndexError("third")

    @app.get("/value")
    async def value(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        raise ValueError("bad")

    client = TestClient(app)
    r = client.get("/key")
    assert (r.status_code, r.json()) == (422, {"key": "isbn"})
    assert "x-request-id" in r.headers
    assert client.get("/index").json() == {"lookup": "third"}
    r = client.get("/nope")
    assert (r.status_code, r.text) == (404, "nothing at /nope")
    r = client.get("/value")
    assert r.status_code == 500
    assert r.headers["content-type"] == "application/problem+json"


def test_exception_handler_keys_and_signatures_are_checked() -> None:
    app = App()
    with pytest.raises(ValueError, match="4xx or 5xx"):
        app.exception_handler(200)(lambda req, exc: None)
    with pytest.raises(TypeError, match="exception type or a status"):
        app.exception_handler("KeyError")(lambda req, exc: None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"takes \(req, exc\)"):
        app.exception_handler(KeyError)(lambda req: None)


def test_cleanup_runs_once_when_an_exception_handler_answers() -> None:
    app = App()
    cleanups: list[str] = []

    @app.exception_handler(LookupError)
    async def lookup(req: Any, exc: LookupError) -> Any:
        return PlainTextResponse("gone", status_code=410)

    @app.get("/x")
    async def x(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        lctx.on_cleanup(lambda: cleanups.append("cleanup"))
        raise LookupError("x")

    r = TestClient(app).get("/x")
    assert (r.status_code, r.text) == (410, "gone")
    assert cleanups == ["cleanup"]
