"""An app for the several-workers metrics test: ``uvicorn tests.telemetry.workers_app:app
--workers 2`` with ``PROMETHEUS_MULTIPROC_DIR`` set."""

from __future__ import annotations

import os
from typing import Any

from gati import App

app = App(telemetry=True, metrics_path="/metrics")


@app.get("/pid")
async def pid(req: Any, res: Any, lctx: Any, gctx: Any) -> Any:
    """Which worker answered."""
    gctx.metrics.counter("answers", 1, worker="any")
    return {"pid": os.getpid()}
