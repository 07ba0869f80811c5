"""The app the day-one end-to-end tests serve under uvicorn: cookies, forms, streams, SSE,
files, websockets, middleware, exception handlers, routers, deferred work, logging, a mounted
gati app with its lifespan, and JSON beyond plain values."""

from __future__ import annotations

import decimal
import logging
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from sse_ticks import ticks
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse

import gati.logging
from gati import App, HTTPError, Middleware, Router

MARKERS = Path(os.environ.get("GATI_E2E_MARKERS", "."))
gati.logging.configure("INFO", json=True, stream=open(MARKERS / "log.jsonl", "a", buffering=1))  # noqa: SIM115
log = logging.getLogger("dayone")


async def missing_key(req: Any, exc: KeyError) -> Any:
    return JSONResponse({"missing": exc.args[0]}, status_code=404)


app = App(
    middleware=[Middleware(CORSMiddleware, allow_origins=["https://shop.example"])],
    exception_handlers={KeyError: missing_key},
)


@app.hook("after")
async def server_timing(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    res.header("Server-Timing", "app")


@app.get("/hello")
async def hello(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {"hello": "world", "price": decimal.Decimal("9.99"), "tags": {"a"}}


@app.get("/cookie")
async def cookie(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    res.set_cookie("session", "s1", httponly=True)
    return {"cookies": req.cookies}


@app.post("/upload")
async def upload(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    form = await req.form()
    file = form["file"]
    return {"title": form["title"], "size": len(await file.read()), "name": file.filename}


@app.get("/stream")
async def stream(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    async def parts() -> AsyncIterator[str]:
        for i in range(3):
            yield f"part{i};"

    res.stream(parts(), media_type="text/plain")


@app.get("/sse")
async def sse(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    rid = lctx.meta.request_id
    lctx.on_cleanup(lambda: (MARKERS / f"sse-cleanup-{rid}").write_text("done"))

    res.sse(ticks(0.05, lambda: (MARKERS / f"sse-closed-{rid}").write_text("closed")), ping=1)


@app.get("/sync-stream")
async def sync_stream(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    rid = lctx.meta.request_id
    lctx.on_cleanup(lambda: (MARKERS / f"sync-cleanup-{rid}").write_text("done"))

    def lines() -> Iterator[bytes]:  # endless, and never waits: only a disconnect ends it
        try:
            while True:
                yield b"line\n"
        finally:
            (MARKERS / f"sync-closed-{rid}").write_text("closed")

    res.stream(lines(), media_type="text/plain")


@app.get("/file")
async def file(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    path = MARKERS / "data.txt"
    path.write_bytes(b"0123456789")
    res.file(path)


@app.get("/key")
async def key(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    raise KeyError("isbn")


@app.post("/defer")
async def defer(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    rid = lctx.meta.request_id
    lctx.defer(lambda: (MARKERS / f"deferred-{rid}").write_text("ran"))
    log.warning("deferring work")
    return {"accepted": True}


@app.websocket("/ws/{room}")
async def chat(ws: Any, lctx: Any, gctx: Any) -> None:
    if ws.query.get("token") != "t":
        raise HTTPError(403, "no token")
    await ws.accept()
    async for text in ws.iter_text():
        await ws.send_json({"room": ws.path_params["room"], "echo": text, "rid": ws.request_id})


books = Router(prefix="/books")


@books.get("/{book_id:int}", id="books.get")
async def get_book(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {"id": req.path_params["book_id"], "self": app.url_path_for("books.get", book_id=1)}


app.include(books)

child = App()
child.on_startup(lambda: (MARKERS / "child-started").write_text("yes"))
app.mount("/child", child)
