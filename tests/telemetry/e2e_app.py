"""The app the end-to-end telemetry test serves with uvicorn."""

from __future__ import annotations

from typing import Any

from gati import App

app = App(telemetry=True, metrics_path="/metrics")


@app.get("/orders/{id:int}")
async def order(req: Any, res: Any, lctx: Any, gctx: Any) -> None:
    gctx.metrics.counter("orders.read", 1)
    res.json({"id": req.path_params["id"]})
