"""The app the two-process Redis test serves: limits shared through ``$GATI_REDIS_URL``."""

from __future__ import annotations

import os
from typing import Any

from gati import App

app = App(rate_limit="10/hour")


@app.get("/sequential")
async def sequential(req: Any, res: Any, lctx: Any, gctx: Any) -> int:
    return os.getpid()


@app.get("/concurrent")
async def concurrent(req: Any, res: Any, lctx: Any, gctx: Any) -> int:
    return os.getpid()


@app.get("/ping", rate_limit=False)
async def ping(req: Any, res: Any, lctx: Any, gctx: Any) -> int:
    return os.getpid()
