"""The app of the response-field tests, served by a real server (imported by the server)."""

from __future__ import annotations

from typing import Any

from gati import App, HTTPError

app = App()


@app.get("/hello")
async def hello(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {"hello": "world"}


@app.get("/split")
async def split(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    res.header("X-Note", "a\r\nSet-Cookie: session=forged")
    return {"ok": True}


@app.get("/split-problem")
async def split_problem(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    raise HTTPError(409, "taken", headers={"X-Note": "a\r\nSet-Cookie: session=forged"})


@app.get("/length")
async def length(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    res.header("Content-Length", "2").text("hi")


@app.get("/wrong-length")
async def wrong_length(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    res.header("Content-Length", "100").text("hi")


@app.get("/informational")
async def informational(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    res.status(101)
    return {"switching": "no"}
