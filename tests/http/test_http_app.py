"""The ASGI app end to end in-process: routing outcomes, errors, hooks, sync handlers, limits."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from starlette.responses import PlainTextResponse

from gati import App, Hook, HTTPError
from gati.testing import AsyncTestClient, TestClient


def make_app(**options: Any) -> App:
    app = App(**options)

    @app.get("/hello")
    async def hello(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"hello": "world"}

    @app.get("/users/{id:int}")
    async def user(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.json({"id": req.path_params["id"], "type": type(req.path_params["id"]).__name__})

    @app.delete("/users/{id:int}")
    async def remove(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.status(204)

    @app.get("/teapot")
    async def teapot(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        raise HTTPError(418, "short and stout", headers={"X-Extra": "1"}, extra={"hint": "tip"})

    @app.get("/crash")
    async def crash(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        raise RuntimeError("secret internals")

    @app.post("/echo")
    async def echo(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"got": await req.json()}

    @app.post("/raw", max_body_size=8)
    async def raw_body(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.send(await req.body(), "application/octet-stream")

    @app.get("/starlette")
    async def starlette(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return PlainTextResponse("from starlette", status_code=202)

    @app.get("/text")
    async def text(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.status(201).header("X-Custom", "yes").text("héllo")

    return app


async def test_json_response_and_request_id() -> None:
    async with AsyncTestClient(make_app()) as client:
        r = await client.get("/hello")
    assert r.status_code == 200
    assert r.json() == {"hello": "world"}
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-request-id"]


async def test_typed_param_and_text_and_status() -> None:
    async with AsyncTestClient(make_app()) as client:
        assert (await client.get("/users/42")).json() == {"id": 42, "type": "int"}
        r = await client.get("/text")
        assert (r.status_code, r.text, r.headers["x-custom"]) == (201, "héllo", "yes")
        assert r.headers["content-type"] == "text/plain; charset=utf-8"
        r = await client.delete("/users/1")
        assert (r.status_code, r.content) == (204, b"")


async def test_404_405_allow_and_head() -> None:
    async with AsyncTestClient(make_app()) as client:
        r = await client.get("/nope")
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"
        r = await client.get("/users/abc")
        assert r.status_code == 404
        r = await client.post("/users/1")
        assert r.status_code == 405
        assert r.headers["allow"] == "DELETE, GET, HEAD"
        assert r.json()["status"] == 405
        r = await client.request("BREW", "/hello")
        assert r.status_code == 405
        assert r.headers["allow"] == "GET, HEAD"
        r = await client.head("/hello")
        assert r.status_code == 200
        assert r.content == b""
        assert r.headers["content-length"] == str(len(b'{"hello":"world"}'))


async def test_http_error_is_problem_json() -> None:
    async with AsyncTestClient(make_app()) as client:
        r = await client.get("/teapot")
    assert r.status_code == 418
    assert r.headers["x-extra"] == "1"
    body = r.json()
    assert body == {
        "type": "about:blank",
        "title": "I'm a Teapot",
        "status": 418,
        "detail": "short and stout",
        "request_id": r.headers["x-request-id"],
        "hint": "tip",
    }


async def test_crash_hides_internals_unless_debug() -> None:
    async with AsyncTestClient(make_app()) as client:
        r = await client.get("/crash")
    assert r.status_code == 500
    assert "secret internals" not in r.text
    assert "traceback" not in r.json()
    async with AsyncTestClient(make_app(debug=True)) as client:
        r = await client.get("/crash")
    assert r.status_code == 500
    assert "secret internals" in "".join(r.json()["traceback"])


async def test_handler_may_return_a_starlette_response() -> None:
    async with AsyncTestClient(make_app()) as client:
        r = await client.get("/starlette")
    assert (r.status_code, r.text) == (202, "from starlette")
    assert r.headers["x-request-id"]


async def test_malformed_and_deep_json_are_400() -> None:
    async with AsyncTestClient(make_app()) as client:
        r = await client.post("/echo", content=b"{not json")
        assert r.status_code == 400
        assert r.headers["content-type"] == "application/problem+json"
        r = await client.post("/echo", content=b"[" * 10_000 + b"]" * 10_000)
        assert r.status_code == 400
        r = await client.post("/echo", json={"a": [1, 2]})
        assert r.json() == {"got": {"a": [1, 2]}}


async def test_body_limit_declared_length_is_refused_before_reading(raw: Any) -> None:
    app = make_app()
    out = await raw(app, "POST", "/raw", headers=[(b"content-length", b"100")], chunks=[b"x" * 100])
    assert out.status == 413
    assert out.reads == 0
    assert out.json()["status"] == 413
    assert out.headers["connection"] == "close"  # the unread body makes the connection unusable


async def test_body_limit_streamed_body_stops_early(raw: Any) -> None:
    app = make_app()
    out = await raw(app, "POST", "/raw", chunks=[b"12345", b"67890", b"never", b"read"])
    assert out.status == 413
    assert out.reads == 2
    assert out.headers["connection"] == "close"
    out = await raw(app, "POST", "/raw", chunks=[b"1234", b"5678"])
    assert (out.status, out.body) == (200, b"12345678")


async def test_default_body_limit_is_one_mebibyte(raw: Any) -> None:
    app = make_app()
    big = b"[" + b"1," * (1 << 19) + b"1]"
    out = await raw(app, "POST", "/echo", headers=[(b"content-length", b"%d" % len(big))])
    assert out.status == 413
    ok = b"[" + b"1," * 1000 + b"1]"
    out = await raw(app, "POST", "/echo", chunks=[ok])
    assert out.status == 200


async def test_invalid_content_length_is_400(raw: Any) -> None:
    out = await raw(make_app(), "POST", "/echo", headers=[(b"content-length", b"12x")])
    assert out.status == 400


async def test_bad_paths_and_huge_headers_are_4xx(raw: Any) -> None:
    app = make_app()
    for path in ["/%zz", "/users/%E0%A4%A", "/\udcff", "//", "/users/1/../2", ""]:
        out = await raw(app, "GET", path or "/")
        assert 400 <= out.status < 500 or out.status == 200, path
        assert out.status == 200 or out.headers["content-type"] == "application/problem+json"
    out = await raw(app, "GET", "/hello", headers=[(b"x-big", b"a" * 100_000)] * 10)
    assert out.status == 200


def test_sync_client_and_lifespan() -> None:
    app = make_app()
    events: list[str] = []
    app.on_startup(lambda: events.append("start"))
    app.on_shutdown(lambda: events.append("stop"))
    with TestClient(app) as client:
        assert events == ["start"]
        assert client.get("/hello").json() == {"hello": "world"}
    assert events == ["start", "stop"]


async def test_sync_handler_runs_off_the_event_loop() -> None:
    """A sync handler waiting on an event that only another request sets must not deadlock."""
    app = App()
    gate = threading.Event()
    seen: dict[str, Any] = {}

    @app.get("/wait")
    def wait(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        seen["thread"] = threading.get_ident()
        return {"released": gate.wait(timeout=10)}

    @app.get("/release")
    async def release(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        gate.set()
        return {"ok": True}

    async with AsyncTestClient(app) as client:
        waiting = asyncio.ensure_future(client.get("/wait"))
        while "thread" not in seen:
            await asyncio.sleep(0.01)
        await client.get("/release")
        r = await waiting
    assert r.json() == {"released": True}
    assert seen["thread"] != threading.get_ident()


async def test_hook_order_global_route_and_catch() -> None:
    app = App()
    order: list[str] = []

    def record(name: str) -> Any:
        async def hook(*args: Any) -> None:
            order.append(name)

        hook.__qualname__ = name
        return hook

    app.hook("before", record("g-before"))
    app.hook("after", record("g-after"))

    @app.hook("catch")
    async def handled(exc: Exception, req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        order.append(f"catch:{exc}")
        res.status(409).json({"handled": str(exc)})

    @app.get(
        "/x",
        hooks=[record("r-before"), Hook(record("r-after"), kind="after", level="route")],
    )
    async def x(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        order.append("handler")
        if req.query.get("fail"):
            raise ValueError("boom")
        return {"ok": True}

    async with AsyncTestClient(app) as client:
        r = await client.get("/x")
        assert r.json() == {"ok": True}
        assert order == ["g-before", "r-before", "handler", "r-after", "g-after"]
        order.clear()
        r = await client.get("/x?fail=1")
    assert (r.status_code, r.json()) == (409, {"handled": "boom"})
    # after hooks see every response, the one a catch hook wrote included
    assert order == ["g-before", "r-before", "handler", "catch:boom", "r-after", "g-after"]


async def test_timeout_is_504() -> None:
    app = App()

    @app.get("/slow", timeout=0.05)
    async def slow(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        await asyncio.sleep(10)

    async with AsyncTestClient(app) as client:
        r = await client.get("/slow")
    assert r.status_code == 504
    assert r.json()["request_id"] == r.headers["x-request-id"]


def test_registration_errors() -> None:
    app = make_app()
    with pytest.raises(ValueError, match="already registered"):
        app.get("/hello")(lambda req, res, lctx, gctx: None)
    with pytest.raises(ValueError):
        app.route("HEAD", "/h")(lambda req, res, lctx, gctx: None)
    with pytest.raises(ValueError):
        app.get("no-slash")(lambda req, res, lctx, gctx: None)
    with pytest.raises(ValueError):
        app.mount("/m/", make_app())
    with pytest.raises(ValueError):
        HTTPError(200)
