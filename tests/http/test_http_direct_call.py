"""The route call run inline by the app's plain runner (``RoutePlan.direct``) against
``Route.call``: for each kind of handler outcome the app answers the same — status, body,
headers, the phase the handler saw, ``current_lctx()`` and the 5xx report — whichever of the
two runs it."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest
from starlette.responses import PlainTextResponse

from gati import App, current_lctx, gt
from gati.testing import TestClient


def _app(seen: list[Any]) -> App:
    app = App()

    @app.hook("before")
    async def audit(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        seen.append(("hook", lctx.phase))

    @app.get("/value")
    async def value(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        seen.append(("handler", lctx.phase, current_lctx() is lctx))
        return {"hello": "world"}

    @app.get("/pair")
    async def pair(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return ({"a": 1}, 201)

    @app.get("/both")
    async def both(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        res.json({"a": 1})
        return {"b": 2}

    @app.get("/written")
    async def written(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        res.status(201).header("X-Mine", "1").json({"made": True})

    @app.get("/starlette")
    async def starlette(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return PlainTextResponse("down", status_code=503)

    @app.get("/failing")
    async def failing(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        raise RuntimeError("boom")

    @app.get("/typed/{id:int}", params=gt.object({"id": gt.integer(max=10)}))
    async def typed(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        seen.append(("typed", lctx.phase, req.params_data))
        return {"id": req.params_data["id"]}

    @app.get("/query", query=gt.object({"n": gt.integer()}))
    async def query(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"n": req.query_data["n"]}

    @app.get("/shaped", response=gt.object({"id": gt.integer()}))
    async def shaped(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"id": 1, "secret": "x"}

    @app.get("/slow", timeout=0.02)
    async def slow(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        lctx.on_timeout(lambda: seen.append("on_timeout"))
        await asyncio.sleep(10)

    @app.get("/phased")
    async def phased(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
        return {"phase": lctx.phase}

    return app


_PER_REQUEST = ("x-request-id", "content-length")
PATHS = [
    "/value",
    "/pair",
    "/both",
    "/written",
    "/starlette",
    "/failing",
    "/typed/7",
    "/typed/70",
    "/typed/x",
    "/query?n=3",
    "/query?n=x",
    "/shaped",
    "/slow",
    "/phased",
]


def _answers(direct: bool) -> list[Any]:
    seen: list[Any] = []
    app = _app(seen)
    reports: list[str] = []
    out: list[Any] = []
    with TestClient(app) as client:
        for _, pattern, route in app.routes.routes():  # planned: started up
            route.server_error = lambda pattern=pattern: reports.append(pattern)
            assert route.plan.direct is not None
            if not direct:
                route.plan = dataclasses.replace(route.plan, direct=None)
        for _ in range(2):  # the first request makes the loop's watchdog, the second reuses it
            for path in PATHS:
                r = client.get(path)
                body = r.json() if r.headers.get("content-type", "").endswith("json") else r.text
                if isinstance(body, dict):
                    body.pop("request_id", None)
                    body.pop("instance", None)
                # the id (in the header, and in a problem body and so its length) differs
                headers = {k: v for k, v in r.headers.items() if k not in _PER_REQUEST}
                out.append((path, r.status_code, body, headers))
    return [out, seen, reports]


def test_the_inline_route_call_answers_like_route_call() -> None:
    assert _answers(direct=True) == _answers(direct=False)


def test_which_routes_get_the_inline_call() -> None:
    app = App()

    @app.get("/a")
    async def a(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    @app.post("/b", request=gt.object({"x": gt.integer()}))
    async def b(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    @app.get("/c")
    def c(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    @app.get("/d/{id:int}", params=gt.object({"id": gt.integer()}))
    async def d(req: Any, res: Any, lctx: Any, gctx: Any) -> None: ...

    def plan(method: str, path: str) -> Any:
        return app.routes.resolve(method, path)[0].plan

    direct = plan("GET", "/a").direct
    assert direct is not None and direct[0] is None and direct[3] is False
    assert plan("POST", "/b").direct is None  # the body is awaited: Route.call
    assert plan("GET", "/c").direct is None  # a worker thread: Route.call
    typed = plan("GET", "/d/1").direct
    assert typed is not None and typed[0] is not None and typed[3] is True


@pytest.mark.parametrize("path", ["/value", "/typed/7"])
def test_a_phase_listener_still_sees_each_move(path: str) -> None:
    """A listener added by a before hook takes the general runner: every phase is seen."""
    moves: list[str] = []
    app = _app([])

    @app.hook("before")
    async def watch(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
        lctx.on_phase_change(lambda old, new: moves.append(new))

    with TestClient(app) as client:
        assert client.get(path).status_code == 200
    validated = ["validated"] if path.startswith("/typed") else []
    assert moves == [*validated, "processing", "responding", "completed"]
