"""The app the end-to-end tests serve in a real server process (imported by the server)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

from gati import App, gt

MARKERS = Path(os.environ.get("GATI_E2E_MARKERS", "."))

app = App(max_body_size=64 * 1024)
Item = gt.object({"name": gt.string(min_length=1), "qty": gt.integer(min=0)}, extra="forbid")


@app.get("/hello")
async def hello(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    return {"hello": "world"}


@app.post("/items", request=Item, response=Item)
async def create(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    res.status(201).json(req.validated)


@app.get("/slow")
async def slow(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    (MARKERS / "slow-started").write_text(lctx.meta.request_id)
    await asyncio.sleep(1.5)
    return {"slow": "done"}


@app.on_shutdown
def shutdown() -> None:
    (MARKERS / "shutdown-ran").write_text("yes")
