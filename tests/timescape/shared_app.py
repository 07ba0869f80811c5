"""The app the multi-process Timescape test serves: decisions shared through
``$GATI_REDIS_URL``, taken through small admin endpoints."""

from __future__ import annotations

import os
from typing import Any

from gati import App
from gati.timescape import Timescape

V1, V2, V3 = "2025-01-01", "2025-03-01", "2025-06-01"

app = App(timescape=Timescape(shared=os.environ["GATI_REDIS_URL"]))

for date in (V1, V2, V3):

    @app.get("/things", version=date, pin_versions=True, id=f"things.{date}")
    async def things(req: Any, res: Any, lctx: Any, gctx: Any, d: str = date) -> Any:
        return {"impl": d, "pid": os.getpid()}


@app.get("/ping")
async def ping(req: Any, res: Any, lctx: Any, gctx: Any) -> int:
    return os.getpid()


@app.post("/admin/{op}")
async def admin(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    q = req.query
    op = req.path_params["op"]
    if op == "tag":
        gctx.timescape.tag(q["name"], q["version"])
    elif op == "decommission":
        gctx.timescape.decommission(q["version"])
    elif op == "deprecate":
        gctx.timescape.deprecate(q["version"], sunset=q["sunset"])
    elif op == "unhealthy":
        gctx.timescape.mark_unhealthy("GET", "/things", q["version"])
    await gctx.timescape.flush()
    res.status(204)
